// split-as-slices: a Split becomes one Slice per output — its extent along the axis from the
// output's type, at the sum of the extents before it — an op every target runs (on the BM1684X a
// GDMA copy each), where a node of several outputs has no chip schedule. ShuffleNet's channel
// split and YOLOv8's C2f blocks export as Split.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

void split_as_slices(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node n = g.nodes[i];
    if (n.op != "Split" || n.inputs.empty() || !g.types.count(n.inputs[0])) continue;
    const int64_t rank = int64_t(g.types.at(n.inputs[0]).shape.size());
    int64_t axis = n.i("axis", 0);
    if (axis < 0) axis += rank;
    const bool typed = std::all_of(n.outputs.begin(), n.outputs.end(), [&](const std::string& o) {
      return !o.empty() && g.types.count(o) && int64_t(g.types.at(o).shape.size()) == rank;
    });
    if (!typed || axis < 0 || axis >= rank) continue;
    std::vector<Node> slices;
    const std::string axes = shape_constant(g, n.name + "/axis", {axis});
    int64_t start = 0;
    for (const std::string& out : n.outputs) {
      const int64_t end = start + g.types.at(out).shape[size_t(axis)];
      slices.push_back({"Slice",
                        out,
                        {n.inputs[0], shape_constant(g, out + "_start", {start}),
                         shape_constant(g, out + "_end", {end}), axes},
                        {out},
                        {}});
      start = end;
    }
    i = replace_node(g, i, slices);
  }
}

}  // namespace tpuc::passes
