// as-depthwise-conv: per-channel linear ops on an NCHW f32 tensor become the depthwise Conv they
// are, a layer every target and precision already runs (the chip's depthwise command; int8 with
// per-channel weight scales), and that a Relu after it then fuses into:
//   - a BatchNormalization that fold-batchnorm left (no Conv or Gemm before it: the pre-activation
//     blocks of DenseNet-style networks): a 1×1 kernel, with s = gamma / sqrt(var + eps),
//     W[c] = s[c], b[c] = beta[c] − mean[c]·s[c] (in double, rounded to f32);
//   - an AveragePool whose every window counts kh·kw positions (no padding, or count_include_pad;
//     no ceil_mode): its kernel, strides and pads, every weight 1/(kh·kw);
//   - a Mul by a constant of one value per channel (ConvNeXt's layer scale): 1×1, W[c] = k[c],
//     no bias.
#include <cmath>
#include <optional>

#include "ops/conv_geometry.h"
#include "passes/passes.h"

namespace tpuc::passes {

namespace {

// A depthwise Conv standing for a node: its kernel (per channel, row-major) and bias, and the
// window attributes the node keeps (strides, pads).
struct Depthwise {
  std::vector<int64_t> kernel_shape;
  std::vector<float> weights, bias;  // weights: channels × kh × kw
  std::vector<std::string> window_attributes;
  size_t data = 0;  // the node's input that is the tensor
};

// BatchNormalization's four parameters (gamma, beta, mean, var), each f32 constants of `channels`
// values, as the 1×1 affine.
std::optional<Depthwise> batchnorm(const Graph& g, const Node& bn, int64_t channels) {
  std::vector<const Tensor*> p;
  for (size_t k = 1; k < 5 && k < bn.inputs.size(); ++k) {
    auto it = g.constants.find(bn.inputs[k]);
    if (it == g.constants.end() || it->second.type.dtype != DType::F32 ||
        it->second.size() != channels)
      return std::nullopt;
    p.push_back(&it->second);
  }
  if (p.size() != 4) return std::nullopt;
  const double eps = bn.f("epsilon", 1e-5);
  Depthwise d{{1, 1}, {}, {}, {}};
  for (int64_t c = 0; c < channels; ++c) {
    const double s = p[0]->at(c) / std::sqrt(p[3]->at(c) + eps);
    d.weights.push_back(float(s));
    d.bias.push_back(float(p[1]->at(c) - p[2]->at(c) * s));
  }
  return d;
}

// An AveragePool whose windows all hold kh·kw counted positions: the mean as a window sum.
std::optional<Depthwise> average_pool(const Graph&, const Node& pool, int64_t channels) {
  const std::vector<int64_t> kernel = pool.ints("kernel_shape");
  const std::vector<int64_t> pads = pool.ints("pads", {0, 0, 0, 0});
  const bool padded = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
  if (kernel.size() != 2 || pool.i("ceil_mode", 0) || pool.has("dilations") ||
      pool.s("auto_pad", "NOTSET") != "NOTSET" || (padded && !pool.i("count_include_pad", 0)))
    return std::nullopt;
  const int64_t area = kernel[0] * kernel[1];
  return Depthwise{kernel,
                   std::vector<float>(size_t(channels * area), 1.0f / float(area)),
                   std::vector<float>(size_t(channels), 0.0f),
                   {"strides", "pads"}};
}

// A Mul of the tensor by a constant of one value per channel ([C, 1, 1] or [1, C, 1, 1]: a layer
// scale), either operand first. (A scalar stays a Mul: it is an immediate of one ARITH on the chip,
// and a scale of attention scores is no per-channel op.)
std::optional<Depthwise> scale(const Graph& g, const Node& mul, int64_t channels) {
  if (mul.inputs.size() != 2) return std::nullopt;
  const size_t data = g.is_constant(mul.inputs[0]) ? 1 : 0;
  if (g.is_constant(mul.inputs[data]) || !g.is_constant(mul.inputs[1 - data]) ||
      !g.types.count(mul.inputs[data]) ||
      g.types.at(mul.inputs[data]).shape != g.types.at(mul.outputs[0]).shape)
    return std::nullopt;  // the tensor itself broadcast is not a per-channel scale
  const Tensor& k = g.constants.at(mul.inputs[1 - data]);
  Shape s = k.type.shape;
  while (s.size() < 4) s.insert(s.begin(), 1);
  if (k.type.dtype != DType::F32 || s.size() != 4 || s[0] != 1 || s[1] != channels || s[2] != 1 ||
      s[3] != 1)
    return std::nullopt;
  Depthwise d{{1, 1}, {}, std::vector<float>(size_t(channels), 0.0f), {}, data};
  for (int64_t c = 0; c < channels; ++c) d.weights.push_back(float(k.at(c)));
  return d;
}

using Rule = std::optional<Depthwise> (*)(const Graph&, const Node&, int64_t channels);
const std::map<std::string, Rule> kRules = {
    {"AveragePool", average_pool}, {"BatchNormalization", batchnorm}, {"Mul", scale}};

}  // namespace

void as_depthwise_conv(Graph& g, const PassOptions&) {
  for (Node& n : g.nodes) {
    auto rule = kRules.find(n.op);
    if (rule == kRules.end() || n.outputs.size() != 1 || !g.types.count(n.outputs[0])) continue;
    const TensorType& y = g.types.at(n.outputs[0]);
    if (y.shape.size() != 4 || y.dtype != DType::F32) continue;
    const std::optional<Depthwise> d = rule->second(g, n, y.shape[1]);
    if (!d || !g.types.count(n.inputs[d->data])) continue;
    const Shape& x = g.types.at(n.inputs[d->data]).shape;
    if (x.size() != 4 || x[1] != y.shape[1]) continue;
    const int64_t channels = y.shape[1];
    const std::string w = g.fresh_name(n.name + ".weight"), b = g.fresh_name(n.name + ".bias");
    g.constants[w] =
        make_tensor(DType::F32, {channels, 1, d->kernel_shape[0], d->kernel_shape[1]}, d->weights);
    g.constants[b] = make_tensor(DType::F32, {channels}, d->bias);
    std::map<std::string, Attr> attrs = {{"group", channels}, {"kernel_shape", d->kernel_shape}};
    for (const std::string& key : d->window_attributes)
      if (n.has(key)) attrs[key] = n.attrs.at(key);
    n.op = "Conv";
    n.inputs = {n.inputs[d->data], w, b};
    n.attrs = attrs;
  }
}

}  // namespace tpuc::passes
