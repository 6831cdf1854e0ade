// Elementwise ops: Relu, the binary ops (numpy broadcasting; Add also int8 per
// docs/quantization.md), Where, and BatchNormalization in inference form (channel = tensor dim 1).
#include <set>

#include "ops/attrs.h"
#include "ops/families.h"
#include "ops/quant.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

Shape broadcast_shape(const Node& n, const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1,
                  db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      node_error(n, "shapes " + to_string(a) + " and " + to_string(b) + " do not broadcast");
    out[out.size() - 1 - i] = std::max(da, db);
  }
  return out;
}

// A compared float as IEEE compares it (false when either side is NaN): a strict_float in a
// pipeline turns off the fast-math flags under which LLVM may assume that no value is NaN.
Expr ieee(Expr x) { return x.type().is_float() ? strict_float(x) : x; }
// Halide 14 compiles a float == as true when a side is NaN (< and > are right): guarded by is_nan.
Expr ieee_equal(Expr a, Expr b) {
  Expr equal = ieee(a) == ieee(b);
  return a.type().is_float() ? equal && !is_nan(a) && !is_nan(b) : equal;
}

// Binary ops with numpy broadcasting. Comparisons give bool; Div on integers truncates (C / ONNX).
using BinaryFn = Expr (*)(Expr, Expr);
const std::map<std::string, BinaryFn> kBinary = {
    {"Add", [](Expr a, Expr b) { return a + b; }},
    {"Sub", [](Expr a, Expr b) { return a - b; }},
    {"Mul", [](Expr a, Expr b) { return a * b; }},
    {"Div",
     [](Expr a, Expr b) {
       if (a.type().is_float() || a.type().is_uint()) return a / b;
       // Halide's quotient is Euclidean (its remainder never negative): it is C's truncation but
       // for a negative dividend with a remainder, one step further from zero.
       Expr q = a / b;
       return select(a < 0 && a % b != 0, q + cast(q.type(), select(b > 0, 1, -1)), q);
     }},
    {"Pow",
     [](Expr a, Expr b) {
       Expr p = pow(cast<float>(a), cast<float>(b));  // Halide's pow is floating point
       return a.type().is_float() ? p : cast(a.type(), p);
     }},
    {"Max", [](Expr a, Expr b) { return max(a, b); }},
    {"Min", [](Expr a, Expr b) { return min(a, b); }},
    // Mod (fmod 0, integers): the remainder takes the divisor's sign, as Python's %. Halide's %
    // is never negative; a negative divisor moves a nonzero one down by |b|.
    {"Mod",
     [](Expr a, Expr b) {
       Expr r = a % b;
       return a.type().is_uint() ? r : select(b < 0 && r != 0, r + b, r);
     }},
    {"Sum", [](Expr a, Expr b) { return a + b; }},
    {"Mean", [](Expr a, Expr b) { return a + b; }},  // then divided by the count
    {"Equal", [](Expr a, Expr b) { return cast<uint8_t>(ieee_equal(a, b)); }},
    {"Less", [](Expr a, Expr b) { return cast<uint8_t>(ieee(a) < ieee(b)); }},
    {"Greater", [](Expr a, Expr b) { return cast<uint8_t>(ieee(a) > ieee(b)); }},
    {"LessOrEqual", [](Expr a, Expr b) { return cast<uint8_t>(ieee(a) < ieee(b)); }},  // or ==
    {"GreaterOrEqual", [](Expr a, Expr b) { return cast<uint8_t>(ieee(a) > ieee(b)); }},
    {"And", [](Expr a, Expr b) { return cast<uint8_t>(a != 0 && b != 0); }},
    {"Or", [](Expr a, Expr b) { return cast<uint8_t>(a != 0 || b != 0); }},
    {"Xor", [](Expr a, Expr b) { return cast<uint8_t>((a != 0) != (b != 0)); }},
};

// An operand broadcast to the result's coordinates `v`, or the immediate a one-element float
// constant is (a chip command's scalar).
Expr operand(const OpInput& x, const std::vector<Var>& v) {
  return is_immediate(x) ? immediate(x) : broadcast_call(x.func, x.type->shape, v);
}

bool is_comparison(const std::string& op) {
  static const std::set<std::string> ops = {"Equal",          "Less", "Greater", "LessOrEqual",
                                            "GreaterOrEqual", "And",  "Or",      "Xor"};
  return ops.count(op) != 0;
}

// GreaterOrEqual and LessOrEqual as (a == b) or (a > b) (a < b), each a stage: Halide simplifies
// a >= b to !(a < b), which a NaN makes true. The result picks `equal` when it is 1, as one CMP.
Algorithm build_or_equal(const Node& n, const std::vector<OpInput>& in, const std::vector<Var>& v) {
  Func output(halide_name(n.name)), equal("equal"), ordered("ordered");
  equal(v) = kBinary.at("Equal")(operand(in[0], v), operand(in[1], v));
  ordered(v) = kBinary.at(n.op)(operand(in[0], v), operand(in[1], v));
  output(v) = select(equal(v) > 0, equal(v), ordered(v));
  Algorithm a{{output}, {}, {}};
  a.stages.equal = equal;
  a.stages.ordered = ordered;
  return a;
}

}  // namespace

std::vector<TensorType> infer_relu(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  return {*in[0].type};
}

Algorithm build_relu(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func output(halide_name(n.name));
  Expr x = in[0].func(v);
  output(v) = max(x, cast(x.type(), zero_point(*in[0].type)));  // int8: the zero point is real 0
  return {{output}, {}, {}};
}

std::vector<const char*> binary_ops() {
  std::vector<const char*> names;  // the table's keys live as long as the program
  for (const auto& [name, fn] : kBinary) names.push_back(name.c_str());
  return names;
}

// Binary ops; Max, Min, Sum and Mean take any number of inputs (folded left to right).
std::vector<TensorType> infer_binary(const Node& n, const std::vector<InferInput>& in) {
  static const std::set<std::string> variadic = {"Max", "Min", "Sum", "Mean"};
  require_inputs(n, in, std::max<size_t>(in.size(),
                                         variadic.count(n.op) ? 1 : 2));  // none absent
  Shape shape = in[0].type->shape;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i].type->dtype != in[0].type->dtype && n.op != "Pow")
      node_error(n, "operands have different dtypes");
    shape = broadcast_shape(n, shape, in[i].type->shape);
  }
  return {{is_comparison(n.op) ? DType::Bool : in[0].type->dtype, shape, std::nullopt}};
}

Algorithm build_binary(const Node& n, const std::vector<OpInput>& in,
                       const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  if (n.op == "GreaterOrEqual" || n.op == "LessOrEqual") return build_or_equal(n, in, v);
  Func output(halide_name(n.name));
  if (n.op == "Add" && in[0].type->dtype == DType::I8) {
    Expr a = broadcast_call(in[0].func, in[0].type->shape, v),
         b = broadcast_call(in[1].func, in[1].type->shape, v);
    const Requantization r = Requantization::of(n);
    const std::vector<int64_t>& m = r.multiplier;
    const std::vector<int64_t>& s = r.rshift;
    if (m.size() != 2 || s.size() != 1)
      node_error(n, "int8 Add needs multiplier = [m0, m1] and rshift = [s]");
    const int za = zero_point(*in[0].type), zb = zero_point(*in[1].type), zy = zero_point(out[0]);
    Expr a64 = za ? cast<int64_t>(a) - za : cast<int64_t>(a),
         b64 = zb ? cast<int64_t>(b) - zb : cast<int64_t>(b);
    Expr sum = round_shift(a64 * int(m[0]) + b64 * int(m[1]), int(s[0]));
    output(v) = activation(n, saturate_i8(zy ? sum + zy : sum), zy);
    return {{output}, {}, {}};
  }
  // Mod with fmod 1 is C's fmod: the remainder takes the dividend's sign (floats need it).
  const BinaryFn c_fmod = [](Expr a, Expr b) {
    if (!a.type().is_float()) return a - b * (kBinary.at("Div")(a, b));
    Expr x = cast<float>(a), y = cast<float>(b);
    return cast(a.type(), x - y * trunc(x / y));
  };
  const BinaryFn f = n.op == "Mod" && n.i("fmod", 0) ? c_fmod : kBinary.at(n.op);
  Expr acc = operand(in[0], v);
  for (size_t i = 1; i < in.size(); ++i) acc = f(acc, operand(in[i], v));
  if (n.op == "Mean") acc = acc / cast(acc.type(), int(in.size()));
  output(v) = activation(n, acc);
  return {{output}, {}, {}};
}

// Where(condition, x, y), all three broadcast.
std::vector<TensorType> infer_where(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 3);
  const Shape shape = broadcast_shape(n, broadcast_shape(n, in[0].type->shape, in[1].type->shape),
                                      in[2].type->shape);
  return {{in[1].type->dtype, shape, std::nullopt}};
}

Algorithm build_where(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>& out) {
  const std::vector<Var> v = make_vars(out[0].shape.size());
  Func output(halide_name(n.name));
  const Type t = halide_type(out[0].dtype);  // an immediate is f32 whatever x's and y's type
  output(v) =
      select(operand(in[0], v) != 0, cast(t, operand(in[1], v)), cast(t, operand(in[2], v)));
  return {{output}, {}, {}};
}

std::vector<TensorType> infer_batchnorm(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 5);
  const Shape& x = in[0].type->shape;
  if (x.size() < 2) node_error(n, "input needs a channel dimension");
  for (size_t i = 1; i < 5; ++i)
    if (in[i].type->shape != Shape{x[1]})
      node_error(n, "scale, bias, mean and var must have shape [" + std::to_string(x[1]) + "]");
  return {*in[0].type};
}

Algorithm build_batchnorm(const Node& n, const std::vector<OpInput>& in,
                          const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const Var& c = v[v.size() - 2];
  const float eps = float(n.f("epsilon", 1e-5));
  Func output(halide_name(n.name));
  Expr inv_std = in[1].func(c) / sqrt(in[4].func(c) + eps);
  output(v) = (in[0].func(v) - in[3].func(c)) * inv_std + in[2].func(c);
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
