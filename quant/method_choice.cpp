#include "quant/method_choice.h"

#include <cstdio>

#include "quant/layer_error.h"

namespace tpuc::quant {

CalibrationTable choose_per_layer(
    const Graph& top, const std::vector<TensorMap>& samples,
    const std::vector<std::pair<std::string, CalibrationTable>>& by_method) {
  const CalibrationTable& base = by_method.at(0).second;
  const TablesOf variants = [&](const Node& n) {
    std::vector<CalibrationTable> tables;
    for (const auto& [method, table] : by_method) {
      tables.push_back(base);
      for (const std::string& o : n.outputs)
        if (table.threshold.count(o)) tables.back().threshold[o] = table.threshold.at(o);
    }
    return tables;
  };
  CalibrationTable chosen = base;
  std::map<std::string, int> count;  // layers per method
  for (const LayerError& e : layer_errors(top, QuantPolicy{}, samples, variants)) {
    size_t best = 0;
    for (size_t m = 1; m < e.cosine.size(); ++m)
      if (e.cosine[m] > e.cosine[best]) best = m;
    ++count[by_method[best].first];
    const Node* n = nullptr;
    for (const Node& candidate : top.nodes)
      if (candidate.name == e.layer) n = &candidate;
    for (const std::string& o : n->outputs)
      if (by_method[best].second.threshold.count(o))
        chosen.threshold[o] = by_method[best].second.threshold.at(o);
  }
  std::string summary;
  for (const auto& [method, table] : by_method)
    summary += " " + method + " " + std::to_string(count[method]);
  std::fprintf(stderr, "calibration method per layer:%s\n", summary.c_str());
  return chosen;
}

}  // namespace tpuc::quant
