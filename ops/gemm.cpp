// Gemm (Y = alpha·op(A)·op(B) + beta·C, 2-D) and MatMul (numpy semantics, rank >= 2, broadcast
// batch dimensions). Gemm has an int8 form (alpha = beta = 1; C is the int32 bias of output column
// j; per-column requantization and relu), like Conv. Stage "acc" is the accumulation.
#include "ops/attrs.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

struct GemmDims {
  int64_t m, k, n;
};

GemmDims gemm_dims(const Node& n, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2) node_error(n, "A and B must be 2-D");
  const GemmAttrs attrs = GemmAttrs::of(n);
  const bool ta = attrs.trans_a, tb = attrs.trans_b;
  const GemmDims d{ta ? a[1] : a[0], ta ? a[0] : a[1], tb ? b[0] : b[1]};
  if ((tb ? b[1] : b[0]) != d.k)
    node_error(n, "inner dimensions differ: A " + to_string(a) + ", B " + to_string(b));
  return d;
}

}  // namespace

std::vector<TensorType> infer_gemm(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const GemmDims d = gemm_dims(n, in[0].type->shape, in[1].type->shape);
  if (in.size() > 2 && in[2].type) {
    const Shape& c = in[2].type->shape;
    const Shape out{d.m, d.n};
    if (c.size() > 2) node_error(n, "C must have rank <= 2");
    for (size_t i = 0; i < c.size(); ++i)
      if (c[c.size() - 1 - i] != 1 && c[c.size() - 1 - i] != out[1 - i])
        node_error(n, "C does not broadcast to " + to_string(out));
  }
  return {{in[0].type->dtype, {d.m, d.n}, std::nullopt}};
}

uint64_t macs_gemm(const Node& n, const std::vector<const TensorType*>& in, const TensorType&) {
  const GemmDims d = gemm_dims(n, in[0]->shape, in[1]->shape);
  return uint64_t(d.m * d.n * d.k);
}

Algorithm build_gemm(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>& out) {
  const GemmDims d = gemm_dims(n, in[0].type->shape, in[1].type->shape);
  const bool int8 = in[0].type->dtype == DType::I8;
  const GemmAttrs attrs = GemmAttrs::of(n);
  const bool ta = attrs.trans_a, tb = attrs.trans_b;
  const float alpha = float(attrs.alpha), beta = float(attrs.beta);
  if (int8 && (alpha != 1 || beta != 1)) node_error(n, "int8 Gemm needs alpha = beta = 1");
  const Type acc_t = int8 ? Int(32) : Float(32);
  Var j("x"), i("y");
  RDom r(0, int(d.k), "r");
  Func a = in[0].func, b = in[1].func;
  Expr a_ik = ta ? a(i, r) : a(r, i);  // tensor A[i][k] is Func A(k, i)
  Expr b_kj = tb ? b(r, j) : b(j, r);
  const bool has_c = in.size() > 2 && in[2].func.defined();
  Expr c = has_c ? broadcast_call(in[2].func, in[2].type->shape, std::vector<Expr>{j, i}) : Expr();
  // C starts the sum (as on the chip) unless alpha scales the product alone.
  const bool c_first = has_c && (int8 || alpha == 1);
  Expr c_term = has_c ? (int8 ? c : beta == 1 ? cast<float>(c) : beta * cast<float>(c)) : Expr();
  Func acc("acc");
  acc(j, i) = c_first ? cast(acc_t, c_term) : cast(acc_t, 0);
  // Asymmetric int8: the quantizer has folded −za·Σb into C, so the sum over a is over a − za.
  const int zy = int8 ? zero_point(out[0]) : 0;
  acc(j, i) = accumulate(acc(j, i), cast(acc_t, a_ik) * cast(acc_t, b_kj));
  Func output(halide_name(n.name));
  Algorithm alg{{output}, {}, {r}};
  alg.stages.acc = acc;
  if (int8) {
    requantization_table(n, d.n, zy, alg.stages);
    Expr requantized = requantize_channel(alg.stages, acc(j, i), j);
    output(j, i) = activation(n, requantized, zy);
  } else {
    Expr v = acc(j, i);
    if (alpha != 1) v = alpha * v;
    if (has_c && !c_first) v = v + c_term;
    output(j, i) = activation(n, v);
  }
  return alg;
}

std::vector<TensorType> infer_matmul(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  const Shape& a = in[0].type->shape;
  const Shape& b = in[1].type->shape;
  if (a.size() < 2 || b.size() < 2) node_error(n, "1-D operands are not supported yet");
  if (a[a.size() - 1] != b[b.size() - 2])
    node_error(n, "inner dimensions differ: " + to_string(a) + " x " + to_string(b));
  const size_t batch = std::max(a.size(), b.size()) - 2;
  Shape out(batch + 2);
  for (size_t i = 0; i < batch; ++i) {
    auto dim = [&](const Shape& s) {
      return i + s.size() >= batch + 2 ? s[i + s.size() - batch - 2] : 1;
    };
    const int64_t da = dim(a), db = dim(b);
    if (da != db && da != 1 && db != 1) node_error(n, "batch dimensions do not broadcast");
    out[i] = std::max(da, db);
  }
  out[batch] = a[a.size() - 2];
  out[batch + 1] = b[b.size() - 1];
  return {{in[0].type->dtype, out, std::nullopt}};
}

// Each result element sums A's last dimension.
uint64_t macs_matmul(const Node&, const std::vector<const TensorType*>& in, const TensorType& out) {
  return uint64_t(out.num_elements() * in[0]->shape.back());
}

Algorithm build_matmul(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const Shape& as = in[0].type->shape;
  const Shape& bs = in[1].type->shape;
  const std::vector<Var> v =
      make_vars(out[0].shape.size());  // v[0] = column, v[1] = row, v[2..] batch
  RDom r(0, int(as.back()), "r");
  auto operand = [&](const Func& f, const Shape& s, Expr inner0, Expr inner1) {
    std::vector<Expr> args{inner0, inner1};
    for (size_t i = 2; i < s.size(); ++i)
      args.push_back(s[s.size() - 1 - i] == 1 ? Expr(0) : Expr(v[i]));
    return f(args);
  };
  Func acc("acc");
  acc(v) = 0.0f;
  acc(v) = accumulate(acc(v), cast<float>(operand(in[0].func, as, r, v[1])) *
                                  cast<float>(operand(in[1].func, bs, v[0], r)));
  Func output(halide_name(n.name));
  output(v) = acc(v);
  Algorithm alg{{output}, {}, {r}};
  alg.stages.acc = acc;
  return alg;
}

}  // namespace tpuc::ops
