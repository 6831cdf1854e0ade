#include "target/bm1684x/codegen.h"

#include <algorithm>

#include "target/bm1684x/emit.h"
#include "target/bm1684x/layer_groups.h"

namespace tpuc::bm1684x {

namespace {

// Phase 6: the streams scheduled; each layer's GDMA commands follow theirs to their new places.
void schedule(const Chip& chip, const Emission& e, Model& m) {
  const std::vector<uint32_t> old_gdma = schedule_streams(chip, m.program, e.order, e.barriers);
  std::vector<uint32_t> new_gdma(old_gdma.size());
  for (uint32_t k = 0; k < old_gdma.size(); ++k) new_gdma[old_gdma[k]] = k;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    for (size_t k = e.layer_span[l].first; k < e.layer_span[l].second; ++k) {
      if (e.order[k].tiu) {
        m.layers[l].tiu.push_back(e.order[k].index);
      } else {
        m.layers[l].gdma.push_back(new_gdma[e.order[k].index]);
      }
    }
    std::sort(m.layers[l].gdma.begin(), m.layers[l].gdma.end());
  }
}

// Phase 7: each stream ends with END (no dependency, as the chip's END commands carry none: the
// model ends when both streams are done); the inputs and outputs at their addresses.
void finish(const Graph& g, const DdrPlan& ddr, const Chip& chip, Model& m) {
  TiuCommand tiu_end;
  tiu_end.id = uint32_t(m.program.tiu.size() + 1);
  m.program.tiu.push_back(tiu_end);
  GdmaCommand gdma_end;
  gdma_end.id = uint32_t(m.program.gdma.size() + 1);
  m.program.gdma.push_back(gdma_end);
  for (const std::string& in : g.inputs) m.inputs.push_back({in, g.type(in), ddr.of(in)});
  for (const std::string& out : g.outputs) m.outputs.push_back({out, g.type(out), ddr.of(out)});
  m.ddr_bytes = ddr.end - chip.ddr_base;
}

}  // namespace

Model compile_model(const Graph& graph, const Chip& chip, const CodegenOptions& options) {
  Graph g = graph;
  if (options.layer_groups) g.nodes = locality_order(graph);
  const Partition p = partition(g, chip, options.layer_groups);
  const WeightLayout weights = lay_out_weights(g, p, chip);
  const DdrPlan ddr = plan_ddr(g, p, chip, weights.base + weights.blob.size());
  Model m;
  m.chip = chip.name;
  m.lanes = uint32_t(chip.lanes);
  m.lane_bytes = uint64_t(chip.lmem_bytes);
  m.weight_addr = weights.base;
  m.weights = weights.blob;
  const Emission e = emit(g, p, weights, ddr, chip, options, m);
  schedule(chip, e, m);
  finish(g, ddr, chip, m);
  return m;
}

}  // namespace tpuc::bm1684x
