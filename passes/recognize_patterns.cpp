// recognize-patterns: finds the op sequences PyTorch exports for operators ONNX (opsets 7-17) lacks
// and replaces each with the one op it computes, so schedules see a LayerNorm, not nine
// elementwise ops. A table of recognizers, each anchored at the pattern's last node; the values
// inside a pattern must have no reader outside it.
//   LayerNorm  Add(Mul(Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))), gamma), beta),
//              d = Sub(x, ReduceMean(x)), both means over the last axis → LayerNormalization
//   Gelu       Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5)                   → Gelu
//   SiLU       Mul(x, Sigmoid(x))                                            → Silu
//   HardSwish  Mul(x, HardSigmoid(x; 1/6, 1/2)) or Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6) →
//   HardSwish
// Commutative operands (Add, Mul) match in either order.
#include <cmath>
#include <optional>
#include <set>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

struct Rewrite {
  std::vector<const Node*> covered;  // the pattern's nodes, the anchor last
  Node replacement;
};

// Matching helpers over one graph.
struct Matcher {
  const Graph& g;

  // The producer of `value` when it is `op` and nothing outside the pattern reads `value`.
  const Node* inner(const std::string& value, const char* op, size_t readers = 1) const {
    const Node* p = g.producer(value);
    return p && p->op == op && p->outputs.size() == 1 && use_count(g, value) == readers ? p
                                                                                        : nullptr;
  }
  std::optional<double> scalar(const std::string& value) const {
    if (!g.is_constant(value) || g.constants.at(value).size() != 1) return std::nullopt;
    return g.constants.at(value).at(0);
  }
  bool is(const std::string& value, double want) const {
    const auto v = scalar(value);
    return v && std::fabs(*v - want) <= 1e-5 * std::max(1.0, std::fabs(want));
  }
  // The two operands of a binary node, in both orders.
  static std::vector<std::pair<std::string, std::string>> orders(const Node& n, bool commutative) {
    if (n.inputs.size() != 2) return {};
    if (!commutative) return {{n.inputs[0], n.inputs[1]}};
    return {{n.inputs[0], n.inputs[1]}, {n.inputs[1], n.inputs[0]}};
  }
  bool last_axis_mean(const Node& n, const std::string& of) const {
    if (n.inputs.empty() || n.inputs[0] != of || n.i("keepdims", 1) != 1) return false;
    const std::vector<int64_t> axes = n.ints("axes");
    const int64_t rank = int64_t(g.type(of).shape.size());
    return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1);
  }
};

Node unary(const char* op, const Node& anchor, const std::string& x) {
  return Node{op, anchor.name, {x}, anchor.outputs, {}};
}

std::optional<Rewrite> layernorm(const Matcher& m, const Node& y) {
  if (y.op != "Add") return std::nullopt;
  for (const auto& [scaled, beta] : Matcher::orders(y, true)) {
    const Node* mul = m.inner(scaled, "Mul");
    if (!mul || !m.g.is_constant(beta)) continue;
    for (const auto& [normed, gamma] : Matcher::orders(*mul, true)) {
      const Node* div = m.inner(normed, "Div");
      if (!div || !m.g.is_constant(gamma)) continue;
      const std::string& d = div->inputs[0];
      const Node* sqrt = m.inner(div->inputs[1], "Sqrt");
      const Node* sub = m.inner(d, "Sub", 2);
      if (!sqrt || !sub) continue;
      const Node* plus_eps = m.inner(sqrt->inputs[0], "Add");
      if (!plus_eps) continue;
      for (const auto& [var_value, eps] : Matcher::orders(*plus_eps, true)) {
        const Node* var = m.inner(var_value, "ReduceMean");
        const Node* pow = var ? m.inner(var->inputs[0], "Pow") : nullptr;
        const Node* mean = m.inner(sub->inputs[1], "ReduceMean");
        const std::string& x = sub->inputs[0];
        if (!var || !pow || !mean || !m.scalar(eps) || pow->inputs[0] != d ||
            !m.is(pow->inputs[1], 2) || !m.last_axis_mean(*var, pow->outputs[0]) ||
            !m.last_axis_mean(*mean, x))
          continue;
        const int64_t channels = m.g.type(x).shape.back();
        if (m.g.constants.at(gamma).size() != channels || m.g.constants.at(beta).size() != channels)
          continue;
        Node ln{"LayerNormalization",
                y.name,
                {x, gamma, beta},
                y.outputs,
                {{"axis", int64_t{-1}}, {"epsilon", *m.scalar(eps)}}};
        return Rewrite{{mean, sub, pow, var, plus_eps, sqrt, div, mul, &y}, ln};
      }
    }
  }
  return std::nullopt;
}

std::optional<Rewrite> gelu(const Matcher& m, const Node& y) {
  if (y.op != "Mul") return std::nullopt;
  for (const auto& [product, half] : Matcher::orders(y, true)) {
    const Node* mul = m.inner(product, "Mul");
    if (!mul || !m.is(half, 0.5)) continue;
    for (const auto& [x, one_plus] : Matcher::orders(*mul, true)) {
      const Node* add = m.inner(one_plus, "Add");
      if (!add) continue;
      for (const auto& [erf_value, one] : Matcher::orders(*add, true)) {
        const Node* erf = m.inner(erf_value, "Erf");
        const Node* div = erf ? m.inner(erf->inputs[0], "Div") : nullptr;
        if (!erf || !div || !m.is(one, 1) || div->inputs[0] != x || !m.is(div->inputs[1], M_SQRT2))
          continue;
        return Rewrite{{div, erf, add, mul, &y}, unary("Gelu", y, x)};
      }
    }
  }
  return std::nullopt;
}

std::optional<Rewrite> silu_or_hardswish(const Matcher& m, const Node& y) {
  if (y.op != "Mul") return std::nullopt;
  for (const auto& [x, gate] : Matcher::orders(y, true)) {
    if (const Node* s = m.inner(gate, "Sigmoid"); s && s->inputs[0] == x)
      return Rewrite{{s, &y}, unary("Silu", y, x)};
    const Node* h = m.inner(gate, "HardSigmoid");
    if (h && h->inputs[0] == x && std::fabs(h->f("alpha", 0.2) - 1.0 / 6) < 1e-6 &&
        h->f("beta", 0.5) == 0.5)
      return Rewrite{{h, &y}, unary("HardSwish", y, x)};
  }
  return std::nullopt;
}

std::optional<Rewrite> hardswish_by_clip(const Matcher& m, const Node& y) {
  if (y.op != "Div" || y.inputs.size() != 2 || !m.is(y.inputs[1], 6)) return std::nullopt;
  const Node* mul = m.inner(y.inputs[0], "Mul");
  if (!mul) return std::nullopt;
  for (const auto& [x, clipped] : Matcher::orders(*mul, true)) {
    const Node* clip = m.inner(clipped, "Clip");
    if (!clip || clip->inputs.size() != 3 || !m.is(clip->inputs[1], 0) || !m.is(clip->inputs[2], 6))
      continue;
    const Node* add = m.inner(clip->inputs[0], "Add");
    if (!add) continue;
    for (const auto& [a, three] : Matcher::orders(*add, true))
      if (a == x && m.is(three, 3)) return Rewrite{{add, clip, mul, &y}, unary("HardSwish", y, x)};
  }
  return std::nullopt;
}

using Recognizer = std::optional<Rewrite> (*)(const Matcher&, const Node&);
const Recognizer kRecognizers[] = {layernorm, gelu, silu_or_hardswish, hardswish_by_clip};

// Replaces the covered nodes with the replacement, placed where the anchor was.
void apply(Graph& g, const Rewrite& r) {
  const std::set<const Node*> covered(r.covered.begin(), r.covered.end());
  for (const Node* n : r.covered)
    if (n != r.covered.back()) g.types.erase(n->outputs[0]);
  std::vector<Node> nodes;
  for (const Node& n : g.nodes) {
    if (&n == r.covered.back()) nodes.push_back(r.replacement);
    if (!covered.count(&n)) nodes.push_back(n);
  }
  g.nodes = std::move(nodes);
}

}  // namespace

void recognize_patterns(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (Recognizer recognize : kRecognizers) {
      const std::optional<Rewrite> r = recognize(Matcher{g}, g.nodes[i]);
      if (!r) continue;
      const size_t removed_before =
          r->covered.size() - 1;  // every covered node precedes the anchor
      apply(g, *r);
      i -= removed_before;
      break;
    }
  }
}

}  // namespace tpuc::passes
