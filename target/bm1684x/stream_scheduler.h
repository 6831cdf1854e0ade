// The stream scheduler: orders the GDMA stream and sets every command's dependency (cmd_id_dep).
//
// The command generator emits commands in program order, the order one engine doing everything
// would run them in. The TIU keeps that order. The GDMA, which only moves data, is free to run
// ahead: a list schedule on the cycle model starts, whenever the GDMA is idle, the earliest command
// in program order whose inputs are ready. So the next tile's loads and the next layer's weights
// move while the TIU computes, and stores drain behind it — software pipelining, within a layer
// group and across groups. What must stay ordered is found from the bytes each command touches
// (local memory by lane-relative address, DDR by address), so every reuse of memory is ordered,
// whoever allocated it; a host layer is a barrier no command crosses.
#pragma once
#include <vector>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"

namespace tpuc::bm1684x {

// One command of the program, in program order: which stream, and its index there.
struct Issued {
  bool tiu;
  uint32_t index;
};

// Reorders program.gdma and sets every command's id and dep; `barriers` are positions in `order`
// (a host layer sits before order[b]). Returns, for each new GDMA position, its index before.
std::vector<uint32_t> schedule_streams(const Chip& chip, Program& program,
                                       const std::vector<Issued>& order,
                                       const std::vector<size_t>& barriers);

}  // namespace tpuc::bm1684x
