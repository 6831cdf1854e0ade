// Halide forms of the int8 arithmetic in ir/quant_math.h (same definitions; tests/ops checks them
// against the C++ functions over a sweep of values).
#pragma once
#include <Halide.h>

#include "ir/tensor.h"

namespace tpuc::ops {

Halide::Expr round_shift(Halide::Expr v, Halide::Expr shift);  // v: int64
Halide::Expr saturate_i8(Halide::Expr v);                      // → int8
// int32 acc → int8; a constant `zero_point` 0 (symmetric) adds nothing to the expression.
Halide::Expr requantize(Halide::Expr acc, Halide::Expr multiplier, Halide::Expr shift,
                        Halide::Expr zero_point = 0);
Halide::Expr round_half_away(Halide::Expr v);  // float, exact like std::round
Halide::Expr quantize(Halide::Expr x, Halide::Expr inv_scale, int zero_point = 0);  // f32 → int8
Halide::Expr dequantize(Halide::Expr q, Halide::Expr scale, int zero_point = 0);    // int8 → f32

}  // namespace tpuc::ops
