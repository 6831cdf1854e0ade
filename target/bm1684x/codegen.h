// compile_model: a quantized graph → a BM1684X Model. Consecutive nodes are fused into layer
// groups (layer_groups.h) whose intermediate results stay in local memory; each group is lowered
// as one Halide pipeline with its nodes' chip schedules (the tile size chosen as the largest that
// fits local memory), its loops become commands (command_generator.h), the stream scheduler
// overlaps the engines; weights and per-channel tables go into one DDR blob in the order the
// groups use them, and activations get DDR addresses from their live ranges, reusing freed space.
// Shape-only ops (Flatten, Reshape) become DDR views and cost no command. A node the chip cannot
// run (no schedule, or a form its schedule refuses) becomes a host layer of the model; one too
// large for local memory even a row at a time is an error.
#pragma once
#include <map>
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "ir/graph.h"

namespace tpuc::bm1684x {

struct CodegenOptions {
  bool layer_groups = true;                        // fuse layers into groups (else one node at a time)
  std::string dump_dir;                            // when set: one readable file per layer (tile, LMEM map, loops)
  std::map<std::string, std::string>* dumps = nullptr;  // when set: the same text, by node name
};

Model compile_model(const Graph& tpu_graph, const Chip& chip, const CodegenOptions& options = {});

}  // namespace tpuc::bm1684x
