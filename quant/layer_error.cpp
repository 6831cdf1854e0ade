#include "quant/layer_error.h"

#include <algorithm>
#include <memory>

#include "ir/parallel.h"
#include "ir/progress.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/host/executor.h"

namespace tpuc::quant {

namespace {

// One layer quantized on its own, once per table: Quantize on its activation inputs, the int8
// layer, Dequantize on its outputs.
struct SingleLayer {
  std::string name;
  std::vector<Graph> int8;
  std::vector<std::unique_ptr<host::Executor>> executors;
  std::vector<double> cosine_sum;
  int count = 0;
};

bool has_int8_layer(const Graph& q) {
  return std::any_of(q.nodes.begin(), q.nodes.end(), [&](const Node& n) {
    return n.op != "Quantize" && n.op != "Dequantize" && q.type(n.outputs[0]).dtype == DType::I8;
  });
}

// The layers the policy quantizes, each as its own int8 graphs.
std::vector<std::unique_ptr<SingleLayer>> single_layers(const Graph& top, const QuantPolicy& policy,
                                                        const TablesOf& tables_of) {
  QuantPolicy plain = policy;  // the precision is decided on the whole graph, below
  plain.overrides.clear();
  plain.search.reset();
  std::vector<std::unique_ptr<SingleLayer>> layers;
  for (const Node& n : top.nodes) {
    if (policy.precision_of(n) != DType::I8) continue;
    const Graph alone = single_node_graph(top, n);
    auto layer = std::make_unique<SingleLayer>();
    layer->name = n.name;
    for (const CalibrationTable& table : tables_of(n)) {
      layer->int8.push_back(quantize(alone, table, plain));
      if (!has_int8_layer(layer->int8.back())) break;
    }
    if (layer->int8.empty() || !has_int8_layer(layer->int8.back())) continue;
    for (const Graph& g : layer->int8)
      layer->executors.push_back(std::make_unique<host::Executor>(g));
    layer->cosine_sum.assign(layer->int8.size(), 0.0);
    layers.push_back(std::move(layer));
  }
  return layers;
}

// Runs every layer on the float values of one sample, the layers shared out between threads.
void measure(std::vector<std::unique_ptr<SingleLayer>>& layers, const TensorMap& values) {
  parallel_for(layers.size(), [&](size_t, size_t i) {
    SingleLayer& l = *layers[i];
    TensorMap inputs;
    for (const std::string& in : l.int8[0].inputs) inputs[in] = values.at(in);
    for (size_t t = 0; t < l.executors.size(); ++t) {
      const TensorMap& outputs = l.executors[t]->run(inputs);
      double sum = 0;
      for (const auto& [name, got] : outputs) sum += similarity(values.at(name), got).cosine;
      l.cosine_sum[t] += sum / double(outputs.size());
    }
    ++l.count;
  });
}

}  // namespace

std::vector<LayerError> layer_errors(const Graph& top, const QuantPolicy& policy,
                                     const std::vector<TensorMap>& samples,
                                     const TablesOf& tables_of) {
  std::vector<std::unique_ptr<SingleLayer>> layers = single_layers(top, policy, tables_of);
  if (layers.empty()) return {};
  host::Executor float_ex(top);
  Progress shown{true, "measuring each layer's int8 error", samples.size()};
  for (const TensorMap& sample : samples) {
    measure(layers, float_ex.run(sample, true));
    shown.advance();
  }
  std::vector<LayerError> errors;
  for (const auto& l : layers) {
    errors.push_back({l->name, {}});
    for (double sum : l->cosine_sum) errors.back().cosine.push_back(l->count ? sum / l->count : 1);
  }
  return errors;
}

}  // namespace tpuc::quant
