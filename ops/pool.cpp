// Pooling (2-D NCHW, 3-D NCDHW). MaxPool, float and int8 (the scale is unchanged, so no
// requantization): stages pad(x, y, c, n) — the input padded with the type's lowest value — and
// pool, the max reduction over RDom (kx, ky), which is also the output. AveragePool (float): the
// window sum divided by the number of positions counted (inside the input, or inside the padded
// input with count_include_pad). GlobalAveragePool / GlobalMaxPool reduce all spatial dimensions;
// in int8, GlobalMaxPool keeps the scale and GlobalAveragePool requantizes its int32 window sum
// (stages acc and requant, as Conv); a float GlobalAveragePool scales its f32 sum (acc) by
// global_average_factor.
#include "ops/conv_geometry.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

static ConvGeometry pool_geometry(const Node& n, const Shape& x) {
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  if (kernel.size() != 2 && kernel.size() != 3)
    node_error(n, "only 2-D and 3-D pooling (kernel_shape with 2 or 3 values) is supported");
  return conv_geometry(n, x, kernel, n.i("ceil_mode", 0) != 0);
}

std::vector<TensorType> infer_maxpool(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  const ConvGeometry g = pool_geometry(n, x);
  Shape out = {x[0], x[1]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  if (n.outputs.size() > 1 && !n.outputs[1].empty())
    return {same_kind(*in[0].type, out), {DType::I64, out, std::nullopt}};
  return {same_kind(*in[0].type, out)};
}

namespace {

// MaxPool's Indices: where in the (unpadded) input each maximum is, the first in the window's
// row-major order, as a flat index of the whole tensor: each plane row-major, or column-major with
// storage_order 1.
Func maxpool_indices(const Node& n, const Shape& xs, const ConvGeometry& g, const Func& pad,
                     const RDom& r, const std::vector<Var>& v) {
  const size_t S = xs.size() - 2;
  const Tuple at = argmax(pad(window_position(v, r, g.strides, g.dilations)));
  std::vector<Expr> position(S);  // per spatial tensor dimension d
  int64_t plane = 1;
  for (size_t d = 0; d < S; ++d) {
    const size_t a = S - 1 - d;
    position[d] = v[a] * int(g.strides[d]) + at[a] * int(g.dilations[d]) - int(g.pads[d]);
    plane *= xs[2 + d];
  }
  Expr in_plane = 0;
  for (size_t k = 0; k < S; ++k) {
    const size_t d = n.i("storage_order", 0) ? S - 1 - k : k;
    in_plane = in_plane * int(xs[2 + d]) + position[d];
  }
  Func indices(halide_name(n.name) + "_indices");
  indices(v) = cast<int64_t>(v[S + 1] * int(xs[1]) + v[S]) * Expr(plane) + in_plane;
  return indices;
}

}  // namespace

Algorithm build_maxpool(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const ConvGeometry g = pool_geometry(n, xs);
  const std::vector<Var> v = make_vars(xs.size());
  Func input = in[0].func;
  const Type t = input.value().type();
  Func pad("pad");
  pad(v) = padded_read(input, xs, g.pads, v, t.min());
  const RDom r = window_domain(n.ints("kernel_shape"));
  Func pool(halide_name(n.name));
  pool(v) = t.min();
  pool(v) = max(pool(v), pad(window_position(v, r, g.strides, g.dilations)));
  Algorithm alg{{pool}, {}, {r}};
  alg.stages.pad = pad;
  if (n.outputs.size() > 1 && !n.outputs[1].empty())
    alg.outputs.push_back(maxpool_indices(n, xs, g, pad, r, v));
  return alg;
}

std::vector<TensorType> infer_averagepool(const Node& n, const std::vector<InferInput>& in) {
  return infer_maxpool(n, in);
}

// The window sum over the positions inside the input, divided by the count of the positions
// counted: inside the input, or with count_include_pad inside the padded input.
Algorithm build_averagepool(const Node& n, const std::vector<OpInput>& in,
                            const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const size_t S = xs.size() - 2;
  const ConvGeometry g = pool_geometry(n, xs);
  const bool include_pad = n.i("count_include_pad", 0) != 0;
  const std::vector<Var> v = make_vars(xs.size());
  const RDom r = window_domain(n.ints("kernel_shape"));
  std::vector<Expr> at = window_position(v, r, g.strides, g.dilations);
  Expr inside = Internal::const_true();
  Expr counted = inside;
  for (size_t a = 0; a < S; ++a) {
    const int size = int(xs[S + 1 - a]), begin = int(g.pads[S - 1 - a]),
              end = int(g.pads[2 * S - 1 - a]);
    at[a] = at[a] - begin;
    inside = inside && at[a] >= 0 && at[a] < size;
    counted = counted && at[a] >= -begin && at[a] < size + end;
    at[a] = clamp(at[a], 0, size - 1);
  }
  if (!include_pad) counted = inside;
  const std::vector<Var> spatial(v.begin(), v.begin() + std::ptrdiff_t(S));
  Func sum("sum"), count("count"), output(halide_name(n.name));
  sum(v) = 0.0f;
  sum(v) += select(inside, in[0].func(at), 0.0f);
  count(spatial) = 0;
  count(spatial) += select(counted, 1, 0);
  output(v) = sum(v) / cast<float>(max(count(spatial), 1));
  Algorithm alg{{output}, {}, {r}};
  alg.stages.sum = sum;
  alg.stages.count = count;
  return alg;
}

std::vector<TensorType> infer_globalpool(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  Shape s = in[0].type->shape;
  if (s.size() < 3) node_error(n, "needs an input with spatial dimensions");
  for (size_t d = 2; d < s.size(); ++d) s[d] = 1;
  return {same_kind(*in[0].type, s)};
}

float global_average_factor(const Shape& input) {
  return 1.0f / float(num_elements(input) / (input[0] * input[1]));
}

Algorithm build_globalpool(const Node& n, const std::vector<OpInput>& in,
                           const std::vector<TensorType>& out) {
  const Shape& s = in[0].type->shape;
  const std::vector<Var> v = make_vars(s.size());
  Region region;  // every spatial dimension: Func arguments 0 .. rank-3
  for (size_t d = 0; d + 2 < s.size(); ++d) region.emplace_back(0, int(s[s.size() - 1 - d]));
  RDom r(region, "r");
  std::vector<Expr> at = as_exprs(v);
  for (size_t d = 0; d + 2 < s.size(); ++d) at[d] = r[int(d)];
  Func output(halide_name(n.name));
  if (n.op == "GlobalMaxPool") {
    output(v) = maximum(in[0].func(at));
    return {{output}, {}, {r}};
  }
  // The window sum in int32 (f32); int8 requantizes it per channel (the multiplier folds in
  // 1/(H·W)).
  const bool int8 = in[0].type->dtype == DType::I8;
  const int zx = zero_point(*in[0].type), zy = int8 ? zero_point(out[0]) : 0;
  Func acc("acc");
  acc(v) = int8 ? Expr(0) : Expr(0.0f);
  Expr x = cast(int8 ? Int(32) : Float(32), in[0].func(at));
  acc(v) = accumulate(acc(v), zx ? x - zx : x);
  Algorithm alg{{output}, {}, {r}};
  alg.stages.acc = acc;
  if (!int8) {
    output(v) = acc(v) * global_average_factor(s);
    return alg;
  }
  requantization_table(n, s[1], zy, alg.stages);
  output(v) = requantize_channel(alg.stages, acc(v), v[s.size() - 2]);
  return alg;
}

}  // namespace tpuc::ops
