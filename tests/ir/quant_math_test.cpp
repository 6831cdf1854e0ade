// The int8 arithmetic against a wide-integer / exact-rational reference.
#include "ir/quant_math.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

using namespace tpuc;

// Exact reference: v / 2^s rounded half away from zero, with 128-bit integers.
static int64_t reference_round_shift(__int128 v, int s) {
  const __int128 d = __int128(1) << s;
  const __int128 q = (v < 0 ? -v : v);
  __int128 r = q / d;
  if ((q % d) * 2 >= d) ++r;
  return int64_t(v < 0 ? -r : r);
}

TEST(QuantMath, RoundShiftMatchesExactRounding) {
  EXPECT_EQ(round_shift(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(round_shift(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(round_shift(-4, 1), -2);
  EXPECT_EQ(round_shift(7, 0), 7);
  EXPECT_EQ(round_shift(INT64_MAX, 1), int64_t{1} << 62);  // no overflow near the top of the range
  EXPECT_EQ(round_shift(INT64_MIN + 1, 63), -1);
  EXPECT_EQ(round_shift(12345, 64), 0);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const int64_t v = int64_t(rng()) >> (rng() % 40);
    const int s = int(rng() % 40);
    ASSERT_EQ(round_shift(v, s), reference_round_shift(v, s)) << v << " >> " << s;
  }
}

// requantize(acc, m, s, z) against the exact product in 128 bits, over the whole int32 range of
// accumulators and multipliers, shifts up to 63 and every zero point.
TEST(QuantMath, RequantizeMatchesAWideIntegerReference) {
  std::mt19937_64 rng(2);
  for (int i = 0; i < 200000; ++i) {
    const int32_t acc = int32_t(rng()), multiplier = int32_t(rng());
    const int shift = int(rng() % 64), zero_point = int(rng() % 256) - 128;
    const __int128 exact = __int128(acc) * multiplier;
    const __int128 rounded = reference_round_shift(exact, shift) + zero_point;
    const int8_t want = int8_t(rounded < -128 ? -128 : rounded > 127 ? 127 : rounded);
    ASSERT_EQ(requantize(acc, multiplier, shift, zero_point), want)
        << acc << " * " << multiplier << " >> " << shift << " + " << zero_point;
  }
}

TEST(QuantMath, RequantizeSaturates) {
  EXPECT_EQ(requantize(1000000, 1 << 30, 30), 127);
  EXPECT_EQ(requantize(-1000000, 1 << 30, 30), -128);
  EXPECT_EQ(requantize(-3, 1 << 30, 31), -2);  // -1.5 -> -2
}

TEST(QuantMath, QuantizeMultiplierApproximatesTheRatio) {
  for (double real : {1.0, 0.5, 0.75, 1e-3, 3.3e-7, 0.9999999, 1234.5}) {
    int32_t m;
    int s;
    quantize_multiplier(real, &m, &s);
    EXPECT_GE(m, 1 << 30) << real;
    EXPECT_LE(std::fabs(double(m) * std::ldexp(1.0, -s) - real), real * 1e-9) << real;
  }
  int32_t m;
  int s;
  quantize_multiplier(0.0, &m, &s);
  EXPECT_EQ(m, 0);
}

TEST(QuantMath, QuantizeRoundsHalfAwayAndSaturates) {
  EXPECT_EQ(quantize(0.5f, 1.0f), 1);
  EXPECT_EQ(quantize(-0.5f, 1.0f), -1);
  EXPECT_EQ(quantize(1000.0f, 1.0f), 127);
  EXPECT_EQ(quantize(-1000.0f, 1.0f), -128);
  EXPECT_EQ(dequantize(-3, 0.5f), -1.5f);
}

// Naive reference for rounding to a binary format with `p` stored mantissa bits, smallest normal
// exponent `emin` and largest exponent `emax`: scale to units of the value's ulp, round to nearest
// even in double (the default rounding mode), scale back; past the largest finite value: inf.
static double reference_round(float x, int p, int emin, int emax) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(double(x));
  if (a == 0 || std::isinf(x)) return x;
  const double ulp = std::ldexp(1.0, std::max(std::ilogb(a), emin) - p);
  const double r = std::nearbyint(a / ulp) * ulp;
  const double max_finite = std::ldexp(2.0 - std::ldexp(1.0, -p), emax);
  return std::copysign(r > max_finite ? HUGE_VAL : r, double(x));
}

static void expect_rounding(float x, int p, int emin, int emax, uint16_t (*to)(float),
                            float (*from)(uint16_t)) {
  const double want = reference_round(x, p, emin, emax), got = from(to(x));
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << x;
    return;
  }
  ASSERT_EQ(got, want) << std::hexfloat << x;
  ASSERT_EQ(std::signbit(got), std::signbit(want)) << x;
}

static std::vector<float> rounding_cases(int p, int emin, int emax) {
  std::vector<float> cases = {0.0f,      -0.0f, 1.0f,   -1.0f,   INFINITY,
                              -INFINITY, NAN,   1e-30f, 3.0e38f, -3.0e38f};
  for (int e = emin - p - 2; e <= emax + 1; ++e)
    for (double frac :
         {1.0, 1.5, 1.75}) {  // exact values, ties (half an ulp above), and just around them
      const double ulp = std::ldexp(1.0, std::max(e, emin) - p), v = std::ldexp(frac, e);
      for (double d : {0.0, 0.5, -0.5, 1.5, 0.5 + 1e-3, 0.5 - 1e-3})
        for (double s : {1.0, -1.0}) cases.push_back(float(s * (v + d * ulp)));
    }
  std::mt19937 rng(3);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    cases.push_back(f);
  }
  return cases;
}

TEST(QuantMath, F16RoundsToNearestEven) {
  EXPECT_EQ(to_f16(1.0f), 0x3c00);
  EXPECT_EQ(to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(to_f16(65520.0f), 0x7c00);  // half an ulp above the largest: inf
  EXPECT_EQ(to_f16(65519.99f), 0x7bff);
  EXPECT_EQ(to_f16(1.0f + 0x1p-11f), 0x3c00);      // tie, even stays
  EXPECT_EQ(to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie, odd rounds up
  EXPECT_EQ(to_f16(0x1p-24f), 0x0001);             // smallest subnormal
  EXPECT_EQ(to_f16(0x1p-25f), 0x0000);             // tie with zero: even
  EXPECT_EQ(to_f16(-0x1.8p-25f), 0x8001);
  for (float x : rounding_cases(10, -14, 15)) expect_rounding(x, 10, -14, 15, to_f16, from_f16);
}

TEST(QuantMath, BF16RoundsToNearestEven) {
  EXPECT_EQ(to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(to_bf16(1.0f + 0x1p-8f), 0x3f80);  // tie, even stays
  EXPECT_EQ(to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(to_bf16(3.4e38f), 0x7f80);        // rounds past the largest finite bf16
  EXPECT_EQ(to_bf16(-NAN) & 0xffc0, 0xffc0);  // quiet, sign kept
  for (float x : rounding_cases(7, -126, 127)) expect_rounding(x, 7, -126, 127, to_bf16, from_bf16);
}
