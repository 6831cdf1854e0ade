#include "quant/mixed_precision.h"

#include <algorithm>
#include <memory>

#include "ir/parallel.h"
#include "ir/progress.h"
#include "quant/layer_error.h"
#include "quant/similarity.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

using Ranking = std::vector<std::pair<std::string, double>>;

// The graph's outputs for every sample, the samples shared out between threads.
std::vector<TensorMap> outputs_of(const Graph& g, const std::vector<TensorMap>& samples) {
  std::vector<std::unique_ptr<host::Executor>> executors;
  for (size_t w = 0; w < worker_count(samples.size()); ++w)
    executors.push_back(std::make_unique<host::Executor>(g));
  std::vector<TensorMap> outputs(samples.size());
  parallel_for(samples.size(),
               [&](size_t w, size_t s) { outputs[s] = executors[w]->run(samples[s]); });
  return outputs;
}

// Mean cosine of the quantized graph's outputs against the float outputs over the samples.
double mean_cosine(const Graph& q, const std::vector<TensorMap>& samples,
                   const std::vector<TensorMap>& reference) {
  const std::vector<TensorMap> outputs = outputs_of(q, samples);
  double sum = 0;
  int count = 0;
  for (size_t s = 0; s < samples.size(); ++s)
    for (const auto& [name, want] : reference[s]) {
      sum += similarity(want, outputs[s].at(name)).cosine;
      ++count;
    }
  return count ? sum / count : 1.0;
}

QuantPolicy with_float_layers(const QuantPolicy& policy, const std::vector<std::string>& layers,
                              const PrecisionSearch& search) {
  QuantPolicy p = policy;
  p.overrides.push_back({{}, layers, search.precision, "precision search"});
  return p;
}

// Each int8 layer by the output cosine with only it in float, best first: one whole run each.
Ranking rank_by_output(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy,
                       const std::vector<TensorMap>& samples,
                       const std::vector<TensorMap>& reference, const PrecisionSearch& search) {
  const Graph int8 = quantize(top, table, policy);
  std::vector<std::string> layers;
  for (const Node& n : int8.nodes)
    if (n.op != "Quantize" && n.op != "Dequantize" && int8.type(n.outputs[0]).dtype == DType::I8)
      layers.push_back(n.name);
  Ranking ranking;
  Progress shown{true, "ranking layers by the output", layers.size()};
  for (const std::string& layer : layers) {
    const QuantPolicy one = with_float_layers(policy, {layer}, search);
    ranking.emplace_back(layer, mean_cosine(quantize(top, table, one), samples, reference));
    shown.advance();
  }
  std::stable_sort(ranking.begin(), ranking.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranking;
}

// Each int8 layer by the cosine of its own int8 error, worst first: all in one pass.
Ranking rank_by_layer_error(const Graph& top, const CalibrationTable& table,
                            const QuantPolicy& policy, const std::vector<TensorMap>& samples) {
  Ranking ranking;
  const TablesOf one_table = [&](const Node&) { return std::vector<CalibrationTable>{table}; };
  for (const LayerError& e : layer_errors(top, policy, samples, one_table))
    ranking.emplace_back(e.layer, e.cosine[0]);
  std::stable_sort(ranking.begin(), ranking.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return ranking;
}

}  // namespace

SearchResult search_mixed_precision(const Graph& top, const CalibrationTable& table,
                                    const QuantPolicy& policy,
                                    const std::vector<TensorMap>& samples,
                                    const PrecisionSearch& search) {
  const std::vector<TensorMap> reference = outputs_of(top, samples);
  SearchResult r{policy, 0, 0, {}, {}};
  r.policy.search.reset();  // the result is a plain policy
  r.int8_cosine = r.final_cosine = mean_cosine(quantize(top, table, policy), samples, reference);
  if (r.int8_cosine >= search.target_cosine) return r;
  r.sensitivity = search.ranking == "output"
                      ? rank_by_output(top, table, policy, samples, reference, search)
                      : rank_by_layer_error(top, table, policy, samples);
  // A layer joins only when it raises the output cosine; at most 2 × max_float_layers are tried.
  const size_t tries = std::min(r.sensitivity.size(), size_t(2 * search.max_float_layers));
  for (size_t i = 0; i < tries; ++i) {
    if (r.final_cosine >= search.target_cosine || int(r.chosen.size()) >= search.max_float_layers)
      break;
    std::vector<std::string> trial = r.chosen;
    trial.push_back(r.sensitivity[i].first);
    const double cosine = mean_cosine(
        quantize(top, table, with_float_layers(policy, trial, search)), samples, reference);
    if (cosine <= r.final_cosine) continue;
    r.chosen = trial;
    r.final_cosine = cosine;
  }
  if (!r.chosen.empty()) r.policy = with_float_layers(r.policy, r.chosen, search);
  return r;
}

}  // namespace tpuc::quant
