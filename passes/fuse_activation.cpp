// fuse-activation: an activation whose input comes from a Conv, Gemm or Add (option `ops`) with no
// other reader becomes attributes of that op (ops/attrs.h FusedActivation, docs/quantization.md),
// and the activation node disappears:
//   Relu             → do_relu = 1
//   Clip(x, 0, L)    → do_relu = 1, relu_limit = L   (constant bounds; ReLU6 is Clip(0, 6))
//   LeakyRelu(alpha) → leaky_alpha = alpha
// On the chip a relu then costs nothing: it is a flag of the producing command.
#include <algorithm>
#include <optional>

#include "ops/attrs.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The activation `act` folds into, or nothing when it does not fold.
std::optional<ops::FusedActivation> fused(const Graph& g, const Node& act) {
  ops::FusedActivation a;
  if (act.op == "Relu") {
    a.relu = true;
    return a;
  }
  if (act.op == "LeakyRelu") {
    a.leaky_alpha = act.f("alpha", 0.01);
    return a;
  }
  if (act.op != "Clip") return std::nullopt;
  auto bound = [&](size_t i) -> std::optional<double> {
    if (act.inputs.size() <= i || act.inputs[i].empty() || !g.is_constant(act.inputs[i]))
      return std::nullopt;
    const Tensor& t = g.constants.at(act.inputs[i]);
    return t.size() == 1 ? std::optional<double>(t.at(0)) : std::nullopt;
  };
  const bool has_max = act.inputs.size() > 2 && !act.inputs[2].empty();
  if (bound(1) != 0.0 || (has_max && !bound(2))) return std::nullopt;
  a.relu = true;
  if (has_max) a.relu_limit = *bound(2);
  return a;
}

}  // namespace

void fuse_activation(Graph& g, const PassOptions& options) {
  const std::vector<std::string> ops = options.strings("ops", {"Conv", "Gemm", "Add"});
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& act = g.nodes[i];
    const Node* producer = act.inputs.empty() ? nullptr : g.producer(act.inputs[0]);
    const auto activation = producer ? fused(g, act) : std::nullopt;
    const bool already = producer && ops::FusedActivation::of(*producer).any();
    if (!activation || already || std::find(ops.begin(), ops.end(), producer->op) == ops.end() ||
        producer->outputs.size() != 1 || use_count(g, act.inputs[0]) != 1) {
      ++i;
      continue;
    }
    const size_t p = size_t(producer - g.nodes.data());
    activation->store(g.nodes[p]);
    absorb_consumer(g, p, i);
  }
}

}  // namespace tpuc::passes
