// Integer products in the narrowest type that holds them exactly: an int8 layer's sums of
// int32(a) · int32(b), a and b 8-bit, become int32(int16(a) · int16(b)) — the same values (|a·b| ≤
// 2^15), but 16-bit vector multiplies, twice the lanes of 32-bit ones and cheaper on x86. Host
// kernels only: the chip's schedules read the algorithm as the ops write it.
#pragma once
#include <Halide.h>

#include <vector>

namespace tpuc::host {

// Rewrites every definition of every Func the outputs depend on.
void narrow_products(const std::vector<Halide::Func>& outputs);

}  // namespace tpuc::host
