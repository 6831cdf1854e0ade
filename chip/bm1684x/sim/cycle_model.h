// The cycle model (docs/isa.md "Cycle model"): the cycles one command occupies its engine, from the
// chip description's constants, each with its source in configs/chips/*.yaml. A TIU command pays
// for its work padded to the datapath's grain (a CONV's input channels to the channels it sums at
// once, its outputs to the positions it makes at once, elementwise work to the EU width) and for
// operands that share a local-memory bank; a GDMA command for the DDR blocks its rows touch at the
// bandwidth long transfers reach. Neither beats the roofline: a TIU command takes at least its MACs
// (or elements) at the peak rate of all lanes, a GDMA command at least its bytes at the nominal
// DDR bandwidth.
#pragma once
#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

struct CommandCost {
  uint64_t cycles = 0;     // of the TIU clock, the timeline's unit (GDMA time is converted)
  uint64_t macs = 0;       // TIU multiply-accumulates the algorithm needs (no padding)
  uint64_t ddr_bytes = 0;  // GDMA bytes to or from DDR
};

CommandCost tiu_cost(const Chip& chip, const TiuCommand& c);
CommandCost gdma_cost(const Chip& chip, const GdmaCommand& c);

// Operands of a TIU command (read or written) whose local-memory banks an earlier one already
// uses: each costs Chip::bank_conflict_cycles per step.
int bank_conflicts(const Chip& chip, const TiuCommand& c);

// The bytes of DDR blocks (Chip::ddr_burst_bytes, aligned) a global view's contiguous runs touch.
uint64_t ddr_block_bytes(const Chip& chip, const Operand& o);

}  // namespace tpuc::bm1684x
