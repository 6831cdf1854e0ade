#include "ir/verifier.h"

#include <set>

#include "ir/diagnostics.h"

namespace tpuc {

void verify(const Graph& g, const VerifyOptions& options) {
  auto fail = [&g](const std::string& message) {
    throw Error("graph '" + g.name + "': " + message);
  };
  std::set<std::string> defined;
  auto define = [&](const std::string& v, const std::string& by) {
    if (v.empty()) fail(by + " defines an empty value name");
    if (!defined.insert(v).second) fail("value '" + v + "' is defined twice (again by " + by + ")");
    if (options.require_types && !g.types.count(v) && !g.constants.count(v))
      fail("value '" + v + "' (from " + by + ") has no type");
  };
  for (const std::string& in : g.inputs) define(in, "the graph inputs");
  for (const auto& [name, t] : g.constants) {
    define(name, "a constant");
    if (int64_t(t.data.size()) != t.type.num_bytes())
      fail("constant '" + name + "' holds " + std::to_string(t.data.size()) + " bytes, its type " +
           to_string(t.type) + " needs " + std::to_string(t.type.num_bytes()));
    if (g.types.count(name)) fail("constant '" + name + "' is also typed in Graph::types");
  }
  for (const Node& n : g.nodes) {
    const std::string who = describe(n);
    if (n.op.empty()) fail(who + " has no operator");
    for (const std::string& in : n.inputs)
      if (!in.empty() && !defined.count(in)) fail(who + " reads '" + in + "' before it is defined");
    for (const std::string& out : n.outputs) define(out, who);
  }
  for (const std::string& out : g.outputs)
    if (!defined.count(out)) fail("graph output '" + out + "' is never defined");
}

}  // namespace tpuc
