// Operands read off loop nests: index expressions evaluated at the loop origin and one step along
// each loop give an operand's base, shape and strides (command_generator_impl.h).
#include <algorithm>
#include <sstream>

#include "target/bm1684x/command_generator_impl.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;
using namespace loop_nest;

namespace loop_nest {

std::string text(const Expr& e) {
  std::ostringstream s;
  s << e;
  return s.str();
}

namespace {

class LoadCollector : public IRVisitor {
 public:
  std::vector<Access> loads;
  using IRVisitor::visit;
  void visit(const Load* op) override {
    loads.push_back({op->name, op->index});
    IRVisitor::visit(op);
  }
};

}  // namespace

std::vector<Access> loads_in(const Expr& e) {
  LoadCollector c;
  e.accept(&c);
  return c.loads;
}

Expr strip_same_type_casts(Expr e) {
  while (const Cast* c = e.as<Cast>()) {
    if (c->type != c->value.type()) break;
    e = c->value;
  }
  return e;
}

bool collect_nest(Stmt s, Nest& nest) {
  while (const For* f = s.as<For>()) {
    const int64_t* min = as_const_int(f->min);
    const int64_t* extent = as_const_int(f->extent);
    if (!min || !extent) return false;
    nest.loops.push_back({f->name, *extent});
    s = *min ? substitute(f->name, Variable::make(Int(32), f->name) + int(*min), f->body) : f->body;
  }
  const Store* st = s.as<Store>();
  if (!st) return false;
  nest.buffer = st->name;
  nest.index = st->index;
  nest.value = strip_same_type_casts(st->value);
  return true;
}

namespace {
std::vector<Expr> both(std::vector<Expr> l, const std::vector<Expr>& r) {
  l.insert(l.end(), r.begin(), r.end());
  return l;
}
}  // namespace

std::vector<Expr> conjuncts(const Expr& e) {
  if (const And* a = e.as<And>()) return both(conjuncts(a->a), conjuncts(a->b));
  if (const LT* lt = e.as<LT>()) {
    if (const Max* m = lt->a.as<Max>())
      return both(conjuncts(m->a < lt->b), conjuncts(m->b < lt->b));
    if (const Min* m = lt->b.as<Min>())
      return both(conjuncts(lt->a < m->a), conjuncts(lt->a < m->b));
  }
  return {e};
}

std::vector<Expr> disjuncts(const Expr& e) {
  if (const Or* o = e.as<Or>()) return both(disjuncts(o->a), disjuncts(o->b));
  if (const LT* lt = e.as<LT>()) {
    if (const Min* m = lt->a.as<Min>())
      return both(disjuncts(m->a < lt->b), disjuncts(m->b < lt->b));
    if (const Max* m = lt->b.as<Max>())
      return both(disjuncts(lt->a < m->a), disjuncts(lt->a < m->b));
  }
  return {e};
}

}  // namespace loop_nest

// ---- evaluation of index expressions at points of a nest
int64_t CommandGenerator::Impl::eval(const Expr& e,
                                     const std::map<std::string, int64_t>& at) const {
  std::map<std::string, Expr> values;
  for (const auto& [v, k] : at) values[v] = make_const(Int(32), k);
  const Expr r = simplify(substitute(values, e));
  const int64_t* k = as_const_int(r);
  if (!k) fail("an index does not reduce to a constant at a loop point: " + text(r));
  return *k;
}

std::map<std::string, int64_t> CommandGenerator::Impl::origin(
    const Nest& n, std::map<std::string, int64_t> start) {
  for (const Loop& l : n.loops) start.emplace(l.var, 0);
  return start;
}

int64_t CommandGenerator::Impl::step(const Nest& n, const Expr& index, const std::string& var,
                                     const std::map<std::string, int64_t>& at) const {
  auto next = at;
  next[var] += 1;
  return eval(index, next) - eval(index, at);
}

// A bool is an unsigned byte to the chip: the ISA has no bool precision.
DType CommandGenerator::Impl::dtype_of(const std::string& b) const {
  auto ddr = g.ddr_.find(b);
  if (!is_local(b) && ddr == g.ddr_.end())
    internal("buffer '" + b + "' is neither in local memory nor in DDR");
  const DType t = is_local(b) ? buffer_of(b).dtype : ddr->second.dtype;
  return t == DType::Bool ? DType::U8 : t;
}

// Coordinates of a flat Halide index in a local buffer.
std::vector<int64_t> CommandGenerator::Impl::coords(const LmemBuffer& b, int64_t flat) const {
  std::vector<int64_t> c;
  for (int64_t e : b.extents) {
    c.push_back(flat % e);
    flat /= e;
  }
  return c;
}

// Per-lane stride (elements) of a local buffer dimension: the slot stride for the lane dimension.
int64_t CommandGenerator::Impl::layout_stride(const LmemBuffer& b, int d) {
  if (d == b.lane_dim) return b.plane;
  int64_t s = 1;
  for (int k = 0; k < d; ++k)
    if (k != b.lane_dim) s *= b.extents[size_t(k)];
  return s;
}

// The buffer dimension a loop variable moves along, and by how much.
std::pair<int, int64_t> CommandGenerator::Impl::direction(
    const LmemBuffer& b, const Expr& index, const std::string& var,
    const std::map<std::string, int64_t>& at) const {
  auto next = at;
  next[var] += 1;
  const std::vector<int64_t> c0 = coords(b, eval(index, at)), c1 = coords(b, eval(index, next));
  int dim = -1;
  for (size_t d = 0; d < c0.size(); ++d)
    if (c0[d] != c1[d]) {
      if (dim >= 0) fail("loop '" + var + "' moves along two dimensions of '" + b.name + "'");
      dim = int(d);
    }
  if (dim < 0) return {-1, 0};
  return {dim, c1[size_t(dim)] - c0[size_t(dim)]};
}

// An operand's strides are read off one step along each loop: the index must be affine in them,
// which the far corner checks (a nearest Resize's phases are; a gather would not be).
void CommandGenerator::Impl::check_affine(const std::string& buffer, const Expr& index,
                                          const Slots& slots,
                                          const std::map<std::string, int64_t>& at) const {
  auto corner = at;
  int64_t predicted = eval(index, at);
  for (const Slot& s : slots)
    if (!s.var.empty() && s.extent > 1) {
      predicted += (s.extent - 1) * step(Nest{}, index, s.var, at);
      corner[s.var] += s.extent - 1;
    }
  if (eval(index, corner) != predicted)
    fail("'" + buffer + "' is not addressed by strides: " + text(index));
}

Operand CommandGenerator::Impl::operand(const std::string& buffer, const Expr& index,
                                        const Slots& slots,
                                        const std::map<std::string, int64_t>& at) const {
  Operand o;
  o.dtype = dtype_of(buffer);
  const int64_t base = eval(index, at);
  check_affine(buffer, index, slots, at);
  uint32_t* extent[4] = {&o.n, &o.c, &o.h, &o.w};
  int64_t* stride[4] = {&o.ns, &o.cs, &o.hs, &o.ws};
  if (!is_local(buffer)) {
    o.space = Space::Global;
    o.addr = g.ddr_.at(buffer).addr + uint64_t(base * bytes(o.dtype));
    for (int k = 0; k < 4; ++k) {
      *extent[k] = uint32_t(slots[size_t(k)].extent);
      if (!slots[size_t(k)].var.empty()) *stride[k] = step(Nest{}, index, slots[size_t(k)].var, at);
      if (slots[size_t(k)].buffer_dim >= 0)
        fail("a DDR operand cannot be addressed by buffer dimension");
    }
    return o;
  }
  const LmemBuffer& b = buffer_of(buffer);
  o.space = Space::Local;
  const std::vector<int64_t> c = coords(b, base);
  int64_t offset = 0;
  for (size_t d = 0; d < c.size(); ++d)
    offset +=
        int(d) == b.lane_dim ? (c[d] / g.chip_.lanes) * b.plane : c[d] * layout_stride(b, int(d));
  o.lane = uint32_t(b.lane_dim < int(c.size()) ? c[size_t(b.lane_dim)] % g.chip_.lanes : 0);
  o.addr = b.addr + uint64_t(offset * bytes(o.dtype));
  o.cs = b.plane;
  for (int k = 0; k < 4; ++k) {
    const Slot& s = slots[size_t(k)];
    *extent[k] = uint32_t(s.extent);
    int dim = s.buffer_dim;
    int64_t by = 1;
    if (!s.var.empty()) std::tie(dim, by) = direction(b, index, s.var, at);
    if (dim < 0) {           // the slot does not move in this buffer: a broadcast (stride 0)
      if (k == 1) o.cs = 0;  // across channels: a buffer held in every lane
      continue;
    }
    if ((k == 1) != (dim == b.lane_dim) && s.extent > 1)
      fail("'" + buffer + "': the channel slot must be the buffer's lane dimension (slot " +
           std::to_string(k) + " moves along dimension " + std::to_string(dim) + ")");
    if (dim == b.lane_dim && by != 1) fail("'" + buffer + "': channels must be consecutive");
    *stride[k] = by * layout_stride(b, dim);
  }
  return o;
}

// Automatic slots for copies and elementwise stages: the variable moving along the local
// buffer's lane dimension is c, the others n, h, w from the outermost buffer dimension in.
Slots CommandGenerator::Impl::auto_slots(const Nest& n, const std::string& local,
                                         const Expr& index) const {
  Slots s;
  const auto at = origin(n);
  if (!is_local(
          local)) {  // DDR to DDR (a transpose): the loops, outermost first, become n, c, h, w
    std::vector<Loop> moving;
    for (const Loop& l : n.loops)
      if (l.extent > 1) moving.push_back(l);
    // Over more than four, a loop that a loop inside it continues in both buffers (a 5-D channel
    // shuffle's rows and columns) merges into that one, walked further.
    for (size_t k = moving.size(); moving.size() > 4 && k-- > 1;) {
      const Loop &outer = moving[k - 1], &inner = moving[k];
      auto continues = [&](const Expr& e) {
        return step(Nest{}, e, outer.var, at) == inner.extent * step(Nest{}, e, inner.var, at);
      };
      if (continues(index) && continues(n.index)) {
        moving[k].extent *= outer.extent;
        moving.erase(moving.begin() + long(k) - 1);
      }
    }
    if (moving.size() > 4)
      fail("a copy between two DDR buffers over more than four dimensions has no GDMA form");
    for (size_t k = 0; k < moving.size(); ++k)
      s[4 - moving.size() + k] = {moving[k].var, -1, moving[k].extent};
    return s;
  }
  std::vector<std::pair<int, Loop>> others;
  for (const Loop& l : n.loops) {
    if (l.extent == 1) continue;
    const int dim = direction(buffer_of(local), index, l.var, at).first;
    if (dim == buffer_of(local).lane_dim) {
      s[1] = {l.var, -1, l.extent};
    } else {
      others.push_back({dim, l});
    }
  }
  std::sort(others.begin(), others.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  if (others.size() > 3) fail("a stage needs more than four dimensions");
  static const size_t kOuterToInner[] = {0, 2, 3};  // n, h, w: the innermost dimension goes to w
  const size_t first = 3 - others.size();
  for (size_t k = 0; k < others.size(); ++k)
    s[kOuterToInner[first + k]] = {others[k].second.var, -1, others[k].second.extent};
  return s;
}

Slots CommandGenerator::Impl::auto_slots_at(const Nest& n, const std::string& local,
                                            const Expr& index,
                                            const std::map<std::string, int64_t>& at) const {
  // auto_slots reads directions at the origin; shift the index so `at` is the origin.
  std::map<std::string, Expr> shift;
  for (const auto& [v, k] : at) shift[v] = Variable::make(Int(32), v) + int(k);
  return auto_slots(n, local, simplify(substitute(shift, index)));
}

// The nest that reads the stage's own buffer (the reduction update) and the one that
// initializes it.
std::pair<const Nest*, const Nest*> CommandGenerator::Impl::init_and_update(
    const std::string& stage) const {
  const Nest* init = nullptr;
  const Nest* update = nullptr;
  for (const Nest& n : pending) {
    const auto loads = loads_in(n.value);
    const bool reads_itself =
        std::any_of(loads.begin(), loads.end(), [&](const Access& a) { return a.buffer == stage; });
    if (reads_itself) {
      update = &n;
    } else {
      init = &n;
    }
  }
  if (!update) internal("stage '" + stage + "' has no reduction");
  return {init, update};
}

CommandGenerator::Impl::Roles CommandGenerator::Impl::roles(const Nest& n) const {
  Roles r;
  const auto at = origin(n);
  for (const Loop& l : n.loops) {
    const auto [dim, by] = direction(buffer_of(n.buffer), n.index, l.var, at);
    if (dim < 0) {
      r.reduction.push_back(l);
    } else {
      if (by != 1) fail("result loop '" + l.var + "' must step by one element");
      r.result[dim] = l;
    }
  }
  return r;
}

Slot CommandGenerator::Impl::result_slot(const Roles& r, int dim) const {
  auto it = r.result.find(dim);
  return it == r.result.end() ? Slot{} : Slot{it->second.var, -1, it->second.extent};
}

// The buffers a stage reads besides itself, once each (an expression may load one several times).
std::vector<Access> CommandGenerator::Impl::operand_loads(const Nest& n,
                                                          const std::string& stage) const {
  std::vector<Access> out;
  for (const Access& a : loads_in(n.value))
    if (a.buffer != stage &&
        std::none_of(out.begin(), out.end(), [&](const Access& o) { return o.buffer == a.buffer; }))
      out.push_back(a);
  return out;
}

// The input buffer dimension behind each slot (n, c, h, w; -1: none): the lane dimension is c,
// the others from the outermost in are n, h, w, the innermost w (as auto_slots assigns loops).
std::array<int, 4> CommandGenerator::Impl::slot_dims(const LmemBuffer& b) const {
  std::array<int, 4> dims{-1, b.lane_dim, -1, -1};
  std::vector<int> others;
  for (int d = int(b.extents.size()) - 1; d >= 0; --d)
    if (d != b.lane_dim) others.push_back(d);
  if (others.size() > 3) fail("'" + b.name + "' has more than four dimensions");
  static const size_t kOuterToInner[] = {0, 2, 3};
  for (size_t k = 0; k < others.size(); ++k) dims[kOuterToInner[3 - others.size() + k]] = others[k];
  return dims;
}

}  // namespace tpuc::bm1684x
