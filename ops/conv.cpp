// Conv (2-D NCHW, 3-D NCDHW): groups, strides, dilations, explicit or automatic padding, optional
// bias, fused relu (`do_relu`), float and int8.
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

// The weight's spatial dimensions (KH, KW or KD, KH, KW).
static std::vector<int64_t> kernel_of(const Shape& w) { return {w.begin() + 2, w.end()}; }

std::vector<TensorType> infer_conv(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& x = in[0].type->shape;
  const Shape& w = in[1].type->shape;
  if ((x.size() != 4 && x.size() != 5) || w.size() != x.size())
    node_error(n, "only 2-D and 3-D convolution (4-D or 5-D input and weight) is supported");
  const ConvGeometry g = conv_geometry(n, x, kernel_of(w));
  if (x[1] != w[1] * g.group)
    node_error(n, "input has " + std::to_string(x[1]) + " channels, weight expects " +
                      std::to_string(w[1] * g.group));
  if (w[0] % g.group) node_error(n, "output channels are not divisible by group");
  if (in.size() > 2 && in[2].type && in[2].type->shape != Shape{w[0]})
    node_error(n, "bias must have shape [" + std::to_string(w[0]) + "]");
  Shape out = {x[0], w[0]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  return {{in[0].type->dtype, out, std::nullopt}};
}

// Each result element sums input channels of its group × kernel positions.
uint64_t macs_conv(const Node&, const std::vector<const TensorType*>& in, const TensorType& out) {
  return uint64_t(out.num_elements() * num_elements(in[1]->shape) / in[1]->shape[0]);
}

Algorithm build_conv(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>& out) {
  const Shape& xs = in[0].type->shape;
  const Shape& ws = in[1].type->shape;
  const size_t S = xs.size() - 2;
  const ConvGeometry g = conv_geometry(n, xs, kernel_of(ws));
  const bool int8 = in[0].type->dtype == DType::I8;
  const Type acc_t = int8 ? Int(32) : Float(32);
  const int ICg = int(ws[1]), OCg = int(ws[0] / g.group);

  const std::vector<Var> v = make_vars(xs.size());
  const Var c = v[S];
  Func input = in[0].func, weight = in[1].func;
  Func pad("pad");
  // Asymmetric int8 pads with the input's zero point (real 0); the quantizer has folded
  // −zx·Σw into the bias, so the sum over x is the sum over x − zx.
  const int zx = zero_point(*in[0].type), zy = int8 ? zero_point(out[0]) : 0;
  const bool padded = std::any_of(g.pads.begin(), g.pads.end(), [](int64_t p) { return p != 0; });
  pad(v) = padded ? padded_read(input, xs, g.pads, v, cast(input.value().type(), zx)) : input(v);
  Func acc("acc");
  const bool has_bias = in.size() > 2 && in[2].func.defined();
  acc(v) = has_bias ? cast(acc_t, in[2].func(c)) : cast(acc_t, 0);
  const RDom r = window_domain(kernel_of(ws), {ICg});
  std::vector<Expr> at = window_position(v, r, g.strides, g.dilations);
  at[S] = g.group == 1 ? Expr(r[int(S)]) : (c / OCg) * ICg + r[int(S)];
  Expr xv = cast(acc_t, pad(at));
  std::vector<Expr> w_at;
  for (size_t a = 0; a <= S; ++a) w_at.push_back(r[int(a)]);
  w_at.push_back(c);
  acc(v) = accumulate(acc(v), xv * cast(acc_t, weight(w_at)));
  Func output(halide_name(n.name));
  Algorithm alg{{output}, {}, {r}};
  alg.stages.pad = pad;
  alg.stages.acc = acc;
  alg.stages.weights = weight;
  if (int8) {
    requantization_table(n, ws[0], zy, alg.stages);
    Expr requantized = requantize_channel(alg.stages, acc(v), c);
    output(v) = activation(n, requantized, zy);
  } else {
    output(v) = staged_activation(n, acc, v, alg.stages);
  }
  return alg;
}

// StackRows (tpuc's own, made by the stack-kernel-rows pass): for a Conv of `kernel_rows` rows
// KH at row dilation `dilation`, with `pads` [top, bottom], the input's rows each kernel row reads,
// side by side on the channels: out[n, ky·C + c, y, x] = in[n, c, y + ky·dilation − top, x], the
// zero point outside. The Conv then reads it with one kernel row (docs/passes.md).
std::vector<TensorType> infer_stack_rows(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const Shape& x = in[0].type->shape;
  const int64_t rows = n.i("kernel_rows", 1), dilation = n.i("dilation", 1);
  const std::vector<int64_t> pads = n.ints("pads", {0, 0});
  if (x.size() != 4 || pads.size() != 2 || rows < 1 || dilation < 1)
    node_error(n, "needs an NCHW input, kernel_rows and dilation ≥ 1 and pads [top, bottom]");
  const int64_t out_rows = x[2] + pads[0] + pads[1] - (rows - 1) * dilation;
  if (out_rows < 1) node_error(n, "the kernel rows span more than the padded input");
  return {same_kind(*in[0].type, {x[0], x[1] * rows, out_rows, x[3]})};
}

Algorithm build_stack_rows(const Node& n, const std::vector<OpInput>& in,
                           const std::vector<TensorType>&) {
  const Shape& xs = in[0].type->shape;
  const int channels = int(xs[1]), rows = int(xs[2]);
  const std::vector<Var> v = make_vars(4);  // x, y, c, n
  const Expr row = v[1] + (v[2] / channels) * int(n.i("dilation", 1)) - int(n.ints("pads")[0]);
  const Expr outside = cast(in[0].func.value().type(), zero_point(*in[0].type));
  Func output(halide_name(n.name));
  output(v) = select(row >= 0 && row < rows,
                     in[0].func(v[0], clamp(row, 0, rows - 1), v[2] % channels, v[3]), outside);
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
