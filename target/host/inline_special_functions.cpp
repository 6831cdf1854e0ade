#include "target/host/inline_special_functions.h"

#include <map>
#include <string>

#include "ir/special_functions.h"
#include "ops/op.h"
#include "target/host/rewrite_definitions.h"

namespace tpuc::host {

namespace {

using Halide::Expr;

// The steps of ir/special_functions.h on Halide expressions, as FloatMath runs them on floats.
struct HalideMath {
  using Value = Expr;
  using Int = Expr;
  static Expr max(const Expr& a, const Expr& b) { return Halide::select(a < b, b, a); }
  static Expr min(const Expr& a, const Expr& b) { return Halide::select(b < a, b, a); }
  static Expr floor(const Expr& x) { return Halide::floor(x); }
  static Expr abs(const Expr& x) { return Halide::abs(x); }
  static Expr nan() { return Halide::reinterpret<float>(Expr(0x7fc00000)); }
  static Expr bits(const Expr& x) { return Halide::reinterpret<int32_t>(x); }
  static Expr from_bits(const Expr& b) { return Halide::reinterpret<float>(b); }
  static Expr half_bits(const Expr& x) {
    return Halide::cast<int32_t>(Halide::reinterpret<uint32_t>(x) >> 1);
  }
  static Expr truncate(const Expr& x) { return Halide::cast<int32_t>(x); }
  static Expr to_float(const Expr& i) { return Halide::cast<float>(i); }
  static Expr if_negative(const Expr& x, const Expr& then, const Expr& otherwise) {
    return Halide::select(x < 0.0f, then, otherwise);
  }
};

using Steps = Expr (*)(Expr);
const std::map<SpecialFunction, Steps> kSteps = {{SpecialFunction::Erf, erf_steps<HalideMath>},
                                                 {SpecialFunction::Exp, exp_steps<HalideMath>},
                                                 {SpecialFunction::Log, log_steps<HalideMath>},
                                                 {SpecialFunction::Sqrt, sqrt_steps<HalideMath>}};

class InlineCalls : public Halide::Internal::IRMutator {
  using IRMutator::visit;
  Expr visit(const Halide::Internal::Call* call) override {
    auto it = ops::special_function_calls().find(call->name);
    if (it == ops::special_function_calls().end()) return IRMutator::visit(call);
    return Halide::strict_float(kSteps.at(it->second)(mutate(call->args.at(0))));
  }
};

}  // namespace

void inline_special_functions(const std::vector<Halide::Func>& outputs) {
  InlineCalls mutator;
  rewrite_definitions(outputs, mutator);
}

}  // namespace tpuc::host
