// prelu-as-relus: a PRelu of an NCHW f32 tensor whose slope is a constant of one value, or of one
// value per channel ([C, 1, 1] or [1, C, 1, 1]: nn.PReLU), becomes ops every target and precision
// runs — the BM1684X has no select, and an int8 table cannot hold a slope per channel:
//   y = Relu(x) + Conv(Relu(Conv(x, −1)), −slope)
// two 1×1 depthwise Convs without bias (fuse-activation then folds the inner Relu into the first).
// For x > 0 this is x + (−slope)·0 = x, for x < 0 it is 0 + slope·x, rounded once: PRelu's value.
#include <optional>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The slope's value for each of `channels` channels, or nothing when it is not such a constant.
std::optional<std::vector<float>> channel_slopes(const Graph& g, const std::string& slope,
                                                 int64_t channels) {
  auto it = g.constants.find(slope);
  if (it == g.constants.end() || it->second.type.dtype != DType::F32) return std::nullopt;
  const Tensor& s = it->second;
  Shape shape = s.type.shape;
  while (shape.size() < 4) shape.insert(shape.begin(), 1);
  if (shape.size() != 4 || shape[0] != 1 || shape[2] != 1 || shape[3] != 1) return std::nullopt;
  if (s.size() != 1 && shape[1] != channels) return std::nullopt;
  std::vector<float> values;
  for (int64_t c = 0; c < channels; ++c) values.push_back(float(s.at(s.size() == 1 ? 0 : c)));
  return values;
}

}  // namespace

void prelu_as_relus(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    if (n.op != "PRelu" || n.inputs.size() != 2 || !g.types.count(n.inputs[0])) continue;
    const TensorType x = g.types.at(n.inputs[0]);
    if (x.shape.size() != 4 || x.dtype != DType::F32) continue;
    const int64_t channels = x.shape[1];
    const std::optional<std::vector<float>> slopes = channel_slopes(g, n.inputs[1], channels);
    if (!slopes) continue;
    std::vector<float> negated_slopes;
    for (float s : *slopes) negated_slopes.push_back(-s);
    const Shape weights{channels, 1, 1, 1};
    const std::string minus_one =
        float_constant(g, n.name + "/minus_one", weights, std::vector<float>(size_t(channels), -1));
    const std::string minus_slope =
        float_constant(g, n.name + "/minus_slope", weights, negated_slopes);
    auto value = [&](const std::string& base) {
      return typed_value(g, n.name + base, x.dtype, x.shape);
    };
    const std::string positive = value("/positive"), negated = value("/negated"),
                      negative = value("/negative"), scaled = value("/scaled");
    const std::map<std::string, Attr> depthwise = depthwise_attrs(channels, {1, 1});
    i = replace_node(g, i,
                     {{"Relu", n.name + "/positive", {n.inputs[0]}, {positive}, {}},
                      {"Conv", n.name + "/negated", {n.inputs[0], minus_one}, {negated}, depthwise},
                      {"Relu", n.name + "/negative", {negated}, {negative}, {}},
                      {"Conv", n.name + "/scaled", {negative, minus_slope}, {scaled}, depthwise},
                      {"Add", n.name, {positive, scaled}, n.outputs, {}}});
  }
}

}  // namespace tpuc::passes
