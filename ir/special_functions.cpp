#include "ir/special_functions.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace tpuc {

float FloatMath::floor(float x) { return std::floor(x); }
float FloatMath::abs(float x) { return std::fabs(x); }
float FloatMath::nan() { return std::numeric_limits<float>::quiet_NaN(); }

int32_t FloatMath::bits(float x) {
  int32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

float FloatMath::from_bits(int32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

float taylor_f32(float x, const float* coefficients, int count) {
  return taylor_steps<FloatMath>(x, coefficients, count);
}
float rsqrt_f32(float x, int iterations) { return rsqrt_steps<FloatMath>(x, iterations); }
float exp_f32(float x) { return exp_steps<FloatMath>(x); }
float erf_f32(float x) { return erf_steps<FloatMath>(x); }
float sqrt_f32(float x) { return sqrt_steps<FloatMath>(x); }
float log_f32(float x) { return log_steps<FloatMath>(x); }

}  // namespace tpuc
