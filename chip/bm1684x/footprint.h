// The memory a command touches, from its operands' views: what the stream scheduler orders
// commands by (target/bm1684x/stream_scheduler.h) and what the cycle model finds bank conflicts in
// (sim/cycle_model.h).
#pragma once
#include <cstdint>
#include <vector>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

struct ByteRange {
  uint64_t begin, end;
};

// The bytes an operand covers: in local memory one range per channel slot (lane-relative, the
// same in every lane), in DDR the bounding range; none for an operand of no elements.
std::vector<ByteRange> operand_ranges(const Chip& chip, const Operand& o);

// The tensor operands a TIU command reads (a constant in place of an operand is no read; an unused
// operand has no elements, so no ranges).
std::vector<const Operand*> tiu_reads(const TiuCommand& c);

}  // namespace tpuc::bm1684x
