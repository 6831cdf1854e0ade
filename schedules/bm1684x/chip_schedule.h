// BM1684X schedules: where each stage of an op's Halide algorithm lives on the chip. A schedule
// adds the store stage (the op's output copied to DDR, the pipeline's output), tiles it by output
// rows, and places the op's stages in local memory (MemoryType::VTCM is tpuc's LMEM tag) at the
// tile loop; weights and per-channel tables are placed once, outside the tile loop. It changes
// where values are computed, never what: codegen/ turns the lowered loops into commands.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "chip/bm1684x/isa.h"
#include "ir/special_functions.h"
#include "ops/op.h"
#include "schedules/bm1684x/chip_ops.h"

namespace tpuc::bm1684x {

// What one LMEM stage (a Func computed into local memory) becomes.
struct StageRole {
  // Copy: GDMA from DDR; Compute: one TIU command per tile; Padding: a window op's padded input,
  // never stored — the window command reads its source through its padding fields.
  enum Kind { Copy, Compute, Padding } kind = Copy;
  TiuOp op = TiuOp::End;          // Compute: the command
  ArithOp arith = ArithOp::Copy;  // Compute with TiuOp::Arith
  int lane_dim = 0;               // the Func argument spread over the lanes
  bool pool_sum = false;          // Compute with TiuOp::Pool: sum the window (else max)
  SpecialFunction function = SpecialFunction::Exp;  // Compute with TiuOp::Sfu: which (a short
                                                    // sequence of commands around the SFU's)
  bool every_lane = false;            // Copy: the whole tensor into every lane (an operand
                                      // broadcast to all channels; lane_dim unused)
  std::vector<std::string> operands;  // the Funcs it reads, in command order, where the
                                      // generator cannot tell them apart by their loops
                                      // (a binary ARITH: opd0, opd1; DEPTHWISE: input, weights)
  const Node* node = nullptr;         // the graph node the stage belongs to (its fused
                                      // activation, its int8 Add multipliers)
  std::string requant;                // REQUANT: the Func of the per-channel table (ops::Stages)
  std::vector<int> zero_points;       // ARITH int8 Add: its operands' and its result's
  int result_zero_point = 0;  // an int8 result's: the fused relu is max(·, z), the limit z + L
  float scale = 1;            // ARITH Quantize: 1/scale; Dequantize: scale; Convert: the factor
};

struct ChipSchedule {
  Halide::Func store;  // the pipeline output: the op's result written to DDR
  Halide::LoopLevel tile = Halide::LoopLevel::root();  // where the op's per-tile stages compute
  std::map<std::string, StageRole> stages;  // by Func name (Halide may have suffixed names with $N)
};

// A node's place in a layer group (codegen/lower_group.h). The group's last node, scheduled first,
// makes the store and its tile loop (none when the group is one tile: everything at the root); the
// nodes before it compute at that loop (`tile`), their results staying in local memory for the
// nodes after them. A Func is placed once: no node places another's result (`produced`), and an
// input several nodes read is placed by the first scheduled (`placed`, which scheduling extends).
struct GroupPlacement {
  bool last = true;
  Halide::LoopLevel tile = Halide::LoopLevel::root();
  std::set<std::string> produced, placed;
};

// The tensor dimension an elementwise op of result shape `out` spreads over the lanes: the
// channels of an NCHW tensor, else its largest dimension.
size_t elementwise_lane_dim(const Shape& out);
// Whether an elementwise operand of shape `in` is broadcast across those lanes (one value along
// that dimension, many in the result): copied from DDR into every lane.
bool broadcast_across_lanes(const Shape& in, const Shape& out);

// The output extent the schedule's tiles split, which `tile_rows` counts: the rows (the
// second-innermost dimension), a Gemm's columns.
int64_t tiled_extent(const Node& node, const Shape& out);

// How much of the output one tile computes: `rows` of the extent tiled_extent names (ops without
// rows ignore it), and, for a Conv whose weights do not fit local memory at once, `channels`
// output channels (0: all), each channel tile loading its part of the weights.
struct TileShape {
  int rows = 0;
  int channels = 0;
};

// Throws Error when the chip has no schedule for the op.
ChipSchedule schedule_bm1684x(const Node& node, ops::Algorithm& algorithm,
                              const std::vector<ops::OpInput>& inputs, const TensorType& output,
                              TileShape tile, GroupPlacement& group);
// The Func argument spread over the lanes for a tensor of `rank`: the channel (tensor dim 1) of a
// 3-D or larger tensor, else the innermost dimension.
int lane_dim_of_rank(size_t rank);

}  // namespace tpuc::bm1684x
