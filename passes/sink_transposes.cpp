// sink-transposes: moves a Transpose below the elementwise op that alone reads it — a unary op, or
// a binary op whose other operands are scalar constants — since f(transpose(x)) = transpose(f(x)).
// Transposes sink until they meet another Transpose, which canonicalize then merges (cancelling a
// pair such as NCHW → NHWC → NCHW around activations).
#include <set>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

const std::set<std::string> kElementwise = {
    "Abs",     "Add",   "Cast",     "Ceil",        "Clip",       "Div",       "Elu",   "Erf",
    "Exp",     "Floor", "Gelu",     "HardSigmoid", "HardSwish",  "LeakyRelu", "Log",   "Max",
    "Min",     "Mul",   "Neg",      "Pow",         "Reciprocal", "Relu",      "Round", "Selu",
    "Sigmoid", "Silu",  "Softplus", "Softsign",    "Sqrt",       "Sub",       "Tanh",
};

bool scalar_constant(const Graph& g, const std::string& v) {
  return v.empty() || (g.is_constant(v) && g.constants.at(v).size() == 1);
}

}  // namespace

void sink_transposes(Graph& g, const PassOptions&) {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node t = g.nodes[i];
      if (t.op != "Transpose" || t.inputs.empty() || use_count(g, t.outputs[0]) != 1) continue;
      size_t e = i + 1;
      while (e < g.nodes.size() && std::find(g.nodes[e].inputs.begin(), g.nodes[e].inputs.end(),
                                             t.outputs[0]) == g.nodes[e].inputs.end())
        ++e;
      if (e == g.nodes.size()) continue;  // read only as a graph output
      const Node f = g.nodes[e];
      if (!kElementwise.count(f.op) || f.outputs.size() != 1 || f.inputs.empty()) continue;
      const bool others_scalar = std::all_of(
          f.inputs.begin(), f.inputs.end(),
          [&](const std::string& in) { return in == t.outputs[0] || scalar_constant(g, in); });
      if (!others_scalar) continue;
      // f now reads x at t's place; the Transpose follows and defines f's output.
      const std::string moved = g.fresh_name(f.outputs[0] + "_untransposed");
      Node f2 = f;
      std::replace(f2.inputs.begin(), f2.inputs.end(), t.outputs[0], t.inputs[0]);
      f2.outputs = {moved};
      Node t2 = t;
      t2.inputs[0] = moved;
      t2.outputs = f.outputs;
      g.types[moved] =
          TensorType{g.type(f.outputs[0]).dtype, g.type(t.inputs[0]).shape, std::nullopt};
      g.types.erase(t.outputs[0]);
      g.nodes[i] = f2;
      g.nodes[e] = t2;
      changed = true;
    }
  }
}

}  // namespace tpuc::passes
