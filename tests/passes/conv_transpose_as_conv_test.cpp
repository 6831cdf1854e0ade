// conv-transpose-as-conv: the graph after the pass (one Conv of the stride's phases, DepthToSpace,
// Slice) computes what the ConvTranspose computed, on random inputs and weights, across strides,
// kernels that the stride does and does not divide, padding, output padding and groups. The host
// ConvTranspose is the reference (checked against the ONNX backend tests).
#include <gtest/gtest.h>

#include <cmath>

#include "passes/passes.h"
#include "target/host/executor.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::random_tensor;

namespace {

struct Case {
  int64_t in_channels, out_channels, group, kernel, stride, pad, output_padding;
};

Graph conv_transpose(const Case& k) {
  const int64_t h = 5, w = 6;
  auto out = [&](int64_t n) {
    return (n - 1) * k.stride + k.output_padding + k.kernel - 2 * k.pad;
  };
  Graph g;
  g.inputs = {"x"};
  g.outputs = {"y"};
  g.types["x"] = {DType::F32, {1, k.in_channels, h, w}, std::nullopt};
  g.types["y"] = {DType::F32, {1, k.out_channels, out(h), out(w)}, std::nullopt};
  g.constants["w"] = random_tensor<float>(
      DType::F32, {k.in_channels, k.out_channels / k.group, k.kernel, k.kernel}, -1, 1, 3);
  g.constants["b"] = random_tensor<float>(DType::F32, {k.out_channels}, -1, 1, 4);
  Node n{"ConvTranspose", "up", {"x", "w", "b"}, {"y"}, {}};
  n.attrs["kernel_shape"] = std::vector<int64_t>{k.kernel, k.kernel};
  n.attrs["strides"] = std::vector<int64_t>{k.stride, k.stride};
  n.attrs["pads"] = std::vector<int64_t>{k.pad, k.pad, k.pad, k.pad};
  n.attrs["output_padding"] = std::vector<int64_t>{k.output_padding, k.output_padding};
  n.attrs["group"] = k.group;
  g.nodes = {n};
  return g;
}

}  // namespace

TEST(ConvTransposeAsConv, ComputesWhatTheConvTransposeComputed) {
  const Case cases[] = {
      {3, 4, 1, 4, 2, 1, 0},  // the usual 2× upsampling: the stride divides the kernel
      {3, 4, 1, 3, 2, 1, 1},  // it does not; output padding
      {4, 6, 2, 3, 1, 0, 0},  // stride 1: no DepthToSpace; groups
      {2, 2, 1, 2, 3, 0, 2},  // a kernel shorter than the stride: holes between its copies
      {4, 4, 4, 4, 2, 1, 0},  // depthwise
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "kernel " << k.kernel << " stride " << k.stride << " group " << k.group);
    const Graph before = conv_transpose(k);
    Graph after = before;
    passes::conv_transpose_as_conv(after, {});
    for (const Node& n : after.nodes) EXPECT_NE(n.op, "ConvTranspose");
    const Tensor x = random_tensor<float>(DType::F32, before.type("x").shape, -2, 2, 5);
    const Tensor want = host::Executor(before).run({{"x", x}}).at("y");
    const Tensor got = host::Executor(after).run({{"x", x}}).at("y");
    ASSERT_EQ(got.type.shape, want.type.shape);
    for (int64_t i = 0; i < want.size(); ++i)
      ASSERT_NEAR(got.at(i), want.at(i), 1e-5 * (1 + std::fabs(want.at(i)))) << i;
  }
}
