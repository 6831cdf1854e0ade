// dce: removes nodes and constants that no graph output depends on.
#include <set>

#include "passes/passes.h"

namespace tpuc::passes {

void eliminate_dead_code(Graph& g, const PassOptions&) {
  std::set<std::string> live(g.outputs.begin(), g.outputs.end());
  std::vector<bool> keep(g.nodes.size());
  for (size_t i = g.nodes.size(); i-- > 0;) {
    const Node& n = g.nodes[i];
    keep[i] = std::any_of(n.outputs.begin(), n.outputs.end(),
                          [&](const std::string& o) { return live.count(o); });
    if (keep[i]) live.insert(n.inputs.begin(), n.inputs.end());
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (keep[i]) {
      nodes.push_back(std::move(g.nodes[i]));
    } else {
      for (const std::string& o : g.nodes[i].outputs) g.types.erase(o);
    }
  }
  g.nodes = std::move(nodes);
  for (auto it = g.constants.begin(); it != g.constants.end();)
    it = live.count(it->first) ? std::next(it) : g.constants.erase(it);
}

}  // namespace tpuc::passes
