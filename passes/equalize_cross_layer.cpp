// equalize-cross-layer: cross-layer equalization (Nagel et al., "Data-Free Quantization Through
// Weight Equalization and Bias Correction", ICCV 2019). For a Conv whose only reader is a dense
// Conv, with at most a fused ReLU or LeakyReLU between (positively homogeneous: f(s·x) = s·f(x)
// for s > 0), output channel i of the first is divided by s_i and input channel i of the second
// multiplied by it:
//   s_i = sqrt(r1_i / r2_i),  r1_i = max |W1[i, ...]|,  r2_i = max |W2[:, i, ...]|,
// which gives both the range sqrt(r1_i · r2_i). The float function stays the same (up to
// rounding) while the channels of the value between the two come closer in range — what one int8
// scale for the whole tensor needs: a depthwise Conv's output channels differ by 10× and more,
// and a calibration method that clips the few wide channels ruins them. Chains share layers (a
// pointwise Conv ends one pair and starts the next), so all pairs are equalized again, in graph
// order, until every scale of a round is within 1e-6 of 1 (at most 32 rounds).
#include <cmath>

#include "ops/attrs.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// A Conv's weights and bias as the pass changes them (double, written back once).
struct Layer {
  std::vector<double> w, b;
  Shape shape;  // of w
  bool has_bias = false;
  bool bias_scaled = false;  // only the first Conv of a pair scales its bias
  int64_t per_output() const { return int64_t(w.size()) / shape[0]; }
};

struct Pair {
  size_t first, second;  // node indices
};

bool float_constant_input(const Graph& g, const Node& n, size_t i) {
  return i < n.inputs.size() && !n.inputs[i].empty() && g.is_constant(n.inputs[i]) &&
         g.constants.at(n.inputs[i]).type.dtype == DType::F32;
}

bool plain_conv(const Graph& g, const Node& n) {
  const bool bias_ok = n.inputs.size() < 3 || n.inputs[2].empty() || float_constant_input(g, n, 2);
  return n.op == "Conv" && float_constant_input(g, n, 1) && bias_ok;
}

// Pairs (first, second) the pass may equalize, in graph order.
std::vector<Pair> find_pairs(const Graph& g) {
  std::vector<Pair> pairs;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& first = g.nodes[i];
    if (!plain_conv(g, first) || ops::FusedActivation::of(first).relu_limit) continue;
    const std::vector<const Node*> readers = g.consumers(first.outputs[0]);
    if (readers.size() != 1 || use_count(g, first.outputs[0]) != 1) continue;
    const Node& second = *readers[0];
    if (!plain_conv(g, second) || second.inputs[0] != first.outputs[0] || second.i("group", 1) != 1)
      continue;
    pairs.push_back({i, size_t(&second - g.nodes.data())});
  }
  return pairs;
}

Layer load(const Graph& g, const Node& n) {
  Layer l;
  const Tensor& w = g.constants.at(n.inputs[1]);
  l.shape = w.type.shape;
  for (int64_t k = 0; k < w.size(); ++k) l.w.push_back(w.at(k));
  l.has_bias = n.inputs.size() > 2 && !n.inputs[2].empty();
  for (int64_t c = 0; l.has_bias && c < l.shape[0]; ++c)
    l.b.push_back(g.constants.at(n.inputs[2]).at(c));
  return l;
}

// Equalizes one pair; returns the largest |log s_i|.
double equalize(Layer& first, Layer& second) {
  const int64_t channels = first.shape[0], per_first = first.per_output();
  const int64_t outputs = second.shape[0], inputs = second.shape[1];
  const int64_t taps = int64_t(second.w.size()) / (outputs * inputs);
  double largest = 0;
  for (int64_t i = 0; i < channels && i < inputs; ++i) {
    double r1 = 0, r2 = 0;
    for (int64_t k = 0; k < per_first; ++k)
      r1 = std::max(r1, std::fabs(first.w[i * per_first + k]));
    for (int64_t o = 0; o < outputs; ++o)
      for (int64_t k = 0; k < taps; ++k)
        r2 = std::max(r2, std::fabs(second.w[(o * inputs + i) * taps + k]));
    if (!(r1 > 0 && r2 > 0)) continue;
    const double s = std::sqrt(r1 / r2);
    for (int64_t k = 0; k < per_first; ++k) first.w[i * per_first + k] /= s;
    if (first.has_bias) first.b[i] /= s;
    first.bias_scaled = first.has_bias;
    for (int64_t o = 0; o < outputs; ++o)
      for (int64_t k = 0; k < taps; ++k) second.w[(o * inputs + i) * taps + k] *= s;
    largest = std::max(largest, std::fabs(std::log(s)));
  }
  return largest;
}

void store(Graph& g, Node& n, const Layer& l) {
  const auto as_float = [](const std::vector<double>& v) {
    return std::vector<float>(v.begin(), v.end());
  };
  n.inputs[1] = float_constant(g, n.name + ".weight_equalized", l.shape, as_float(l.w));
  if (l.bias_scaled)
    n.inputs[2] = float_constant(g, n.name + ".bias_equalized", {l.shape[0]}, as_float(l.b));
}

}  // namespace

void equalize_cross_layer(Graph& g, const PassOptions&) {
  const std::vector<Pair> pairs = find_pairs(g);
  std::map<size_t, Layer> layers;
  for (const Pair& p : pairs)
    for (size_t n : {p.first, p.second})
      if (!layers.count(n)) layers[n] = load(g, g.nodes[n]);
  for (int round = 0; round < 32; ++round) {
    double largest = 0;
    for (const Pair& p : pairs)
      largest = std::max(largest, equalize(layers.at(p.first), layers.at(p.second)));
    if (largest < 1e-6) break;
  }
  for (const auto& [n, layer] : layers) store(g, g.nodes[n], layer);
}

}  // namespace tpuc::passes
