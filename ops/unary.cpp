// Elementwise unary ops, float: one table row per op, the expression of x and the node's
// attributes (ONNX defaults). Shape and type pass through.
#include <cmath>

#include "ops/families.h"

namespace tpuc::ops {

using namespace Halide;

namespace {

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): Halide has no erf.
Expr erf_approx(Expr x) {
  Expr t = 1.0f / (1.0f + 0.3275911f * abs(x));
  Expr poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  Expr y = 1.0f - poly * exp_f32(-x * x);
  return select(x < 0, -y, y);
}

using UnaryFn = Expr (*)(Expr, const Node&);
const std::map<std::string, UnaryFn> kUnary = {
    {"Abs", [](Expr x, const Node&) { return abs(x); }},
    {"Acos", [](Expr x, const Node&) { return acos(x); }},
    {"Acosh", [](Expr x, const Node&) { return acosh(x); }},
    {"Asin", [](Expr x, const Node&) { return asin(x); }},
    {"Asinh", [](Expr x, const Node&) { return asinh(x); }},
    {"Atan", [](Expr x, const Node&) { return atan(x); }},
    {"Atanh", [](Expr x, const Node&) { return atanh(x); }},
    {"Celu", [](Expr x, const Node& n) {
       const float alpha = float(n.f("alpha", 1.0));
       return max(x, 0.0f) + min(0.0f, alpha * (exp_f32(x / alpha) - 1.0f));
     }},
    {"Cosh", [](Expr x, const Node&) { return cosh(x); }},
    {"Ceil", [](Expr x, const Node&) { return ceil(x); }},
    {"Elu", [](Expr x, const Node& n) { return select(x < 0, float(n.f("alpha", 1.0)) * (exp_f32(x) - 1.0f), x); }},
    {"Erf", [](Expr x, const Node&) { return erf_approx(x); }},
    {"Exp", [](Expr x, const Node&) { return exp_f32(x); }},
    {"Cos", [](Expr x, const Node&) { return cos(x); }},
    {"Floor", [](Expr x, const Node&) { return floor(x); }},
    {"Gelu", [](Expr x, const Node&) { return 0.5f * x * (1.0f + erf_approx(x * float(M_SQRT1_2))); }},
    {"HardSigmoid", [](Expr x, const Node& n) { return clamp(float(n.f("alpha", 0.2)) * x + float(n.f("beta", 0.5)), 0.0f, 1.0f); }},
    {"HardSwish", [](Expr x, const Node&) { return x * clamp(x / 6.0f + 0.5f, 0.0f, 1.0f); }},
    {"LeakyRelu", [](Expr x, const Node& n) { return select(x < 0, float(n.f("alpha", 0.01)) * x, x); }},
    {"Log", [](Expr x, const Node&) { return log(x); }},
    {"Neg", [](Expr x, const Node&) { return -x; }},
    {"Reciprocal", [](Expr x, const Node&) { return 1.0f / x; }},
    {"Selu", [](Expr x, const Node& n) {
       const float alpha = float(n.f("alpha", 1.67326319217681884765625)), gamma = float(n.f("gamma", 1.05070102214813232421875));
       return gamma * select(x <= 0, alpha * (exp_f32(x) - 1.0f), x);
     }},
    {"Round", [](Expr x, const Node&) { return round(x); }},  // half to even, as ONNX
    {"Sigmoid", [](Expr x, const Node&) { return 1.0f / (1.0f + exp_f32(-x)); }},
    {"Sign", [](Expr x, const Node&) { return select(x > 0, 1.0f, select(x < 0, -1.0f, 0.0f)); }},
    {"Silu", [](Expr x, const Node&) { return x / (1.0f + exp_f32(-x)); }},  // tpuc's own: x·sigmoid(x)
    {"Sin", [](Expr x, const Node&) { return sin(x); }},
    {"Sinh", [](Expr x, const Node&) { return sinh(x); }},
    {"Softsign", [](Expr x, const Node&) { return x / (1.0f + abs(x)); }},
    {"ThresholdedRelu", [](Expr x, const Node& n) { return select(x > float(n.f("alpha", 1.0)), x, 0.0f); }},
    {"Softplus", [](Expr x, const Node&) { return log(1.0f + exp_f32(x)); }},
    {"Sqrt", [](Expr x, const Node&) { return sqrt(x); }},
    {"Tan", [](Expr x, const Node&) { return tan(x); }},
    {"Tanh", [](Expr x, const Node&) { return tanh(x); }},
};

}  // namespace

std::vector<const char*> unary_ops() {
  std::vector<const char*> names;  // the table's keys live as long as the program
  for (const auto& [name, fn] : kUnary) names.push_back(name.c_str());
  return names;
}

std::vector<TensorType> infer_unary(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  if (in[0].type->dtype != DType::F32) node_error(n, "only f32 is supported");
  return {*in[0].type};
}

Algorithm build_unary(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Func output(halide_name(n.name));
  output(v) = kUnary.at(n.op)(in[0].func(v), n);
  return {{output}, {}, {}};
}

// Clip(x, min, max): the bounds are optional one-element inputs (the importer turns the
// attributes of opsets before 11 into inputs).
std::vector<TensorType> infer_clip(const Node& n, const std::vector<InferInput>& in) {
  require_inputs(n, in, 1);
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].type && in[i].type->num_elements() != 1) node_error(n, "min and max must hold one value");
  return {*in[0].type};
}

Algorithm build_clip(const Node& n, const std::vector<OpInput>& in, const std::vector<TensorType>&) {
  const std::vector<Var> v = make_vars(in[0].type->shape.size());
  Expr x = in[0].func(v);
  for (size_t i = 1; i < in.size() && i < 3; ++i) {
    if (!in[i].func.defined()) continue;
    Expr bound = cast(x.type(), in[i].func(std::vector<Expr>(in[i].type->shape.size(), 0)));
    x = i == 1 ? max(x, bound) : min(x, bound);
  }
  Func output(halide_name(n.name));
  output(v) = x;
  return {{output}, {}, {}};
}

}  // namespace tpuc::ops
