#include <algorithm>

#include "target/bm1684x/command_generator_impl.h"

namespace tpuc::bm1684x {

using namespace Halide;
using namespace Halide::Internal;
using namespace loop_nest;

// ---- output, in program order
void CommandGenerator::Impl::push(const GdmaCommand& c) {
  order.push_back({false, uint32_t(program.gdma.size())});
  program.gdma.push_back(c);
}

void CommandGenerator::Impl::push(const TiuCommand& c) {
  order.push_back({true, uint32_t(program.tiu.size())});
  program.tiu.push_back(c);
}

void CommandGenerator::Impl::visit(const ProducerConsumer* op) {
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
void CommandGenerator::Impl::visit(const Allocate* op) {
  if (op->memory_type != MemoryType::VTCM) return IRVisitor::visit(op);
  const StageRole* role = stage_role(op->name);
  if (!role) internal("local buffer '" + op->name + "' has no role");
  static const std::pair<Type, DType> kLocalTypes[] = {
      {Int(8), DType::I8},     {UInt(8), DType::U8},  // bools (CMP)
      {Int(32), DType::I32},   {Float(32), DType::F32},
      {Float(16), DType::F16}, {BFloat(16), DType::BF16}};
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

// Inside a compute stage, a buffer is freed (or its Allocate ends) before the stage's command is
// emitted (at the end of the producer): the release waits until then.
void CommandGenerator::Impl::release_after_compute(const std::string& name) {
  for (size_t k = producers.size(); k-- > 0;) {
    const StageRole* role = stage_role(producers[k]);
    if (role && role->kind == StageRole::Compute) return frees[k].push_back(name);
  }
  release(name);
}

void CommandGenerator::Impl::visit(const For* op) {
  Nest nest;
  if (collect_nest(op, nest)) return handle(nest);
  const int64_t* min = as_const_int(op->min);
  const int64_t* extent = as_const_int(op->extent);
  if (!min || !extent) fail("loop '" + op->name + "' has a non-constant range");
  for (int64_t k = *min; k < *min + *extent; ++k)  // a tile loop: one copy of its commands per tile
    simplify(substitute(op->name, make_const(op->min.type(), k), op->body)).accept(this);
}

void CommandGenerator::Impl::visit(
    const Store* op) {  // a store outside any loop: a nest of no loops
  handle(Nest{{}, op->name, op->index, strip_same_type_casts(op->value)});
}

const StageRole* CommandGenerator::Impl::stage_role(const std::string& f) const {
  auto it = g.lowered_.schedule.stages.find(f);
  return it == g.lowered_.schedule.stages.end() ? nullptr : &it->second;
}

void CommandGenerator::Impl::handle(const Nest& n) {
  const StageRole* role = producers.empty() ? nullptr : stage_role(producers.back());
  if (role && role->kind == StageRole::Compute) {
    pending.push_back(n);
  } else if (role && role->kind == StageRole::Padding) {
    record_view(n);
  } else {
    emit_copy(n);
  }
}

// ---- compute stages
void CommandGenerator::Impl::emit_compute(const std::string& stage, const StageRole& role) {
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
    case TiuOp::Cmp:
      return cmp(stage);
    case TiuOp::Sfu:
      return special_function(stage, role.function);
    default:
      internal("stage '" + stage + "': unsupported command");
  }
}

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
