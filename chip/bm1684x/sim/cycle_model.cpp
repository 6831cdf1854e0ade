#include "chip/bm1684x/sim/cycle_model.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "chip/bm1684x/footprint.h"
#include "ir/align.h"

namespace tpuc::bm1684x {

namespace {

// The TIU's units: the cube (CONV, MATMUL) sums input channels for a few output positions at once,
// the EUs do elementwise work and windows a lane's EU width at a time, the gather unit a LUT.
enum class Unit { Cube, Vector, Gather };

// A command's work: the unit, its steps per group of outputs, and the MACs per output the
// algorithm needs (0 for commands that count none).
struct Work {
  Unit unit;
  uint64_t steps;
  uint64_t macs_per_output;
};

Work work_of(const Chip& chip, const TiuCommand& c) {
  const uint64_t window = uint64_t(c.kh) * c.kw;
  const uint64_t ic = c.opd0.c;
  const uint64_t ic_groups = ceil_div<uint64_t>(ic, uint64_t(chip.conv_ic_parallel(c.opd0.dtype)));
  switch (c.op) {
    case TiuOp::Conv:
      return {Unit::Cube, ic_groups * window, ic * window};
    case TiuOp::MatMul:
      return {Unit::Cube, ic_groups, ic};
    case TiuOp::Depthwise:
      return {Unit::Vector, window, window};
    case TiuOp::Pool:
      return {Unit::Vector, window, 0};
    case TiuOp::Lut:
      return {Unit::Gather, 1, 0};
    case TiuOp::Sfu:
      // The operations per element tpu-mlir's debugger counts (sfu_op.ops): 2·length − 1 for a
      // polynomial of `length` coefficients, 30 for a reciprocal square root.
      return {Unit::Vector, c.sfu == SfuOp::Taylor ? 2 * uint64_t(c.opd1.w) - 1 : 30, 0};
    default:
      return {Unit::Vector, 1, 0};
  }
}

// Outputs one lane makes per step on `unit`, for operands of type `t`.
uint64_t outputs_per_step(const Chip& chip, Unit unit, DType t) {
  if (unit == Unit::Cube) return uint64_t(chip.macs_per_lane_cycle(t) / chip.conv_ic_parallel(t));
  if (unit == Unit::Gather) return uint64_t(chip.lut_per_lane_cycle);
  return uint64_t(std::max(1, chip.eu_bytes / bytes(t)));
}

// The groups of `per_step` outputs the busiest lane makes: per channel slot and image, its plane of
// h·w outputs in groups (a row at a time when the rows are not contiguous), as local memory aligns
// each plane to the EU width. A MATMUL's rows (n) are its output positions.
uint64_t output_groups(const Chip& chip, const Operand& r, uint64_t per_step, bool rows) {
  const uint64_t slots = ceil_div<uint64_t>(r.lane + uint64_t(r.c), uint64_t(chip.lanes));
  const uint64_t plane = uint64_t(r.h) * r.w;
  if (rows) return slots * ceil_div<uint64_t>(uint64_t(r.n) * plane, per_step);
  const bool contiguous = r.h == 1 || (r.ws == 1 && r.hs == int64_t(r.w));
  const uint64_t per_plane =
      contiguous ? ceil_div(plane, per_step) : uint64_t(r.h) * ceil_div<uint64_t>(r.w, per_step);
  return slots * r.n * per_plane;
}

// The local-memory banks an operand covers, as a mask.
std::vector<bool> banks_of(const Chip& chip, const Operand& o) {
  std::vector<bool> banks(size_t(chip.lmem_banks), false);
  const uint64_t bank = uint64_t(chip.bank_bytes());
  for (const ByteRange& r : operand_ranges(chip, o))
    for (uint64_t b = r.begin / bank; b <= (r.end - 1) / bank && b < banks.size(); ++b)
      banks[b] = true;
  return banks;
}

}  // namespace

int bank_conflicts(const Chip& chip, const TiuCommand& c) {
  std::vector<const Operand*> operands = tiu_reads(c);
  operands.push_back(&c.res);
  std::vector<bool> used(size_t(chip.lmem_banks), false);
  int conflicts = 0;
  for (const Operand* o : operands) {
    if (o->space != Space::Local) continue;
    const std::vector<bool> mine = banks_of(chip, *o);
    bool shared = false;
    for (size_t b = 0; b < mine.size(); ++b) {
      shared = shared || (mine[b] && used[b]);
      used[b] = used[b] || mine[b];
    }
    conflicts += shared ? 1 : 0;
  }
  return conflicts;
}

CommandCost tiu_cost(const Chip& chip, const TiuCommand& c) {
  CommandCost cost;
  if (c.op == TiuOp::End) return cost;
  const Work work = work_of(chip, c);
  const uint64_t per_step = outputs_per_step(chip, work.unit, c.opd0.dtype);
  const uint64_t groups = output_groups(chip, c.res, per_step, c.op == TiuOp::MatMul);
  const uint64_t slowdown = 1 + uint64_t(bank_conflicts(chip, c)) * chip.bank_conflict_cycles;
  cost.macs = uint64_t(c.res.elements()) * work.macs_per_output;
  cost.cycles = uint64_t(chip.tiu_issue_cycles) + groups * work.steps * slowdown;
  return cost;
}

uint64_t ddr_block_bytes(const Chip& chip, const Operand& o) {
  if (o.space != Space::Global || o.elements() == 0) return 0;
  // The contiguous run: dimensions merged from the innermost while each continues the one inside.
  // A dimension of stride 0 (a broadcast) reads the same bytes again: DDR moves them once.
  struct Dim {
    uint32_t extent;
    int64_t stride;
  };
  std::vector<Dim> outer;
  int64_t run = 1;
  for (const Dim& d : {Dim{o.w, o.ws}, Dim{o.h, o.hs}, Dim{o.c, o.cs}, Dim{o.n, o.ns}}) {
    if (d.extent == 1 || d.stride == 0) continue;
    if (outer.empty() && d.stride == run) {
      run *= d.extent;
    } else {
      outer.push_back(d);
    }
  }
  const uint64_t b = uint64_t(bytes(o.dtype)), burst = uint64_t(chip.ddr_burst_bytes);
  const uint64_t run_bytes = uint64_t(run) * b;
  auto run_block_bytes = [&](uint64_t at) {
    return (align_up(at + run_bytes, burst) - at / burst * burst);
  };
  // Runs whose starts all sit alike against the blocks cost alike; otherwise each is counted.
  uint64_t runs = 1;
  bool alike = true;
  for (const Dim& d : outer) {
    runs *= d.extent;
    alike = alike && (uint64_t(d.stride) * b) % burst == 0;
  }
  if (alike) return runs * run_block_bytes(o.addr);
  uint64_t total = 0;
  std::vector<uint32_t> index(outer.size(), 0);
  for (uint64_t k = 0; k < runs; ++k) {
    int64_t offset = 0;
    for (size_t i = 0; i < outer.size(); ++i) offset += int64_t(index[i]) * outer[i].stride;
    total += run_block_bytes(o.addr + uint64_t(offset) * b);
    for (size_t i = 0; i < outer.size() && ++index[i] == outer[i].extent; ++i) index[i] = 0;
  }
  return total;
}

CommandCost gdma_cost(const Chip& chip, const GdmaCommand& c) {
  CommandCost cost;
  if (c.op == GdmaOp::End) return cost;
  const uint64_t moved = uint64_t(c.dst.elements()) * uint64_t(bytes(c.dst.dtype));
  const bool copies = c.op == GdmaOp::Tensor;
  const bool src_ddr = copies && c.src.space == Space::Global;
  const bool dst_ddr = c.dst.space == Space::Global;
  if (src_ddr || dst_ddr) cost.ddr_bytes = moved;
  // DDR moves whole blocks at the rate long transfers reach; local memory each byte read or written
  // at the nominal rate (a local-to-local copy passes every byte twice).
  const uint64_t ddr_traffic =
      (src_ddr ? ddr_block_bytes(chip, c.src) : 0) + (dst_ddr ? ddr_block_bytes(chip, c.dst) : 0);
  const uint64_t local_sides = (copies && !src_ddr ? 1 : 0) + (dst_ddr ? 0 : 1);
  const double transfer = std::max(double(ddr_traffic) / chip.achievable_ddr_bytes_per_gdma_cycle(),
                                   double(local_sides * moved) / chip.ddr_bytes_per_gdma_cycle());
  const double gdma_cycles = double(chip.gdma_issue_cycles) + transfer;
  cost.cycles = uint64_t(std::ceil(gdma_cycles * chip.tiu_mhz / chip.gdma_mhz -
                                   1e-9));  // in TIU cycles, the timeline's unit
  return cost;
}

}  // namespace tpuc::bm1684x
