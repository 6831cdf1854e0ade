// Calibration thresholds from histograms whose answers are computed by hand, and each method on a
// small graph run through the host executor.
#include "quant/calibration.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/files.h"
#include "ir/text.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/host/executor.h"
#include "tests/support/errors.h"

using namespace tpuc;
using quant::Histogram;
using tpuc::testing::error_of;

namespace {

Histogram histogram(size_t bins, double max) {
  return Histogram{std::vector<double>(bins, 0.0), max};
}

}  // namespace

// 100 values, one per unit bin: 99 % of them lie below 99.
TEST(Calibration, PercentileInterpolatesInsideTheBin) {
  Histogram h = histogram(100, 100.0);
  for (double& c : h.counts) c = 1;
  EXPECT_DOUBLE_EQ(quant::percentile_threshold(h, 99.0), 99.0);
  EXPECT_DOUBLE_EQ(quant::percentile_threshold(h, 99.5), 99.5);
  EXPECT_DOUBLE_EQ(quant::percentile_threshold(h, 100.0), 100.0);
}

// All mass in the first 128 of 2048 bins: cutting at 128 bins loses nothing (KL = 0), and it is
// the first such cut, so the threshold is the middle of bin 128.
TEST(Calibration, KlKeepsTheRangeThatLosesNothing) {
  Histogram h = histogram(2048, 2048.0);
  for (int k = 0; k < 128; ++k) h.counts[size_t(k)] = 100 + k % 3;
  EXPECT_DOUBLE_EQ(quant::kl_threshold(h), 128.5);
}

// A long, thin tail (exponential decay): KL clips it, keeping more than 99 % of the values.
TEST(Calibration, KlClipsAThinTail) {
  Histogram h = histogram(2048, 2048.0);
  for (int k = 0; k < 2048; ++k) h.counts[size_t(k)] = std::floor(1e6 * std::exp(-k / 40.0));
  const double t = quant::kl_threshold(h);
  EXPECT_LT(t, 0.5 * h.max);
  EXPECT_GT(t, quant::percentile_threshold(h, 99.0));
}

// Every value at 9.5: any threshold below clips it ((9.5 − t)² ≥ 0.25), and above it the rounding
// noise (t/127)²/12 grows with t, so the smallest candidate covering 9.5 — 10 — wins.
TEST(Calibration, MseBalancesClippingAndRounding) {
  Histogram h = histogram(2048, 2048.0);
  h.counts[9] = 1000;
  EXPECT_DOUBLE_EQ(quant::mse_threshold(h), 10.0);
}

// The methods on a graph: y = 2·x over inputs 0..999/1000 (one sample of 1000 values).
TEST(Calibration, MethodsOnAGraph) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1000]
  const %two : f32[] = [2]
  %y : f32[1000] = Mul(%x, %two) @double
  output %y
})");
  Tensor x(TensorType{DType::F32, {1000}, std::nullopt});
  for (int i = 0; i < 1000; ++i) x.as<float>()[i] = float(i) / 1000.0f;
  const std::vector<TensorMap> samples{{{"x", x}}};
  EXPECT_NEAR(quant::calibrate(g, samples, {"max", 0}).threshold.at("y"), 1.998, 1e-6);
  EXPECT_NEAR(quant::calibrate(g, samples, {"percentile", 50.0}).threshold.at("y"), 0.999, 0.002);
  const double kl = quant::calibrate(g, samples, {"kl", 0}).threshold.at("y");
  EXPECT_GT(kl, 1.9);  // a uniform distribution has nothing worth clipping
  const auto unknown_method = [&] { quant::calibrate(g, samples, {"entropy", 0}); };
  EXPECT_EQ(error_of(unknown_method),
            "unknown calibration method 'entropy' (known: max, percentile, kl, mse, auto)");
}

// Every table records the observed range (always holding 0) for asymmetric int8, and the text
// form reads back exactly; a malformed line is an error naming the file and line.
TEST(Calibration, TablesKeepTheObservedRange) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[4]
  const %shift : f32[] = [1.5]
  %y : f32[4] = Add(%x, %shift) @add
  output %y
})");
  const Tensor x = make_tensor<float>(DType::F32, {4}, {-1.0f, 0.25f, 0.5f, 2.0f});
  quant::CalibrationTable table = quant::calibrate(g, {{{"x", x}}}, {"max", 0});
  table.channel_mean["name with spaces"] = {0.1, -2.5};  // read back to the last bit
  EXPECT_EQ(table.range.at("x"), (std::pair{-1.0, 2.0}));
  EXPECT_EQ(table.range.at("y"), (std::pair{0.0, 3.5}));  // all positive: the range still holds 0
  EXPECT_EQ(table.threshold.at("y"), 3.5);
  table.key = "k";
  const std::string path = ::testing::TempDir() + "calibration.txt";
  quant::write_calibration_table(path, table);
  const quant::CalibrationTable back = quant::read_calibration_table(path);
  EXPECT_EQ(back.threshold, table.threshold);
  EXPECT_EQ(back.range, table.range);
  EXPECT_EQ(back.channel_mean, table.channel_mean);
  EXPECT_EQ(back.key, "k");
  EXPECT_EQ(quant::read_calibration_key(path), "k");
  write_file_atomic(path, "# tpuc\nx 1 -1 1\nname with spaces 2 0.5 1\n");
  const std::string error = error_of([&] { quant::read_calibration_table(path); });
  EXPECT_NE(error.find("calibration.txt:3:1: expected '<value name> <threshold> <min> <max>'"),
            std::string::npos)
      << error;
  write_file_atomic(path, "x inf -1 1\n");  // an infinite threshold would make an infinite scale
  EXPECT_NE(error_of([&] {
              quant::read_calibration_table(path);
            }).find("calibration.txt:1:1: expected '<value name> <threshold> <min> <max>'"),
            std::string::npos);
  write_file_atomic(path,
                    "x 1 -1 1\n# channel means: count, one mean per channel, value\n2 0.5 x\n");
  EXPECT_NE(error_of([&] {
              quant::read_calibration_table(path);
            }).find("calibration.txt:3:1: expected '<channels> <mean>... <value name>'"),
            std::string::npos);
}

// The mean of each channel of a Conv's input over the samples: channel 0 holds 1, 2 (sample 1)
// and 3, 4 (sample 2), channel 1 holds -1, -1 and 5, 5.
TEST(Calibration, ChannelMeansOfConvInputs) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,1,2]
  const %w : f32[1,2,1,1] = [1, 1]
  %y : f32[1,1,1,2] = Conv(%x, %w) @conv
  output %y
})");
  const auto sample = [](std::vector<float> v) {
    return TensorMap{{"x", make_tensor<float>(DType::F32, {1, 2, 1, 2}, v)}};
  };
  const quant::CalibrationTable table =
      quant::calibrate(g, {sample({1, 2, -1, -1}), sample({3, 4, 5, 5})}, {"max", 0});
  EXPECT_EQ(table.channel_mean.at("x"), (std::vector<double>{2.5, 2.0}));
  EXPECT_EQ(table.channel_mean.count("y"), 0u);  // no Conv reads it
}

// Samples are shared out between threads; every statistic is order-free, so any order (and any
// split) of the samples gives the same table.
TEST(Calibration, TheTableDoesNotDependOnTheSampleOrder) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[256]
  %y : f32[256] = Tanh(%x) @tanh
  output %y
})");
  std::vector<TensorMap> samples;
  for (int s = 0; s < 5; ++s) {
    Tensor x(TensorType{DType::F32, {256}, std::nullopt});
    for (int i = 0; i < 256; ++i) x.as<float>()[i] = float(std::sin(i * 0.37 + s) * (s + 1));
    samples.push_back({{"x", x}});
  }
  std::vector<TensorMap> reversed(samples.rbegin(), samples.rend());
  for (const char* method : {"max", "kl", "mse"}) {
    const quant::CalibrationTable a = quant::calibrate(g, samples, {method, 0}),
                                  b = quant::calibrate(g, reversed, {method, 0});
    EXPECT_EQ(a.threshold, b.threshold) << method;
    EXPECT_EQ(a.range, b.range) << method;
  }
}

// A gate whose inputs mostly saturate (HardSigmoid of x ∈ [0, 40): ones for x ≥ 2.5, 94% of
// them): KL alone puts its threshold at 0.063, clipping every one, but a bounded op keeps its
// whole range (threshold 1) under every method; the unbounded Relu beside it is still clipped.
TEST(Calibration, BoundedOpsKeepTheirWholeRange) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[4000]
  %gate : f32[4000] = HardSigmoid(%x) {alpha = 0.2, beta = 0.5} @gate
  %r : f32[4000] = Relu(%x) @relu
  output %gate
  output %r
})");
  Tensor x(TensorType{DType::F32, {4000}, std::nullopt});
  for (int i = 0; i < 4000; ++i) x.as<float>()[i] = float(i) / 100.0f;
  const std::vector<TensorMap> samples{{{"x", x}}};
  for (const char* method : {"max", "percentile", "kl", "mse"})
    EXPECT_DOUBLE_EQ(quant::calibrate(g, samples, {method, 99.0}).threshold.at("gate"), 1.0)
        << method;
  EXPECT_LT(quant::calibrate(g, samples, {"percentile", 99.0}).threshold.at("r"), 39.99);
}

// Method "auto" on a one-layer graph with a heavy tail: the output threshold it picks is one of
// the methods', and the int8 graph with it comes at least as close to float (output cosine) as
// with any other method's output threshold, the input's threshold being the MSE one in all.
TEST(Calibration, AutoPicksTheMethodWhoseLayerComesClosest) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,16,16]
  const %w : f32[2,2,1,1] = [1, -0.5, 0.25, 2]
  %y : f32[1,2,16,16] = Conv(%x, %w) {do_relu = 1} @conv
  output %y
})");
  std::vector<TensorMap> samples;
  for (int s = 0; s < 4; ++s) {
    Tensor x(TensorType{DType::F32, {1, 2, 16, 16}, std::nullopt});
    for (int i = 0; i < 512; ++i) x.as<float>()[i] = float(std::sinh(3 * std::sin(i * 0.37 + s)));
    samples.push_back({{"x", x}});
  }
  const quant::CalibrationTable chosen = quant::calibrate(g, samples, {"auto", 99.9});
  const quant::CalibrationTable mse = quant::calibrate(g, samples, {"mse", 99.9});
  EXPECT_EQ(chosen.threshold.at("x"), mse.threshold.at("x"));
  const auto output_cosine = [&](double y_threshold) {
    quant::CalibrationTable t = mse;
    t.threshold["y"] = y_threshold;
    host::Executor f(g), q(quant::quantize(g, t, quant::QuantPolicy{}));
    double sum = 0;
    for (const TensorMap& s : samples)
      sum += quant::similarity(f.run(s).at("y"), q.run(s).at("y")).cosine;
    return sum / double(samples.size());
  };
  const double best = output_cosine(chosen.threshold.at("y"));
  bool among_methods = false;
  for (const char* method : {"max", "percentile", "kl", "mse"}) {
    const double t = quant::calibrate(g, samples, {method, 99.9}).threshold.at("y");
    among_methods = among_methods || t == chosen.threshold.at("y");
    EXPECT_GE(best, output_cosine(t) - 1e-12) << method;
  }
  EXPECT_TRUE(among_methods);
}
