// The command generator: walks a layer group's lowered Halide loop nest (lower_group.h) and emits
// its TIU and GDMA commands, as Halide's accelerator back ends (CodeGen_Xtensa, CodeGen_Hexagon)
// walk a Stmt with a visitor. Loops around the stages (the tile loops) are unrolled into
// straight-line commands; each innermost perfect loop nest is one data movement or one compute
// stage, and every operand's base, shape and strides are read off the nest: loop extents, and index
// expressions evaluated at the loop origin and one step along each loop. The stage's role (which
// command) comes from the chip schedule. Local buffers are placed when the walk reaches their
// Allocate and freed at their Free (local_memory.h), in the model's one LmemAllocator, so each
// tile's buffers are fresh memory. Commands come out in program order; the stream scheduler orders
// the engines against each other.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "chip/bm1684x/isa.h"
#include "target/bm1684x/local_memory.h"
#include "target/bm1684x/lower_group.h"
#include "target/bm1684x/stream_scheduler.h"

namespace tpuc::bm1684x {

// A DDR-resident buffer of the node: a graph tensor or a constant table.
struct DdrBuffer {
  uint64_t addr;
  DType dtype;
};

// The DDR operands of a lowered layer: its inputs and output by parameter name, its constant
// tables by name, at the addresses `addr` gives (of a graph value, or of a table when `table`).
std::map<std::string, DdrBuffer> ddr_buffers(
    const Graph& g, const LoweredGroup& lowered,
    const std::function<uint64_t(const std::string& name, bool table)>& addr);

class CommandGenerator {
 public:
  // `node`: the group's last node, which errors name.
  CommandGenerator(const Chip& chip, const Node& node, const LoweredGroup& lowered,
                   std::map<std::string, DdrBuffer> ddr, LmemAllocator& lmem);
  // Appends the node's commands to `program`, each also to `order` (program order).
  void emit(Program& program, std::vector<Issued>& order);
  const std::vector<LmemBuffer>& buffers() const {
    return buffers_;
  }  // every local buffer placed, in order
  // Every padded view (a window op's input padding, never stored): its name and its source's.
  const std::vector<std::pair<std::string, std::string>>& padded_views() const {
    return padded_views_;
  }
  uint64_t macs() const { return macs_; }

 private:
  struct Impl;
  const Chip& chip_;
  const Node& node_;
  const LoweredGroup& lowered_;
  std::map<std::string, DdrBuffer> ddr_;
  LmemAllocator& lmem_;
  std::vector<LmemBuffer> buffers_;
  std::vector<std::pair<std::string, std::string>> padded_views_;
  uint64_t macs_ = 0;
};

}  // namespace tpuc::bm1684x
