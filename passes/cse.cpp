// cse: common-subexpression elimination. Constants with the same type and bytes become one, then
// nodes with the same op, inputs and attributes compute once: later copies' readers read the first
// node's outputs. A copy whose output is a graph output is kept, so output names never change.
#include <map>
#include <tuple>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

bool is_graph_output(const Graph& g, const std::string& v) {
  return std::count(g.outputs.begin(), g.outputs.end(), v) > 0;
}

void merge_constants(Graph& g) {
  std::map<std::tuple<DType, Shape, std::vector<uint8_t>>, std::string> first;  // contents → name
  for (auto it = g.constants.begin(); it != g.constants.end();) {
    const Tensor& t = it->second;
    if (t.type.quant || is_graph_output(g, it->first)) {
      ++it;
      continue;
    }
    auto [kept, inserted] =
        first.emplace(std::make_tuple(t.type.dtype, t.type.shape, t.data), it->first);
    if (inserted) {
      ++it;
      continue;
    }
    replace_uses(g, it->first, kept->second);
    it = g.constants.erase(it);
  }
}

}  // namespace

void eliminate_common_subexpressions(Graph& g, const PassOptions&) {
  merge_constants(g);
  std::map<std::tuple<std::string, std::vector<std::string>, std::map<std::string, Attr>, size_t>,
           size_t>
      first;
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& n = g.nodes[i];
    auto [kept, inserted] =
        first.emplace(std::make_tuple(n.op, n.inputs, n.attrs, n.outputs.size()), i);
    const bool keep =
        inserted || std::any_of(n.outputs.begin(), n.outputs.end(),
                                [&](const std::string& o) { return is_graph_output(g, o); });
    if (keep) {
      ++i;
      continue;
    }
    const Node& original = g.nodes[kept->second];
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      replace_uses(g, n.outputs[k], original.outputs[k]);
      g.types.erase(n.outputs[k]);
    }
    g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(i));
  }
}

}  // namespace tpuc::passes
