// Layer-group search: which runs of consecutive nodes compute as one pipeline whose intermediate
// results never leave local memory (lower_group.h). Dynamic programming over the graph order,
// tpu-mlir's recurrence cost(i, j) = min(cost of one group i..j, min_k cost(i, k) + cost(k+1, j)),
// evaluated as the equivalent best(j) = min_i best(i-1) + group(i..j). A group's cost is its time
// on the cycle model — max(TIU cycles, GDMA cycles), the TIU's including the rows recomputed at
// tile borders (halos), the GDMA's its weights, the inputs it reads from DDR and its one result
// written back — at the most output rows per tile whose buffers, estimated, fit local memory.
// A group is valid when only its last node's result is used outside it; branches (a residual
// Add, a Concat's inputs) are kept whole inside a group or cut between groups, never half. Costs
// are cached by the group's structure (ops, geometry, types, wiring), so a network's repeated
// blocks are costed once. The estimate is checked when the group is lowered: one that does not
// fit after all runs node by node.
#pragma once
#include <vector>

#include "chip/bm1684x/chip.h"
#include "ir/graph.h"

namespace tpuc::bm1684x {

struct LayerGroupPlan {
  std::vector<size_t> nodes;  // consecutive node indices
  int tile_rows = 0;  // the estimate's output rows per tile (0: let the tile solver find them)
};

// The graph's nodes in an order where a consumer follows its producer wherever the dependencies
// allow (a greedy topological sort taking, of the nodes ready, one reading the most recent
// result), so chains a branch interrupted (a detector's head and the Dequantize of its output)
// become consecutive and can share a group. Ties keep the graph's order.
std::vector<Node> locality_order(const Graph& g);

// `on_chip[i]`: node i runs on the chip. Returns the chip nodes partitioned into groups, in graph
// order.
std::vector<LayerGroupPlan> find_layer_groups(const Graph& g, const std::vector<bool>& on_chip,
                                              const Chip& chip);
// Every chip node a group of its own (layer groups switched off).
std::vector<LayerGroupPlan> singleton_groups(const std::vector<bool>& on_chip);

}  // namespace tpuc::bm1684x
