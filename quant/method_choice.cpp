#include "quant/method_choice.h"

#include <cstdio>
#include <set>

#include "quant/layer_error.h"

namespace tpuc::quant {

namespace {

using ByMethod = std::vector<std::pair<std::string, CalibrationTable>>;

// The methods worth trying on node n: those whose thresholds for its outputs differ from every
// earlier method's (a bounded op's output has one threshold under every method).
std::vector<size_t> distinct_methods(const Node& n, const ByMethod& by_method) {
  std::vector<size_t> methods;
  std::set<std::vector<double>> seen;
  for (size_t m = 0; m < by_method.size(); ++m) {
    std::vector<double> thresholds;
    for (const std::string& o : n.outputs) {
      auto it = by_method[m].second.threshold.find(o);
      thresholds.push_back(it == by_method[m].second.threshold.end() ? -1 : it->second);
    }
    if (seen.insert(thresholds).second) methods.push_back(m);
  }
  return methods;
}

// Node n's outputs take their thresholds in `from`.
void take_outputs(CalibrationTable& to, const Node& n, const CalibrationTable& from) {
  for (const std::string& o : n.outputs)
    if (from.threshold.count(o)) to.threshold[o] = from.threshold.at(o);
}

}  // namespace

CalibrationTable choose_per_layer(const Graph& top, const std::vector<TensorMap>& samples,
                                  const ByMethod& by_method) {
  const CalibrationTable& base = by_method.at(0).second;
  std::map<std::string, const Node*> nodes;
  for (const Node& n : top.nodes) nodes[n.name] = &n;
  const TablesOf variants = [&](const Node& n) {
    std::vector<CalibrationTable> tables;
    for (size_t m : distinct_methods(n, by_method)) {
      tables.push_back(base);
      take_outputs(tables.back(), n, by_method[m].second);
    }
    return tables;
  };
  CalibrationTable chosen = base;
  std::map<std::string, int> count;  // layers per method
  for (const LayerError& e : layer_errors(top, QuantPolicy{}, samples, variants)) {
    const Node& n = *nodes.at(e.layer);
    const std::vector<size_t> methods = distinct_methods(n, by_method);
    size_t best = 0;
    for (size_t i = 1; i < e.cosine.size(); ++i)
      if (e.cosine[i] > e.cosine[best]) best = i;
    ++count[by_method[methods[best]].first];
    take_outputs(chosen, n, by_method[methods[best]].second);
  }
  std::string summary;
  for (const auto& [method, table] : by_method)
    summary += " " + method + " " + std::to_string(count[method]);
  std::fprintf(stderr, "calibration method per layer:%s\n", summary.c_str());
  return chosen;
}

}  // namespace tpuc::quant
