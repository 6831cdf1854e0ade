// Elementwise stages into ARITH, REQUANT, LUT and the special functions' sequences
// (command_generator_impl.h).
#include "ops/attrs.h"
#include "target/bm1684x/command_generator_impl.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;
using namespace loop_nest;

// The command's relu field is max(·, 0): an asymmetric int8 result's real 0 is its zero point z,
// so there the relu is an ARITH max by z (none for z = −128: every code is at least real 0), and
// a fused limit of L steps is z + L.
void CommandGenerator::Impl::push_then_limit(TiuCommand c, const StageRole& role) {
  const int z = role.result_zero_point;
  const bool relu_by_zero_point = c.relu && z != 0;
  c.relu = c.relu && z == 0;
  push(c);
  if (relu_by_zero_point && z > -128) push(with_constant(ArithOp::Max, c.res, c.res, z));
  const ops::FusedActivation a = ops::FusedActivation::of(*role.node);
  if (a.relu_limit) push(with_constant(ArithOp::Min, c.res, c.res, *a.relu_limit + z));
}

// res = x ⊙ k, an ARITH with a constant operand.
TiuCommand CommandGenerator::Impl::with_constant(ArithOp op, const Operand& res, const Operand& x,
                                                 double k) {
  TiuCommand c;
  c.op = TiuOp::Arith;
  c.arith = op;
  c.res = res;
  c.opd0 = x;
  c.opd1_const = true;
  c.constant = float(k);
  return c;
}

// REQUANT: the accumulator with its channel's [multiplier, shift, zero point] block, read from
// the requantization table: three loads one after another.
void CommandGenerator::Impl::requant(const std::string& stage, const StageRole& role) {
  const Nest& n = pending.at(0);
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  TiuCommand c;
  c.op = TiuOp::Requant;
  c.relu = ops::FusedActivation::of(*role.node).relu;
  c.res = operand(stage, n.index, slots, at);
  std::map<int64_t, Expr> table;  // the table's loads (the shift's several) by position
  for (const Access& a : loads_in(n.value)) {
    if (a.buffer == role.requant) {
      table.emplace(eval(a.index, at), a.index);
    } else if (a.buffer != stage) {
      c.opd0 = operand(a.buffer, a.index, slots, at);
    }
  }
  if (table.size() != 3 || c.opd0.n == 0 || table.rbegin()->first != table.begin()->first + 2)
    fail("stage '" + stage +
         "': requantization reads an accumulator and its channel's "
         "multiplier, shift and zero point, one after the other");
  c.opd1 =
      operand(role.requant, table.begin()->second, {Slot{}, slots[1], Slot{}, Slot{"", 0, 3}}, at);
  push_then_limit(c, role);
}

// ARITH, elementwise over the stage. A conversion (Quantize, Dequantize, Convert; the scale from
// the schedule) reads one operand; a binary op reads the operands its role names, in order (int8
// Add: with the node's multipliers and shift), the second possibly an immediate of the
// expression. Add and Convert produce the node's result, with its activation.
void CommandGenerator::Impl::arith(const std::string& stage, const StageRole& role) {
  TiuCommand c;
  c.op = TiuOp::Arith;
  c.arith = role.arith;
  if (role.operands.empty()) {
    c.scale = role.scale;
    if (role.arith != ArithOp::Convert) return unary(stage, c);
    c.relu = ops::FusedActivation::of(*role.node).relu;
    return unary(stage, c, &role);
  }
  const Nest& n = pending.at(0);
  const auto loads = operand_loads(n, stage);
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  c.res = operand(stage, n.index, slots, at);
  const Access* opd[2] = {nullptr, nullptr};  // an operand named twice (a square) is one load
  for (const Access& a : loads)
    for (size_t i = 0; i < role.operands.size() && i < 2; ++i)
      if (a.buffer == role.operands[i]) opd[i] = &a;
  const std::set<std::string> named(role.operands.begin(), role.operands.end());
  if (!opd[0] || loads.size() != named.size() || (role.operands.size() == 2 && !opd[1]))
    fail("stage '" + stage + "': does not read the operands its schedule names");
  c.opd0 = operand(opd[0]->buffer, opd[0]->index, slots, at);
  const bool int8_sum = c.res.dtype == DType::I8 && role.arith == ArithOp::Add;
  if (opd[1]) {
    c.opd1 = operand(opd[1]->buffer, opd[1]->index, slots, at);
  } else if (!int8_sum) {  // an int8 Add of one operand multiplies it alone (int8_add)
    immediate(n.value, c);
  }
  c.relu = ops::FusedActivation::of(*role.node).relu;
  if (!int8_sum) return push_then_limit(c, role);
  LmemBuffer sum = buffer_of(stage);  // the int32 scratch tile of the int8 Add's sum
  sum.name = stage + "$sum";
  sum.dtype = DType::I32;
  memory.place(sum);
  int8_add(c, operand(sum.name, n.index, slots, at), role);
  memory.release(sum.name);
}

// int8 Add: (a − za)·m0 + (b − zb)·m1 summed exactly in `sum` (int32: arith.mul, arith.mac, then
// the zero points' constant), requantized to the result by constants (quant.rq1): the int64
// arithmetic of the op's definition, exact because the multipliers are small (quantizer: 15
// bits).
void CommandGenerator::Impl::int8_add(const TiuCommand& add, const Operand& sum,
                                      const StageRole& role) {
  const ops::Requantization r = ops::Requantization::of(*role.node);
  if (r.multiplier.size() != 2 || r.rshift.size() != 1 || role.zero_points.size() != 3)
    fail("an int8 Add needs multiplier = [m0, m1], rshift = [s] and its zero points");
  const int64_t m0 = r.multiplier[0], m1 = r.multiplier[1];
  if (255 * (std::abs(m0) + std::abs(m1)) >= (int64_t(1) << 31) || r.rshift[0] < 0 ||
      r.rshift[0] > 63)
    fail("int8 Add multipliers " + std::to_string(m0) + ", " + std::to_string(m1) +
         " overflow the chip's int32 sum (the quantizer's have 15 bits)");
  if (role.operands.size() == 2) {
    push(with_constant(ArithOp::Mul, sum, add.opd0, double(m0)));
    push(with_constant(ArithOp::Mac, sum, add.opd1, double(m1)));
  } else {  // one multiplier rounded to 0: the other operand alone (binary() names it)
    push(with_constant(ArithOp::Mul, sum, add.opd0, double(m0 != 0 ? m0 : m1)));
  }
  const int64_t offset = -(role.zero_points[0] * m0 + role.zero_points[1] * m1);
  if (offset != 0) push(with_constant(ArithOp::Add, sum, sum, double(offset)));
  TiuCommand rq;
  rq.op = TiuOp::Requant;
  rq.res = add.res;
  rq.opd0 = sum;
  rq.opd1_const = true;
  rq.multiplier = 1;
  rq.shift = int32_t(r.rshift[0]);
  rq.zero_point = role.zero_points[2];
  rq.relu = add.relu;
  push_then_limit(rq, role);
}

// A binary op with a constant operand, `x ⊙ k` or `k ⊙ x` under the result's casts and the fused
// activation's max and min: the op as the lowered expression has it (the simplifier may have
// turned a division into a multiplication) and k as opd1 (constant_first for `k ⊙ x`). A max or
// min the stage computes itself (c.arith: Relu, Clip, HardSigmoid) is the op, not an activation.
void CommandGenerator::Impl::immediate(Expr e, TiuCommand& c) const {
  auto constant = [](const Expr& k) -> std::optional<double> {
    if (const double* f = as_const_float(k)) return *f;
    if (const int64_t* i = as_const_int(k)) return double(*i);  // int8 Relu: the zero point
    return std::nullopt;
  };
  auto with_constant = [&](auto* node, ArithOp op) {
    const std::optional<double> second = node ? constant(node->b) : std::nullopt;
    const std::optional<double> first = node && !second ? constant(node->a) : std::nullopt;
    if (second || first) {
      c.arith = op;
      c.opd1_const = true;
      c.constant_first = first.has_value();
      c.constant = float(first ? *first : *second);
    }
    return second || first;
  };
  for (;;) {
    e = strip_same_type_casts(e);
    if ((c.arith == ArithOp::Max && with_constant(e.as<Max>(), ArithOp::Max)) ||
        (c.arith == ArithOp::Min && with_constant(e.as<Min>(), ArithOp::Min)))
      return;
    if (const Cast* cast = e.as<Cast>())
      e = cast->value;
    else if (const Max* m = e.as<Max>())
      e = m->a;
    else if (const Min* m = e.as<Min>())
      e = m->a;
    else
      break;
  }
  if (with_constant(e.as<Add>(), ArithOp::Add) || with_constant(e.as<Sub>(), ArithOp::Sub) ||
      with_constant(e.as<Mul>(), ArithOp::Mul) || with_constant(e.as<Div>(), ArithOp::Div))
    return;
  fail("a binary op with one operand needs a constant operand: " + text(e));
}

// LUT: the role names {input, table}; the table is read at an index computed from the input, so
// its operand is the whole table from its base, in every lane (no stride across channels).
void CommandGenerator::Impl::lut(const std::string& stage, const StageRole& role) {
  const Nest& n = pending.at(0);
  const auto loads = operand_loads(n, stage);
  const Access* in = nullptr;
  const Access* table = nullptr;
  for (const Access& a : loads) {
    if (a.buffer == role.operands.at(0)) in = &a;
    if (a.buffer == role.operands.at(1)) table = &a;
  }
  if (loads.size() != 2 || !in || !table)
    fail("stage '" + stage + "': a table lookup reads its input and its table");
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  TiuCommand c;
  c.op = TiuOp::Lut;
  c.res = operand(stage, n.index, slots, at);
  c.opd0 = operand(in->buffer, in->index, slots, at);
  c.opd1 =
      operand(table->buffer, make_zero(Int(32)), {Slot{}, slots[1], Slot{}, Slot{"", 0, 256}}, at);
  push(c);
}

namespace {

// A comparison and what it selects, read off an expression.
struct Selection {
  CmpOp op = CmpOp::Greater;
  Expr a, b, yes, no;
};

// A compared value without its widening (f16 to f32 compares the same numbers) and its
// strict_float (the host's mark for IEEE comparisons, which a CMP makes anyway).
Expr unwidened(Expr e) {
  while (true) {
    const Cast* c = e.as<Cast>();
    const Call* strict = e.as<Call>();
    if (strict && strict->is_intrinsic(Call::strict_float)) {
      e = strict->args[0];
    } else if (c && c->type.is_float() && c->value.type().is_float() &&
               c->type.bits() >= c->value.type().bits()) {
      e = c->value;
    } else {
      return e;
    }
  }
}

// !is_nan(x) (Halide's is_nan is an extern call, is_nan_f32 or _f16).
bool is_nan_guard(const Expr& e) {
  const Not* negated = e.as<Not>();
  if (!negated) return false;
  Expr x = negated->a;
  while (const Cast* c = x.as<Cast>()) x = c->value;
  const Call* call = x.as<Call>();
  return call && call->name.rfind("is_nan_f", 0) == 0;
}

// `cond ? yes : no` as a CMP of opd0 ⋈ opd1: > and < (either way round), == and != (the choices
// swapped), a constant first moved second (the comparison turned around); empty when the
// condition is none of these.
std::optional<Selection> selection(Expr cond, Expr yes, Expr no) {
  Selection s{CmpOp::Greater, Expr(), Expr(), yes, no};
  // The host's `a == b && !is_nan(a) && !is_nan(b)` (ops/elementwise.cpp) is the CMP's ==.
  while (const And* both = cond.as<And>()) {
    if (is_nan_guard(both->a)) {
      cond = both->b;
    } else if (is_nan_guard(both->b)) {
      cond = both->a;
    } else {
      break;
    }
  }
  if (const Not* negated = cond.as<Not>()) {
    cond = negated->a;
    std::swap(s.yes, s.no);
  }
  if (const LT* lt = cond.as<LT>()) {
    s = {CmpOp::Less, lt->a, lt->b, s.yes, s.no};
  } else if (const GT* gt = cond.as<GT>()) {
    s = {CmpOp::Greater, gt->a, gt->b, s.yes, s.no};
  } else if (const EQ* eq = cond.as<EQ>()) {
    s = {CmpOp::Equal, eq->a, eq->b, s.yes, s.no};
  } else if (const NE* ne = cond.as<NE>()) {
    s = {CmpOp::Equal, ne->a, ne->b, s.no, s.yes};
  } else {
    return std::nullopt;
  }
  s.a = unwidened(s.a);
  s.b = unwidened(s.b);
  if (is_const(s.a) && !is_const(s.b)) {
    std::swap(s.a, s.b);
    if (s.op != CmpOp::Equal) s.op = s.op == CmpOp::Less ? CmpOp::Greater : CmpOp::Less;
  }
  return s;
}

}  // namespace

void CommandGenerator::Impl::cmp(const std::string& stage) {
  const Nest& n = pending.at(0);
  Expr e = n.value;
  const Type result = e.type();
  while (const Cast* c = e.as<Cast>()) e = c->value;
  std::optional<Selection> s;
  if (const Select* sel = e.as<Select>()) {
    s = selection(sel->condition, sel->true_value, sel->false_value);
  } else {
    s = selection(e, make_one(result), make_zero(result));
  }
  if (!s) fail("stage '" + stage + "': " + text(n.value) + " is no comparison a CMP makes");
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  TiuCommand c;
  c.op = TiuOp::Cmp;
  c.cmp = s->op;
  c.res = operand(stage, n.index, slots, at);
  // A value is a constant (its number) or a load of an operand; opd0 must be a load.
  auto value = [&](Expr x, Operand& o, bool& constant, float& number) {
    x = strip_same_type_casts(x);
    if (const double* f = as_const_float(x)) {
      constant = true;
      number = float(*f);
    } else if (const int64_t* i = as_const_int(x)) {
      constant = true;
      number = float(*i);
    } else if (const uint64_t* u = as_const_uint(x)) {
      constant = true;
      number = float(*u);
    } else if (const Load* load = x.as<Load>()) {
      o = operand(load->name, load->index, slots, at);
    } else {
      fail("stage '" + stage + "': " + text(x) + " is neither an operand nor a constant");
    }
  };
  bool opd0_const = false;
  float unused = 0;
  value(s->a, c.opd0, opd0_const, unused);
  if (opd0_const) fail("stage '" + stage + "': a comparison of two constants");
  value(s->b, c.opd1, c.opd1_const, c.constant);
  value(s->yes, c.opd2, c.opd2_const, c.opd2_value);
  value(s->no, c.opd3, c.opd3_const, c.opd3_value);
  // opd3 has no strides of its own: a bool's `b == 0 ? k : x` is `b > 0 ? x : k`.
  const bool unsigned_zero = c.opd1_const && c.constant == 0 && c.opd0.dtype == DType::U8;
  if (c.opd2_const && !c.opd3_const && c.cmp == CmpOp::Equal && unsigned_zero) {
    c.cmp = CmpOp::Greater;
    std::swap(c.opd2, c.opd3);
    std::swap(c.opd2_const, c.opd3_const);
    std::swap(c.opd2_value, c.opd3_value);
  }
  if (!c.opd1_const && c.opd1.dtype != c.opd0.dtype)
    fail("stage '" + stage + "': a CMP compares two operands of one type");
  if (!c.opd3_const && (c.opd2_const || !c.opd3.same_strides(c.opd2)))
    fail("stage '" + stage + "': a CMP's opd3 shares opd2's strides (one broadcast as the other)");
  push(c);
}

// exp, erf or sqrt of the stage's one operand, in f32: its commands (special_functions.h) in
// scratch tiles laid out as the stage, with the coefficient tables they read.
void CommandGenerator::Impl::special_function(const std::string& stage, SpecialFunction f) {
  const Nest& n = pending.at(0);
  const auto loads = operand_loads(n, stage);
  if (loads.size() != 1) fail("stage '" + stage + "': exp, erf and sqrt read one operand");
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  SpecialFunctionOperands o;
  o.res = operand(stage, n.index, slots, at);
  o.x = operand(loads[0].buffer, loads[0].index, slots, at);
  if (o.res.dtype != DType::F32 || o.x.dtype != DType::F32)
    fail("stage '" + stage + "': the chip's exp, erf and sqrt take and give f32");
  std::vector<std::string> scratch;
  for (int k = 0; k < scratch_tiles(f); ++k) {
    LmemBuffer tile = buffer_of(stage);
    tile.name = stage + "$" + std::to_string(k);
    memory.place(tile);
    scratch.push_back(tile.name);
    o.scratch.push_back(operand(tile.name, n.index, slots, at));
  }
  for (const CoefficientTable& t : tables_of(f)) o.tables.push_back(table(t, o.res));
  for (const TiuCommand& c : special_function_commands(f, o)) push(c);
  for (const std::string& name : scratch) memory.release(name);
}

// A coefficient table in every lane, as an SFU operand beside `res`: written by one GDMA fill
// per coefficient the first time the node needs it, kept until the node's end.
Operand CommandGenerator::Impl::table(const CoefficientTable& t, const Operand& res) {
  const std::string name = std::string("$") + t.name;
  if (tables.insert(name).second) {
    memory.place({name, DType::F32, {t.count, g.chip_.lanes}, 1});
    for (int k = 0; k < t.count; ++k) {
      GdmaCommand fill;
      fill.op = GdmaOp::Fill;
      fill.fill_value = t.values[k];
      fill.dst = coefficients(name, k, 1, g.chip_.lanes);
      push(fill);
    }
  }
  Operand o = coefficients(name, 0, t.count, res.c);
  o.lane = res.lane;
  return o;
}

// `count` coefficients of table `name` from the k-th, in `channels` lanes from lane 0.
Operand CommandGenerator::Impl::coefficients(const std::string& name, int k, int count,
                                             uint32_t channels) const {
  const LmemBuffer& b = buffer_of(name);
  Operand o;
  o.space = Space::Local;
  o.dtype = DType::F32;
  o.addr = b.addr + uint64_t(k) * 4;
  o.n = 1;
  o.c = channels;
  o.h = 1;
  o.w = uint32_t(count);
  o.ws = 1;
  return o;
}

// The coefficient tables live until the node's last command.
void CommandGenerator::Impl::release_tables() {
  for (const std::string& name : tables) memory.release(name);
}

// `c` (a conversion) elementwise over the stage, reading one operand; with the
// fused activation's limit of `role`'s node when given.
void CommandGenerator::Impl::unary(const std::string& stage, TiuCommand c, const StageRole* role) {
  const Nest& n = pending.at(0);
  const auto loads = operand_loads(n, stage);
  if (loads.size() != 1) fail("stage '" + stage + "': " + mnemonic(c) + " reads one operand");
  const Slots slots = auto_slots(n, stage, n.index);
  const auto at = origin(n);
  c.res = operand(stage, n.index, slots, at);
  c.opd0 = operand(loads[0].buffer, loads[0].index, slots, at);
  if (role) return push_then_limit(c, *role);
  push(c);
}

}  // namespace tpuc::bm1684x
