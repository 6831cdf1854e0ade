#include "target/bm1684x/command_generator.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <sstream>

#include "ir/diagnostics.h"
#include "ops/attrs.h"
#include "target/bm1684x/special_functions.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;

namespace {

std::string text(const Expr& e) {
  std::ostringstream s;
  s << e;
  return s.str();
}

struct Loop {
  std::string var;
  int64_t extent;
};

// An innermost perfect loop nest: loops (outermost first) around one Store.
struct Nest {
  std::vector<Loop> loops;
  std::string buffer;
  Expr index, value;
};

// One operand dimension: either a loop variable (stride from its step) or a whole buffer
// dimension (stride from the buffer's layout), with the extent the command covers.
struct Slot {
  std::string var;
  int buffer_dim = -1;
  int64_t extent = 1;
};
using Slots = std::array<Slot, 4>;  // n, c, h, w

struct Access {
  std::string buffer;
  Expr index;
};

class LoadCollector : public IRVisitor {
 public:
  std::vector<Access> loads;
  using IRVisitor::visit;
  void visit(const Load* op) override {
    loads.push_back({op->name, op->index});
    IRVisitor::visit(op);
  }
};

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

std::vector<Expr> conjuncts(const Expr& e) {
  if (const And* a = e.as<And>()) {
    std::vector<Expr> l = conjuncts(a->a), r = conjuncts(a->b);
    l.insert(l.end(), r.begin(), r.end());
    return l;
  }
  return {e};
}

// The parts of an "outside the input" condition, one loop variable each where the simplifier
// merged them: a || b, min(a, b) < k (a < k || b < k) and k < max(a, b) (k < a || k < b).
std::vector<Expr> disjuncts(const Expr& e) {
  auto both = [](std::vector<Expr> l, const std::vector<Expr>& r) {
    l.insert(l.end(), r.begin(), r.end());
    return l;
  };
  if (const Or* o = e.as<Or>()) return both(disjuncts(o->a), disjuncts(o->b));
  if (const LT* lt = e.as<LT>()) {
    if (const Min* m = lt->a.as<Min>())
      return both(disjuncts(m->a < lt->b), disjuncts(m->b < lt->b));
    if (const Max* m = lt->b.as<Max>())
      return both(disjuncts(lt->a < m->a), disjuncts(lt->a < m->b));
  }
  return {e};
}

}  // namespace

struct CommandGenerator::Impl : public IRVisitor {
  CommandGenerator& g;
  Program& program;
  std::vector<Issued>& order;
  std::vector<std::string> producers;
  std::vector<std::vector<std::string>> frees;  // per producer: buffers freed inside it
  std::vector<Nest> pending;
  LocalMemory memory;  // the local buffers live at this point of the walk, and the padded views
  std::set<std::string> tables;  // the coefficient tables written so far (kept to the node's end)

  Impl(CommandGenerator& gen, Program& p, std::vector<Issued>& o)
      : g(gen), program(p), order(o), memory(gen.chip_, gen.lmem_) {}

  // The loop nest has no command form: a refusal with its reason, as Halide's
  // ExtractTileOperations refuses; the layer runs on the host (or its group node by node).
  [[noreturn]] void fail(const std::string& why) const {
    throw Unsupported(describe(g.node_) + " on " + g.chip_.name + ": " + why);
  }
  // The generator's own invariant broke: a bug, never a host layer.
  [[noreturn]] void internal(const std::string& why) const {
    TPUC_INTERNAL_ERROR(describe(g.node_) + " on " + g.chip_.name + ": " + why);
  }

  // ---- evaluation of index expressions at points of a nest

  int64_t eval(const Expr& e, const std::map<std::string, int64_t>& at) const {
    std::map<std::string, Expr> values;
    for (const auto& [v, k] : at) values[v] = make_const(Int(32), k);
    const Expr r = simplify(substitute(values, e));
    const int64_t* k = as_const_int(r);
    if (!k) fail("an index does not reduce to a constant at a loop point: " + text(r));
    return *k;
  }

  static std::map<std::string, int64_t> origin(const Nest& n,
                                               std::map<std::string, int64_t> start = {}) {
    for (const Loop& l : n.loops) start.emplace(l.var, 0);
    return start;
  }

  int64_t step(const Nest& n, const Expr& index, const std::string& var,
               const std::map<std::string, int64_t>& at) const {
    auto next = at;
    next[var] += 1;
    return eval(index, next) - eval(index, at);
  }

  // ---- buffers and operands

  bool is_local(const std::string& b) const { return memory.is_local(b); }
  const LmemBuffer& buffer_of(const std::string& b) const { return memory.buffer(b); }

  DType dtype_of(const std::string& b) const {
    if (is_local(b)) return buffer_of(b).dtype;
    auto it = g.ddr_.find(b);
    if (it == g.ddr_.end()) internal("buffer '" + b + "' is neither in local memory nor in DDR");
    return it->second.dtype;
  }

  // Coordinates of a flat Halide index in a local buffer.
  std::vector<int64_t> coords(const LmemBuffer& b, int64_t flat) const {
    std::vector<int64_t> c;
    for (int64_t e : b.extents) {
      c.push_back(flat % e);
      flat /= e;
    }
    return c;
  }

  // Per-lane stride (elements) of a local buffer dimension: the slot stride for the lane dimension.
  static int64_t layout_stride(const LmemBuffer& b, int d) {
    if (d == b.lane_dim) return b.plane;
    int64_t s = 1;
    for (int k = 0; k < d; ++k)
      if (k != b.lane_dim) s *= b.extents[size_t(k)];
    return s;
  }

  // The buffer dimension a loop variable moves along, and by how much.
  std::pair<int, int64_t> direction(const LmemBuffer& b, const Expr& index, const std::string& var,
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
  void check_affine(const std::string& buffer, const Expr& index, const Slots& slots,
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

  Operand operand(const std::string& buffer, const Expr& index, const Slots& slots,
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
        if (!slots[size_t(k)].var.empty())
          *stride[k] = step(Nest{}, index, slots[size_t(k)].var, at);
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
  Slots auto_slots(const Nest& n, const std::string& local, const Expr& index) const {
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

  // ---- output, in program order

  void push(const GdmaCommand& c) {
    order.push_back({false, uint32_t(program.gdma.size())});
    program.gdma.push_back(c);
  }

  void push(const TiuCommand& c) {
    order.push_back({true, uint32_t(program.tiu.size())});
    program.tiu.push_back(c);
  }

  // `c` then, in place on its result, an ARITH of `op` with a constant: the int8 CONV's and
  // MATMUL's bias (an int32 add of opd2, which the chip's int8 forms do not take), a fused
  // activation's limit (a min).
  void push_then_bias(TiuCommand c) {
    if (!c.has_bias || c.opd0.dtype != DType::I8 || c.op == TiuOp::Depthwise) return push_window(c);
    TiuCommand add;
    add.op = TiuOp::Arith;
    add.arith = ArithOp::Add;
    add.res = add.opd0 = c.res;
    add.opd1 = c.opd2;  // [0, c, 0, 0]: broadcast over the samples and the positions
    add.opd1.n = c.res.n;
    add.opd1.h = c.res.h;
    add.opd1.w = c.res.w;
    add.opd1.ns = add.opd1.hs = add.opd1.ws = 0;
    add.relu = c.relu;
    c.has_bias = false;
    c.relu = false;
    push_window(c);
    push(add);
  }

  // A window command whose stride the chip's 4-bit field cannot hold (ViT's patch embedding,
  // stride 16): one command per output along that axis, where a single output makes the stride
  // irrelevant. Padding along such an axis has no form.
  void push_window(const TiuCommand& c) {
    const bool rows = c.stride_h > kMaxStride, cols = c.stride_w > kMaxStride;
    if (!rows && !cols) return push(c);
    if ((rows && (c.pad_top || c.pad_bottom)) || (cols && (c.pad_left || c.pad_right)))
      fail("a padded window with a stride above " + std::to_string(kMaxStride) +
           " has no command form");
    const int64_t out = bytes(c.res.dtype), in = bytes(c.opd0.dtype);
    for (uint32_t y = 0; y < (rows ? c.res.h : 1u); ++y)
      for (uint32_t x = 0; x < (cols ? c.res.w : 1u); ++x) {
        TiuCommand one = c;
        if (rows) {
          one.res.h = 1;
          one.res.addr += uint64_t(y * c.res.hs * out);
          one.opd0.h = uint32_t((c.kh - 1) * c.dilation_h + 1);
          one.opd0.addr += uint64_t(int64_t(y) * c.stride_h * c.opd0.hs * in);
          one.stride_h = 1;
        }
        if (cols) {
          one.res.w = 1;
          one.res.addr += uint64_t(x * c.res.ws * out);
          one.opd0.w = uint32_t((c.kw - 1) * c.dilation_w + 1);
          one.opd0.addr += uint64_t(int64_t(x) * c.stride_w * c.opd0.ws * in);
          one.stride_w = 1;
        }
        push(one);
      }
  }
  void push_then_limit(const TiuCommand& c, const StageRole& role) {
    push(c);
    const ops::FusedActivation a = ops::FusedActivation::of(*role.node);
    if (a.relu_limit) push(with_constant(ArithOp::Min, c.res, c.res, *a.relu_limit));
  }

  // res = x ⊙ k, an ARITH with a constant operand.
  static TiuCommand with_constant(ArithOp op, const Operand& res, const Operand& x, double k) {
    TiuCommand c;
    c.op = TiuOp::Arith;
    c.arith = op;
    c.res = res;
    c.opd0 = x;
    c.opd1_const = true;
    c.constant = float(k);
    return c;
  }

  // ---- the walk

  using IRVisitor::visit;

  void visit(const ProducerConsumer* op) override {
    if (!op->is_producer) return IRVisitor::visit(op);
    producers.push_back(op->name);
    frees.emplace_back();
    const StageRole* role = stage_role(op->name);
    const bool compute = role && role->kind == StageRole::Compute;
    if (compute) pending.clear();
    op->body.accept(this);
    producers.pop_back();
    if (compute) emit_compute(op->name, *role);
    for (const std::string& f : frees.back()) release(f);
    frees.pop_back();
  }

  // A local buffer lives from its Allocate to its Free (Halide frees it after its last consumer).
  void visit(const Allocate* op) override {
    if (op->memory_type != MemoryType::VTCM) return IRVisitor::visit(op);
    const StageRole* role = stage_role(op->name);
    if (!role) internal("local buffer '" + op->name + "' has no role");
    static const std::pair<Type, DType> kLocalTypes[] = {{Int(8), DType::I8},
                                                         {Int(32), DType::I32},
                                                         {Float(32), DType::F32},
                                                         {Float(16), DType::F16},
                                                         {BFloat(16), DType::BF16}};
    auto type = std::find_if(std::begin(kLocalTypes), std::end(kLocalTypes),
                             [&](const auto& t) { return t.first == op->type; });
    if (type == std::end(kLocalTypes))
      fail("local buffer '" + op->name + "' has a type no TIU command takes");
    LmemBuffer b{op->name, type->second, {}, role->lane_dim};
    for (const Expr& e : op->extents) {
      const int64_t* k = as_const_int(e);
      if (!k) fail("local buffer '" + op->name + "' has a non-constant size");
      b.extents.push_back(*k);
    }
    if (role->every_lane)
      b.lane_dim = int(b.extents.size());    // no dimension on the lanes: all of it in each
    if (role->kind == StageRole::Padding) {  // laid out for its coordinates, never placed
      memory.place_view(b);
    } else {
      memory.place(b);
    }
    op->body.accept(this);
    release_after_compute(op->name);
  }

  void visit(const Free* op) override { release_after_compute(op->name); }

  // Inside a compute stage, a buffer is freed (or its Allocate ends) before the stage's command is
  // emitted (at the end of the producer): the release waits until then.
  void release_after_compute(const std::string& name) {
    for (size_t k = producers.size(); k-- > 0;) {
      const StageRole* role = stage_role(producers[k]);
      if (role && role->kind == StageRole::Compute) return frees[k].push_back(name);
    }
    release(name);
  }

  void release(const std::string& name) { memory.release(name); }

  void visit(const For* op) override {
    Nest nest;
    if (collect_nest(op, nest)) return handle(nest);
    const int64_t* min = as_const_int(op->min);
    const int64_t* extent = as_const_int(op->extent);
    if (!min || !extent) fail("loop '" + op->name + "' has a non-constant range");
    for (int64_t k = *min; k < *min + *extent;
         ++k)  // a tile loop: one copy of its commands per tile
      simplify(substitute(op->name, make_const(op->min.type(), k), op->body)).accept(this);
  }

  void visit(const Store* op) override {  // a store outside any loop: a nest of no loops
    handle(Nest{{}, op->name, op->index, strip_same_type_casts(op->value)});
  }

  const StageRole* stage_role(const std::string& f) const {
    auto it = g.lowered_.schedule.stages.find(f);
    return it == g.lowered_.schedule.stages.end() ? nullptr : &it->second;
  }

  void handle(const Nest& n) {
    const StageRole* role = producers.empty() ? nullptr : stage_role(producers.back());
    if (role && role->kind == StageRole::Compute) {
      pending.push_back(n);
    } else if (role && role->kind == StageRole::Padding) {
      record_view(n);
    } else {
      emit_copy(n);
    }
  }

  // A copy nest's value: a plain load, a constant, or select(inside, load, constant) — the
  // simplifier may have turned the select around: select(outside, constant, load).
  struct CopyValue {
    const Load* load = nullptr;
    const Select* select = nullptr;
    Expr fill;                 // the constant (with a select, or alone)
    std::vector<Expr> inside;  // the select's conditions for the load, one loop each
  };
  CopyValue copy_value(const Nest& n) const {
    CopyValue v;
    v.select = n.value.as<Select>();
    auto constant = [](const Expr& e) { return as_const_int(e) || as_const_float(e); };
    const bool outside_first =
        v.select && constant(v.select->true_value) && !constant(v.select->false_value);
    if (v.select && outside_first)
      for (const Expr& d : disjuncts(v.select->condition)) v.inside.push_back(simplify(!d));
    if (v.select && !outside_first) v.inside = conjuncts(v.select->condition);
    v.load =
        strip_same_type_casts(
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
  static double constant_of(const Expr& e) {
    return as_const_int(e) ? double(*as_const_int(e)) : *as_const_float(e);
  }

  // A padded view's nest: where its source's coordinates sit among its own, and its fill value.
  void record_view(const Nest& n) {
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
  void emit_copy(const Nest& n) {
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
    if (std::any_of(box.loops.begin(), box.loops.end(),
                    [](const Loop& l) { return l.extent <= 0; }))
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
    push(c);
  }

  Slots auto_slots_at(const Nest& n, const std::string& local, const Expr& index,
                      const std::map<std::string, int64_t>& at) const {
    // auto_slots reads directions at the origin; shift the index so `at` is the origin.
    std::map<std::string, Expr> shift;
    for (const auto& [v, k] : at) shift[v] = Variable::make(Int(32), v) + int(k);
    return auto_slots(n, local, simplify(substitute(shift, index)));
  }

  // Narrows the box to where one conjunct of the padding condition holds (it must use one loop).
  void clip_box(const Nest& n, const Expr& c, std::map<std::string, int64_t>& lo,
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

  // ---- compute stages

  void emit_compute(const std::string& stage, const StageRole& role) {
    if (pending.empty()) internal("stage '" + stage + "' has no loop nest");
    switch (role.op) {
      case TiuOp::Conv:
        return window_command(stage, role, TiuOp::Conv);
      case TiuOp::Depthwise:
        return window_command(stage, role, TiuOp::Depthwise);
      case TiuOp::Pool:
        return window_command(stage, role, TiuOp::Pool);
      case TiuOp::MatMul:
        return matmul(stage);
      case TiuOp::Requant:
        return requant(stage, role);
      case TiuOp::Arith:
        return arith(stage, role);
      case TiuOp::Lut:
        return lut(stage, role);
      case TiuOp::Sfu:
        return special_function(stage, role.function);
      default:
        internal("stage '" + stage + "': unsupported command");
    }
  }

  // The nest that reads the stage's own buffer (the reduction update) and the one that
  // initializes it.
  std::pair<const Nest*, const Nest*> init_and_update(const std::string& stage) const {
    const Nest* init = nullptr;
    const Nest* update = nullptr;
    for (const Nest& n : pending) {
      const auto loads = loads_in(n.value);
      const bool reads_itself = std::any_of(loads.begin(), loads.end(),
                                            [&](const Access& a) { return a.buffer == stage; });
      if (reads_itself) {
        update = &n;
      } else {
        init = &n;
      }
    }
    if (!update) internal("stage '" + stage + "' has no reduction");
    return {init, update};
  }

  // Variables of a nest that index the result (by result dimension) and the reductions.
  struct Roles {
    std::map<int, Loop> result;  // result buffer dimension → loop
    std::vector<Loop> reduction;
  };
  Roles roles(const Nest& n) const {
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

  Slot result_slot(const Roles& r, int dim) const {
    auto it = r.result.find(dim);
    return it == r.result.end() ? Slot{} : Slot{it->second.var, -1, it->second.extent};
  }

  // The buffers a stage reads besides itself, once each (an expression may load one several times).
  std::vector<Access> operand_loads(const Nest& n, const std::string& stage) const {
    std::vector<Access> out;
    for (const Access& a : loads_in(n.value))
      if (a.buffer != stage && std::none_of(out.begin(), out.end(),
                                            [&](const Access& o) { return o.buffer == a.buffer; }))
        out.push_back(a);
    return out;
  }

  // The bias of an accumulation: its initialization loads it, or is zero.
  bool bias(const Nest* init, const std::string& stage, TiuCommand& c) const {
    if (!init) return false;
    const auto loads = operand_loads(*init, stage);
    if (loads.empty()) {
      const int64_t* k = as_const_int(init->value);
      const double* f = as_const_float(init->value);
      if ((k && *k == 0) || (f && *f == 0)) return false;
      fail("stage '" + stage + "' starts from a value that is neither zero nor a bias load");
    }
    const Roles r = roles(*init);
    Slots s;
    s[1] = result_slot(r, buffer_of(stage).lane_dim);
    c.opd2 = operand(loads[0].buffer, loads[0].index, s, origin(*init));
    return true;
  }

  // The input buffer dimension behind each slot (n, c, h, w; -1: none): the lane dimension is c,
  // the others from the outermost in are n, h, w, the innermost w (as auto_slots assigns loops).
  std::array<int, 4> slot_dims(const LmemBuffer& b) const {
    std::array<int, 4> dims{-1, b.lane_dim, -1, -1};
    std::vector<int> others;
    for (int d = int(b.extents.size()) - 1; d >= 0; --d)
      if (d != b.lane_dim) others.push_back(d);
    if (others.size() > 3) fail("'" + b.name + "' has more than four dimensions");
    static const size_t kOuterToInner[] = {0, 2, 3};
    for (size_t k = 0; k < others.size(); ++k)
      dims[kOuterToInner[3 - others.size() + k]] = others[k];
    return dims;
  }

  // CONV, DEPTHWISE and POOL: a window over the (padded) input, read off the reduction's index
  // expressions in the input's slots: the result loop and the reduction loop walking each input
  // dimension give the output extent and stride, the kernel extent and dilation. POOL also
  // reduces a whole row (softmax's max and sum: a window as long as the row).
  void window_command(const std::string& stage, const StageRole& role, TiuOp op) {
    const auto [init, update] = init_and_update(stage);
    const Roles r = roles(*update);
    const LmemBuffer& res = buffer_of(stage);
    const auto at = origin(*update);
    const auto loads = operand_loads(*update, stage);
    const Slot oc = result_slot(r, res.lane_dim);
    // The input does not move with the output channel; the weights do.
    const Access* in = nullptr;
    const Access* w = nullptr;
    const bool weighted = op == TiuOp::Conv || op == TiuOp::Depthwise;
    const std::vector<std::string>& named = role.operands;  // depthwise: {input, weights}
    for (const Access& a : loads) {
      const bool is_weight = op == TiuOp::Depthwise ? named.size() == 2 && a.buffer == named[1]
                                                    : op == TiuOp::Conv && !oc.var.empty() &&
                                                          step(*update, a.index, oc.var, at) != 0;
      if (is_weight) {
        w = &a;
      } else {
        in = &a;
      }
    }
    if (!in || (weighted && !w))
      fail("stage '" + stage + "': cannot tell the input from the weights");
    const LmemBuffer& pad = buffer_of(in->buffer);
    const std::array<int, 4> in_dims = slot_dims(pad);
    // The loops walking each input dimension: results (with their stride) and reductions.
    std::map<int, Loop> out, reduce;
    for (const auto& [dim, loop] : r.result) {
      const int walked = direction(pad, in->index, loop.var, at).first;
      if (walked >= 0 && walked != pad.lane_dim) out[walked] = loop;
    }
    for (const Loop& l : r.reduction) reduce[direction(pad, in->index, l.var, at).first] = l;
    TiuCommand c;
    c.op = op;
    c.pool_sum = role.pool_sum;
    auto slot_of = [](const std::map<int, Loop>& loops, int dim) {
      auto it = loops.find(dim);
      return it == loops.end() ? Slot{} : Slot{it->second.var, -1, it->second.extent};
    };
    auto window = [&](int dim, uint16_t& k, uint8_t& stride, uint8_t& dilation) {
      const Slot o = slot_of(out, dim);
      const int64_t kernel = reduce.count(dim) ? reduce[dim].extent : 1;
      if (kernel > kMaxKernel)
        fail("stage '" + stage + "': a window of " + std::to_string(kernel) +
             " has no command form");
      k = uint16_t(kernel);
      const int64_t step = o.var.empty() ? 1 : direction(pad, in->index, o.var, at).second;
      const int64_t spread =
          reduce.count(dim) ? direction(pad, in->index, reduce[dim].var, at).second : 1;
      if (step > std::numeric_limits<uint8_t>::max() || spread > kMaxDilation)
        fail("stage '" + stage + "': a stride above 255 or a dilation above " +
             std::to_string(kMaxDilation) + " has no command form");
      stride = uint8_t(step);
      dilation = uint8_t(spread);
      return (o.extent - 1) * stride + (kernel - 1) * dilation +
             1;  // input extent the window covers
    };
    const int64_t in_w = window(in_dims[3], c.kw, c.stride_w, c.dilation_w);
    const int64_t in_h = window(in_dims[2], c.kh, c.stride_h, c.dilation_h);
    if (reduce.count(in_dims[0]) && in_dims[0] >= 0)
      fail("stage '" + stage + "': a window over the outermost dimension has no command form");
    const Slot n = slot_of(out, in_dims[0]);
    c.res = operand(stage, update->index,
                    {n, oc, slot_of(out, in_dims[2]), slot_of(out, in_dims[3])}, at);
    const int64_t channels = op == TiuOp::Conv
                                 ? (reduce.count(pad.lane_dim) ? reduce[pad.lane_dim].extent : 1)
                                 : oc.extent;
    const Slot in_channels =
        op == TiuOp::Depthwise ? oc
                               : Slot{"", pad.lane_dim, channels};  // depthwise: follows the output
    auto spatial = [](int dim, int64_t extent) { return dim < 0 ? Slot{} : Slot{"", dim, extent}; };
    c.opd0 = operand(in->buffer, in->index,
                     {n, in_channels, spatial(in_dims[2], in_h), spatial(in_dims[3], in_w)}, at);
    if (memory.view(in->buffer)) read_through_padding(c, *in, in_dims, at);
    if (weighted) {
      // Weights [oc, ic, ky·kw + kx]: ky must step kw times as far as kx.
      const Loop kx = reduce.count(in_dims[3]) ? reduce[in_dims[3]] : Loop{"", 1};
      Slots ws{Slot{}, oc,
               reduce.count(pad.lane_dim) ? Slot{reduce[pad.lane_dim].var, -1, channels} : Slot{},
               Slot{kx.var, -1, int64_t(c.kh) * c.kw}};
      c.opd1 = operand(w->buffer, w->index, ws, at);
      if (c.kh > 1 && step(*update, w->index, reduce[in_dims[2]].var, at) !=
                          c.kw * step(*update, w->index, kx.var, at))
        fail("stage '" + stage + "': weights are not laid out [oc, ic, ky, kx]");
      c.has_bias = bias(init, stage, c);
      g.macs_ += uint64_t(c.res.elements()) * uint64_t(op == TiuOp::Depthwise ? 1 : channels) *
                 c.kh * c.kw;
    }
    push_then_bias(c);
  }

  // A window over a padded view (opd0 as computed, in the view's coordinates) becomes a window
  // over the view's source: the box of it under the window, with the padding the window overhangs.
  void read_through_padding(TiuCommand& c, const Access& in, const std::array<int, 4>& dims,
                            const std::map<std::string, int64_t>& at) const {
    const PaddedView& v = *memory.view(in.buffer);
    const std::vector<int64_t> start = coords(buffer_of(in.buffer), eval(in.index, at));
    std::vector<int64_t> from(start.size());
    for (size_t d = 0; d < start.size(); ++d) from[d] = start[d] - v.offset[d];
    auto axis = [&](int d, uint32_t extent, uint8_t& before, uint8_t& after) -> int64_t {
      const int64_t first = std::max(start[size_t(d)], v.begin[size_t(d)]),
                    last = std::min(start[size_t(d)] + extent, v.end[size_t(d)]);
      if (last <= first || first - start[size_t(d)] > kMaxPad ||
          start[size_t(d)] + extent - last > kMaxPad)
        fail("a window over '" + in.buffer + "' overhangs its input by more than the " +
             std::to_string(kMaxPad) + " the padding fields hold");
      before = uint8_t(first - start[size_t(d)]);
      after = uint8_t(start[size_t(d)] + extent - last);
      from[size_t(d)] = first - v.offset[size_t(d)];
      return last - first;
    };
    const int64_t h = axis(dims[2], c.opd0.h, c.pad_top, c.pad_bottom),
                  w = axis(dims[3], c.opd0.w, c.pad_left, c.pad_right);
    const LmemBuffer& source = buffer_of(v.source);
    int64_t flat = 0, stride = 1;
    for (size_t d = 0; d < from.size(); ++d) flat += from[d] * stride, stride *= source.extents[d];
    auto whole = [](int dim, int64_t extent) { return dim < 0 ? Slot{} : Slot{"", dim, extent}; };
    c.opd0 = operand(
        v.source, make_const(Int(32), int(flat)),
        {whole(dims[0], c.opd0.n), whole(dims[1], c.opd0.c), whole(dims[2], h), whole(dims[3], w)},
        at);
    c.pad_value = float(v.value);
  }

  // MATMUL: result [m, n] with n on the lanes; the left operand has k on the lanes.
  void matmul(const std::string& stage) {
    const auto [init, update] = init_and_update(stage);
    const Roles r = roles(*update);
    if (r.reduction.size() != 1)
      fail("stage '" + stage + "': a matrix product reduces over one loop");
    const LmemBuffer& res = buffer_of(stage);
    const auto at = origin(*update);
    const Slot col = result_slot(r, res.lane_dim), row = result_slot(r, res.lane_dim == 0 ? 1 : 0);
    const Loop k = r.reduction[0];
    const auto loads = operand_loads(*update, stage);
    const Access* left = nullptr;
    const Access* right = nullptr;
    for (const Access& a : loads)
      (!col.var.empty() && step(*update, a.index, col.var, at) != 0 ? right : left) = &a;
    if (!left || !right) fail("stage '" + stage + "': cannot tell the two matrices apart");
    TiuCommand c;
    c.op = TiuOp::MatMul;
    c.res = operand(stage, update->index, {row, col, Slot{}, Slot{}}, at);
    c.opd0 =
        operand(left->buffer, left->index, {row, Slot{k.var, -1, k.extent}, Slot{}, Slot{}}, at);
    c.opd1 =
        operand(right->buffer, right->index, {Slot{}, col, Slot{k.var, -1, k.extent}, Slot{}}, at);
    c.has_bias = bias(init, stage, c);
    g.macs_ += uint64_t(c.res.elements()) * uint64_t(k.extent);
    push_then_bias(c);
  }

  // REQUANT: the accumulator with its channel's [multiplier, shift, zero point] block, read from
  // the requantization table: three loads one after another.
  void requant(const std::string& stage, const StageRole& role) {
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
    c.opd1 = operand(role.requant, table.begin()->second,
                     {Slot{}, slots[1], Slot{}, Slot{"", 0, 3}}, at);
    push_then_limit(c, role);
  }

  // ARITH, elementwise over the stage. A conversion (Quantize, Dequantize, Convert; the scale from
  // the schedule) reads one operand; a binary op reads the operands its role names, in order (int8
  // Add: with the node's multipliers and shift), the second possibly an immediate of the
  // expression. Add and Convert produce the node's result, with its activation.
  void arith(const std::string& stage, const StageRole& role) {
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
    if (opd[1]) {
      c.opd1 = operand(opd[1]->buffer, opd[1]->index, slots, at);
    } else {
      immediate(n.value, c);
    }
    c.relu = ops::FusedActivation::of(*role.node).relu;
    if (c.res.dtype != DType::I8) return push_then_limit(c, role);
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
  void int8_add(const TiuCommand& add, const Operand& sum, const StageRole& role) {
    const ops::Requantization r = ops::Requantization::of(*role.node);
    if (r.multiplier.size() != 2 || r.rshift.size() != 1 || role.zero_points.size() != 3)
      fail("an int8 Add needs multiplier = [m0, m1], rshift = [s] and its zero points");
    const int64_t m0 = r.multiplier[0], m1 = r.multiplier[1];
    if (255 * (std::abs(m0) + std::abs(m1)) >= (int64_t(1) << 31) || r.rshift[0] < 0 ||
        r.rshift[0] > 63)
      fail("int8 Add multipliers " + std::to_string(m0) + ", " + std::to_string(m1) +
           " overflow the chip's int32 sum (the quantizer's have 15 bits)");
    push(with_constant(ArithOp::Mul, sum, add.opd0, double(m0)));
    push(with_constant(ArithOp::Mac, sum, add.opd1, double(m1)));
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
  // turned a division into a multiplication) and k as opd1 (constant_first for `k ⊙ x`).
  void immediate(Expr e, TiuCommand& c) const {
    for (;;) {
      e = strip_same_type_casts(e);
      if (const Cast* cast = e.as<Cast>())
        e = cast->value;
      else if (const Max* m = e.as<Max>())
        e = m->a;
      else if (const Min* m = e.as<Min>())
        e = m->a;
      else
        break;
    }
    auto with_constant = [&](auto* node, ArithOp op) {
      const double* second = node ? as_const_float(node->b) : nullptr;
      const double* first = node && !second ? as_const_float(node->a) : nullptr;
      if (second || first) {
        c.arith = op;
        c.opd1_const = true;
        c.constant_first = first != nullptr;
        c.constant = float(first ? *first : *second);
      }
      return second || first;
    };
    if (with_constant(e.as<Add>(), ArithOp::Add) || with_constant(e.as<Sub>(), ArithOp::Sub) ||
        with_constant(e.as<Mul>(), ArithOp::Mul) || with_constant(e.as<Div>(), ArithOp::Div))
      return;
    fail("a binary op with one operand needs a constant operand: " + text(e));
  }

  // LUT: the role names {input, table}; the table is read at an index computed from the input, so
  // its operand is the whole table from its base, in every lane (no stride across channels).
  void lut(const std::string& stage, const StageRole& role) {
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
    c.opd1 = operand(table->buffer, make_zero(Int(32)),
                     {Slot{}, slots[1], Slot{}, Slot{"", 0, 256}}, at);
    push(c);
  }

  // exp, erf or sqrt of the stage's one operand, in f32: its commands (special_functions.h) in
  // scratch tiles laid out as the stage, with the coefficient tables they read.
  void special_function(const std::string& stage, SpecialFunction f) {
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
  Operand table(const CoefficientTable& t, const Operand& res) {
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
  Operand coefficients(const std::string& name, int k, int count, uint32_t channels) const {
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
  void release_tables() {
    for (const std::string& name : tables) memory.release(name);
  }

  // `c` (a conversion) elementwise over the stage, reading one operand; with the
  // fused activation's limit of `role`'s node when given.
  void unary(const std::string& stage, TiuCommand c, const StageRole* role = nullptr) {
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
};

CommandGenerator::CommandGenerator(const Chip& chip, const Node& node, const LoweredGroup& lowered,
                                   std::map<std::string, DdrBuffer> ddr, LmemAllocator& lmem)
    : chip_(chip), node_(node), lowered_(lowered), ddr_(std::move(ddr)), lmem_(lmem) {}

void CommandGenerator::emit(Program& program, std::vector<Issued>& order) {
  Impl walker(*this, program, order);
  lowered_.body.accept(&walker);
  walker.release_tables();
  buffers_ = walker.memory.placed();
  padded_views_ = walker.memory.views();
}

std::map<std::string, DdrBuffer> ddr_buffers(
    const Graph& g, const LoweredGroup& lowered,
    const std::function<uint64_t(const std::string& name, bool table)>& addr) {
  std::map<std::string, DdrBuffer> buffers;
  for (const auto& [param, value] : lowered.params)
    buffers[param] = {addr(value, false), g.type(value).dtype};
  for (const auto& [name, buffer] : lowered.buffers) {
    const DType dtype = buffer.type() == Halide::Int(32) ? DType::I32 : DType::I8;
    buffers[name] = {addr(name, true), dtype};
  }
  return buffers;
}

}  // namespace tpuc::bm1684x
