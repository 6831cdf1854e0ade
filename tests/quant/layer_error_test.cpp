// Each layer's own int8 error (quant/layer_error.h) against a naive loop of the int8 arithmetic
// (ir/quant_math.h) on a chain of two table layers.
#include "quant/layer_error.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/quant_math.h"
#include "ir/text.h"

using namespace tpuc;

namespace {

// tanh of x in int8: x quantized at scale s_in, the function on the dequantized value, the result
// quantized at s_out and dequantized.
double int8_tanh(double x, double s_in, double s_out) {
  const double in = dequantize(quantize(float(x), float(1.0 / s_in), 0), float(s_in), 0);
  return dequantize(quantize(float(std::tanh(in)), float(1.0 / s_out), 0), float(s_out), 0);
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

}  // namespace

// y = tanh(x), z = tanh(y) with z's threshold (0.1) clipping most of it. The second layer's error
// is its own, measured from the float y (not from the first layer's int8 output); a layer the
// policy keeps in float is not measured.
TEST(LayerError, EachLayerRunsAloneOnTheFloatValues) {
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[200]
  %y : f32[200] = Tanh(%x) @first
  %z : f32[200] = Tanh(%y) @second
  output %z
})");
  Tensor x(TensorType{DType::F32, {200}, std::nullopt});
  for (int i = 0; i < 200; ++i) x.as<float>()[i] = float(std::sin(i * 0.11)) * 0.9f;
  quant::CalibrationTable table;
  table.threshold = {{"x", 0.9}, {"y", 0.75}, {"z", 0.1}};
  const quant::TablesOf one_table = [&](const Node&) {
    return std::vector<quant::CalibrationTable>{table};
  };
  const std::vector<quant::LayerError> errors =
      quant::layer_errors(g, quant::QuantPolicy{}, {{{"x", x}}}, one_table);
  std::vector<double> y, z, first, second;
  for (int i = 0; i < 200; ++i) {
    y.push_back(std::tanh(x.as<float>()[i]));
    z.push_back(std::tanh(float(y.back())));
    first.push_back(int8_tanh(x.as<float>()[i], 0.9 / 127, 0.75 / 127));
    second.push_back(int8_tanh(float(y.back()), 0.75 / 127, 0.1 / 127));
  }
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].layer, "first");
  EXPECT_NEAR(errors[0].cosine[0], cosine(y, first), 1e-6);
  EXPECT_EQ(errors[1].layer, "second");
  EXPECT_NEAR(errors[1].cosine[0], cosine(z, second), 1e-6);
  EXPECT_LT(errors[1].cosine[0], 0.99);
  quant::QuantPolicy policy;
  policy.overrides.push_back({{}, {"second"}, DType::F32, "test"});
  const std::vector<quant::LayerError> int8_only =
      quant::layer_errors(g, policy, {{{"x", x}}}, one_table);
  ASSERT_EQ(int8_only.size(), 1u);
  EXPECT_EQ(int8_only[0].layer, "first");
}
