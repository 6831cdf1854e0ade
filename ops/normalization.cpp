// Normalizations over the last axes: LayerNormalization (`axis`, `epsilon`; scale and bias
// broadcast over the normalized dims), InstanceNormalization (per sample and channel, over the
// spatial dims), LogSoftmax (as Softmax), and PRelu (slope broadcast).
#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

// Mean and variance of `x` over the tensor dims from `first` on (Func args 0 .. rank-1-first),
// for each value of the other args; one operation per Func, so a chip schedule can place each as
// one command: sum, mean = sum / count, centered = x - mean, square, square_sum, var = square_sum /
// count.
struct Moments {
  Func sum, mean, centered, square, square_sum, var;
  void into(Stages& s) const {
    s.sum = sum;
    s.mean = mean;
    s.centered = centered;
    s.square = square;
    s.square_sum = square_sum;
    s.var = var;
  }
};

Moments moments(const Func& x, const Shape& s, size_t first, const std::string& name) {
  const size_t rank = s.size();
  Region region;
  int64_t count = 1;
  for (size_t d = rank; d-- > first;) {
    region.emplace_back(0, int(s[d]));
    count *= s[d];
  }
  RDom r(region, "r");
  const std::vector<Var> v = make_vars(rank);
  std::vector<Var> outer(v.begin() + std::ptrdiff_t(rank - first), v.end());
  std::vector<Expr> at = as_exprs(v);
  for (size_t k = 0; k < rank - first; ++k) at[k] = r[int(k)];
  Moments m{Func(name + "_sum"),    Func(name + "_mean"),       Func(name + "_centered"),
            Func(name + "_square"), Func(name + "_square_sum"), Func(name + "_var")};
  m.sum(outer) = 0.0f;
  m.sum(outer) = accumulate(m.sum(outer), x(at));
  m.mean(outer) = m.sum(outer) / float(count);
  m.centered(v) = x(v) - m.mean(outer);
  m.square(v) = m.centered(v) * m.centered(v);
  m.square_sum(outer) = 0.0f;
  m.square_sum(outer) = accumulate(m.square_sum(outer), m.square(at));
  m.var(outer) = m.square_sum(outer) / float(count);
  return m;
}

// The input in f32 (a f16 layer's input widens, as the host's executor widens it).
Func widened(const OpInput& in) {
  Func x("widened");
  const std::vector<Var> v = make_vars(in.type->shape.size());
  x(v) = cast<float>(in.func(v));
  return x;
}

std::vector<Expr> outer_args(const std::vector<Var>& v, size_t rank, size_t first) {
  return std::vector<Expr>(v.begin() + std::ptrdiff_t(rank - first), v.end());
}

}  // namespace

std::vector<TensorType> infer_same(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->dtype != DType::F32) node_error(n, "only f32 is supported");
  return {*in[0].type};
}

// LayerNormalization's optional Mean and InvStdDev outputs: the input's shape with the
// normalized dimensions reduced to 1.
std::vector<TensorType> infer_layernorm(const Node& n, const std::vector<InferInput>& in) {
  std::vector<TensorType> out = infer_same(n, in);
  Shape stats = in[0].type->shape;
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(stats.size());
  if (axis < 0 || axis >= int64_t(stats.size())) node_error(n, "axis out of range");
  for (size_t d = size_t(axis); d < stats.size(); ++d) stats[d] = 1;
  for (size_t k = 1; k < n.outputs.size(); ++k) out.push_back({DType::F32, stats, std::nullopt});
  return out;
}

// Stages (each one command on the chip): the moments, var_eps = var + epsilon, std = sqrt(var_eps),
// norm = centered / std, scaled = norm · scale, then + bias.
Algorithm build_layernorm(const Node& n, const std::vector<OpInput>& in,
                          const std::vector<TensorType>&) {
  const Shape& s = in[0].type->shape;
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(s.size());
  const size_t first = size_t(axis), rank = s.size();
  const std::string name = halide_name(n.name);
  const Moments m = moments(widened(in[0]), s, first, name);
  const std::vector<Var> v = make_vars(rank);
  const std::vector<Expr> outer = outer_args(v, rank, first);
  auto param = [&](const OpInput& p) {
    return broadcast_call(p.func, p.type->shape, v);
  };  // over the normalized dims
  Func var_eps(name + "_var_eps"), std_dev(name + "_std"), norm(name + "_norm"),
      scaled(name + "_scaled");
  var_eps(outer_args(v, rank, first)) = m.var(outer) + float(n.f("epsilon", 1e-5));
  std_dev(outer_args(v, rank, first)) = sqrt_f32(var_eps(outer));
  norm(v) = m.centered(v) / std_dev(outer);
  Expr y = norm(v);
  Algorithm a;
  m.into(a.stages);
  a.stages.var_eps = var_eps;
  a.stages.std = std_dev;
  a.stages.norm = norm;
  if (in.size() > 1 && in[1].func.defined()) {
    scaled(v) = y * param(in[1]);
    y = scaled(v);
    a.stages.scaled = scaled;
  }
  if (in.size() > 2 && in[2].func.defined()) y = y + param(in[2]);
  Func output(name), mean(halide_name(n.name + "_Mean")),
      inv_std(halide_name(n.name + "_InvStdDev"));
  output(v) = y;
  mean(v) = m.mean(outer);
  inv_std(v) = 1.0f / std_dev(outer);
  a.outputs = {output, mean, inv_std};
  a.outputs.resize(std::max<size_t>(1, std::min<size_t>(3, n.outputs.size())));
  return a;
}

Algorithm build_instancenorm(const Node& n, const std::vector<OpInput>& in,
                             const std::vector<TensorType>&) {
  const Shape& s = in[0].type->shape;
  const size_t rank = s.size();
  const Moments m = moments(widened(in[0]), s, 2, halide_name(n.name));
  const std::vector<Var> v = make_vars(rank);
  const Var& c = v[rank - 2];
  const float eps = float(n.f("epsilon", 1e-5));
  Func output(halide_name(n.name));
  output(v) =
      m.centered(v) / sqrt(m.var(outer_args(v, rank, 2)) + eps) * in[1].func(c) + in[2].func(c);
  Algorithm a{{output}, {}, {}};
  m.into(a.stages);
  return a;
}

Algorithm build_logsoftmax(const Node& n, const std::vector<OpInput>& in,
                           const std::vector<TensorType>& out) {
  Algorithm a = build_softmax(n, in, out);
  Func log_output(halide_name(n.name + "_log"));
  const std::vector<Var> v = a.outputs[0].args();
  // log(exp(x - max) / sum) computed as x - max - log(sum) for accuracy.
  Func mx = a.stages.max, total = a.stages.sum;
  const Shape& s = in[0].type->shape;
  int64_t axis = n.i("axis", -1);
  if (axis < 0) axis += int64_t(s.size());
  const size_t last = n.i("coerce_2d", 0) ? s.size() - 1 : size_t(axis);
  std::vector<Var> outer;
  for (size_t i = 0; i < v.size(); ++i)
    if (i > s.size() - 1 - size_t(axis) || i < s.size() - 1 - last) outer.push_back(v[i]);
  log_output(v) = in[0].func(v) - mx(outer) - log(total(outer));
  return {{log_output}, a.stages, a.reductions};
}

std::vector<TensorType> infer_prelu(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  return {*in[0].type};
}

Algorithm build_prelu(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Expr x = in[0].func(v);
  Func output(halide_name(n.name));
  output(v) = select(x < 0, x * broadcast_call(in[1].func, in[1].type->shape, v), x);
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
