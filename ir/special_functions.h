// exp, erf, sqrt and log in f32 as the BM1684X computes them: short sequences of its elementwise
// commands around its two special-function (SFU) commands, a polynomial (sfu.taylor_4x) and a
// reciprocal square root (sfu.rsqrt). This header is the one definition: the host reference calls
// exp_f32, erf_f32, sqrt_f32 and log_f32 (ops::exp_f32 ..., through Halide's JIT), the BM1684X
// simulator runs taylor_f32 and rsqrt_f32 for the two SFU commands, and the command generator
// (target/bm1684x/special_functions.h) emits the same steps with the constants below, so the
// simulator reproduces the host bit for bit. Every step is one f32 operation rounded on its own
// (this file is built with -ffp-contract=off, as the simulator is).
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

float taylor_f32(float x, const float* coefficients, int count);
float rsqrt_f32(float x, int iterations);
float exp_f32(float x);
float erf_f32(float x);
float sqrt_f32(float x);
float log_f32(float x);

}  // namespace tpuc
