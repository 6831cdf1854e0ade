// Pooling (2-D, NCHW). MaxPool, float and int8 (the scale is unchanged, so no requantization):
// stages pad(x, y, c, n) — the input padded with the type's lowest value — and pool, the max
// reduction over RDom (kx, ky), which is also the output. AveragePool (float): the window sum
// divided by the number of positions counted (inside the input, or inside the padded input with
// count_include_pad). GlobalAveragePool / GlobalMaxPool reduce all spatial dimensions; in int8,
// GlobalMaxPool keeps the scale and GlobalAveragePool requantizes its int32 window sum (stages
// acc and requant, as Conv); a float GlobalAveragePool scales its f32 sum (acc) by
// global_average_factor.
#include "ops/conv_geometry.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

static ConvGeometry pool_geometry(const Node& n, const Shape& x) {
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  if (kernel.size() != 2)
    node_error(n, "only 2-D pooling (kernel_shape with 2 values) is supported");
  return conv_geometry(n, x, kernel, n.i("ceil_mode", 0) != 0);
}

std::vector<TensorType> infer_maxpool(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  if (x.size() != 4) node_error(n, "only 4-D (NCHW) input is supported");
  const ConvGeometry g = pool_geometry(n, x);
  const Shape out = {x[0], x[1], g.out[0], g.out[1]};
  if (n.outputs.size() > 1 && !n.outputs[1].empty())
    return {same_kind(*in[0].type, out), {DType::I64, out, std::nullopt}};
  return {same_kind(*in[0].type, out)};
}

Algorithm build_maxpool(const Node& n, const std::vector<OpInput>& in,
                        const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const ConvGeometry g = pool_geometry(n, xs);
  const int H = int(xs[2]), W = int(xs[3]), pt = int(g.pads[0]), pl = int(g.pads[1]);
  Var x("x"), y("y"), c("c"), k("n");
  Func input = in[0].func;
  const Type t = input.value().type();
  Func pad("pad");
  pad(x, y, c, k) = select(x >= pl && x < pl + W && y >= pt && y < pt + H,
                           input(clamp(x - pl, 0, W - 1), clamp(y - pt, 0, H - 1), c, k), t.min());
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  RDom r(0, int(kernel[1]), 0, int(kernel[0]), "r");
  Func pool(halide_name(n.name));
  pool(x, y, c, k) = t.min();
  pool(x, y, c, k) =
      max(pool(x, y, c, k), pad(x * int(g.strides[1]) + r.x * int(g.dilations[1]),
                                y * int(g.strides[0]) + r.y * int(g.dilations[0]), c, k));
  Algorithm alg{{pool}, {}, {r}};
  alg.stages.pad = pad;
  if (n.outputs.size() > 1 && !n.outputs[1].empty()) {
    // Indices: where in the (unpadded) input each maximum is, the first in the window's row-major
    // order, as a flat index of the whole tensor: each plane row-major, or column-major with
    // storage_order 1.
    const Tuple at = argmax(pad(x * int(g.strides[1]) + r.x * int(g.dilations[1]),
                                y * int(g.strides[0]) + r.y * int(g.dilations[0]), c, k));
    Expr ix = x * int(g.strides[1]) + at[0] * int(g.dilations[1]) - pl,
         iy = y * int(g.strides[0]) + at[1] * int(g.dilations[0]) - pt;
    Func indices(halide_name(n.name) + "_indices");
    Expr in_plane = n.i("storage_order", 0) ? ix * H + iy : iy * W + ix;
    indices(x, y, c, k) = cast<int64_t>((k * int(xs[1]) + c) * H * W + in_plane);
    alg.outputs.push_back(indices);
  }
  return alg;
}

std::vector<TensorType> infer_averagepool(const Node& n, const std::vector<InferInput>& in) {
  return infer_maxpool(n, in);
}

Algorithm build_averagepool(const Node& n, const std::vector<OpInput>& in,
                            const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const ConvGeometry g = pool_geometry(n, xs);
  const int H = int(xs[2]), W = int(xs[3]), pt = int(g.pads[0]), pl = int(g.pads[1]);
  const std::vector<int64_t> kernel = n.ints("kernel_shape");
  const bool include_pad = n.i("count_include_pad", 0) != 0;
  Var x("x"), y("y"), c("c"), k("n");
  RDom r(0, int(kernel[1]), 0, int(kernel[0]), "r");
  Expr ix = x * int(g.strides[1]) + r.x * int(g.dilations[1]) - pl,
       iy = y * int(g.strides[0]) + r.y * int(g.dilations[0]) - pt;
  Expr inside = ix >= 0 && ix < W && iy >= 0 && iy < H;
  Expr counted = include_pad
                     ? ix >= -pl && ix < W + int(g.pads[3]) && iy >= -pt && iy < H + int(g.pads[2])
                     : inside;
  Func sum("sum"), count("count"), output(halide_name(n.name));
  sum(x, y, c, k) = 0.0f;
  sum(x, y, c, k) +=
      select(inside, in[0].func(clamp(ix, 0, W - 1), clamp(iy, 0, H - 1), c, k), 0.0f);
  count(x, y) = 0;
  count(x, y) += select(counted, 1, 0);
  output(x, y, c, k) = sum(x, y, c, k) / cast<float>(max(count(x, y), 1));
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
