// exp, erf, sqrt and log as the chip computes them (ir/special_functions.h), against the C
// library's double-precision functions, and the two SFU models against hand-computed values.
#include "ir/special_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace tpuc;

namespace {

// The largest error of f against the double reference over [lo, hi], in units of the reference's
// f32 ulp (relative) or absolute.
struct Errors {
  double ulps = 0, absolute = 0;
};
template <class F, class G>
Errors sweep(F f, G reference, double lo, double hi, int steps) {
  Errors e;
  for (int k = 0; k <= steps; ++k) {
    const float x = float(lo + (hi - lo) * k / steps);
    const double want = reference(double(x));
    const double got = f(x);
    const double ulp = std::nextafter(float(std::fabs(want)), INFINITY) - float(std::fabs(want));
    e.ulps = std::max(e.ulps, std::fabs(got - want) / ulp);
    e.absolute = std::max(e.absolute, std::fabs(got - want));
  }
  return e;
}

}  // namespace

TEST(SpecialFunctions, TaylorIsHornersRule) {
  const float c[] = {1, 2, 3};  // 1 + 2x + 3x²
  EXPECT_EQ(taylor_f32(2, c, 3), 17.0f);
  EXPECT_EQ(taylor_f32(-1, c, 3), 2.0f);
}

TEST(SpecialFunctions, RsqrtConvergesToTheReciprocalRoot) {
  // One step from the bit estimate is a part in a thousand off; four are within f32's rounding.
  for (float x : {0.25f, 3.0f, 4.0f, 1e6f}) {
    const double want = 1 / std::sqrt(double(x));
    EXPECT_GT(std::fabs(rsqrt_f32(x, 1) - want) / want, 1e-5) << x;
    EXPECT_LT(std::fabs(rsqrt_f32(x, 4) - want) / want, 2.5e-7) << x;
  }
}

TEST(SpecialFunctions, SqrtOfANegativeIsNaNAndOfZeroIsZero) {
  for (float x : {-0.5f, -2.0f, -3.0f, -1e30f}) EXPECT_TRUE(std::isnan(sqrt_f32(x))) << x;
  EXPECT_EQ(sqrt_f32(0.0f), 0.0f);
  EXPECT_FLOAT_EQ(sqrt_f32(4.0f), 2.0f);  // within 4 ulps
}

TEST(SpecialFunctions, ExpIsWithinAFewUlpsOfTheTrueValue) {
  const Errors e = sweep(
      exp_f32, [](double x) { return std::exp(x); }, -87, 88, 200000);
  EXPECT_LE(e.ulps, 4) << "largest error in ulps";
  EXPECT_EQ(exp_f32(0), 1.0f);
  EXPECT_EQ(exp_f32(1), std::exp(1.0f));
}

TEST(SpecialFunctions, ExpFlushesBelowTheNormalRangeAndSaturatesAbove) {
  EXPECT_EQ(exp_f32(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(exp_f32(-1000), 0.0f);
  EXPECT_EQ(exp_f32(-87.5f), 0.0f);  // e^−87.5 < 2^−126: below f32's normal numbers
  EXPECT_GT(exp_f32(-87.3f), 0.0f);
  EXPECT_EQ(exp_f32(1000), exp_f32(special::kExpHigh));
  EXPECT_TRUE(std::isfinite(exp_f32(std::numeric_limits<float>::infinity())));
}

TEST(SpecialFunctions, ErfIsWithinAbramowitzAndStegunsBound) {
  const Errors e = sweep(
      erf_f32, [](double x) { return std::erf(x); }, -6, 6, 200000);
  // A&S 7.1.26 promises 1.5e-7; e^−x² and the f32 steps add a few ulps of numbers up to 1.
  EXPECT_LE(e.absolute, 6e-7);
  EXPECT_EQ(erf_f32(0), 0.0f);
  EXPECT_EQ(erf_f32(10), 1.0f);
  for (float x : {0.1f, 0.7f, 2.5f}) EXPECT_EQ(erf_f32(-x), -erf_f32(x));
}

TEST(SpecialFunctions, SqrtIsWithinAFewUlps) {
  const Errors e = sweep(
      sqrt_f32, [](double x) { return std::sqrt(x); }, 1e-6, 1e6, 200000);
  EXPECT_LE(e.ulps, 3);
  EXPECT_EQ(sqrt_f32(0), 0.0f);
  EXPECT_NEAR(sqrt_f32(16), 4.0f, 5e-7);
}

TEST(SpecialFunctions, LogIsWithinAFewUlpsAwayFromOne) {
  const Errors far = sweep(
      log_f32, [](double x) { return std::log(x); }, 2, 1e6, 200000);
  EXPECT_LE(far.ulps, 2);
  const Errors tiny = sweep(
      log_f32, [](double x) { return std::log(x); }, 1e-30, 1e-3, 200000);
  EXPECT_LE(tiny.ulps, 2);
  // Near 1 the value itself vanishes: the error is absolute, that of s = (m − 1)/(m + 1).
  const Errors near = sweep(
      log_f32, [](double x) { return std::log(x); }, 0.5, 2, 200000);
  EXPECT_LE(near.absolute, 1.2e-7);
  EXPECT_EQ(log_f32(1), 0.0f);
}

TEST(SpecialFunctions, LogClampsAtTheSmallestNormal) {
  const float floor = log_f32(1.17549435e-38f);
  EXPECT_NEAR(floor, -87.3365448f, 1e-5);
  for (float x : {0.0f, -0.0f, -1.0f, 1e-40f}) EXPECT_EQ(log_f32(x), floor) << x;
}
