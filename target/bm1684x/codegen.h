// compile_model: a quantized graph → a BM1684X Model, in named phases (codegen.cpp runs them in
// order, as Halide's src/Lower.cpp runs its passes):
//   1. order      the nodes in locality order, so chains a branch interrupted can share a group
//   2. partition  which nodes the chip runs, as which layer groups, each lowered at the most rows
//                 per tile that fit local memory (partition.h, tile_solver.h); the rest run on
//                 the host, each with its reason
//   3. weights    the constants and tables into one DDR blob, in the order the layers use them
//   4. DDR plan   activations placed over their live ranges, reusing freed space (memory_plan.h)
//   5. emit       every layer's loops into TIU and GDMA commands (emit.h, command_generator.h)
//   6. streams    the GDMA ahead of the TIU, each dependency from the bytes commands touch
//                 (stream_scheduler.h)
//   7. finish     the END commands, the model's inputs, outputs and DDR size
// A layer too large for local memory even a row at a time is an error (LocalMemoryError).
#pragma once
#include <map>
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "ir/graph.h"

namespace tpuc::bm1684x {

struct CodegenOptions {
  bool layer_groups = true;  // fuse layers into groups (else one node at a time)
  std::string dump_dir;      // when set: one readable file per layer (tile, LMEM map, loops)
  std::map<std::string, std::string>* dumps = nullptr;  // when set: the same text, by node name
};

Model compile_model(const Graph& tpu_graph, const Chip& chip, const CodegenOptions& options = {});

}  // namespace tpuc::bm1684x
