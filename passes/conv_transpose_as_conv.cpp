// conv-transpose-as-conv: a 2-D ConvTranspose of stride s (the same along both axes; no dilation)
// becomes ops every target runs: output position s·m + a along an axis (phase a) takes the input
// at m − j through kernel tap a + s·j, so each of the s² phases is an ordinary Conv of the input,
// stride 1, with the sub-kernel of its taps flipped (ceil(k/s) taps, zeros past the kernel). One
// Conv computes them all, phase (a, b) of result channel c as its channel c·s² + a·s + b (the
// bias repeated), padded so it covers the whole result; DepthToSpace (CRD) interleaves the phases;
// a Slice drops the rows and columns the ConvTranspose's pads remove. Groups stay groups (each
// result channel's phases sit inside its group). Stride 1 needs no DepthToSpace.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// What the rewrite needs of a ConvTranspose, when it applies.
struct Transposed {
  int64_t stride = 1, group = 1;
  Shape x, w, y;                      // input NCHW, weights [C_in, C_out/group, kh, kw], output
  std::vector<int64_t> begin;         // the pads removed before the rows and the columns
  std::vector<int64_t> taps, length;  // per axis: sub-kernel taps, each phase's length
};

std::optional<Transposed> match(const Graph& g, const Node& n) {
  if (n.op != "ConvTranspose" || n.inputs.size() < 2 || n.outputs.size() != 1 ||
      !g.types.count(n.inputs[0]) || !g.types.count(n.outputs[0]) || !g.is_constant(n.inputs[1]) ||
      n.has("output_shape") || n.s("auto_pad", "NOTSET") != "NOTSET")
    return std::nullopt;
  if (n.inputs.size() > 2 && !n.inputs[2].empty() && !g.is_constant(n.inputs[2]))
    return std::nullopt;
  Transposed t;
  t.x = g.types.at(n.inputs[0]).shape;
  t.y = g.types.at(n.outputs[0]).shape;
  t.w = g.constants.at(n.inputs[1]).type.shape;
  const std::vector<int64_t> strides = n.ints("strides", {1, 1}),
                             dilations = n.ints("dilations", {1, 1});
  const std::vector<int64_t> pads = n.ints("pads", {0, 0, 0, 0});
  if (t.x.size() != 4 || t.w.size() != 4 || g.types.at(n.inputs[0]).dtype != DType::F32 ||
      strides.size() != 2 || strides[0] != strides[1] || dilations != std::vector<int64_t>{1, 1} ||
      pads.size() != 4)
    return std::nullopt;
  t.stride = strides[0];
  t.group = n.i("group", 1);
  for (size_t a = 0; a < 2; ++a) {
    t.begin.push_back(pads[a]);
    t.taps.push_back((t.w[2 + a] + t.stride - 1) / t.stride);
    // Phases long enough for the input's full reach and for the rows the output keeps.
    const int64_t kept = (pads[a] + t.y[2 + a] + t.stride - 1) / t.stride;
    t.length.push_back(std::max(t.x[2 + a] + t.taps[a] - 1, kept));
  }
  return t;
}

// The Conv's weights [C_out·s², C_in/group, taps_h, taps_w] and bias from the ConvTranspose's.
std::pair<Tensor, Tensor> phase_weights(const Transposed& t, const Tensor& w, const Tensor* bias) {
  const int64_t s = t.stride, cog = t.w[1], cig = t.x[1] / t.group, c_out = cog * t.group;
  const int64_t th = t.taps[0], tw = t.taps[1], kh = t.w[2], kw = t.w[3];
  std::vector<float> weights, biases;
  for (int64_t c = 0; c < c_out; ++c)
    for (int64_t a = 0; a < s; ++a)
      for (int64_t b = 0; b < s; ++b) {
        biases.push_back(bias ? float(bias->at(c)) : 0.0f);
        for (int64_t ic = 0; ic < cig; ++ic)
          for (int64_t jy = 0; jy < th; ++jy)
            for (int64_t jx = 0; jx < tw; ++jx) {
              const int64_t ky = a + s * (th - 1 - jy), kx = b + s * (tw - 1 - jx);
              const int64_t in_channel = (c / cog) * cig + ic;
              weights.push_back(
                  ky < kh && kx < kw
                      ? float(w.at(((in_channel * cog + c % cog) * kh + ky) * kw + kx))
                      : 0.0f);
            }
      }
  return {make_tensor(DType::F32, {c_out * s * s, cig, th, tw}, weights),
          make_tensor(DType::F32, {c_out * s * s}, biases)};
}

std::vector<Node> as_conv(Graph& g, const Node& n, const Transposed& t) {
  const int64_t s = t.stride, c_out = t.w[1] * t.group;
  const Tensor* bias =
      n.inputs.size() > 2 && !n.inputs[2].empty() ? &g.constants.at(n.inputs[2]) : nullptr;
  const auto [weights, biases] = phase_weights(t, g.constants.at(n.inputs[1]), bias);
  const std::string w = g.fresh_name(n.name + "/phases.weight"),
                    b = g.fresh_name(n.name + "/phases.bias");
  g.constants[w] = weights;
  g.constants[b] = biases;
  auto value = [&](const std::string& what, Shape shape) {
    return typed_value(g, n.name + "/" + what, DType::F32, std::move(shape));
  };
  const Shape full = {t.x[0], c_out, s * t.length[0], s * t.length[1]};
  const bool cropped = full != t.y;
  const std::string phases =
      s > 1 || cropped ? value("phases", {t.x[0], c_out * s * s, t.length[0], t.length[1]})
                       : n.outputs[0];
  std::vector<Node> nodes = {
      {"Conv",
       phases,
       {n.inputs[0], w, b},
       {phases},
       {{"group", t.group},
        {"kernel_shape", std::vector<int64_t>{t.taps[0], t.taps[1]}},
        {"pads", std::vector<int64_t>{t.taps[0] - 1, t.taps[1] - 1, t.length[0] - t.x[2],
                                      t.length[1] - t.x[3]}}}}};
  std::string last = phases;
  if (s > 1) {
    last = cropped ? value("interleaved", full) : n.outputs[0];
    nodes.push_back(
        {"DepthToSpace", last, {phases}, {last}, {{"blocksize", s}, {"mode", std::string("CRD")}}});
  }
  if (cropped)
    nodes.push_back(
        {"Slice",
         n.name,
         {last, shape_constant(g, n.name + "/starts", {t.begin[0], t.begin[1]}),
          shape_constant(g, n.name + "/ends", {t.begin[0] + t.y[2], t.begin[1] + t.y[3]}),
          shape_constant(g, n.name + "/axes", {2, 3})},
         {n.outputs[0]},
         {}});
  nodes.back().name = n.name;  // the last keeps the node's name
  return nodes;
}

}  // namespace

void conv_transpose_as_conv(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const std::optional<Transposed> t = match(g, g.nodes[i]);
    if (!t) continue;
    const Node n = g.nodes[i];
    const std::vector<Node> nodes = as_conv(g, n, *t);
    i = replace_node(g, i, nodes);
  }
}

}  // namespace tpuc::passes
