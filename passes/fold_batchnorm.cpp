// fold-batchnorm: BatchNormalization after a Conv or Gemm (constant weights, no other reader of
// the Conv/Gemm output) is folded into that op: with s = gamma / sqrt(var + eps),
//   W'[oc] = W[oc] · s[oc],   b'[oc] = (b[oc] - mean[oc]) · s[oc] + beta[oc]
// computed in double and rounded to f32. Folding removes a whole layer and, for int8, lets the
// per-channel weight scales absorb the normalisation.
#include <cmath>

#include "ir/diagnostics.h"
#include "ops/attrs.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace tpuc::passes {

namespace {

// The output channel of flat weight element `i`: Conv [OC, ...] and Gemm transB=1 [N, K] have
// it outermost; Gemm transB=0 [K, N] innermost.
int64_t channel_of(int64_t i, const Shape& w, bool channel_last) {
  return channel_last ? i % w.back() : i / (num_elements(w) / w[0]);
}

const Tensor* constant_f32(const Graph& g, const Node& n, size_t input) {
  if (input >= n.inputs.size() || n.inputs[input].empty()) return nullptr;
  auto it = g.constants.find(n.inputs[input]);
  return it != g.constants.end() && it->second.type.dtype == DType::F32 ? &it->second : nullptr;
}

}  // namespace

void fold_batchnorm(Graph& g, const PassOptions&) {
  for (size_t i = 0; i < g.nodes.size();) {
    const Node& bn = g.nodes[i];
    const Node* producer = bn.op == "BatchNormalization" ? g.producer(bn.inputs[0]) : nullptr;
    const ops::GemmAttrs gemm = producer ? ops::GemmAttrs::of(*producer) : ops::GemmAttrs{};
    const bool plain_gemm = !gemm.trans_a && gemm.alpha == 1 && gemm.beta == 1;
    const bool foldable_op =
        producer && (producer->op == "Conv" || (producer->op == "Gemm" && plain_gemm));
    const Tensor* w = foldable_op ? constant_f32(g, *producer, 1) : nullptr;
    std::vector<const Tensor*> params;
    for (size_t k = 1; k < 5; ++k) params.push_back(constant_f32(g, bn, k));
    const bool has_bias = producer && producer->inputs.size() > 2 && !producer->inputs[2].empty();
    const Tensor* bias = has_bias ? constant_f32(g, *producer, 2) : nullptr;
    if (!w || std::count(params.begin(), params.end(), nullptr) || (has_bias && !bias) ||
        use_count(g, bn.inputs[0]) != 1 || ops::FusedActivation::of(*producer).any()) {
      ++i;
      continue;
    }
    const bool channel_last = producer->op == "Gemm" && !gemm.trans_b;
    const int64_t channels = channel_last ? w->type.shape.back() : w->type.shape[0];
    if (params[0]->size() != channels || (bias && bias->size() != channels)) {
      ++i;
      continue;
    }
    const double eps = bn.f("epsilon", 1e-5);
    std::vector<double> scale(static_cast<size_t>(channels));
    std::vector<float> new_bias(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      scale[size_t(c)] = params[0]->at(c) / std::sqrt(params[3]->at(c) + eps);
      const double b = bias ? bias->at(c) : 0.0;
      new_bias[size_t(c)] = float((b - params[2]->at(c)) * scale[size_t(c)] + params[1]->at(c));
    }
    std::vector<float> new_w(static_cast<size_t>(w->size()));
    for (int64_t k = 0; k < w->size(); ++k)
      new_w[size_t(k)] =
          float(w->at(k) * scale[size_t(channel_of(k, w->type.shape, channel_last))]);
    const size_t p = size_t(producer - g.nodes.data());
    Node& target = g.nodes[p];
    const std::string w_name = g.fresh_name(target.name + ".weight_folded");
    g.constants[w_name] = make_tensor(DType::F32, w->type.shape, new_w);
    const std::string b_name = g.fresh_name(target.name + ".bias_folded");
    g.constants[b_name] = make_tensor(DType::F32, {channels}, new_bias);
    target.inputs.resize(3);
    target.inputs[1] = w_name;
    target.inputs[2] = b_name;
    absorb_consumer(g, p, i);
  }
}

}  // namespace tpuc::passes
