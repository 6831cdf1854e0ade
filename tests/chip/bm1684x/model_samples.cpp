#include "tests/chip/bm1684x/model_samples.h"

namespace tpuc::bm1684x::testing {

namespace {

constexpr uint64_t kDdr = 0x100000000;

Operand global(uint64_t addr) {
  return {Space::Global, DType::I8, addr, 0, 1, 1, 1, 4, 4, 4, 4, 1};
}
Operand local(uint64_t addr) { return {Space::Local, DType::I8, addr, 0, 1, 1, 1, 4, 4, 4, 4, 1}; }

GdmaCommand load_or_store(uint32_t id, uint32_t dep, const Operand& src, const Operand& dst) {
  GdmaCommand c;
  c.id = id;
  c.dep = dep;
  c.op = GdmaOp::Tensor;
  c.src = src;
  c.dst = dst;
  return c;
}

TiuCommand copy(uint32_t id, uint32_t dep, const Operand& res, const Operand& opd0) {
  TiuCommand c;
  c.id = id;
  c.dep = dep;
  c.op = TiuOp::Arith;
  c.arith = ArithOp::Copy;
  c.res = res;
  c.opd0 = opd0;
  return c;
}

TensorType int8(double scale) { return {DType::I8, {1, 1, 1, 4}, QuantParams{{scale}, 0, -1}}; }

void add_ends(Program& p) {
  TiuCommand tiu_end;
  tiu_end.id = uint32_t(p.tiu.size() + 1);
  p.tiu.push_back(tiu_end);
  GdmaCommand gdma_end;
  gdma_end.id = uint32_t(p.gdma.size() + 1);
  p.gdma.push_back(gdma_end);
}

}  // namespace

Model tiny_model() {
  Model m;
  m.chip = "bm1684x";
  m.name = "tiny";
  m.inputs = {{"x", int8(0.25), kDdr + 0x1000}};
  m.outputs = {{"y", int8(0.5), kDdr + 0x2000}};
  m.weight_addr = kDdr;
  m.weights = {1, 2, 3, 4, 5, 6, 7, 8};
  m.ddr_bytes = 0x3000;
  m.macs = 4;
  m.program.gdma = {load_or_store(1, 0, global(kDdr + 0x1000), local(0)),
                    load_or_store(2, 1, local(0x40), global(kDdr + 0x2000))};
  m.program.tiu = {copy(1, 1, local(0x40), local(0))};
  add_ends(m.program);
  m.layers = {{"y", "Identity", {"y"}, 1, {0}, {0, 1}}};
  return m;
}

Model host_layer_model() {
  Model m = tiny_model();
  m.name = "host";
  m.ddr_bytes = 0x5000;
  m.program.gdma = {load_or_store(1, 0, global(kDdr + 0x1000), local(0)),
                    load_or_store(2, 1, local(0x40), global(kDdr + 0x3000)),
                    load_or_store(3, 1, global(kDdr + 0x4000), local(0x80)),
                    load_or_store(4, 2, local(0xc0), global(kDdr + 0x2000))};
  m.program.tiu = {copy(1, 1, local(0x40), local(0)), copy(2, 3, local(0xc0), local(0x80))};
  add_ends(m.program);
  HostLayer neg;
  neg.name = "neg";
  neg.op = "Neg";
  neg.graph = "graph neg\n";  // the runner parses it; these tests do not run it
  neg.inputs = {{"t", int8(0.5), kDdr + 0x3000}};
  neg.outputs = {{"u", int8(0.5), kDdr + 0x4000}};
  neg.tiu_at = 1;
  neg.gdma_at = 2;
  neg.reason = "no bm1684x schedule for Neg";
  m.host_layers = {neg};
  m.layers = {{"t", "Identity", {"t"}, 1, {0}, {0, 1}}, {"y", "Identity", {"y"}, 1, {1}, {2, 3}}};
  return m;
}

Model host_layer_model_as_read() {
  Model m = host_layer_model();
  m.program.gdma[2].dep = 0;
  return m;
}

}  // namespace tpuc::bm1684x::testing
