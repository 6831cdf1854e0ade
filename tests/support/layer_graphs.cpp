#include "tests/support/layer_graphs.h"

#include "tests/support/random_tensor.h"

namespace tpuc::testing {

TensorType int8_type(Shape shape, double scale) {
  return {DType::I8, std::move(shape), QuantParams{{scale}, 0, -1}};
}

TensorType plain_type(DType dtype, Shape shape) { return {dtype, std::move(shape), std::nullopt}; }

void set_requant_attrs(Node& n, int64_t channels, int shift) {
  std::vector<int64_t> multipliers;
  std::vector<int64_t> shifts;
  for (int64_t c = 0; c < channels; ++c) {
    multipliers.push_back((int64_t{1} << 30) + c * 1000003);
    shifts.push_back(shift + c % 3);
  }
  n.attrs["multiplier"] = multipliers;
  n.attrs["rshift"] = shifts;
}

Graph one_node(const Node& n, TensorType x, TensorType y) {
  Graph g;
  g.name = n.name;
  g.inputs = {n.inputs[0]};
  g.outputs = {n.outputs[0]};
  g.types[n.inputs[0]] = std::move(x);
  g.types[n.outputs[0]] = std::move(y);
  g.nodes = {n};
  return g;
}

Graph conv_graph(DType dtype, const Shape& x, int64_t out_channels, int k, int stride, int pad,
                 bool relu, int64_t group) {
  Node n{"Conv", "conv", {"x", "w", "b"}, {"y"}, {}};
  n.attrs["strides"] = std::vector<int64_t>{stride, stride};
  n.attrs["pads"] = std::vector<int64_t>{pad, pad, pad, pad};
  n.attrs["group"] = group;
  n.attrs["do_relu"] = int64_t{relu};
  const int64_t out_h = (x[2] + 2 * pad - k) / stride + 1;
  const int64_t out_w = (x[3] + 2 * pad - k) / stride + 1;
  const Shape y = {x[0], out_channels, out_h, out_w};
  const Shape w = {out_channels, x[1] / group, k, k};
  if (dtype == DType::I8) {
    set_requant_attrs(n, out_channels, 42);
    Graph g = one_node(n, int8_type(x, 0.05), int8_type(y, 0.1));
    g.constants["w"] = random_tensor<int8_t>(DType::I8, w, -127, 127, 11);
    g.constants["b"] = random_tensor<int32_t>(DType::I32, {out_channels}, -5000, 5000, 12);
    return g;
  }
  if (relu) n.attrs["relu_limit"] = 6.0;
  Graph g = one_node(n, plain_type(dtype, x), plain_type(dtype, y));
  g.constants["w"] = random_input(plain_type(dtype, w), -0.3, 0.3, 11);
  g.constants["b"] = random_input(plain_type(dtype, {out_channels}), -1, 1, 12);
  return g;
}

}  // namespace tpuc::testing
