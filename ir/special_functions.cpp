#include "ir/special_functions.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tpuc {

namespace {

int32_t bits_of(float x) {
  int32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

float float_of(int32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

}  // namespace

float taylor_f32(float x, const float* coefficients, int count) {
  float y = coefficients[count - 1];
  for (int k = count - 2; k >= 0; --k) {
    y = y * x;
    y = y + coefficients[k];
  }
  return y;
}

float rsqrt_f32(float x, int iterations) {
  if (x < 0) return std::numeric_limits<float>::quiet_NaN();  // the bit trick's estimate would not
  float y = float_of(0x5f3759df - int32_t(uint32_t(bits_of(x)) >> 1));
  const float half = 0.5f * x;
  for (int k = 0; k < iterations; ++k) {
    float t = half * y;
    t = t * y;
    t = 1.5f - t;
    y = y * t;
  }
  return y;
}

// The steps of special_functions.h, in the order the generator emits them.
float exp_f32(float x) {
  using namespace special;
  float clamped = std::max(x, kExpLow);
  clamped = std::min(clamped, kExpHigh);
  float whole = clamped * kLog2E;
  whole = std::floor(whole);
  float reduced = whole * -kLn2Hi;
  reduced = reduced + clamped;
  const float low = whole * -kLn2Lo;
  reduced = reduced + low;
  const float fraction = taylor_f32(reduced, kExpTaylor, kExpTerms);
  float exponent = whole + kExponentBias;
  exponent = exponent * kMantissaScale;
  return fraction * float_of(int32_t(exponent));  // exact: a whole number below 2^31
}

float erf_f32(float x) {
  using namespace special;
  float t = std::fabs(x);
  t = t * kErfP;
  t = t + 1.0f;
  t = 1.0f / t;
  float y = taylor_f32(t, kErfTaylor, kErfTerms);
  float square = x * x;
  square = square * -1.0f;
  y = y * exp_f32(square);
  y = 1.0f - y;
  return float_of(bits_of(y) | (bits_of(x) & kSignBit));
}

float sqrt_f32(float x) { return rsqrt_f32(x, special::kRsqrtIterations) * x; }

float log_f32(float x) {
  using namespace special;
  const float clamped = std::max(x, kSmallestNormal);
  float exponent = float(bits_of(clamped) & kExponentBits);  // exact: 8 significant bits
  exponent = exponent * kMantissaUnit;
  exponent = exponent - kExponentBias;
  float m = float_of((bits_of(clamped) & kMantissaBits) | kOneBits);
  float high = m * kSqrtHalf;
  high = std::floor(high);
  float half = m * 0.5f;
  half = half * high;
  m = m - half;
  exponent = exponent + high;
  float s = m - 1.0f;
  const float denominator = m + 1.0f;
  s = s / denominator;
  const float square = s * s;
  float y = taylor_f32(square, kLogTaylor, kLogTerms);
  y = y * s;
  float low = exponent * kLn2Lo;
  y = y + low;
  const float whole = exponent * kLn2Hi;
  return y + whole;
}

}  // namespace tpuc
