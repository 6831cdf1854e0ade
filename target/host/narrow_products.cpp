#include "target/host/narrow_products.h"

#include "target/host/rewrite_definitions.h"

namespace tpuc::host {

namespace {

using namespace Halide;
using namespace Halide::Internal;

// The 8-bit value a 32-bit cast widens, if `e` is one.
Expr widened_byte(const Expr& e) {
  const Cast* cast = e.as<Cast>();
  if (!cast || cast->type != Int(32) || cast->value.type().bits() != 8) return Expr();
  return cast->value;
}

class NarrowProducts : public IRMutator {
  using IRMutator::visit;
  Expr visit(const Mul* mul) override {
    const Expr a = widened_byte(mul->a), b = widened_byte(mul->b);
    if (!a.defined() || !b.defined()) return IRMutator::visit(mul);
    // Two unsigned bytes: up to 255² = 65025, a uint16; any signed one: within [−32640, 32385].
    const Type narrow = a.type().is_uint() && b.type().is_uint() ? UInt(16) : Int(16);
    return cast(Int(32), cast(narrow, a) * cast(narrow, b));
  }
};

}  // namespace

void narrow_products(const std::vector<Func>& outputs) {
  NarrowProducts mutator;
  rewrite_definitions(outputs, mutator);
}

}  // namespace tpuc::host
