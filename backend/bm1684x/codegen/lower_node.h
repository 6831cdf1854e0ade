// Lowers one node for the BM1684X: builds its Halide algorithm on fixed-shape DDR parameters,
// applies the chip schedule, and returns Halide's lowered loop nest with asserts and buffer
// bookkeeping stripped and lets inlined — the form the command generator walks. A f16/bf16 layer
// computes as the host reference does: its algorithm in f32 over its stored operands, the result
// rounded once to the layer's type (the last stage).
#pragma once
#include "ops/op.h"
#include "schedules/bm1684x/chip_schedule.h"

namespace tpuc::bm1684x {

struct LoweredNode {
  Halide::Internal::Stmt body;
  ChipSchedule schedule;
  // DDR parameters by Halide name: node input index (-1: the output), and constant buffers
  // referenced by the algorithm (the requant tables) by name.
  std::map<std::string, int> params;
  std::map<std::string, Halide::Buffer<>> buffers;
  std::string output_name;  // the store stage's buffer
};

LoweredNode lower_node(const Node& node, const Graph& graph, int tile_rows);

}  // namespace tpuc::bm1684x
