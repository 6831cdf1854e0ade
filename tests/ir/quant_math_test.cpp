// The int8 arithmetic against a wide-integer / exact-rational reference.
#include <gtest/gtest.h>

#include <random>

#include "ir/quant_math.h"

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
