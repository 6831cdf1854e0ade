#include "ir/quant_math.h"

#include <cstring>

namespace tpuc {

void quantize_multiplier(double real, int32_t* multiplier, int* shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real > 0)) return;
  int exponent = 0;
  const double fraction =
      std::frexp(real, &exponent);  // real = fraction * 2^exponent, fraction in [0.5, 1)
  int64_t m = int64_t(std::llround(fraction * double(int64_t{1} << 31)));
  int s = 31 - exponent;
  if (m == (int64_t{1} << 31)) {  // rounding carried into the next power of two
    m >>= 1;
    --s;
  }
  while (s > 63) {  // too small to represent with shift <= 63: lose precision, maybe to zero
    m = round_shift(m, 1);
    --s;
  }
  if (s < 0) return;  // real >= 2^31: not representable; callers never need it
  *multiplier = int32_t(m);
  *shift = s;
}

}  // namespace tpuc

namespace tpuc {

namespace {
uint32_t bits_of(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}
float float_of(uint32_t b) {
  float x;
  std::memcpy(&x, &b, 4);
  return x;
}
// Drops the low `n` bits of `v`, rounding to nearest with ties to even.
uint32_t round_off_bits(uint32_t v, int n) {
  const uint32_t half = uint32_t{1} << (n - 1), rest = v & ((uint32_t{1} << n) - 1), q = v >> n;
  return q + (rest > half || (rest == half && (q & 1)));
}
}  // namespace

uint16_t to_bf16(float x) {
  const uint32_t b = bits_of(x);
  if (std::isnan(x)) return uint16_t((b >> 16) | 0x40);  // quiet, sign kept
  return uint16_t(round_off_bits(b, 16));  // a carry into the exponent is correct, up to inf
}

float from_bf16(uint16_t h) { return float_of(uint32_t{h} << 16); }

uint16_t to_f16(float x) {
  const uint32_t b = bits_of(x), sign = (b >> 16) & 0x8000, magnitude = b & 0x7fffffff;
  if (std::isnan(x)) return uint16_t(sign | 0x7e00);
  const int exponent = int(magnitude >> 23) - 127;
  if (exponent >= 16) return uint16_t(sign | 0x7c00);  // |x| >= 2^16: inf
  if (exponent >=
      -14) {  // normal: rebias the exponent, 13 mantissa bits to drop; a carry may reach inf
    const uint32_t rebased = magnitude - (uint32_t(127 - 15) << 23);
    return uint16_t(sign | round_off_bits(rebased, 13));
  }
  if (exponent < -25) return uint16_t(sign);  // below half the smallest subnormal (2^-24): zero
  // Subnormal: the significand with its implicit bit, in units of 2^-24.
  const uint32_t significand = (magnitude & 0x7fffff) | 0x800000;
  return uint16_t(sign | round_off_bits(significand, -exponent - 1));
}

float from_f16(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f,
                 mantissa = h & 0x3ff;
  if (exponent == 0x1f) return float_of(sign | 0x7f800000 | (mantissa << 13));
  if (exponent != 0) return float_of(sign | (exponent + 112) << 23 | (mantissa << 13));
  return (sign ? -1.0f : 1.0f) * std::ldexp(float(mantissa), -24);  // zero or subnormal, exact
}

}  // namespace tpuc
