// fuse-activation: an activation whose input comes from a Conv, Gemm or Add (option `ops`) with no
// other reader becomes attributes of that op (ops/families.h, docs/quantization.md), and the
// activation node disappears:
//   Relu             → do_relu = 1
//   Clip(x, 0, L)    → do_relu = 1, relu_limit = L   (constant bounds; ReLU6 is Clip(0, 6))
//   LeakyRelu(alpha) → leaky_alpha = alpha
// On the chip a relu then costs nothing: it is a flag of the producing command.
#include <algorithm>
#include <optional>

#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The attributes that replace `act`, or nothing when it does not fold.
std::optional<std::map<std::string, Attr>> fused_attributes(const Graph& g, const Node& act) {
  if (act.op == "Relu") return std::map<std::string, Attr>{{"do_relu", int64_t{1}}};
  if (act.op == "LeakyRelu") return std::map<std::string, Attr>{{"leaky_alpha", act.f("alpha", 0.01)}};
  if (act.op != "Clip") return std::nullopt;
  auto bound = [&](size_t i) -> std::optional<double> {
    if (act.inputs.size() <= i || act.inputs[i].empty() || !g.is_constant(act.inputs[i])) return std::nullopt;
    const Tensor& t = g.constants.at(act.inputs[i]);
    return t.size() == 1 ? std::optional<double>(t.at(0)) : std::nullopt;
  };
  const bool has_max = act.inputs.size() > 2 && !act.inputs[2].empty();
  if (bound(1) != 0.0 || (has_max && !bound(2))) return std::nullopt;
  std::map<std::string, Attr> attrs{{"do_relu", int64_t{1}}};
  if (has_max) attrs["relu_limit"] = *bound(2);
  return attrs;
}

}  // namespace

void fuse_activation(Graph& g, const PassOptions& options) {
  const std::vector<std::string> ops = options.strings("ops", {"Conv", "Gemm", "Add"});
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& act = g.nodes[i];
    const Node* producer = act.inputs.empty() ? nullptr : g.producer(act.inputs[0]);
    const auto attrs = producer ? fused_attributes(g, act) : std::nullopt;
    const bool already = producer && (producer->has("do_relu") || producer->has("leaky_alpha"));
    if (!attrs || already || std::find(ops.begin(), ops.end(), producer->op) == ops.end() || producer->outputs.size() != 1 ||
        use_count(g, act.inputs[0]) != 1) {
      ++i;
      continue;
    }
    const size_t p = size_t(producer - g.nodes.data());
    for (const auto& [key, value] : *attrs) g.nodes[p].attrs[key] = value;
    absorb_consumer(g, p, i);
  }
}

}  // namespace tpuc::passes
