// The real trained Fashion-MNIST model through import, the default pipeline, calibration and
// int8 quantization, on the host reference. The float accuracy is checked against the accuracy
// torch measured when training (examples/fmnist/train.py printed 0.9063 on all 10,000 images).
#include <gtest/gtest.h>

#include <cstdio>

#include "quant/calibration.h"
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
    correct += best == d.labels[i].cls;
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
