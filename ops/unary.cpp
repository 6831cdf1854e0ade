// Elementwise unary ops: one table row per op, the expression of x and the node's attributes
// (ONNX defaults). Shape and type pass through; float (Abs, Neg and Sign of any number). Then the
// predicates (IsInf, IsNaN, Not: a bool of each element) and Clip.
#include <cmath>
#include <set>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

using UnaryFn = Expr (*)(Expr, const Node&);
const std::map<std::string, UnaryFn> kUnary = {
    {"Acos", [](Expr x, const Node&) { return acos(x); }},
    {"Acosh", [](Expr x, const Node&) { return acosh(x); }},
    {"Asin", [](Expr x, const Node&) { return asin(x); }},
    {"Asinh", [](Expr x, const Node&) { return asinh(x); }},
    {"Atan", [](Expr x, const Node&) { return atan(x); }},
    {"Atanh", [](Expr x, const Node&) { return atanh(x); }},
    {"Celu",
     [](Expr x, const Node& n) {
       const float alpha = float(n.f("alpha", 1.0));
       return max(x, 0.0f) + min(0.0f, alpha * (exp_f32(x / alpha) - 1.0f));
     }},
    {"Cosh", [](Expr x, const Node&) { return cosh(x); }},
    {"Ceil", [](Expr x, const Node&) { return ceil(x); }},
    {"Elu",
     [](Expr x, const Node& n) {
       return select(x < 0, float(n.f("alpha", 1.0)) * (exp_f32(x) - 1.0f), x);
     }},
    {"Cos", [](Expr x, const Node&) { return cos(x); }},
    {"Selu",
     [](Expr x, const Node& n) {
       const float alpha = float(n.f("alpha", 1.67326319217681884765625)),
                   gamma = float(n.f("gamma", 1.05070102214813232421875));
       return gamma * select(x <= 0, alpha * (exp_f32(x) - 1.0f), x);
     }},
    {"Round", [](Expr x, const Node&) { return round(x); }},  // half to even, as ONNX
    {"Sign",
     [](Expr x, const Node&) {
       const Type t = x.type();
       return select(x > cast(t, 0), cast(t, 1), select(x < cast(t, 0), cast(t, -1), cast(t, 0)));
     }},
    {"Sin", [](Expr x, const Node&) { return sin(x); }},
    {"Sinh", [](Expr x, const Node&) { return sinh(x); }},
    {"Softsign", [](Expr x, const Node&) { return x / (1.0f + abs(x)); }},
    {"ThresholdedRelu",
     [](Expr x, const Node& n) { return select(x > float(n.f("alpha", 1.0)), x, 0.0f); }},
    {"Tan", [](Expr x, const Node&) { return tan(x); }},
};

// GELU(x) = 0.5·x·(1 + erf(x/√2)) in f32 (a f16 layer widens its input), one operation per Func
// so a chip schedule can place each as one command: "scaled" (x/√2), "erf", "erf_plus_one",
// "half" (0.5·x), and their product.
Algorithm build_gelu(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func x("widened"), scaled("scaled"), erf("erf"), erf_plus_one("erf_plus_one"), half("half"),
      output(halide_name(n.name));
  x(v) = cast<float>(in[0].func(v));
  scaled(v) = x(v) * float(M_SQRT1_2);
  erf(v) = erf_f32(scaled(v));
  erf_plus_one(v) = erf(v) + 1.0f;
  half(v) = x(v) * 0.5f;
  output(v) = half(v) * erf_plus_one(v);
  Algorithm a{{output}, {}, {}};
  a.stages.scaled = scaled;
  a.stages.erf = erf;
  a.stages.erf_plus_one = erf_plus_one;
  a.stages.half = half;
  return a;
}

// The stages "negated" (x · −k), "exp" (its exponential) and "exp_plus_one" (+ 1), one operation
// per Func: the denominator of the sigmoid family and Softplus's log argument.
Func exp_plus_one(Algorithm& a, const std::vector<Var>& v, const Expr& x, float k) {
  Func negated("negated"), exp("exp"), plus_one("exp_plus_one");
  negated(v) = x * -k;
  exp(v) = exp_f32(negated(v));
  plus_one(v) = exp(v) + 1.0f;
  a.stages.negated = negated;
  a.stages.exp = exp;
  a.stages.exp_plus_one = plus_one;
  return plus_one;
}

// Sigmoid 1 / (1 + e^−x), SiLU x / (1 + e^−x) and Tanh 2 / (1 + e^−2x) − 1 in f32, one operation
// per Func as GELU: "negated" (x · −1, Tanh's x · −2), "exp", "exp_plus_one", then the quotient
// (Tanh's "quotient", less 1). Tanh's absolute error is that of the quotient near 1 (≈ 1e−7).
Algorithm build_sigmoid_family(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const bool tanh = n.op == "Tanh";
  Func x("widened"), output(halide_name(n.name));
  x(v) = cast<float>(in[0].func(v));
  Algorithm a{{output}, {}, {}};
  const Func plus_one = exp_plus_one(a, v, x(v), tanh ? 2.0f : 1.0f);
  if (tanh) {
    a.stages.quotient = Func("quotient");
    a.stages.quotient(v) = 2.0f / plus_one(v);
    output(v) = a.stages.quotient(v) - 1.0f;
    return a;
  }
  output(v) = (n.op == "Silu" ? x(v) : Expr(1.0f)) / plus_one(v);
  return a;
}

// HardSigmoid max(0, min(1, α·x + β)) and HardSwish x · HardSigmoid(x; α = 1/6, β = 1/2) in f32,
// one operation per Func as GELU: "scaled" (α·x), "shifted" (+ β), "rectified" (max 0), then min 1:
// HardSigmoid's result, HardSwish's "gate" (and x · gate).
Algorithm build_hard_sigmoid_family(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const bool swish = n.op == "HardSwish";
  const float alpha = swish ? 1.0f / 6 : float(n.f("alpha", 0.2));
  const float beta = swish ? 0.5f : float(n.f("beta", 0.5));
  Func x("widened"), scaled("scaled"), shifted("shifted"), rectified("rectified"),
      output(halide_name(n.name));
  x(v) = cast<float>(in[0].func(v));
  scaled(v) = x(v) * alpha;
  shifted(v) = scaled(v) + beta;
  rectified(v) = max(shifted(v), 0.0f);
  Algorithm a{{output}, {}, {}};
  a.stages.scaled = scaled;
  a.stages.shifted = shifted;
  a.stages.rectified = rectified;
  if (!swish) {
    output(v) = min(rectified(v), 1.0f);
    return a;
  }
  a.stages.gate = Func("gate");
  a.stages.gate(v) = min(rectified(v), 1.0f);
  output(v) = x(v) * a.stages.gate(v);
  return a;
}

// LeakyRelu x < 0 ? α·x : x in f32 as two operations: "scaled" (α·x), then leaky_relu's pick.
Algorithm build_leaky_relu(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const float alpha = float(n.f("alpha", 0.01));
  Func x("widened"), scaled("scaled"), output(halide_name(n.name));
  x(v) = cast<float>(in[0].func(v));
  scaled(v) = x(v) * alpha;
  output(v) = leaky_relu(x(v), scaled(v), alpha);
  Algorithm a{{output}, {}, {}};
  a.stages.scaled = scaled;
  return a;
}

// Exp, Erf, Sqrt and Log as the chip's special functions compute them, from the input "widened" to
// f32 (they take and give f32) into "special", then the result (rounded to a f16/bf16 layer's
// type).
Algorithm build_special_function(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func widened("widened"), special("special"), output(halide_name(n.name));
  widened(v) = cast<float>(in[0].func(v));
  special(v) = special_f32(special_function_ops().at(n.op), widened(v));
  output(v) = special(v);
  Algorithm a{{output}, {}, {}};
  a.stages.widened = widened;
  a.stages.special = special;
  return a;
}

// Softplus log(1 + e^x) as max(x, 0) + log(1 + e^−|x|) (no overflow for large x), in f32, one
// operation per Func: "magnitude" |x|, "negated", "exp", "exp_plus_one", "special" (its log),
// "rectified" max(x, 0), then their sum.
Algorithm build_softplus(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func x("widened"), magnitude("magnitude"), logged("special"), rectified("rectified"),
      output(halide_name(n.name));
  x(v) = cast<float>(in[0].func(v));
  magnitude(v) = abs(x(v));
  Algorithm a{{output}, {}, {}};
  const Func plus_one = exp_plus_one(a, v, magnitude(v), 1.0f);
  logged(v) = log_f32(plus_one(v));
  rectified(v) = max(x(v), 0.0f);
  output(v) = rectified(v) + logged(v);
  a.stages.magnitude = magnitude;
  a.stages.special = logged;
  a.stages.rectified = rectified;
  return a;
}

// Abs and Floor of a float as the chip's one-operand ARITH, in f32; Abs of an integer in its type.
Algorithm build_one_operand(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const Expr x = in[0].func(v);
  Func output(halide_name(n.name));
  if (!x.type().is_float()) {
    output(v) = cast(x.type(), abs(x));  // Halide's abs is unsigned
  } else if (n.op == "Abs") {
    output(v) = abs(cast<float>(x));
  } else {
    output(v) = floor(cast<float>(x));
  }
  return {{output}, {}, {}};
}

// Neg and Reciprocal of a float as one operation with a constant, x · −1 and 1 / x in f32 (the
// chip's ARITH mul and div; −x is x · −1 for every float, zeros included); Neg of an integer is
// −x in its type.
Algorithm build_constant_operation(const Node& n, const std::vector<OpInput>& in) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const Expr x = in[0].func(v);
  Func output(halide_name(n.name));
  if (n.op == "Neg") {
    output(v) = x.type().is_float() ? cast<float>(x) * -1.0f : -x;
  } else {
    output(v) = 1.0f / cast<float>(x);
  }
  return {{output}, {}, {}};
}

// Unary ops whose algorithm is written stage by stage (for the chip) rather than as one expression.
using StagedFn = Algorithm (*)(const Node&, const std::vector<OpInput>&);
const std::map<std::string, StagedFn> kStaged = {{"Abs", build_one_operand},
                                                 {"Erf", build_special_function},
                                                 {"Exp", build_special_function},
                                                 {"Floor", build_one_operand},
                                                 {"Gelu", build_gelu},
                                                 {"HardSigmoid", build_hard_sigmoid_family},
                                                 {"HardSwish", build_hard_sigmoid_family},
                                                 {"LeakyRelu", build_leaky_relu},
                                                 {"Log", build_special_function},
                                                 {"Neg", build_constant_operation},
                                                 {"Reciprocal", build_constant_operation},
                                                 {"Sigmoid", build_sigmoid_family},
                                                 {"Silu", build_sigmoid_family},
                                                 {"Softplus", build_softplus},
                                                 {"Sqrt", build_special_function},
                                                 {"Tanh", build_sigmoid_family}};

}  // namespace

std::vector<const char*> unary_ops() {
  std::vector<const char*> names;  // the tables' keys live as long as the program
  for (const auto& [name, fn] : kUnary) names.push_back(name.c_str());
  for (const auto& [name, fn] : kStaged) names.push_back(name.c_str());
  return names;
}

std::vector<TensorType> infer_unary(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  // Abs, Neg and Sign of any number; the others compute in f32.
  static const std::set<std::string> any_number = {"Abs", "Neg", "Sign"};
  if (in[0].type->dtype != DType::F32 && !any_number.count(n.op))
    node_error(n, "only f32 is supported");
  return {*in[0].type};
}

Algorithm build_unary(const Node& n, const std::vector<OpInput>& in,
                      const std::vector<TensorType>&) {
  auto staged = kStaged.find(n.op);
  if (staged != kStaged.end()) return staged->second(n, in);
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func output(halide_name(n.name));
  output(v) = kUnary.at(n.op)(in[0].func(v), n);
  return {{output}, {}, {}};
}

// Predicates: a bool of each element. IsInf (detect_positive, detect_negative) and IsNaN of a
// float, Not of a bool.
using PredicateFn = Expr (*)(Expr, const Node&);
const std::map<std::string, PredicateFn> kPredicates = {
    {"IsInf",
     [](Expr x, const Node& n) {
       Expr zero = cast(x.type(), 0);
       return is_inf(x) && ((n.i("detect_positive", 1) != 0 && x > zero) ||
                            (n.i("detect_negative", 1) != 0 && x < zero));
     }},
    {"IsNaN", [](Expr x, const Node&) { return is_nan(x); }},
    {"Not", [](Expr x, const Node&) { return x == cast(x.type(), 0); }},
};

std::vector<TensorType> infer_predicate(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  const bool boolean = in[0].type->dtype == DType::Bool;
  if (boolean != (n.op == "Not")) node_error(n, n.op == "Not" ? "needs a bool" : "needs a float");
  return {{DType::Bool, in[0].type->shape, std::nullopt}};
}

Algorithm build_predicate(const Node& n, const std::vector<OpInput>& in,
                          const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func output(halide_name(n.name));
  output(v) = cast<uint8_t>(kPredicates.at(n.op)(in[0].func(v), n));
  return {{output}, {}, {}};
}

// Clip(x, min, max): the bounds are optional one-element inputs (the importer turns the
// attributes of opsets before 11 into inputs).
std::vector<TensorType> infer_clip(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].type && in[i].type->num_elements() != 1)
      node_error(n, "min and max must hold one value");
  return {*in[0].type};
}

// A float bound is an immediate of the expression (a chip command's constant). With both bounds,
// max(x, min) is the stage "rectified" (one operation per Func, as the chip computes it).
Algorithm build_clip(const Node& n, const std::vector<OpInput>& in,
                     const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  const Expr x = in[0].func(v);
  auto bound = [&](size_t i) {
    if (is_immediate(in[i])) return cast(x.type(), immediate(in[i]));
    return cast(x.type(), in[i].func(std::vector<Expr>(in[i].type->shape.size(), 0)));
  };
  const bool lower = in.size() > 1 && in[1].func.defined();
  const bool upper = in.size() > 2 && in[2].func.defined();
  Algorithm a{{Func(halide_name(n.name))}, {}, {}};
  Expr clipped = lower ? max(x, bound(1)) : x;
  if (lower && upper) {
    a.stages.rectified = Func("rectified");
    a.stages.rectified(v) = clipped;
    clipped = a.stages.rectified(v);
  }
  a.outputs[0](v) = upper ? min(clipped, bound(2)) : clipped;
  return a;
}

}  // namespace tpuc::ops
