#include "chip/bm1684x/sim/cycle_model.h"

#include <algorithm>
#include <cmath>

#include "ir/align.h"

namespace tpuc::bm1684x {

namespace {

// Channel slots each lane processes one after another: the busiest lane sets the time, so a
// command never runs faster than all lanes at their peak rate.
uint64_t slots(const Chip& chip, const Operand& o) {
  return ceil_div(o.lane + uint64_t(o.c), uint64_t(chip.lanes));
}

}  // namespace

CommandCost tiu_cost(const Chip& chip, const TiuCommand& c) {
  CommandCost cost;
  if (c.op == TiuOp::End) return cost;
  const DType t = c.opd0.dtype;
  const uint64_t per_lane_macs = uint64_t(std::max(1, chip.macs_per_lane_cycle(t)));
  const uint64_t per_lane_elements = uint64_t(chip.eu_bytes / std::max(1, bytes(c.opd0.dtype)));
  // Work per output element (multiply-accumulates for the MAC commands, window taps for POOL,
  // one for the rest), and the rate at which one lane does it.
  const uint64_t window = uint64_t(c.kh) * c.kw;
  const bool mac = c.op == TiuOp::Conv || c.op == TiuOp::MatMul || c.op == TiuOp::Depthwise;
  uint64_t work = 1;
  if (c.op == TiuOp::Conv) work = uint64_t(c.opd0.c) * window;
  if (c.op == TiuOp::MatMul) work = c.opd0.c;
  if (c.op == TiuOp::Depthwise || c.op == TiuOp::Pool) work = window;
  // The SFU: the operations per element tpu-mlir's debugger counts for them (sfu_op.ops: 2·length
  // − 1 for a polynomial of `length` coefficients, 30 for a reciprocal square root); an estimate,
  // as the rest of this model, until issue 19 measures the SFU.
  if (c.op == TiuOp::Sfu) work = c.sfu == SfuOp::Taylor ? 2 * uint64_t(c.opd1.w) - 1 : 30;
  const uint64_t rate = mac ? per_lane_macs : per_lane_elements;
  if (mac) cost.macs = c.res.elements() * work;
  const uint64_t per_lane_outputs = slots(chip, c.res) * c.res.n * c.res.h * c.res.w;
  cost.cycles = uint64_t(chip.tiu_issue_cycles) + ceil_div(per_lane_outputs * work, rate);
  return cost;
}

CommandCost gdma_cost(const Chip& chip, const GdmaCommand& c) {
  CommandCost cost;
  if (c.op == GdmaOp::End) return cost;
  const uint64_t moved = uint64_t(c.dst.elements()) * uint64_t(bytes(c.dst.dtype));
  const bool reads_ddr = c.op == GdmaOp::Tensor && c.src.space == Space::Global;
  if (reads_ddr || c.dst.space == Space::Global) cost.ddr_bytes = moved;
  const double gdma_cycles =
      double(chip.gdma_issue_cycles) + double(moved) / chip.ddr_bytes_per_gdma_cycle();
  cost.cycles = uint64_t(std::ceil(gdma_cycles * chip.tiu_mhz / chip.gdma_mhz -
                                   1e-9));  // in TIU cycles, the timeline's unit
  return cost;
}

}  // namespace tpuc::bm1684x
