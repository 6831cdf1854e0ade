// The integer arithmetic of int8 inference, defined once. The host reference (ops/quant.h, in
// Halide) and the BM1684X simulator both follow these definitions, and tests check the Halide
// form against these functions; docs/quantization.md states them for users.
//
//   requantize(acc, m, s, z) = saturate_i8(round_shift(acc * m, s) + z)   with acc*m in 64 bits
//   round_shift(v, s)        = v rounded half away from zero after division by 2^s
//   quantize(x, inv_scale, z)= saturate_i8(round_half_away(float(x * inv_scale)) + z)   (f32
//                              arithmetic)
//   dequantize(q, scale, z)  = float(q - z) * scale (f32 arithmetic)
// z is the zero point: 0 for symmetric int8, the int8 code of real 0 for asymmetric int8.
//   to_f16(x), to_bf16(x) = x rounded to the nearest binary16 / bfloat16, ties to even; overflow
//                           gives ±inf, NaN stays NaN (f16 keeps subnormals, as the chip does)
// exp, erf and sqrt as the chip computes them are in ir/special_functions.h.
#pragma once
#include <cmath>
#include <cstdint>

namespace tpuc {

inline int64_t round_shift(int64_t v, int shift) {
  if (shift <= 0) return v;
  if (shift > 63) return 0;
  // In unsigned arithmetic, so |v| + half cannot overflow.
  const uint64_t half = uint64_t{1} << (shift - 1),
                 magnitude = v >= 0 ? uint64_t(v) : uint64_t{0} - uint64_t(v);
  const int64_t q = int64_t((magnitude + half) >> shift);
  return v >= 0 ? q : -q;
}

inline int8_t saturate_i8(int64_t v) { return int8_t(v < -128 ? -128 : v > 127 ? 127 : v); }

inline int8_t requantize(int32_t acc, int32_t multiplier, int shift, int zero_point = 0) {
  return saturate_i8(round_shift(int64_t{acc} * multiplier, shift) + zero_point);
}

inline int8_t quantize(float x, float inv_scale, int zero_point = 0) {
  const float v = x * inv_scale;
  return saturate_i8(int64_t(std::round(v)) + zero_point);  // std::round is half away from zero
}

inline float dequantize(int8_t q, float scale, int zero_point = 0) {
  return float(q - zero_point) * scale;
}

// Half-precision values as their 16 bits, and back (exact: every f16 and bf16 is an f32).
uint16_t to_f16(float x);
uint16_t to_bf16(float x);
float from_f16(uint16_t h);
float from_bf16(uint16_t h);

// Multiplier in [2^30, 2^31) and shift with multiplier * 2^-shift ~= real (0 < real < 2^31).
// Shift is capped at 63; a real too small for that gives multiplier 0.
void quantize_multiplier(double real, int32_t* multiplier, int* shift);

}  // namespace tpuc
