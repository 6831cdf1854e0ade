#include "quant/mixed_precision.h"

#include <algorithm>
#include <cstdio>

#include "quant/similarity.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

// Mean cosine of the quantized graph's outputs against the float outputs over the samples.
double mean_cosine(const Graph& q, const std::vector<TensorMap>& samples,
                   const std::vector<TensorMap>& reference) {
  host::Executor ex(q);
  double sum = 0;
  int count = 0;
  for (size_t s = 0; s < samples.size(); ++s) {
    const TensorMap out = ex.run(samples[s]);
    for (const auto& [name, want] : reference[s]) {
      sum += similarity(want, out.at(name)).cosine;
      ++count;
    }
  }
  return count ? sum / count : 1.0;
}

}  // namespace

SearchResult search_mixed_precision(const Graph& top, const CalibrationTable& table,
                                    const QuantPolicy& policy,
                                    const std::vector<TensorMap>& samples,
                                    const PrecisionSearch& search) {
  std::vector<TensorMap> reference;
  host::Executor float_ex(top);
  for (const TensorMap& s : samples) reference.push_back(float_ex.run(s));
  SearchResult r{policy, 0, 0, {}, {}};
  r.policy.search.reset();  // the result is a plain policy
  const Graph int8 = quantize(top, table, policy);
  r.int8_cosine = r.final_cosine = mean_cosine(int8, samples, reference);
  if (r.int8_cosine >= search.target_cosine) return r;
  for (const Node& n : int8.nodes) {  // the layers the policy quantizes
    if (n.op == "Quantize" || n.op == "Dequantize" || int8.type(n.outputs[0]).dtype != DType::I8)
      continue;
    QuantPolicy one = policy;
    one.overrides.push_back({{}, {n.name}, search.precision, "precision search"});
    r.sensitivity.emplace_back(n.name, mean_cosine(quantize(top, table, one), samples, reference));
    std::fprintf(stderr, "\rsearching: %zu layers tried", r.sensitivity.size());
  }
  std::fprintf(stderr, "\n");
  std::stable_sort(r.sensitivity.begin(), r.sensitivity.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [layer, cosine] : r.sensitivity) {
    if (r.final_cosine >= search.target_cosine || int(r.chosen.size()) >= search.max_float_layers)
      break;
    r.chosen.push_back(layer);
    QuantPolicy trial = r.policy;
    trial.overrides.push_back({{}, r.chosen, search.precision, "precision search"});
    r.final_cosine = mean_cosine(quantize(top, table, trial), samples, reference);
  }
  if (!r.chosen.empty())
    r.policy.overrides.push_back({{}, r.chosen, search.precision, "precision search"});
  return r;
}

}  // namespace tpuc::quant
