#include "tests/support/sim_harness.h"

#include "chip/bm1684x/sim/cycle_model.h"
#include "chip/bm1684x/sim/simulator.h"
#include "tests/support/errors.h"

namespace tpuc::testing {

using namespace bm1684x;

namespace {

Operand whole(const IoTensor& t) {
  const Shape& s = t.type.shape;
  return SimHarness::global(t.addr, t.type.dtype, uint32_t(s[0]), uint32_t(s[1]), uint32_t(s[2]),
                            uint32_t(s[3]));
}

}  // namespace

SimHarness::SimHarness(const TensorType& in, const TensorType& out)
    : in_addr(chip.ddr_base), out_addr(chip.ddr_base + 4096) {
  model.chip = chip.name;
  model.lanes = uint32_t(chip.lanes);
  model.lane_bytes = uint64_t(chip.lmem_bytes);
  model.weight_addr = chip.ddr_base;
  model.ddr_bytes = 8192;
  model.inputs = {{"x", in, in_addr}};
  model.outputs = {{"y", out, out_addr}};
}

Chip SimHarness::small_chip() {
  Chip c;
  c.name = "tiny";
  c.lanes = 4;
  c.lmem_bytes = 4096;
  c.lmem_banks = 4;
  return c;
}

Operand SimHarness::global(uint64_t addr, DType dtype, uint32_t n, uint32_t c, uint32_t h,
                           uint32_t w) {
  return {Space::Global, dtype, addr, 0, n, c, h, w, int64_t(c) * h * w, int64_t(h) * w, w, 1};
}

Operand SimHarness::local(uint64_t addr, DType dtype, uint32_t lane, uint32_t n, uint32_t c,
                          uint32_t h, uint32_t w, int64_t plane) {
  return {Space::Local, dtype, addr, lane, n, c, h, w, 0, plane, w, 1};
}

Operand SimHarness::input() const { return whole(model.inputs[0]); }

Operand SimHarness::output() const { return whole(model.outputs[0]); }

GdmaCommand SimHarness::gdma(GdmaOp op, const Operand& src, const Operand& dst, uint32_t dep) {
  GdmaCommand g;
  g.op = op;
  g.src = src;
  g.dst = dst;
  return append(g, dep);
}

GdmaCommand SimHarness::copy(const Operand& src, const Operand& dst, uint32_t dep) {
  return gdma(GdmaOp::Tensor, src, dst, dep);
}

GdmaCommand SimHarness::fill(const Operand& dst, double value, uint32_t dep) {
  GdmaCommand g;
  g.op = GdmaOp::Fill;
  g.dst = dst;
  g.fill_value = value;
  return append(g, dep);
}

TiuCommand SimHarness::tiu(TiuCommand c, uint32_t dep) {
  c.dep = dep;
  c.id = uint32_t(model.program.tiu.size() + 1);
  return model.program.tiu.emplace_back(c);
}

GdmaCommand SimHarness::append(GdmaCommand g, uint32_t dep) {
  g.dep = dep;
  g.id = uint32_t(model.program.gdma.size() + 1);
  return model.program.gdma.emplace_back(g);
}

uint64_t SimHarness::cycles(const TiuCommand& c) const { return tiu_cost(chip, c).cycles; }

uint64_t SimHarness::cycles(const GdmaCommand& c) const { return gdma_cost(chip, c).cycles; }

Tensor SimHarness::run(const Tensor& x) { return Simulator(chip, model).run({{"x", x}}).at("y"); }

std::string SimHarness::error_of_run() {
  return error_of([&] { run(Tensor(model.inputs[0].type)); });
}

}  // namespace tpuc::testing
