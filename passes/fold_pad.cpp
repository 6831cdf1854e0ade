// fold-pad: a zero constant Pad of the spatial dimensions only, read by nothing but a Conv or an
// AveragePool, becomes that op's own padding (`pads`), so no padded copy of the activation is
// made. An AveragePool then counts the padded zeros (count_include_pad = 1), as it counted the
// Pad's real zeros before; one with padding of its own that excludes it is left alone. Ops with
// auto_pad are left alone.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The Pad's begin/end amounts for H and W, when it pads only those, with zeros.
std::optional<std::vector<int64_t>> spatial_zero_pads(const Graph& g, const Node& pad) {
  if (pad.s("mode", "constant") != "constant") return std::nullopt;
  if (pad.inputs.size() > 2 && !pad.inputs[2].empty()) {
    if (!g.is_constant(pad.inputs[2]) || g.constants.at(pad.inputs[2]).at(0) != 0)
      return std::nullopt;
  }
  std::vector<int64_t> pads;
  if (pad.inputs.size() > 1 && !pad.inputs[1].empty()) {
    if (!g.is_constant(pad.inputs[1])) return std::nullopt;
    const Tensor& t = g.constants.at(pad.inputs[1]);
    for (int64_t i = 0; i < t.size(); ++i) pads.push_back(int64_t(t.at(i)));
  } else {
    pads = pad.ints("pads");
  }
  // [n, c, h, w] begins then ends: N and C unpadded, nothing negative (a crop).
  if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5]) return std::nullopt;
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) return std::nullopt;
  return std::vector<int64_t>{pads[2], pads[3], pads[6], pads[7]};
}

}  // namespace

void fold_pad(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    if ((n.op != "Conv" && n.op != "AveragePool") || n.inputs.empty() ||
        n.s("auto_pad", "NOTSET") != "NOTSET")
      continue;
    const Node* pad = g.producer(n.inputs[0]);
    if (!pad || pad->op != "Pad" || use_count(g, n.inputs[0]) != 1) continue;
    const auto extra = spatial_zero_pads(g, *pad);
    std::vector<int64_t> pads = n.ints("pads", {0, 0, 0, 0});
    const bool own = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
    if (!extra || pads.size() != 4 ||
        (n.op == "AveragePool" && own && !n.i("count_include_pad", 0)))
      continue;
    for (size_t k = 0; k < 4; ++k) pads[k] += (*extra)[k];
    n.attrs["pads"] = pads;
    if (n.op == "AveragePool") n.attrs["count_include_pad"] = int64_t{1};
    const std::string padded = n.inputs[0];
    n.inputs[0] = pad->inputs[0];
    g.types.erase(padded);
    g.nodes.erase(g.nodes.begin() + (pad - g.nodes.data()));
    --i;  // the Pad came before
  }
}

}  // namespace tpuc::passes
