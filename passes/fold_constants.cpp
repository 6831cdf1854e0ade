// fold-constants: evaluates on the host executor every node whose value is known before the model
// runs — all inputs constant, or a Shape of a typed value — and turns its outputs into constants.
// It types values as it walks, so the shapes a shape subgraph computes (Shape → Gather → Concat →
// Reshape, as PyTorch exports them) are constants by the time Reshape, Slice or Expand need them.
#include "passes/passes.h"
#include "target/host/executor.h"

namespace tpuc::passes {

namespace {

bool known_before_run(const Graph& g, const Node& n) {
  if (n.op == "Shape") return true;  // needs only its input's type
  return std::all_of(n.inputs.begin(), n.inputs.end(),
                     [&](const std::string& in) { return in.empty() || g.is_constant(in); });
}

// A one-node graph whose non-constant inputs (a Shape's operand) are graph inputs of zeros.
TensorMap evaluate(const Graph& g, const Node& n) {
  Graph one;
  one.name = n.name;
  one.nodes = {n};
  one.outputs = n.outputs;
  TensorMap inputs;
  for (const std::string& in : n.inputs) {
    if (in.empty()) continue;
    if (g.is_constant(in)) {
      one.constants[in] = g.constants.at(in);
    } else if (!inputs.count(in)) {
      one.inputs.push_back(in);
      one.types[in] = g.type(in);
      inputs[in] = Tensor(g.type(in));
    }
  }
  for (const std::string& out : n.outputs) one.types[out] = g.type(out);
  return host::Executor(one).run(inputs);
}

}  // namespace

void fold_constants(Graph& g, const PassOptions&) {
  std::vector<Node> kept;
  for (Node& n : g.nodes) {
    infer_node(g, n);
    if (!known_before_run(g, n)) {
      kept.push_back(std::move(n));
      continue;
    }
    for (auto& [name, value] : evaluate(g, n)) {
      g.types.erase(name);
      g.constants[name] = std::move(value);
    }
  }
  g.nodes = std::move(kept);
}

}  // namespace tpuc::passes
