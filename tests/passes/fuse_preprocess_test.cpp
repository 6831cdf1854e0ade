// fuse-preprocess: the graph after the pass, fed raw input x, computes what the graph before it
// computed on x · scale − mean (per channel), whether the preprocessing folded into the Conv or
// not.
#include <gtest/gtest.h>

#include "ir/text.h"
#include "passes/pass_manager.h"
#include "passes/passes.h"
#include "target/host/executor.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::random_tensor;

namespace {

Graph conv_graph(const std::string& attrs) {
  return parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,3,3]
  const %w : f32[2,2,2,2] = [1, -1, 2, 0.5, 0.25, 3, -2, 1, 1, 1, -1, -1, 0.5, 0.5, 2, -3]
  const %b : f32[2] = [0.5, -1]
  %y : f32[1,2,)" +
               std::string(attrs.empty() ? "2,2" : "4,4") + R"(] = Conv(%x, %w, %b) )" + attrs +
               R"( @conv
  output %y
})");
}

void expect_equivalent(const Graph& before, const Graph& after, const std::vector<double>& scale,
                       const std::vector<double>& mean) {
  const Tensor raw = random_tensor<float>(DType::F32, {1, 2, 3, 3}, 0, 255, 5);
  Tensor preprocessed = raw;
  for (int64_t i = 0; i < raw.size(); ++i) {
    const size_t c = size_t(i / 9);
    preprocessed.as<float>()[i] = float(raw.at(i) * scale[c] - mean[c]);
  }
  const Tensor want = host::Executor(before).run({{"x", preprocessed}}).at("y");
  const Tensor got = host::Executor(after).run({{"x", raw}}).at("y");
  ASSERT_EQ(want.size(), got.size());
  for (int64_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(got.at(i), want.at(i), 1e-4 * (1 + std::fabs(want.at(i)))) << i;
}

passes::PassOptions options(const std::vector<double>& scale, const std::vector<double>& mean) {
  passes::PassOptions o;
  o.values["scale"] = YAML::Node(scale);
  o.values["mean"] = YAML::Node(mean);
  return o;
}

// Runs the pass on the conv graph, checks the result computes the same, returns the ops it left.
std::vector<std::string> fused_ops(const std::string& conv_attrs, const std::vector<double>& scale,
                                   const std::vector<double>& mean) {
  const Graph before = conv_graph(conv_attrs);
  Graph after = before;
  passes::fuse_preprocess(after, options(scale, mean));
  expect_equivalent(before, after, scale, mean);
  std::vector<std::string> ops;
  for (const Node& n : after.nodes) ops.push_back(n.op);
  return ops;
}

}  // namespace

TEST(FusePreprocess, FoldsIntoAnUnpaddedConv) {
  EXPECT_EQ(fused_ops("", {0.5, 0.25}, {1.0, -2.0}), std::vector<std::string>{"Conv"});
}

TEST(FusePreprocess, APaddedConvFoldsAScaleWithoutMean) {
  EXPECT_EQ(fused_ops("{pads = [1, 1, 1, 1]}", {0.5, 0.25}, {0.0, 0.0}),
            std::vector<std::string>{"Conv"});
}

TEST(FusePreprocess, APaddedConvGetsExplicitOps) {
  EXPECT_EQ(fused_ops("{pads = [1, 1, 1, 1]}", {0.5, 0.25}, {1.0, -2.0}),
            (std::vector<std::string>{"Mul", "Sub", "Conv"}));
}
