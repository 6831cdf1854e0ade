// Copy nests into GDMA commands: a TENSOR copy of the box a load covers and FILLs of the border
// a padding select leaves; a padded view only recorded (command_generator_impl.h).
#include <algorithm>

#include "target/bm1684x/command_generator_impl.h"
#include "target/bm1684x/ddr_walk_order.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;
using namespace loop_nest;

CommandGenerator::Impl::CopyValue CommandGenerator::Impl::copy_value(const Nest& n) const {
  CopyValue v;
  v.select = n.value.as<Select>();
  auto constant = [](const Expr& e) { return as_const_int(e) || as_const_float(e); };
  const bool outside_first =
      v.select && constant(v.select->true_value) && !constant(v.select->false_value);
  if (v.select && outside_first)
    for (const Expr& d : disjuncts(v.select->condition)) v.inside.push_back(simplify(!d));
  if (v.select && !outside_first) v.inside = conjuncts(v.select->condition);
  v.load = strip_same_type_casts(
               v.select ? (outside_first ? v.select->false_value : v.select->true_value) : n.value)
               .as<Load>();
  if (v.select || !v.load) {
    v.fill = v.select ? (outside_first ? v.select->true_value : v.select->false_value) : n.value;
    if (!as_const_int(v.fill) && !as_const_float(v.fill))
      fail("stage '" + n.buffer + "' is neither a copy nor a constant fill: " + text(n.value));
    if (v.select && !v.load) fail("stage '" + n.buffer + "': padding must select a load");
  }
  return v;
}

double CommandGenerator::Impl::constant_of(const Expr& e) {
  return as_const_int(e) ? double(*as_const_int(e)) : *as_const_float(e);
}

// A padded view's nest: where its source's coordinates sit among its own, and its fill value.
void CommandGenerator::Impl::record_view(const Nest& n) {
  const CopyValue v = copy_value(n);
  if (!v.load || !is_local(v.load->name))
    fail("stage '" + n.buffer + "': a padded view reads a buffer in local memory");
  std::map<std::string, int64_t> lo, hi, last;
  for (const Loop& l : n.loops) {
    lo[l.var] = 0;
    hi[l.var] = l.extent;
  }
  for (const Expr& c : v.inside) clip_box(n, c, lo, hi);
  for (const Loop& l : n.loops) {
    if (hi[l.var] <= lo[l.var]) fail("stage '" + n.buffer + "': a tile entirely in the padding");
    last[l.var] = hi[l.var] - 1;
  }
  const LmemBuffer& view = buffer_of(n.buffer);
  const std::vector<int64_t> begin = coords(view, eval(n.index, lo)),
                             end = coords(view, eval(n.index, last)),
                             source = coords(buffer_of(v.load->name), eval(v.load->index, lo));
  PaddedView p{v.load->name, {}, begin, {}, v.select ? constant_of(v.fill) : 0};
  for (size_t d = 0; d < begin.size(); ++d) {
    p.offset.push_back(begin[d] - source[d]);
    p.end.push_back(end[d] + 1);
  }
  memory.describe_view(n.buffer, std::move(p));
}

// A copy stage (or the store): a TENSOR copy of the box where the load applies and, for
// padding, a FILL of each slab of the border around it (top and bottom rows, then the left and
// right columns between them).
void CommandGenerator::Impl::emit_copy(const Nest& n) {
  const CopyValue v = copy_value(n);
  const Select* sel = v.select;
  const Load* load = v.load;
  std::map<std::string, int64_t> lo, hi;  // the box where the load applies
  for (const Loop& l : n.loops) {
    lo[l.var] = 0;
    hi[l.var] = l.extent;
  }
  if (sel || !load) {
    for (const Expr& c : v.inside) clip_box(n, c, lo, hi);
    const bool empty = std::any_of(n.loops.begin(), n.loops.end(),
                                   [&](const Loop& l) { return hi[l.var] <= lo[l.var]; });
    auto fill_box = [&](const std::map<std::string, int64_t>& from,
                        const std::map<std::string, int64_t>& to) {
      Nest box = n;
      for (Loop& l : box.loops) l.extent = to.at(l.var) - from.at(l.var);
      if (std::any_of(box.loops.begin(), box.loops.end(),
                      [](const Loop& l) { return l.extent <= 0; }))
        return;
      GdmaCommand f;
      f.op = GdmaOp::Fill;
      f.fill_value = constant_of(v.fill);
      const auto at = origin(box, from);
      f.dst = operand(n.buffer, n.index, auto_slots_at(box, n.buffer, n.index, at), at);
      push(f);
    };
    std::map<std::string, int64_t> from, to;
    for (const Loop& l : n.loops) {
      from[l.var] = 0;
      to[l.var] = l.extent;
    }
    if (!sel || empty) return fill_box(from, to);
    for (const Loop& l : n.loops) {  // outermost first: each slab spans the loops inside it whole
      std::map<std::string, int64_t> below = to, above = from;
      below[l.var] = lo[l.var];
      above[l.var] = hi[l.var];
      fill_box(from, below);
      fill_box(above, to);
      from[l.var] = lo[l.var];
      to[l.var] = hi[l.var];
    }
  }
  Nest box = n;
  for (Loop& l : box.loops) l.extent = hi[l.var] - lo[l.var];
  if (std::any_of(box.loops.begin(), box.loops.end(), [](const Loop& l) { return l.extent <= 0; }))
    return;
  const auto at = origin(box, lo);
  const std::string local = is_local(n.buffer) ? n.buffer : load->name;
  const Expr& local_index = is_local(n.buffer) ? n.index : load->index;
  Slots slots = auto_slots_at(box, local, local_index, at);
  const StageRole* role = stage_role(n.buffer);
  if (role && role->every_lane)
    slots[1] = Slot{"", -1, g.chip_.lanes};  // the same data into every lane
  GdmaCommand c;
  c.op = GdmaOp::Tensor;
  c.src = operand(load->name, load->index, slots, at);
  c.dst = operand(n.buffer, n.index, slots, at);
  push(in_ddr_walk_order(c));
}

// Narrows the box to where one conjunct of the padding condition holds (it must use one loop).
void CommandGenerator::Impl::clip_box(const Nest& n, const Expr& c,
                                      std::map<std::string, int64_t>& lo,
                                      std::map<std::string, int64_t>& hi) const {
  std::string var;
  for (const Loop& l : n.loops)
    if (expr_uses_var(c, l.var)) {
      if (!var.empty()) fail("a padding condition mixes two loops: " + text(c));
      var = l.var;
    }
  if (var.empty()) {
    if (eval(select(c, 1, 0), {}) == 0) hi = lo;  // never inside
    return;
  }
  int64_t first = -1, last = -1;
  for (int64_t k = lo[var]; k < hi[var]; ++k)
    if (eval(select(c, 1, 0), {{var, k}})) {
      if (first < 0) first = k;
      if (last >= 0 && last != k - 1) fail("padding leaves a hole along '" + var + "'");
      last = k;
    }
  lo[var] = first < 0 ? lo[var] : first;
  hi[var] = first < 0 ? lo[var] : last + 1;
}

}  // namespace tpuc::bm1684x
