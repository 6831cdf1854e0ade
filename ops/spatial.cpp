// Ops that rearrange or resample the spatial dimensions of NCHW tensors: DepthToSpace (DCR and
// CRD modes) and SpaceToDepth (`blocksize`), ConvTranspose (2-D and 3-D, groups, strides,
// dilations, pads, output_padding / output_shape), and Resize / Upsample (nearest and linear, with
// ONNX's coordinate transformation and nearest rounding modes; scales or sizes from constant
// inputs).
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
// iy·s - pad_top + ky·d = oy (the same along x, and along z in 3-D).
struct TransposeGeometry {
  std::vector<int64_t> strides, dilations, pads, out;
  int64_t group;
};

static TransposeGeometry transpose_geometry(const Node& n, const Shape& x, const Shape& w) {
  const size_t S = x.size() - 2;
  const std::vector<int64_t> ones(S, 1), zeros(S, 0);
  TransposeGeometry g{n.ints("strides", ones),
                      n.ints("dilations", ones),
                      n.ints("pads", std::vector<int64_t>(2 * S, 0)),
                      {},
                      n.i("group", 1)};
  const std::vector<int64_t> output_padding = n.ints("output_padding", zeros),
                             output_shape = n.ints("output_shape");
  const std::string auto_pad = n.s("auto_pad", "NOTSET");
  if (g.strides.size() != S || g.dilations.size() != S || output_padding.size() != S)
    node_error(n, "strides, dilations and output_padding need " + std::to_string(S) + " values");
  if (g.pads.size() != 2 * S) node_error(n, "pads needs " + std::to_string(2 * S) + " values");
  if (!output_shape.empty() && output_shape.size() != S && output_shape.size() != S + 2)
    node_error(n, "output_shape needs " + std::to_string(S) + " (or " + std::to_string(S + 2) +
                      ") values");
  if (g.group < 1) node_error(n, "group must be positive");
  for (size_t d = 0; d < S; ++d) {
    if (g.strides[d] < 1 || g.dilations[d] < 1 || w[2 + d] < 1)
      node_error(n, "strides, dilations and kernel must be positive");
    const int64_t span = (w[2 + d] - 1) * g.dilations[d] + 1;
    const int64_t full = (x[2 + d] - 1) * g.strides[d] + span + output_padding[d];
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t target = output_shape.empty() ? x[2 + d] * g.strides[d]
                                                  : output_shape[output_shape.size() - S + d];
      // The padding that yields the target size, negative when the target is larger (the extra
      // positions, at the end, only get the bias); SAME_LOWER puts the larger half first.
      const int64_t total = full - target;
      g.pads[d] = auto_pad == "SAME_LOWER" ? total - total / 2 : total / 2;
      g.pads[d + S] = total - g.pads[d];
    }
    g.out.push_back(full - g.pads[d] - g.pads[d + S]);
    if (g.out.back() < 1) node_error(n, "the output would be empty");
  }
  return g;
}

std::vector<TensorType> infer_conv_transpose(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const Shape& w = in[1].type->shape;
  if ((x.size() != 4 && x.size() != 5) || w.size() != x.size())
    node_error(n, "only 2-D and 3-D ConvTranspose (4-D or 5-D input and weight) is supported");
  const TransposeGeometry g = transpose_geometry(n, x, w);
  if (x[1] != w[0]) node_error(n, "input channels differ from the weight's");
  Shape out = {x[0], w[1] * g.group};
  out.insert(out.end(), g.out.begin(), g.out.end());
  return {{DType::F32, out, std::nullopt}};
}

// Each input element spreads over its group's result channels × kernel positions.
uint64_t macs_conv_transpose(const Node&, const std::vector<const TensorType*>& in,
                             const TensorType&) {
  return uint64_t(in[0]->num_elements() * num_elements(in[1]->shape) / in[1]->shape[0]);
}

Algorithm build_conv_transpose(const Node& n, const std::vector<OpInput>& in,
                               const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const Shape& ws = in[1].type->shape;
  const size_t S = xs.size() - 2;
  const TransposeGeometry g = transpose_geometry(n, xs, ws);
  const int ICg = int(xs[1] / g.group), OCg = int(ws[1]);
  const std::vector<Var> v = make_vars(xs.size());
  const Var c = v[S];
  Region region;
  for (size_t a = 0; a < S; ++a) region.emplace_back(0, int(ws[xs.size() - 1 - a]));
  region.emplace_back(0, ICg);
  const RDom r(region, "r");
  Expr ic = (c / OCg) * ICg + r[int(S)], valid = Internal::const_true();
  std::vector<Expr> x_at(v.begin(), v.end()), w_at;
  for (size_t a = 0; a < S; ++a) {
    const size_t d = S - 1 - a;  // the spatial dimension of Func argument a
    const int stride = int(g.strides[d]), size = int(xs[2 + d]);
    Expr t = v[a] + int(g.pads[d]) - r[int(a)] * int(g.dilations[d]);
    valid = valid && t >= 0 && t % stride == 0 && t / stride < size;  // divisible and inside
    x_at[a] = clamp(t / stride, 0, size - 1);
    w_at.push_back(r[int(a)]);
  }
  x_at[S] = ic;
  w_at.push_back(c % OCg);
  w_at.push_back(ic);
  Func acc("acc"), output(halide_name(n.name));
  acc(v) = in.size() > 2 && in[2].func.defined() ? Expr(in[2].func(c)) : Expr(0.0f);
  acc(v) += select(valid, in[0].func(x_at), 0.0f) * in[1].func(w_at);
  output(v) = acc(v);
  Algorithm alg{{output}, {}, {r}};
  alg.stages.acc = acc;
  return alg;
}

// Resize (opset 10+: scales or sizes inputs) and Upsample (scales input). Output size =
// floor(input · scale) unless sizes are given (tf_crop_and_resize: of the region of interest).
// tf_crop_and_resize's region of interest: every dimension's start, then every end, as fractions
// of the input (the constant roi input); empty for the other coordinate transformations.
static std::vector<double> region_of_interest(const Node& n, const std::vector<InferInput>& in) {
  if (n.s("coordinate_transformation_mode", "") != "tf_crop_and_resize") return {};
  if (in.size() < 2 || !in[1].type || !in[1].constant)
    node_error(n, "tf_crop_and_resize needs a constant roi input");
  const std::vector<double> roi = constant_floats(in[1]);
  if (roi.size() != 2 * in[0].type->shape.size())
    node_error(n, "roi needs a start and an end per dimension");
  return roi;
}

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
  const std::vector<double> roi = region_of_interest(n, in);
  out->clear();
  for (size_t d = 0; d < x.size(); ++d) {
    const double extent = roi.empty() ? 1.0 : roi[x.size() + d] - roi[d];
    out->push_back(int64_t(std::floor(double(x[d]) * extent * scales[d])));
  }
  return scales;
}

std::vector<TensorType> infer_resize(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const std::string mode = n.s("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    node_error(n, "mode '" + mode + "' is not supported (nearest, linear, cubic)");
  if (n.i("antialias", 0)) node_error(n, "antialias is not supported");
  const std::string ct = n.s("coordinate_transformation_mode", "half_pixel");
  static const std::set<std::string> kTransforms = {
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
      "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
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

namespace {

// Where an output coordinate of a Resize reads from along one dimension.
struct ResizeAxis {
  std::string transform;
  float scale, in_size, out_size;
  float roi_start = 0, roi_end = 1;  // tf_crop_and_resize

  // The input coordinate (float) of output coordinate o.
  Expr source(Expr o) const {
    Expr of = cast<float>(o);
    if (transform == "asymmetric") return of / scale;
    if (transform == "tf_half_pixel_for_nn") return (of + 0.5f) / scale;
    // align_corners divides by the resized length in_size · scale, not the output size it rounds
    // to (ONNX's reference; they differ when a scale does not divide the size).
    if (transform == "align_corners")
      return out_size > 1 ? of * (in_size - 1) / (in_size * scale - 1) : Expr(0.0f);
    if (transform == "pytorch_half_pixel")
      return out_size > 1 ? (of + 0.5f) / scale - 0.5f : Expr(0.0f);
    if (transform == "half_pixel_symmetric") {
      const float adjustment = out_size / (in_size * scale);
      return (of + 0.5f) / scale - 0.5f + (in_size / 2) * (1 - adjustment);
    }
    if (transform == "tf_crop_and_resize")
      return out_size > 1 ? roi_start * (in_size - 1) +
                                of * ((roi_end - roi_start) * (in_size - 1) / (out_size - 1))
                          : Expr(0.5f * (roi_start + roi_end) * (in_size - 1));
    return (of + 0.5f) / scale - 0.5f;  // half_pixel
  }
};

Expr round_nearest(const std::string& mode, Expr f) {
  if (mode == "floor") return floor(f);
  if (mode == "ceil") return ceil(f);
  Expr fl = floor(f), frac = f - fl;
  if (mode == "round_prefer_ceil") return select(frac >= 0.5f, fl + 1, fl);
  return select(frac > 0.5f, fl + 1, fl);  // round_prefer_floor
}

}  // namespace

Algorithm build_resize(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>&) {
  std::vector<InferInput> spec;
  for (const OpInput& i : in) spec.push_back({i.type, i.constant});
  const Shape& xs = in[0].type->shape;
  Shape os;
  const std::vector<double> scales = resize_scales(n, spec, &os), roi = region_of_interest(n, spec);
  const size_t rank = xs.size();
  const std::vector<Var> v = make_vars(rank);
  std::vector<Expr> coordinate(rank);      // the source coordinate along each tensor dimension
  Expr outside = Internal::const_false();  // tf_crop_and_resize: beyond the input's edges
  for (size_t d = 0; d < rank; ++d) {
    ResizeAxis axis{
        n.op == "Upsample" ? "asymmetric" : n.s("coordinate_transformation_mode", "half_pixel"),
        float(scales[d]), float(xs[d]), float(os[d])};
    if (!roi.empty()) {
      axis.roi_start = float(roi[d]);
      axis.roi_end = float(roi[rank + d]);
    }
    coordinate[d] = axis.source(v[rank - 1 - d]);
    if (!roi.empty()) outside = outside || coordinate[d] < 0 || coordinate[d] > axis.in_size - 1;
  }
  const std::string mode = n.s("mode", "nearest");
  Expr value;
  if (mode == "nearest") {
    // Upsample's nearest takes the floor of the asymmetric coordinate (ONNX's Upsample-9).
    const std::string nearest =
        n.op == "Upsample" ? "floor" : n.s("nearest_mode", "round_prefer_floor");
    std::vector<Expr> args(rank);
    for (size_t d = 0; d < rank; ++d)
      // strict_float: a coordinate exactly halfway must not become x * (1/scale), a hair above.
      args[rank - 1 - d] =
          clamp(cast<int>(round_nearest(nearest, strict_float(coordinate[d]))), 0, int(xs[d]) - 1);
    value = in[0].func(args);
  } else {
    // Linear and cubic: a weighted sum over the taps of every resized dimension (2^k or 4^k
    // terms).
    std::vector<std::vector<Tap>> per_dim(rank);
    for (size_t d = 0; d < rank; ++d)
      if (os[d] != xs[d] || scales[d] != 1.0 || !roi.empty())
        per_dim[d] = mode == "linear" ? linear_taps(coordinate[d], int(xs[d]))
                                      : cubic_taps(n, coordinate[d], int(xs[d]));
    value = weighted_sum(in[0].func, per_dim, v);
  }
  if (!roi.empty())
    value = select(outside, cast(value.type(), float(n.f("extrapolation_value", 0.0))), value);
  Func output(halide_name(n.name));
  output(v) = value;
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
