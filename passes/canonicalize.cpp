// canonicalize: simplifies the graph with local rules, applied until none fires:
//   - no-ops disappear: Identity, Dropout, and (once typed) a reshape-like op or Cast whose output
//     type equals its input's, a Transpose whose permutation is the identity;
//   - a chain of reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) becomes one Reshape to
//     the final shape;
//   - Transpose of Transpose becomes one Transpose with the composed permutation;
//   - a broadcasting op's operand of a lower rank takes the result's rank, leading 1s as numpy
//     aligns shapes: a constant by its shape, another value through a Reshape (a view), so
//     schedules see operands of one rank. One-element constants stay (immediates).
// When a removed node's output is a graph output, the producer of its input takes the name
// instead, so the model's output names never change.
#include <numeric>

#include "ops/registry.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

bool typed(const Graph& g, const std::string& v) { return g.is_constant(v) || g.types.count(v); }

// Reshape, Flatten, Squeeze, Unsqueeze (and Identity, Dropout): the registry's reshape ops.
bool reshape_like(const Node& n) {
  const ops::OpDef* def = ops::find_op(n.op);
  return def && def->reshape;
}

std::vector<int64_t> permutation(const Graph& g, const Node& t) {
  std::vector<int64_t> perm = t.ints("perm");
  if (perm.empty() && typed(g, t.inputs[0]))
    for (size_t d = g.type(t.inputs[0]).shape.size(); d-- > 0;) perm.push_back(int64_t(d));
  return perm;
}

bool is_noop(const Graph& g, const Node& n) {
  const ops::OpDef* def = ops::find_op(n.op);
  if (def && def->identity) return true;
  if (n.inputs.empty() || !typed(g, n.inputs[0]) || !typed(g, n.outputs[0])) return false;
  const TensorType &in = g.type(n.inputs[0]), &out = g.type(n.outputs[0]);
  if (reshape_like(n) || n.op == "Cast") return in.dtype == out.dtype && in.shape == out.shape;
  if (n.op != "Transpose") return false;
  const std::vector<int64_t> perm = permutation(g, n);
  std::vector<int64_t> identity(perm.size());
  std::iota(identity.begin(), identity.end(), 0);
  return perm == identity;
}

// Removes the no-op at i: its readers read its input instead.
bool remove_noop(Graph& g, size_t i) {
  const Node& n = g.nodes[i];
  if (n.inputs.empty() || !is_noop(g, n)) return false;
  const std::string in = n.inputs[0], out = n.outputs[0];
  if (!std::count(g.outputs.begin(), g.outputs.end(), out)) {
    replace_uses(g, out, in);
    g.types.erase(out);
    g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(i));
    return true;
  }
  const Node* producer = g.producer(in);
  if (!producer || use_count(g, in) != 1)
    return false;  // the input is also needed under its own name
  absorb_consumer(g, size_t(producer - g.nodes.data()), i);
  return true;
}

// The node at i reads the single-use output of a node that `fits`: that node is removed and the
// node at i reads its input. Returns the removed node.
std::optional<Node> bypass_producer(Graph& g, size_t i, bool (*fits)(const Node&)) {
  const Node* p = g.nodes[i].inputs.empty() ? nullptr : g.producer(g.nodes[i].inputs[0]);
  if (!p || !fits(*p) || p->outputs.size() != 1 || use_count(g, p->outputs[0]) != 1)
    return std::nullopt;
  Node removed = *p;
  g.nodes[i].inputs[0] = removed.inputs[0];
  g.types.erase(removed.outputs[0]);
  g.nodes.erase(g.nodes.begin() + (p - g.nodes.data()));
  return removed;
}

bool merge_reshapes(Graph& g, size_t i) {
  Node& n = g.nodes[i];
  if (!reshape_like(n) || !typed(g, n.outputs[0])) return false;
  const Shape shape = g.type(n.outputs[0]).shape;
  const std::optional<Node> producer = bypass_producer(g, i, reshape_like);
  if (!producer) return false;
  Node& merged = g.nodes[i - 1];  // the producer before it is gone
  const std::string spec = g.fresh_name(merged.outputs[0] + "_shape");
  Tensor t(TensorType{DType::I64, {int64_t(shape.size())}, std::nullopt});
  for (size_t d = 0; d < shape.size(); ++d) t.as<int64_t>()[d] = shape[d];
  g.constants[spec] = t;
  const Node old = merged;
  merged = Node{"Reshape", old.name, {old.inputs[0], spec}, old.outputs, {}};
  for (const Node* n : {&old, &*producer})  // shape operands nothing reads any more
    for (size_t k = 1; k < n->inputs.size(); ++k)
      if (g.is_constant(n->inputs[k]) && use_count(g, n->inputs[k]) == 0)
        g.constants.erase(n->inputs[k]);
  return true;
}

bool merge_transposes(Graph& g, size_t i) {
  if (g.nodes[i].op != "Transpose" || g.nodes[i].inputs.empty()) return false;
  const Node* p = g.producer(g.nodes[i].inputs[0]);
  if (!p || p->op != "Transpose" || !typed(g, p->inputs[0])) return false;
  const std::vector<int64_t> inner = permutation(g, *p), outer = permutation(g, g.nodes[i]);
  if (inner.size() != outer.size() ||
      !bypass_producer(g, i, [](const Node& n) { return n.op == "Transpose"; }))
    return false;
  std::vector<int64_t> composed;
  for (int64_t axis : outer)
    composed.push_back(inner[size_t(axis)]);  // out[i] = x[inner[outer[i]]]
  g.nodes[i - 1].attrs["perm"] = composed;
  return true;
}

bool align_broadcast_ranks(Graph& g, size_t i) {
  const Node& n = g.nodes[i];
  const ops::OpDef* def = ops::find_op(n.op);
  if (!def || !def->broadcasts || !typed(g, n.outputs[0])) return false;
  const size_t rank = g.type(n.outputs[0]).shape.size();
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const std::string v = n.inputs[k];
    if (v.empty() || !typed(g, v)) continue;
    Shape shape = g.type(v).shape;
    const bool constant = g.is_constant(v);
    if (shape.size() >= rank || (constant && g.constants.at(v).size() == 1)) continue;
    shape.insert(shape.begin(), rank - shape.size(), 1);
    const std::string base = v + "_rank" + std::to_string(rank);
    const bool copied = constant && g.is_constant(base) && g.type(base).shape == shape;
    const std::string aligned = copied ? base : g.fresh_name(base);  // one copy for all readers
    g.nodes[i].inputs[k] = aligned;
    if (constant) {
      if (!copied) {
        Tensor t = g.constants.at(v);
        t.type.shape = shape;
        g.constants[aligned] = std::move(t);
      }
      if (use_count(g, v) == 0) g.constants.erase(v);
      return true;
    }
    g.types[aligned] = {g.type(v).dtype, shape, g.type(v).quant};
    const Node reshape{
        "Reshape", aligned, {v, shape_constant(g, aligned + "_shape", shape)}, {aligned}, {}};
    g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i), reshape);
    return true;
  }
  return false;
}

using Rule = bool (*)(Graph&, size_t);
const Rule kRules[] = {remove_noop, merge_reshapes, merge_transposes, align_broadcast_ranks};

}  // namespace

void canonicalize(Graph& g, const PassOptions&) {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (Rule rule : kRules)
        if (rule(g, i)) {
          changed = true;
          break;
        }
  }
}

}  // namespace tpuc::passes
