// Elementwise ops: Relu, Add (numpy broadcasting; int8 per docs/quantization.md), and
// BatchNormalization in inference form (channel = tensor dim 1).
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

Shape broadcast_shape(const Node& n, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1, db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) node_error(n, "shapes " + to_string(a) + " and " + to_string(b) + " do not broadcast");
    out[out.size() - 1 - i] = std::max(da, db);
  }
  return out;
}

Expr broadcast_call(const Func& f, const Shape& shape, const std::vector<Var>& out) {
  std::vector<Expr> args;
  for (size_t i = 0; i < shape.size(); ++i) args.push_back(shape[shape.size() - 1 - i] == 1 ? Expr(0) : Expr(out[i]));
  return f(args);
}

}  // namespace

std::vector<TensorType> infer_relu(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {*in[0].type};
}

Algorithm build_relu(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func output(halide_name(n.name));
  Expr x = in[0].func(v);
  output(v) = max(x, cast(x.type(), 0));
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_add(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 2);
  if (in[0].type->dtype != in[1].type->dtype) node_error(n, "operands have different dtypes");
  return {{in[0].type->dtype, broadcast_shape(n, in[0].type->shape, in[1].type->shape), std::nullopt}};
}

Algorithm build_add(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Expr a = broadcast_call(in[0].func, in[0].type->shape, v), b = broadcast_call(in[1].func, in[1].type->shape, v);
  Func output(halide_name(n.name));
  if (in[0].type->dtype == DType::I8) {
    const std::vector<int64_t> m = n.ints("multiplier"), s = n.ints("rshift");
    if (m.size() != 2 || s.size() != 1) node_error(n, "int8 Add needs multiplier = [m0, m1] and rshift = [s]");
    Expr sum = cast<int64_t>(a) * int(m[0]) + cast<int64_t>(b) * int(m[1]);
    output(v) = activation(n, saturate_i8(round_shift(sum, int(s[0]))));
  } else {
    output(v) = activation(n, a + b);
  }
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_batchnorm(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 5);
  const Shape& x = in[0].type->shape;
  if (x.size() < 2) node_error(n, "input needs a channel dimension");
  for (size_t i = 1; i < 5; ++i)
    if (in[i].type->shape != Shape{x[1]}) node_error(n, "scale, bias, mean and var must have shape [" + std::to_string(x[1]) + "]");
  return {*in[0].type};
}

Algorithm build_batchnorm(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const Var& c = v[v.size() - 2];
  const float eps = float(n.f("epsilon", 1e-5));
  Func output(halide_name(n.name));
  Expr inv_std = in[1].func(c) / sqrt(in[4].func(c) + eps);
  output(v) = (in[0].func(v) - in[3].func(c)) * inv_std + in[2].func(c);
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
