// Conv (2-D, NCHW): groups, strides, dilations, explicit or automatic padding, optional bias,
// fused relu (`do_relu`), float and int8.
//
// Stages (what a schedule may place; int8 adds "requant", the per-channel requantization table):
//   pad(x, y, ic, n)  the input in padded coordinates, zero outside (a select, no likely(), so a
//                     tile copy lowers to one constant-extent loop nest); the input itself when
//                     there is no padding
//   weights(kx, ky, ic, oc)  the weight input itself (a schedule may copy it in another layout)
//   acc(x, y, oc, n)  f32 or int32: bias, then += pad(x*sw + kx*dw, y*sh + ky*dh, ic, n) * w(kx,
//   ky, ic, oc)
//                     over RDom (kx, ky, ic-within-group)
//   output            int8: requantize(acc, requant(0..2, oc)), then relu; f32: acc,
//                     then relu
#include "ops/attrs.h"
#include "ops/conv_geometry.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

std::vector<TensorType> infer_conv(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const Shape& w = in[1].type->shape;
  if (x.size() != 4 || w.size() != 4)
    node_error(n, "only 2-D convolution (4-D input and weight) is supported");
  const ConvGeometry g = conv_geometry(n, x, {w[2], w[3]});
  if (x[1] != w[1] * g.group)
    node_error(n, "input has " + std::to_string(x[1]) + " channels, weight expects " +
                      std::to_string(w[1] * g.group));
  if (w[0] % g.group) node_error(n, "output channels are not divisible by group");
  if (in.size() > 2 && in[2].type && in[2].type->shape != Shape{w[0]})
    node_error(n, "bias must have shape [" + std::to_string(w[0]) + "]");
  return {{in[0].type->dtype, {x[0], w[0], g.out[0], g.out[1]}, std::nullopt}};
}

Algorithm build_conv(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>& out) {
  const Shape& xs = in[0].type->shape;
  const Shape& ws = in[1].type->shape;
  const ConvGeometry g = conv_geometry(n, xs, {ws[2], ws[3]});
  const bool int8 = in[0].type->dtype == DType::I8;
  const Type acc_t = int8 ? Int(32) : Float(32);
  const int H = int(xs[2]), W = int(xs[3]), ICg = int(ws[1]), OCg = int(ws[0] / g.group);
  const int pt = int(g.pads[0]), pl = int(g.pads[1]);

  Var x("x"), y("y"), c("c"), k("n");
  Func input = in[0].func, weight = in[1].func;
  Func pad("pad");
  // Asymmetric int8 pads with the input's zero point (real 0) and multiplies x - zx.
  const int zx = zero_point(*in[0].type), zy = int8 ? zero_point(out[0]) : 0;
  const bool padded = std::any_of(g.pads.begin(), g.pads.end(), [](int64_t p) { return p != 0; });
  pad(x, y, c, k) = padded ? select(x >= pl && x < pl + W && y >= pt && y < pt + H,
                                    input(clamp(x - pl, 0, W - 1), clamp(y - pt, 0, H - 1), c, k),
                                    cast(input.value().type(), zx))
                           : input(x, y, c, k);
  Func acc("acc");
  const bool has_bias = in.size() > 2 && in[2].func.defined();
  acc(x, y, c, k) = has_bias ? cast(acc_t, in[2].func(c)) : cast(acc_t, 0);
  RDom r(0, int(ws[3]), 0, int(ws[2]), 0, ICg, "r");
  Expr ic = g.group == 1 ? Expr(r.z) : (c / OCg) * ICg + r.z;
  Expr xv = cast(acc_t, pad(x * int(g.strides[1]) + r.x * int(g.dilations[1]),
                            y * int(g.strides[0]) + r.y * int(g.dilations[0]), ic, k));
  acc(x, y, c, k) =
      accumulate(acc(x, y, c, k), (zx ? xv - zx : xv) * cast(acc_t, weight(r.x, r.y, r.z, c)));
  Func output(halide_name(n.name));
  Algorithm alg{{output}, {}, {r}};
  alg.stages.pad = pad;
  alg.stages.acc = acc;
  alg.stages.weights = weight;
  if (int8) {
    requantization_table(n, ws[0], zy, alg.stages);
    Expr requantized = requantize_channel(alg.stages, acc(x, y, c, k), c);
    output(x, y, c, k) = activation(n, requantized, zy);
  } else {
    output(x, y, c, k) = activation(n, acc(x, y, c, k));
  }
  return alg;
}

}  // namespace tpuc::ops
