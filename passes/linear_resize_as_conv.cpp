// linear-resize-as-conv: a linear Resize of an NCHW f32 tensor by whole factors with half-pixel
// coordinates (torch's bilinear `F.interpolate(..., align_corners=False)`, the upsampling of FCN,
// DeepLabV3 and LR-ASPP) becomes ops every target runs. Along an axis of factor f, linear
// interpolation is the nearest upsampling by f, its edge elements repeated f/2 times on each side
// (Slice + Concat: the clamp at the borders), then a depthwise Conv along the axis with the kernel
//   [1, 1, ..., 1] / f             (f odd, f taps)
//   [1, 2, 2, ..., 2, 1] / (2f)    (f even, f + 1 taps),
// exactly: each output is the same two-tap blend of neighbours the Resize computes, the kernel
// being the triangle of the interpolation seen through the nearest copies. Axes are done one after
// the other (W, then H), each upsampled just before its Conv, so the W pass runs on the input's
// rows. An axis of one element needs no blend: nearest alone is exact there (a pooled branch
// broadcast back, as DeepLabV3's image pooling).
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The factor of every axis when `n` is such a Resize (0 for none when it is not).
std::vector<int64_t> whole_factors(const Graph& g, const Node& n) {
  if (n.op != "Resize" || n.s("mode", "nearest") != "linear" || n.outputs.size() != 1 ||
      !g.types.count(n.inputs[0]) || !g.types.count(n.outputs[0]))
    return {};
  const std::string transform = n.s("coordinate_transformation_mode", "half_pixel");
  if (transform != "half_pixel" && transform != "pytorch_half_pixel") return {};
  const TensorType &x = g.types.at(n.inputs[0]), &y = g.types.at(n.outputs[0]);
  if (x.dtype != DType::F32 || x.shape.size() != 4 || y.shape.size() != 4) return {};
  std::vector<int64_t> factors;
  for (size_t d = 0; d < 4; ++d) {
    if (x.shape[d] == 0 || y.shape[d] % x.shape[d]) return {};
    factors.push_back(y.shape[d] / x.shape[d]);
  }
  if (factors[0] != 1 || factors[1] != 1) return {};
  // Half-pixel coordinates use the scales input when given: it must be the factor itself.
  if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
    auto scales = g.constants.find(n.inputs[2]);
    if (scales == g.constants.end() || scales->second.size() != 4) return {};
    for (size_t d = 0; d < 4; ++d)
      if (scales->second.at(int64_t(d)) != double(factors[d])) return {};
  }
  return factors;
}

// The depthwise kernel that blends the nearest copies of an axis of factor f.
std::vector<float> blend_kernel(int64_t f) {
  if (f % 2) return std::vector<float>(size_t(f), 1.0f / float(f));
  std::vector<float> k(size_t(f + 1), float(2.0 / double(2 * f)));
  k.front() = k.back() = float(1.0 / double(2 * f));
  return k;
}

// Builds the replacement nodes of one Resize, typing each value it makes.
struct Builder {
  Graph& g;
  const std::string& base;  // the Resize's name: every node made is named after it
  std::vector<Node> nodes;

  std::string value(const std::string& what, Shape shape) {
    return typed_value(g, base + "/" + what, DType::F32, std::move(shape));
  }
  std::string nearest(const std::string& x, const std::vector<int64_t>& factors) {
    Shape shape = g.types.at(x).shape;
    std::vector<float> scales;
    for (size_t d = 0; d < 4; ++d) {
      shape[d] *= factors[d];
      scales.push_back(float(factors[d]));
    }
    const std::string y = value("nearest", shape), s = g.fresh_name(y + "_scales");
    g.constants[s] = make_tensor(DType::F32, {4}, scales);
    nodes.push_back({"Resize",
                     y,
                     {x, "", s},
                     {y},
                     {{"mode", std::string("nearest")},
                      {"coordinate_transformation_mode", std::string("asymmetric")},
                      {"nearest_mode", std::string("floor")}}});
    return y;
  }
  // x with `h` copies of its first and of its last elements along `axis` on either side.
  std::string repeat_edges(const std::string& x, int64_t axis, int64_t h) {
    const Shape shape = g.types.at(x).shape;
    const int64_t size = shape[size_t(axis)];
    Shape part = shape, padded = shape;
    part[size_t(axis)] = h;
    padded[size_t(axis)] += 2 * h;
    const std::string y = value("padded", padded), axes = shape_constant(g, y + "_axis", {axis});
    std::vector<std::string> parts;
    for (const auto& [start, end] : {std::pair{int64_t(0), h}, std::pair{size - h, size}}) {
      const std::string edge = value("edge", part);
      nodes.push_back({"Slice",
                       edge,
                       {x, shape_constant(g, edge + "_start", {start}),
                        shape_constant(g, edge + "_end", {end}), axes},
                       {edge},
                       {}});
      parts.push_back(edge);
    }
    nodes.push_back({"Concat", y, {parts[0], x, parts[1]}, {y}, {{"axis", axis}}});
    return y;
  }
  // The depthwise Conv `name` of `kernel` along `axis` (2: H, 3: W), without padding.
  std::string blend(const std::string& x, int64_t axis, const std::vector<float>& kernel,
                    const std::string& y, const std::string& name) {
    const int64_t channels = g.types.at(x).shape[1], taps = int64_t(kernel.size());
    const std::vector<int64_t> kernel_shape =
        axis == 2 ? std::vector<int64_t>{taps, 1} : std::vector<int64_t>{1, taps};
    std::vector<float> weights;
    for (int64_t c = 0; c < channels; ++c)
      weights.insert(weights.end(), kernel.begin(), kernel.end());
    const std::string w = g.fresh_name(name + ".weight"), b = g.fresh_name(name + ".bias");
    g.constants[w] =
        make_tensor(DType::F32, {channels, 1, kernel_shape[0], kernel_shape[1]}, weights);
    g.constants[b] =
        make_tensor(DType::F32, {channels}, std::vector<float>(size_t(channels), 0.0f));
    nodes.push_back(
        {"Conv", name, {x, w, b}, {y}, {{"group", channels}, {"kernel_shape", kernel_shape}}});
    return y;
  }
};

// The nodes computing `n`'s output from its input, axis by axis.
std::vector<Node> as_conv(Graph& g, const Node& n, const std::vector<int64_t>& factors) {
  const Shape& in = g.types.at(n.inputs[0]).shape;
  Builder b{g, n.name, {}};
  std::vector<int64_t> pending = {1, 1, 1, 1};  // nearest-only factors: axes of one element
  std::vector<int64_t> blended;
  for (int64_t axis : {3, 2}) {
    if (in[size_t(axis)] == 1) pending[size_t(axis)] = factors[size_t(axis)];
    if (in[size_t(axis)] > 1 && factors[size_t(axis)] > 1) blended.push_back(axis);
  }
  std::string x = n.inputs[0];
  for (size_t k = 0; k < blended.size(); ++k) {
    const int64_t axis = blended[k], f = factors[size_t(axis)];
    std::vector<int64_t> step = k == 0 ? pending : std::vector<int64_t>{1, 1, 1, 1};
    step[size_t(axis)] = f;
    x = b.repeat_edges(b.nearest(x, step), axis, f / 2);
    Shape shape = g.types.at(x).shape;
    shape[size_t(axis)] -= 2 * (f / 2);
    const bool last = k + 1 == blended.size();
    const std::string y = last ? n.outputs[0] : b.value("blended", shape);
    x = b.blend(x, axis, blend_kernel(f), y, last ? n.name : y);  // the last keeps the node's name
  }
  if (blended.empty()) {
    b.nearest(n.inputs[0], pending);
    b.nodes.back().outputs = {n.outputs[0]};
  }
  return b.nodes;
}

}  // namespace

void linear_resize_as_conv(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const std::vector<int64_t> factors = whole_factors(g, g.nodes[i]);
    if (factors.empty()) continue;
    const Node n = g.nodes[i];
    const std::vector<Node> nodes = as_conv(g, n, factors);
    i = replace_node(g, i, nodes);
  }
}

}  // namespace tpuc::passes
