// Ops that rearrange or resample the spatial dimensions of NCHW tensors: DepthToSpace (DCR and
// CRD modes) and SpaceToDepth (`blocksize`), ConvTranspose (2-D, groups, strides, dilations,
// pads, output_padding / output_shape), and Resize / Upsample (nearest and linear, with ONNX's
// coordinate transformation and nearest rounding modes; scales or sizes from constant inputs).
#include <cmath>
#include <set>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

void require_nchw(const Node& n, const Shape& s) {
  if (s.size() != 4) node_error(n, "only 4-D (NCHW) input is supported");
}

std::vector<double> constant_floats(const InferInput& in) {
  std::vector<double> v;
  for (int64_t i = 0; in.constant && i < in.constant->size(); ++i) v.push_back(in.constant->at(i));
  return v;
}

}  // namespace

std::vector<TensorType> infer_depth_space(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  require_nchw(n, x);
  const int64_t b = n.i("blocksize", 0);
  if (b < 1) node_error(n, "blocksize must be positive");
  if (n.op == "DepthToSpace") {
    if (x[1] % (b * b)) node_error(n, "channels are not divisible by blocksize²");
    return {same_kind(*in[0].type, {x[0], x[1] / (b * b), x[2] * b, x[3] * b})};
  }
  if (x[2] % b || x[3] % b) node_error(n, "height and width are not divisible by blocksize");
  return {same_kind(*in[0].type, {x[0], x[1] * b * b, x[2] / b, x[3] / b})};
}

Algorithm build_depth_space(const Node& n, const std::vector<OpInput>& in,
                            const std::vector<TensorType>& out) {
  const int b = int(n.i("blocksize", 1));
  const int64_t C = in[0].type->shape[1], OC = out[0].shape[1];
  Var x("x"), y("y"), c("c"), k("n");
  Func output(halide_name(n.name));
  if (n.op == "DepthToSpace") {
    Expr by = y % b, bx = x % b;  // position inside the block
    Expr ic = n.s("mode", "DCR") == "CRD" ? c * (b * b) + by * b + bx : (by * b + bx) * int(OC) + c;
    output(x, y, c, k) = in[0].func(x / b, y / b, ic, k);
  } else {  // SpaceToDepth: channel = (by * b + bx) * C + c
    Expr block = c / int(C), ic = c % int(C);
    output(x, y, c, k) = in[0].func(x * b + block % b, y * b + block / b, ic, k);
  }
  return {{output}, {}, {}};
}

// ConvTranspose: out[n, oc, oy, ox] = b[oc] + Σ x[n, ic, iy, ix] · w[ic, oc_in_group, ky, kx] over
// iy·s - pad_top + ky·d = oy (the same along x).
struct TransposeGeometry {
  std::vector<int64_t> strides, dilations, pads, out;
  int64_t group;
};

static TransposeGeometry transpose_geometry(const Node& n, const Shape& x, const Shape& w) {
  TransposeGeometry g{n.ints("strides", {1, 1}),
                      n.ints("dilations", {1, 1}),
                      n.ints("pads", {0, 0, 0, 0}),
                      {},
                      n.i("group", 1)};
  const std::vector<int64_t> output_padding = n.ints("output_padding", {0, 0}),
                             output_shape = n.ints("output_shape");
  const std::string auto_pad = n.s("auto_pad", "NOTSET");
  if (g.strides.size() != 2 || g.dilations.size() != 2 || output_padding.size() != 2)
    node_error(n, "strides, dilations and output_padding need 2 values");
  if (g.pads.size() != 4) node_error(n, "pads needs 4 values");
  if (!output_shape.empty() && output_shape.size() != 2 && output_shape.size() != 4)
    node_error(n, "output_shape needs 2 (or 4) values");
  if (g.group < 1) node_error(n, "group must be positive");
  for (int d = 0; d < 2; ++d) {
    if (g.strides[size_t(d)] < 1 || g.dilations[size_t(d)] < 1 || w[2 + d] < 1)
      node_error(n, "strides, dilations and kernel must be positive");
    const int64_t span = (w[2 + d] - 1) * g.dilations[size_t(d)] + 1;
    const int64_t full = (x[2 + d] - 1) * g.strides[size_t(d)] + span + output_padding[size_t(d)];
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t target = output_shape.empty()
                                 ? x[2 + d] * g.strides[size_t(d)]
                                 : output_shape[output_shape.size() - 2 + size_t(d)];
      // The padding that yields the target size, negative when the target is larger (the extra
      // positions, at the end, only get the bias); SAME_LOWER puts the larger half first.
      const int64_t total = full - target;
      g.pads[size_t(d)] = auto_pad == "SAME_LOWER" ? total - total / 2 : total / 2;
      g.pads[size_t(d) + 2] = total - g.pads[size_t(d)];
    }
    g.out.push_back(full - g.pads[size_t(d)] - g.pads[size_t(d) + 2]);
    if (g.out.back() < 1) node_error(n, "the output would be empty");
  }
  return g;
}

std::vector<TensorType> infer_conv_transpose(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const Shape& w = in[1].type->shape;
  if (x.size() != 4 || w.size() != 4) node_error(n, "only 2-D ConvTranspose is supported");
  const TransposeGeometry g = transpose_geometry(n, x, w);
  if (x[1] != w[0]) node_error(n, "input channels differ from the weight's");
  return {{DType::F32, {x[0], w[1] * g.group, g.out[0], g.out[1]}, std::nullopt}};
}

Algorithm build_conv_transpose(const Node& n, const std::vector<OpInput>& in,
                               const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const Shape& ws = in[1].type->shape;
  const TransposeGeometry g = transpose_geometry(n, xs, ws);
  const int ICg = int(xs[1] / g.group), OCg = int(ws[1]);
  Var x("x"), y("y"), c("c"), k("n");
  RDom r(0, int(ws[3]), 0, int(ws[2]), 0, ICg, "r");
  const int sy = int(g.strides[0]), sx = int(g.strides[1]);
  Expr ty = y + int(g.pads[0]) - r.y * int(g.dilations[0]),
       tx = x + int(g.pads[1]) - r.x * int(g.dilations[1]);
  Expr iy = ty / sy, ix = tx / sx;  // valid only when divisible and inside
  Expr valid =
      ty >= 0 && tx >= 0 && ty % sy == 0 && tx % sx == 0 && iy < int(xs[2]) && ix < int(xs[3]);
  Expr ic = (c / OCg) * ICg + r.z;
  Func acc("acc"), output(halide_name(n.name));
  acc(x, y, c, k) = in.size() > 2 && in[2].func.defined() ? Expr(in[2].func(c)) : Expr(0.0f);
  acc(x, y, c, k) +=
      select(valid, in[0].func(clamp(ix, 0, int(xs[3]) - 1), clamp(iy, 0, int(xs[2]) - 1), ic, k),
             0.0f) *
      in[1].func(r.x, r.y, c % OCg, ic);
  output(x, y, c, k) = acc(x, y, c, k);
  Algorithm alg{{output}, {}, {r}};
  alg.stages.acc = acc;
  return alg;
}

// Resize (opset 10+: scales or sizes inputs) and Upsample (scales input). Output size =
// floor(input · scale) unless sizes are given.
static std::vector<double> resize_scales(const Node& n, const std::vector<InferInput>& in,
                                         Shape* out) {
  const Shape& x = in[0].type->shape;
  std::vector<double> scales;
  const size_t scales_at = n.op == "Upsample" ? 1 : 2;
  if (in.size() > scales_at && in[scales_at].type) scales = constant_floats(in[scales_at]);
  if (in.size() > scales_at && in[scales_at].type && !in[scales_at].constant)
    node_error(n, "scales must be a constant");
  if (n.op == "Resize" && in.size() > 3 && in[3].type) {
    if (!in[3].constant) node_error(n, "sizes must be a constant");
    const std::vector<double> sizes = constant_floats(in[3]);
    out->clear();
    scales.clear();
    for (size_t d = 0; d < x.size(); ++d) {
      out->push_back(int64_t(sizes.at(d)));
      scales.push_back(sizes.at(d) / double(x[d]));
    }
    return scales;
  }
  if (scales.size() != x.size()) node_error(n, "needs one scale per dimension");
  out->clear();
  for (size_t d = 0; d < x.size(); ++d)
    out->push_back(int64_t(std::floor(double(x[d]) * scales[d])));
  return scales;
}

std::vector<TensorType> infer_resize(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const std::string mode = n.s("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    node_error(n, "mode '" + mode + "' is not supported (nearest, linear, cubic)");
  if (n.i("antialias", 0)) node_error(n, "antialias is not supported");
  const std::string ct = n.s("coordinate_transformation_mode", "half_pixel");
  static const std::set<std::string> kTransforms = {"half_pixel",         "half_pixel_symmetric",
                                                    "pytorch_half_pixel", "align_corners",
                                                    "asymmetric",         "tf_half_pixel_for_nn"};
  if (!kTransforms.count(ct))
    node_error(n, "coordinate_transformation_mode '" + ct + "' is not supported");
  Shape out;
  resize_scales(n, in, &out);
  return {same_kind(*in[0].type, out)};
}

// One input element an interpolated output reads along a dimension, and its weight.
struct Tap {
  Expr index, weight;
};

// Linear: the two neighbours of coordinate f (clamped into the input).
static std::vector<Tap> linear_taps(Expr f, int size) {
  f = clamp(f, 0.0f, float(size - 1));
  Expr lo = cast<int>(floor(f)), t = f - floor(f);
  return {{lo, 1.0f - t}, {min(lo + 1, size - 1), t}};
}

// Cubic: the four neighbours of f with Keys' kernel of coefficient A (cubic_coeff_a), indices
// clamped to the edge; with exclude_outside the taps outside get weight 0 and the rest are
// renormalized (ONNX's Resize).
static std::vector<Tap> cubic_taps(const Node& n, Expr f, int size) {
  const float a = float(n.f("cubic_coeff_a", -0.75));
  Expr base = floor(f), t = f - base;
  auto kernel = [a](Expr x) {  // |x| ≤ 1 and 1 < |x| < 2
    return select(x <= 1.0f, ((a + 2) * x - (a + 3)) * x * x + 1,
                  ((a * x - 5 * a) * x + 8 * a) * x - 4 * a);
  };
  std::vector<Tap> taps;
  Expr total = 0.0f;
  for (int k = -1; k <= 2; ++k) {
    Expr index = cast<int>(base) + k, weight = kernel(abs(t - float(k)));
    if (n.i("exclude_outside", 0)) weight = select(index >= 0 && index < size, weight, 0.0f);
    total = total + weight;
    taps.push_back({clamp(index, 0, size - 1), weight});
  }
  if (n.i("exclude_outside", 0))
    for (Tap& tap : taps) tap.weight = tap.weight / total;
  return taps;
}

// Σ over every combination of one tap per dimension (a dimension without taps reads in place) of
// the product of their weights times the input there.
static Expr weighted_sum(const Func& input, const std::vector<std::vector<Tap>>& per_dim,
                         const std::vector<Var>& v) {
  const size_t rank = per_dim.size();
  std::vector<size_t> pick(rank, 0);
  Expr value = 0.0f;
  for (;;) {
    std::vector<Expr> args = as_exprs(v);
    Expr weight = 1.0f;
    for (size_t d = 0; d < rank; ++d)
      if (!per_dim[d].empty()) {
        args[rank - 1 - d] = per_dim[d][pick[d]].index;
        weight = weight * per_dim[d][pick[d]].weight;
      }
    value = value + weight * input(args);
    size_t d = 0;  // the next combination: count up, the first dimension fastest
    for (; d < rank; ++d) {
      if (per_dim[d].empty()) continue;
      if (++pick[d] < per_dim[d].size()) break;
      pick[d] = 0;
    }
    if (d == rank) return value;
  }
}

Algorithm build_resize(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  std::vector<InferInput> spec;
  for (const OpInput& i : in) spec.push_back({i.type, i.constant});
  const Shape& xs = in[0].type->shape;
  Shape os;
  const std::vector<double> scales = resize_scales(n, spec, &os);
  const size_t rank = xs.size();
  const std::vector<Var> v = make_vars(rank);
  const std::string ct =
      n.op == "Upsample" ? "asymmetric" : n.s("coordinate_transformation_mode", "half_pixel");
  // Upsample's nearest takes the floor of the asymmetric coordinate (ONNX's Upsample-9).
  const std::string nearest =
      n.op == "Upsample" ? "floor" : n.s("nearest_mode", "round_prefer_floor");
  const std::string mode = n.s("mode", "nearest");
  const bool linear = mode == "linear";
  // The input coordinate (float) of output coordinate o along tensor dim d.
  auto source = [&](size_t d, Expr o) -> Expr {
    const float scale = float(scales[d]), in_size = float(xs[d]), out_size = float(os[d]);
    Expr of = cast<float>(o);
    if (ct == "asymmetric") return of / scale;
    if (ct == "tf_half_pixel_for_nn") return (of + 0.5f) / scale;
    // align_corners divides by the resized length in_size · scale, not the output size it rounds
    // to (ONNX's reference; they differ when a scale does not divide the size).
    if (ct == "align_corners")
      return out_size > 1 ? of * (in_size - 1) / (in_size * scale - 1) : Expr(0.0f);
    if (ct == "pytorch_half_pixel") return out_size > 1 ? (of + 0.5f) / scale - 0.5f : Expr(0.0f);
    if (ct == "half_pixel_symmetric") {
      const float adjustment = out_size / (in_size * scale);
      return (of + 0.5f) / scale - 0.5f + (in_size / 2) * (1 - adjustment);
    }
    return (of + 0.5f) / scale - 0.5f;  // half_pixel
  };
  auto round_nearest = [&](Expr f) -> Expr {
    if (nearest == "floor") return floor(f);
    if (nearest == "ceil") return ceil(f);
    Expr fl = floor(f), frac = f - fl;
    if (nearest == "round_prefer_ceil") return select(frac >= 0.5f, fl + 1, fl);
    return select(frac > 0.5f, fl + 1, fl);  // round_prefer_floor
  };
  Func output(halide_name(n.name));
  if (mode == "nearest") {
    std::vector<Expr> args(rank);
    for (size_t d = 0; d < rank; ++d)
      // strict_float: a coordinate exactly halfway must not become x * (1/scale), a hair above.
      args[rank - 1 - d] = clamp(cast<int>(round_nearest(strict_float(source(d, v[rank - 1 - d])))),
                                 0, int(xs[d]) - 1);
    output(v) = in[0].func(args);
    return {{output}, {}, {}};
  }
  // Linear and cubic: a weighted sum over the taps of every resized dimension (2^k or 4^k terms).
  std::vector<std::vector<Tap>> per_dim(rank);
  for (size_t d = 0; d < rank; ++d)
    if (os[d] != xs[d] || scales[d] != 1.0)
      per_dim[d] = linear ? linear_taps(source(d, v[rank - 1 - d]), int(xs[d]))
                          : cubic_taps(n, source(d, v[rank - 1 - d]), int(xs[d]));
  output(v) = weighted_sum(in[0].func, per_dim, v);
  (void)out;
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
