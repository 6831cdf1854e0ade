// Lowers a layer group for the BM1684X: consecutive nodes built as one Halide pipeline, each
// node's algorithm reading the Funcs of the nodes before it (their results stay in local memory)
// and the group's other inputs from fixed-shape DDR parameters, loaded once however many of its
// nodes read them. The last node's chip schedule makes the store and tiles it; the others compute
// at its tile loop (chip_schedule.h, GroupPlacement), so Halide's bounds inference gives each
// producer the rows its consumers need, halos included. Returns Halide's lowered loop nest with
// asserts and buffer bookkeeping stripped and lets inlined — the form the command generator walks.
// A f16/bf16 node computes as the host reference does: its algorithm in f32 over its stored
// operands, the result rounded once to the node's type (the node's last stage).
#pragma once
#include "ops/op.h"
#include "schedules/bm1684x/chip_schedule.h"

namespace tpuc::bm1684x {

struct LoweredGroup {
  Halide::Internal::Stmt body;
  ChipSchedule schedule;  // every node's stages
  // DDR parameters by Halide name → the graph value each holds (a group input, or its output),
  // and constant buffers referenced by the algorithms (the requant tables) by name.
  std::map<std::string, std::string> params;
  std::map<std::string, Halide::Buffer<>> buffers;
};

// `nodes` in graph order; only the last one's result may be used outside the group.
LoweredGroup lower_group(const std::vector<const Node*>& nodes, const Graph& graph, TileShape tile);

}  // namespace tpuc::bm1684x
