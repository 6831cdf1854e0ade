// The real trained Fashion-MNIST model through import, the default pipeline, calibration and
// int8 quantization, on the host reference. The float accuracy is checked against the accuracy
// torch measured when training (examples/fmnist/train.py printed 0.9063 on all 10,000 images).
#include <gtest/gtest.h>

#include <cstdio>

#include "ir/files.h"
#include "quant/calibration.h"
#include "quant/mixed_precision.h"
#include "quant/quant_policy.h"
#include "quant/quantize.h"
#include "target/host/executor.h"
#include "tests/support/fmnist.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

// The share of d's images whose largest logit of g is their label.
double accuracy(const Graph& g, const Dataset& d) {
  host::Executor ex(g);
  int correct = 0;
  for (size_t i = 0; i < d.images.size(); ++i) {
    const Tensor logits = ex.run({{g.inputs[0], d.images[i]}}).at(g.outputs[0]);
    int best = 0;
    for (int k = 1; k < logits.size(); ++k)
      if (logits.at(k) > logits.at(best)) best = k;
    correct += best == d.labels[i];
  }
  return double(correct) / double(d.images.size());
}

}  // namespace

TEST(FmnistQuant, Int8StaysWithinOnePointOfFloat) {
  const Graph top = fmnist_top();
  for (const Node& n : top.nodes) EXPECT_NE(n.op, "BatchNormalization");
  const Dataset test = fmnist_test_images(top.type(top.inputs[0]), 2000);
  const quant::CalibrationTable table =
      quant::calibrate(top, fmnist_calibration_samples(top, 100), {});
  const Graph tpu = quant::quantize(
      top, table, quant::load_quant_policy(source_path("configs/quant/int8_sym.yaml")));
  const double f32 = accuracy(top, test), i8 = accuracy(tpu, test);
  std::printf("float %.4f int8 %.4f on %zu test images\n", f32, i8, test.images.size());
  EXPECT_NEAR(f32, 0.9063, 0.02);  // 2,000 of the 10,000 images
  EXPECT_GT(i8, f32 - 0.01);
}

// The precision search on the real model: an unreachable target uses every float layer it may, in
// order of sensitivity, and never makes the output worse; a met target keeps everything in int8.
TEST(FmnistQuant, PrecisionSearchKeepsTheMostSensitiveLayersInFloat) {
  const Graph top = fmnist_top();
  const std::vector<TensorMap> samples = fmnist_calibration_samples(top, 20);
  const quant::CalibrationTable table = quant::calibrate(top, samples, {});
  const quant::QuantPolicy policy =
      quant::load_quant_policy(source_path("configs/quant/int8_sym.yaml"));
  const quant::SearchResult hard =
      quant::search_mixed_precision(top, table, policy, samples, {1.0, 2, 10, DType::F16});
  ASSERT_EQ(hard.chosen.size(), 2u);
  EXPECT_EQ(hard.chosen[0], hard.sensitivity[0].first);  // the most sensitive first
  ASSERT_EQ(hard.policy.overrides.size(), policy.overrides.size() + 1);
  EXPECT_EQ(hard.policy.overrides.back().layers, hard.chosen);
  EXPECT_EQ(hard.policy.overrides.back().precision, DType::F16);
  for (size_t i = 1; i < hard.sensitivity.size(); ++i)
    EXPECT_GE(hard.sensitivity[i - 1].second, hard.sensitivity[i].second);
  EXPECT_GE(hard.final_cosine, hard.int8_cosine);
  const quant::SearchResult easy =
      quant::search_mixed_precision(top, table, policy, samples, {0.5, 2, 10, DType::F16});
  EXPECT_TRUE(easy.chosen.empty());
  EXPECT_EQ(easy.policy.overrides.size(), policy.overrides.size());
  // The written policy reads back as the same policy.
  const std::string path = ::testing::TempDir() + "searched.yaml";
  tpuc::write_file_atomic(path, quant::policy_yaml(hard.policy, "test"));
  const quant::QuantPolicy back = quant::load_quant_policy(path);
  ASSERT_EQ(back.overrides.size(), hard.policy.overrides.size());
  for (size_t i = 0; i < back.overrides.size(); ++i) {
    EXPECT_EQ(back.overrides[i].ops, hard.policy.overrides[i].ops);
    EXPECT_EQ(back.overrides[i].layers, hard.policy.overrides[i].layers);
    EXPECT_EQ(back.overrides[i].precision, hard.policy.overrides[i].precision);
  }
}
