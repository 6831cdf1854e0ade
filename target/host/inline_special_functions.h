// The host's special functions: ops call e^x, erf, √x and log as extern functions of the pipeline
// (ops/op.h: the chip's schedules recognise those stages by them); the host executor replaces each
// call with the function's steps (ir/special_functions.h) as Halide expressions, every step IEEE
// f32 on its own (strict_float) — the same bits as the chip's sequence, but vectorized with the
// rest of the stage instead of one scalar call per element.
#pragma once
#include <Halide.h>

#include <vector>

namespace tpuc::host {

// Rewrites every definition of every Func the outputs depend on.
void inline_special_functions(const std::vector<Halide::Func>& outputs);

}  // namespace tpuc::host
