// Which nodes of a quantized graph the BM1684X runs, and as which layers. First each node is
// judged on its own (a chip schedule for its op and types, or the reason the host runs it); then
// the chip's nodes are cut into layer groups (layer_groups.h), and each group is lowered at the
// most rows per tile that fit (tile_solver.h). A group that does not lower whole runs node by
// node; a node whose form the schedule or the command generator refuses (Unsupported) becomes a
// host layer with the refusal as its reason. Reshape ops are DDR views: no layer at all.
#pragma once
#include <string>
#include <vector>

#include "target/bm1684x/tile_solver.h"

namespace tpuc::bm1684x {

struct Partition {
  std::vector<std::string> host;  // per node: why the host runs it ("" when it does not)
  std::vector<ChipLayer> layers;  // the chip's layers, by their first node's position
  std::vector<int> layer_of;      // per node: the index of its layer in `layers`, -1 when none
};

// `g`'s nodes in the order they will run (codegen.h).
Partition partition(const Graph& g, const Chip& chip, bool layer_groups);

}  // namespace tpuc::bm1684x
