// fuse-preprocess: moves input preprocessing into the model, so the compiled model takes raw
// pixels. Options: `input` (default: the first graph input), `scale` and `mean` (one value, or one
// per channel, dimension 1): the model used to see x' = x · scale[c] − mean[c]. When the input's
// only reader is an ungrouped Conv with constant weight (and bias), directly or through a
// StackRows (stack-kernel-rows: its channel k·C + c is input channel c), the preprocessing folds
// into it:
//   W'[o, c, …] = W[o, c, …] · scale[c],  b'[o] = b[o] − Σ W[o, c, …] · mean[c].
// That is exact when the Conv and the StackRows are unpadded or every mean is 0 (otherwise the
// padded zeros of x' would not be zeros of x). In other cases it becomes a Mul and a Sub at the
// input.
#include "ir/diagnostics.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// A per-channel constant shaped to broadcast over an input of `rank` ([1, C, 1, …]).
Tensor channel_constant(const std::vector<double>& values, size_t rank) {
  Shape shape(std::max<size_t>(rank, 2), 1);
  shape[1] = int64_t(values.size());
  Tensor t(TensorType{DType::F32, shape, std::nullopt});
  for (size_t c = 0; c < values.size(); ++c) t.as<float>()[c] = float(values[c]);
  return t;
}

// The only reader of `value`, or nullptr.
Node* only_reader(Graph& g, const std::string& value) {
  if (use_count(g, value) != 1) return nullptr;
  for (Node& n : g.nodes)
    if (std::count(n.inputs.begin(), n.inputs.end(), value)) return &n;
  return nullptr;
}

bool folds_into(const Graph& g, const Node& conv, const std::string& input, bool zero_mean) {
  if (conv.op != "Conv" || conv.inputs.empty() || conv.inputs[0] != input ||
      !g.is_constant(conv.inputs[1]))
    return false;
  if (conv.inputs.size() > 2 && !conv.inputs[2].empty() && !g.is_constant(conv.inputs[2]))
    return false;
  const std::vector<int64_t> pads = conv.ints("pads", {0, 0, 0, 0});
  const std::string auto_pad = conv.s("auto_pad", "NOTSET");
  const bool unpadded = (auto_pad == "NOTSET" || auto_pad == "VALID") &&
                        std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
  return conv.i("group", 1) == 1 && (unpadded || zero_mean);
}

}  // namespace

void fuse_preprocess(Graph& g, const PassOptions& options) {
  const std::string input = options.string("input", g.inputs.empty() ? "" : g.inputs[0]);
  if (!std::count(g.inputs.begin(), g.inputs.end(), input))
    throw Error("fuse-preprocess: '" + input + "' is not a graph input");
  const Shape& shape = g.type(input).shape;
  const int64_t channels = shape.size() > 1 ? shape[1] : 1;
  std::vector<double> scale = options.numbers("scale", {1.0}),
                      mean = options.numbers("mean", {0.0});
  for (std::vector<double>* v : {&scale, &mean}) {
    if (v->size() == 1) v->assign(size_t(channels), v->front());
    if (int64_t(v->size()) != channels)
      throw Error("fuse-preprocess: " + std::to_string(v->size()) + " values for the " +
                  std::to_string(channels) + " channels of '" + input + "'");
  }
  const bool zero_mean = std::all_of(mean.begin(), mean.end(), [](double m) { return m == 0; });
  if (zero_mean && std::all_of(scale.begin(), scale.end(), [](double s) { return s == 1; })) return;
  std::string read = input;
  Node* conv = only_reader(g, input);
  if (conv && conv->op == "StackRows") {
    const std::vector<int64_t> pads = conv->ints("pads", {0, 0});
    const bool padded = pads[0] != 0 || pads[1] != 0;
    read = conv->outputs[0];
    conv = padded && !zero_mean ? nullptr : only_reader(g, read);
  }
  if (conv && folds_into(g, *conv, read, zero_mean)) {
    Tensor w = g.constants.at(conv->inputs[1]);
    const int64_t oc = w.type.shape[0], in = w.type.shape[1], per_channel = w.size() / (oc * in);
    Tensor b(TensorType{DType::F32, {oc}, std::nullopt});
    if (conv->inputs.size() > 2 && !conv->inputs[2].empty()) b = g.constants.at(conv->inputs[2]);
    float* wd = w.as<float>();
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t c = 0; c < in; ++c)
        for (int64_t k = 0; k < per_channel; ++k) {
          float& v = wd[(o * in + c) * per_channel + k];
          b.as<float>()[o] -= float(v * mean[size_t(c % channels)]);
          v = float(v * scale[size_t(c % channels)]);
        }
    const std::string wn = g.fresh_name(conv->name + ".weight_preprocessed"),
                      bn = g.fresh_name(conv->name + ".bias_preprocessed");
    g.constants[wn] = std::move(w);
    g.constants[bn] = std::move(b);
    conv->inputs.resize(3);
    conv->inputs[1] = wn;
    conv->inputs[2] = bn;
    return;
  }
  const std::string scaled = g.fresh_name(input + "_scaled"),
                    shifted = g.fresh_name(input + "_preprocessed");
  const std::string s = g.fresh_name(input + "_scale"), m = g.fresh_name(input + "_mean");
  g.constants[s] = channel_constant(scale, shape.size());
  g.constants[m] = channel_constant(mean, shape.size());
  replace_uses(g, input, shifted);
  g.nodes.insert(g.nodes.begin(), {Node{"Mul", input + "/scale", {input, s}, {scaled}, {}},
                                   Node{"Sub", input + "/mean", {scaled, m}, {shifted}, {}}});
  g.types[scaled] = g.types[shifted] = g.type(input);
}

}  // namespace tpuc::passes
