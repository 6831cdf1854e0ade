// Anchor translation unit for the Halide.h precompiled header (see the top-level CMakeLists.txt).
