#include "tests/support/net_builder.h"

#include <cmath>

#include "passes/passes.h"
#include "tests/support/random_tensor.h"

namespace tpuc::testing {

NetBuilder::NetBuilder(Shape input) {
  g.name = "resnet";
  g.inputs = {"x"};
  g.types["x"] = {DType::F32, std::move(input), std::nullopt};
}

std::string NetBuilder::conv(const std::string& x, int64_t oc, int64_t k, int64_t stride,
                             int64_t pad, bool relu) {
  const int64_t ic = g.type(x).shape[1];
  const std::string name = "conv" + std::to_string(++count_);
  Tensor& weights = g.constants[name + ".w"];
  weights = random_tensor<float>(DType::F32, {oc, ic, k, k}, -1, 1, unsigned(count_));
  const float gain = float(std::sqrt(6.0 / double(ic * k * k)));
  for (int64_t i = 0; i < weights.size(); ++i) weights.as<float>()[i] *= gain;
  g.constants[name + ".b"] =
      random_tensor<float>(DType::F32, {oc}, -0.1f, 0.1f, unsigned(100 + count_));
  Node n{"Conv", name, {x, name + ".w", name + ".b"}, {name}, {}};
  n.attrs["kernel_shape"] = std::vector<int64_t>{k, k};
  n.attrs["strides"] = std::vector<int64_t>{stride, stride};
  n.attrs["pads"] = std::vector<int64_t>{pad, pad, pad, pad};
  return add_node(n, relu);
}

std::string NetBuilder::node(const std::string& op, std::vector<std::string> inputs, bool relu) {
  const std::string name = op + std::to_string(++count_);
  return add_node({op, name, std::move(inputs), {name}, {}}, relu);
}

std::string NetBuilder::add_node(Node n, bool relu) {
  g.nodes.push_back(n);
  passes::infer_node(g, n);
  if (!relu) return n.outputs[0];
  return add_node({"Relu", n.name + ".relu", {n.outputs[0]}, {n.outputs[0] + ".relu"}, {}}, false);
}

}  // namespace tpuc::testing
