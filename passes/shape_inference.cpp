// shape-inference: types every value from its op's shape inference (ops/registry.h).
// A value that already has quantization parameters keeps them when the inferred
// dtype agrees (the quantizer decides scales; shape inference only decides
// shapes and dtypes).
#include "ir/diagnostics.h"
#include "ops/registry.h"
#include "passes/passes.h"

namespace tpuc::passes {

void infer_node(Graph& g, const Node& n) {
  const ops::OpDef& def = ops::op_of(n);
  std::vector<ops::InferInput> inputs;
  for (const std::string& in : n.inputs) {
    ops::InferInput i;
    if (!in.empty()) {
      auto c = g.constants.find(in);
      i.constant = c == g.constants.end() ? nullptr : &c->second;
      i.type = i.constant ? &i.constant->type : (g.types.count(in) ? &g.types.at(in) : nullptr);
      if (!i.type) node_error(n, "input '" + in + "' has no type");
    }
    inputs.push_back(i);
  }
  const std::vector<TensorType> outs = def.infer(n, inputs);
  for (size_t k = 0; k < n.outputs.size() && k < outs.size(); ++k) {
    TensorType t = outs[k];
    auto old = g.types.find(n.outputs[k]);
    if (old != g.types.end() && old->second.quant && old->second.dtype == t.dtype)
      t.quant = old->second.quant;
    g.types[n.outputs[k]] = t;
  }
}

void infer_shapes(Graph& g, const PassOptions&) {
  for (const Node& n : g.nodes) infer_node(g, n);
}

}  // namespace tpuc::passes
