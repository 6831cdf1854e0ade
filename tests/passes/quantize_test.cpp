// The quantizer on small graphs with hand-computed expectations.
#include <gtest/gtest.h>

#include "backend/host/executor.h"
#include "ir/diagnostics.h"
#include "ir/text.h"
#include "passes/quantize.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::random_tensor;

// A fused Clip(0, 6) keeps its limit in int8 steps of the output scale: 6 / (12/127) = 63.5 → 64.
TEST(Quantize, FusedReluLimitBecomesOutputSteps) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,1,4,4]
  const %w : f32[1,1,1,1] = [10]
  %y : f32[1,1,4,4] = Conv(%x, %w) {do_relu = 1, relu_limit = 6.0} @conv
  output %y
})");
  const Graph int8 = passes::quantize(top, {{{"x", 1.0}, {"y", 12.0}}}, passes::QuantPolicy{});
  const Node* conv = nullptr;
  for (const Node& n : int8.nodes)
    if (n.op == "Conv") conv = &n;
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->f("relu_limit", 0), 64.0);
  const Tensor x = random_tensor<float>(DType::F32, {1, 1, 4, 4}, -1, 1, 3);
  const Tensor y = host::Executor(int8).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i) {
    const double want = std::clamp(10.0 * x.at(i), 0.0, 6.0);
    EXPECT_NEAR(y.at(i), want, 12.0 / 127 + 10.0 / 127) << i;  // one output step plus the input's
  }
}

// float_layers keeps the named (or matched) layers in f32; a pattern that matches nothing is an error.
TEST(Quantize, FloatLayersStayFloat) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,1,2,2]
  const %w : f32[1,1,1,1] = [2]
  const %fw : f32[3,4] = [1, 2, 3, 4, -1, -2, -3, -4, 1, -1, 1, -1]
  const %shape : i64[2] = [1, 4]
  %c : f32[1,1,2,2] = Conv(%x, %w) @features/conv
  %f : f32[1,4] = Reshape(%c, %shape) @flatten
  %y : f32[1,3] = Gemm(%f, %fw) {transB = 1} @classifier/fc
  output %y
})");
  const passes::CalibrationTable table{{{"x", 1.0}, {"c", 2.0}, {"f", 2.0}, {"y", 20.0}}, ""};
  passes::QuantPolicy policy;
  policy.file = "policy.yaml";
  policy.float_layers = {"classifier/*"};
  const Graph q = passes::quantize(top, table, policy);
  std::map<std::string, DType> out_dtype;
  for (const Node& n : q.nodes) out_dtype[n.name] = q.type(n.outputs[0]).dtype;
  EXPECT_EQ(out_dtype.at("features/conv"), DType::I8);
  EXPECT_EQ(out_dtype.at("classifier/fc"), DType::F32);
  policy.float_layers = {"head/*"};
  try {
    passes::quantize(top, table, policy);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "policy.yaml: float_layers: 'head/*' matches no layer of the model");
  }
}
