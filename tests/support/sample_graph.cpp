#include "tests/support/sample_graph.h"

namespace tpuc::testing {

Graph sample_graph() {
  Graph g;
  g.name = "sample net";
  g.inputs = {"image"};
  g.outputs = {"logits"};
  g.types["image"] = {DType::F32, {1, 1, 4, 4}, std::nullopt};
  g.constants["w"] = make_tensor<float>(DType::F32, {2, 1, 1, 1}, {0.5f, -1.0f / 3.0f});
  std::vector<float> big(40);
  for (size_t i = 0; i < big.size(); ++i) big[i] = float(i) * 0.1f;
  g.constants["big"] = make_tensor<float>(DType::F32, {40}, big);
  g.constants["shape"] = make_tensor<int64_t>(DType::I64, {2}, {1, -1});
  Tensor wq = make_tensor<int8_t>(DType::I8, {2}, {-128, 127});
  wq.type.quant = QuantParams{{0.25, 1e-3}, 0, 0};
  g.constants["wq"] = wq;
  Node conv{"Conv", "conv/1", {"image", "w", ""}, {"y"}, {}};
  conv.attrs["pads"] = std::vector<int64_t>{0, 0, 0, 0};
  conv.attrs["group"] = int64_t{1};
  conv.attrs["alpha"] = 1.0;
  conv.attrs["scales"] = std::vector<double>{0.1, 2.0};
  conv.attrs["mode"] = std::string("a \"quoted\" string");
  g.nodes.push_back(conv);
  g.types["y"] = {DType::I8, {1, 2, 4, 4}, QuantParams{{0.0625}, 3, -1}};
  g.nodes.push_back({"Reshape", "odd name", {"y", "shape"}, {"logits"}, {}});
  return g;
}

}  // namespace tpuc::testing
