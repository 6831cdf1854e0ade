// Emission: every layer's commands in the order the layers run, from their lowered loops (the
// command generator, on one allocator for the whole model making the tile solver's choices again),
// at the DDR addresses of the memory plan; host layers as their one-node graphs with their
// operands' addresses. Commands come out in program order; the stream scheduler reorders them.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "target/bm1684x/codegen.h"
#include "target/bm1684x/memory_plan.h"
#include "target/bm1684x/stream_scheduler.h"

namespace tpuc::bm1684x {

struct Emission {
  std::vector<Issued> order;                          // every command, in program order
  std::vector<size_t> barriers;                       // positions in `order` of the host layers
  std::vector<std::pair<size_t, size_t>> layer_span;  // per model layer: [begin, end) in `order`
};

// Fills m.program, m.layers, m.host_layers (their places in the streams included) and m.macs.
Emission emit(const Graph& g, const Partition& p, const WeightLayout& weights, const DdrPlan& ddr,
              const Chip& chip, const CodegenOptions& options, Model& m);

}  // namespace tpuc::bm1684x
