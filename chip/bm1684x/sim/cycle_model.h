// The cycle model (docs/isa.md): the cycles one command occupies its engine. Its constants come
// from the chip description, and it never beats the roofline: a TIU command takes at least its
// MACs (or elements) at the peak rate of all lanes, a GDMA command at least its bytes at full
// DDR bandwidth, plus a fixed issue cost.
#pragma once
#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

struct CommandCost {
  uint64_t cycles = 0;     // of the TIU clock, the timeline's unit (GDMA time is converted)
  uint64_t macs = 0;       // TIU multiply-accumulates
  uint64_t ddr_bytes = 0;  // GDMA bytes to or from DDR
};

CommandCost tiu_cost(const Chip& chip, const TiuCommand& c);
CommandCost gdma_cost(const Chip& chip, const GdmaCommand& c);

}  // namespace tpuc::bm1684x
