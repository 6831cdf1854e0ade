// exp, erf, sqrt and log in f32 as the BM1684X computes them: short sequences of its elementwise
// commands around its two special-function (SFU) commands, a polynomial (sfu.taylor_4x) and a
// reciprocal square root (sfu.rsqrt). This header is the one definition: the steps below are
// templates over the arithmetic that runs them — floats here (exp_f32 ..., taylor_f32 and
// rsqrt_f32, which the BM1684X simulator runs for the two SFU commands), Halide expressions in the
// host kernels (target/host/inline_special_functions.h) — and the command generator
// (target/bm1684x/special_functions.h) emits the same steps with the constants below, so the
// simulator reproduces the host bit for bit. Every step is one f32 operation rounded on its own
// (special_functions.cpp is built with -ffp-contract=off, as the simulator is; the host's are
// strict_float).
//
//   exp(x):  X = min(max(x, −88), 88)        (e^−88 is below f32's normal range, e^88 within it)
//            F = floor(X · log2 e)            (F in [−127, 126])
//            R = (F · −ln2_hi + X) + F · −ln2_lo   (Cody–Waite: F · ln2_hi is exact)
//            e^X = taylor(R, 1/k! for k < 10) · 2^F, 2^F built from its bits: (F + 127) · 2^23
//            as int32 (F = −127 gives +0: results below 2^−126 flush to zero)
//   erf(x):  t = 1 / (1 + p·|x|), erf(|x|) = 1 − t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5)))) · e^−x²
//            (Abramowitz & Stegun, Handbook of Mathematical Functions, 1964, eq. 7.1.26:
//            |error| ≤ 1.5e−7), the sign of x put back by its bit (x AND 2^31, OR)
//   sqrt(x): x · rsqrt(x)
//   log(x):  X = max(x, 2^−126)               (0, subnormals and negatives: log 2^−126 ≈ −87.34,
//                                               where IEEE gives −inf or NaN; exp saturates too)
//            E = (X's exponent bits as an int32, converted) · 2^−23 − 127
//            m = X's mantissa bits OR 1.0's (m in [1, 2)); c = floor(m / √2): m = m − c·(m/2),
//            E = E + c, so m lies in [√½, √2)
//            s = (m − 1) / (m + 1), log m = s · taylor(s², 2/(2k + 1) for k < 7) (the atanh
//            series: |s| ≤ 0.172), log x = (log m + E·ln2_lo) + E·ln2_hi (E·ln2_hi exact)
//
// The two SFU commands, as tpuc's simulator models them (SOPHGO does not publish their internal
// arithmetic; tpu-mlir gives their operands: TaylorOp's coefficient table and length, RsqrtOp's
// 1–4 iterations):
//   taylor_f32(x, c, n) = c0 + x·(c1 + x·(c2 + ... + x·c[n−1])), Horner's rule in f32
//   rsqrt_f32(x, k)     = k Newton steps y ← y · (1.5 − (0.5·x) · y · y) from the estimate
//                         y0 = bits(0x5f3759df − bits(x)/2) (Lomont, "Fast inverse square root",
//                         2003)
#pragma once
#include <cstdint>

namespace tpuc {

// The functions computed by sequences of commands, by name in schedules and traces.
enum class SpecialFunction { Exp, Erf, Sqrt, Log };

namespace special {

constexpr float kExpLow = -88.0f, kExpHigh = 88.0f;
constexpr float kLog2E = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;        // 355/512: 9 significant bits
constexpr float kLn2Lo = -2.12194440e-4f;     // ln 2 − kLn2Hi
constexpr float kExponentBias = 127.0f;       // f32's
constexpr float kMantissaScale = 8388608.0f;  // 2^23: an exponent's place in f32's bits
constexpr int kExpTerms = 10;
constexpr float kExpTaylor[kExpTerms] = {1.0f,         1.0f,         0.5f,       1.0f / 6,
                                         1.0f / 24,    1.0f / 120,   1.0f / 720, 1.0f / 5040,
                                         1.0f / 40320, 1.0f / 362880};
constexpr float kErfP = 0.3275911f;
// t·(a1 + t·(a2 + ...)): the A&S polynomial with a zero constant term, one Taylor command.
constexpr int kErfTerms = 6;
constexpr float kErfTaylor[kErfTerms] = {0.0f,         0.254829592f,  -0.284496736f,
                                         1.421413741f, -1.453152027f, 1.061405429f};
constexpr int32_t kSignBit = INT32_MIN;             // f32's sign bit, as an int32 mask
constexpr int kRsqrtIterations = 4;                 // the most sfu.rsqrt takes
constexpr float kSmallestNormal = 1.17549435e-38f;  // 2^−126
constexpr int32_t kExponentBits = 0x7f800000, kMantissaBits = 0x007fffff, kOneBits = 0x3f800000;
constexpr float kMantissaUnit = 1.0f / kMantissaScale;  // 2^−23
constexpr float kSqrtHalf = 0.707106781f;               // 1/√2
constexpr int kLogTerms = 7;
constexpr float kLogTaylor[kLogTerms] = {2.0f,     2.0f / 3,  2.0f / 5, 2.0f / 7,
                                         2.0f / 9, 2.0f / 11, 2.0f / 13};

}  // namespace special

// The steps, for an arithmetic M: M::Value an f32 value and M::Int an int32 one, with +, −, ·, /
// on values, & | − on ints, and the operations M declares (FloatMath below lists them).
template <class M>
typename M::Value taylor_steps(typename M::Value x, const float* coefficients, int count) {
  typename M::Value y = coefficients[count - 1];
  for (int k = count - 2; k >= 0; --k) {
    y = y * x;
    y = y + coefficients[k];
  }
  return y;
}

template <class M>
typename M::Value rsqrt_steps(typename M::Value x, int iterations) {
  typename M::Value y = M::from_bits(0x5f3759df - M::half_bits(x));
  const typename M::Value half = 0.5f * x;
  for (int k = 0; k < iterations; ++k) {
    typename M::Value t = half * y;
    t = t * y;
    t = 1.5f - t;
    y = y * t;
  }
  return M::if_negative(x, M::nan(), y);  // the bit trick's estimate would not be
}

template <class M>
typename M::Value exp_steps(typename M::Value x) {
  using namespace special;
  typename M::Value clamped = M::max(x, kExpLow);
  clamped = M::min(clamped, kExpHigh);
  typename M::Value whole = clamped * kLog2E;
  whole = M::floor(whole);
  typename M::Value reduced = whole * -kLn2Hi;
  reduced = reduced + clamped;
  const typename M::Value low = whole * -kLn2Lo;
  reduced = reduced + low;
  const typename M::Value fraction = taylor_steps<M>(reduced, kExpTaylor, kExpTerms);
  typename M::Value exponent = whole + kExponentBias;
  exponent = exponent * kMantissaScale;
  return fraction * M::from_bits(M::truncate(exponent));  // exact: a whole number below 2^31
}

template <class M>
typename M::Value erf_steps(typename M::Value x) {
  using namespace special;
  typename M::Value t = M::abs(x);
  t = t * kErfP;
  t = t + 1.0f;
  t = 1.0f / t;
  typename M::Value y = taylor_steps<M>(t, kErfTaylor, kErfTerms);
  typename M::Value square = x * x;
  square = square * -1.0f;
  y = y * exp_steps<M>(square);
  y = 1.0f - y;
  return M::from_bits(M::bits(y) | (M::bits(x) & kSignBit));
}

template <class M>
typename M::Value sqrt_steps(typename M::Value x) {
  return rsqrt_steps<M>(x, special::kRsqrtIterations) * x;
}

template <class M>
typename M::Value log_steps(typename M::Value x) {
  using namespace special;
  const typename M::Value clamped = M::max(x, kSmallestNormal);
  typename M::Value exponent = M::to_float(M::bits(clamped) & kExponentBits);  // 8 significant bits
  exponent = exponent * kMantissaUnit;
  exponent = exponent - kExponentBias;
  typename M::Value m = M::from_bits((M::bits(clamped) & kMantissaBits) | kOneBits);
  typename M::Value high = m * kSqrtHalf;
  high = M::floor(high);
  typename M::Value half = m * 0.5f;
  half = half * high;
  m = m - half;
  exponent = exponent + high;
  typename M::Value s = m - 1.0f;
  const typename M::Value denominator = m + 1.0f;
  s = s / denominator;
  const typename M::Value square = s * s;
  typename M::Value y = taylor_steps<M>(square, kLogTaylor, kLogTerms);
  y = y * s;
  const typename M::Value low = exponent * kLn2Lo;
  y = y + low;
  const typename M::Value whole = exponent * kLn2Hi;
  return y + whole;
}

// The steps on plain floats.
struct FloatMath {
  using Value = float;
  using Int = int32_t;
  static float max(float a, float b) { return a < b ? b : a; }  // std::max: a when NaN
  static float min(float a, float b) { return b < a ? b : a; }  // std::min: a when NaN
  static float floor(float x);
  static float abs(float x);
  static float nan();
  static int32_t bits(float x);
  static float from_bits(int32_t b);
  static int32_t half_bits(float x) { return int32_t(uint32_t(bits(x)) >> 1); }
  static int32_t truncate(float x) { return int32_t(x); }
  static float to_float(int32_t i) { return float(i); }
  static float if_negative(float x, float then, float otherwise) {
    return x < 0 ? then : otherwise;
  }
};

float taylor_f32(float x, const float* coefficients, int count);
float rsqrt_f32(float x, int iterations);
float exp_f32(float x);
float erf_f32(float x);
float sqrt_f32(float x);
float log_f32(float x);

}  // namespace tpuc
