// canonicalize: removes inference no-ops (Identity, Dropout) by letting their consumers read the
// input. When the no-op's output is a graph output, the producer of its input takes the name
// instead, so the model's output names never change.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

void canonicalize(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size();) {
    Node& n = g.nodes[i];
    if ((n.op != "Identity" && n.op != "Dropout") || n.inputs.empty()) {
      ++i;
      continue;
    }
    const std::string in = n.inputs[0], out = n.outputs[0];
    const bool out_is_graph_output = std::count(g.outputs.begin(), g.outputs.end(), out) > 0;
    if (!out_is_graph_output) {
      replace_uses(g, out, in);
      g.types.erase(out);
      g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(i));
      continue;
    }
    const Node* producer = g.producer(in);
    if (!producer || use_count(g, in) != 1) {  // the input is also needed under its own name
      ++i;
      continue;
    }
    absorb_consumer(g, size_t(producer - g.nodes.data()), i);
  }
}

}  // namespace tpuc::passes
