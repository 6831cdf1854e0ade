#include "ops/conv_geometry.h"

#include "ops/families.h"

namespace tpuc::ops {

ConvGeometry conv_geometry(const Node& n, const Shape& input, const std::vector<int64_t>& kernel,
                           bool ceil_mode) {
  const size_t S = kernel.size();
  if (input.size() != S + 2)
    node_error(n, "a " + std::to_string(S) + "-D window needs a " + std::to_string(S + 2) +
                      "-D input, not " + to_string(input));
  ConvGeometry g;
  g.strides = n.ints("strides", std::vector<int64_t>(S, 1));
  g.dilations = n.ints("dilations", std::vector<int64_t>(S, 1));
  g.group = n.i("group", 1);
  if (n.has("kernel_shape") && n.ints("kernel_shape") != kernel)
    node_error(n, "kernel_shape disagrees with the weight");
  if (g.strides.size() != S || g.dilations.size() != S)
    node_error(n, "strides and dilations need " + std::to_string(S) + " values");
  if (g.group < 1) node_error(n, "group must be positive");
  const std::string auto_pad = n.s("auto_pad", "NOTSET");
  g.pads = n.ints("pads", std::vector<int64_t>(2 * S, 0));
  if (g.pads.size() != 2 * S) node_error(n, "pads needs " + std::to_string(2 * S) + " values");
  for (size_t d = 0; d < S; ++d) {
    const int64_t size = input[2 + d], span = (kernel[d] - 1) * g.dilations[d] + 1,
                  s = g.strides[d];
    if (s < 1 || g.dilations[d] < 1 || kernel[d] < 1)
      node_error(n, "strides, dilations and kernel must be positive");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(((size + s - 1) / s - 1) * s + span - size, 0);
      const int64_t small = total / 2, large = total - small;
      g.pads[d] = auto_pad == "SAME_UPPER" ? small : large;
      g.pads[d + S] = auto_pad == "SAME_UPPER" ? large : small;
    } else if (auto_pad == "VALID") {
      g.pads[d] = g.pads[d + S] = 0;
    } else if (auto_pad != "NOTSET") {
      node_error(n, "unknown auto_pad '" + auto_pad + "'");
    }
    const int64_t room = size + g.pads[d] + g.pads[d + S] - span;
    if (room < 0) node_error(n, "the window is larger than the padded input");
    int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
    if (ceil_mode && (out - 1) * s >= size + g.pads[d]) --out;  // the last window must start inside
    g.out.push_back(out);
  }
  return g;
}

Halide::Expr padded_read(const Halide::Func& input, const Shape& shape,
                         const std::vector<int64_t>& pads, const std::vector<Halide::Var>& v,
                         Halide::Expr outside) {
  const size_t S = shape.size() - 2;
  Halide::Expr inside;
  std::vector<Halide::Expr> at(v.begin(), v.end());
  for (size_t a = 0; a < S; ++a) {
    const int begin = int(pads[S - 1 - a]), size = int(shape[S + 1 - a]);
    Halide::Expr here = v[a] >= begin;
    inside = inside.defined() ? inside && here : here;
    inside = inside && v[a] < begin + size;
    at[a] = Halide::clamp(v[a] - begin, 0, size - 1);
  }
  return Halide::select(inside, input(at), std::move(outside));
}

std::vector<Halide::Expr> window_position(const std::vector<Halide::Var>& v, const Halide::RDom& r,
                                          const std::vector<int64_t>& strides,
                                          const std::vector<int64_t>& dilations) {
  const size_t S = strides.size();
  std::vector<Halide::Expr> at(v.begin(), v.end());
  for (size_t a = 0; a < S; ++a)
    at[a] = v[a] * int(strides[S - 1 - a]) + r[int(a)] * int(dilations[S - 1 - a]);
  return at;
}

Halide::RDom window_domain(const std::vector<int64_t>& kernel, std::vector<int> extra) {
  Halide::Region region;
  for (size_t a = kernel.size(); a-- > 0;) region.emplace_back(0, int(kernel[a]));
  for (int e : extra) region.emplace_back(0, e);
  return Halide::RDom(region, "r");
}

}  // namespace tpuc::ops
