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

// One layer quantized on its own: Quantize on its activation inputs, the int8 layer, Dequantize
// on its outputs.
struct SingleLayer {
  std::string name;
  Graph int8;
  std::unique_ptr<host::Executor> executor;
  double cosine_sum = 0;
  int count = 0;
};

bool has_int8_layer(const Graph& q) {
  return std::any_of(q.nodes.begin(), q.nodes.end(), [&](const Node& n) {
    return n.op != "Quantize" && n.op != "Dequantize" && q.type(n.outputs[0]).dtype == DType::I8;
  });
}

// The layers the policy quantizes, each as its own int8 graph.
std::vector<std::unique_ptr<SingleLayer>> single_layers(const Graph& top,
                                                        const CalibrationTable& table,
                                                        const QuantPolicy& policy) {
  QuantPolicy plain = policy;  // the precision is decided on the whole graph, below
  plain.overrides.clear();
  plain.search.reset();
  std::vector<std::unique_ptr<SingleLayer>> layers;
  for (const Node& n : top.nodes) {
    if (policy.precision_of(n) != DType::I8) continue;
    Graph q = quantize(single_node_graph(top, n), table, plain);
    if (!has_int8_layer(q)) continue;
    layers.push_back(std::make_unique<SingleLayer>());
    layers.back()->name = n.name;
    layers.back()->int8 = std::move(q);
    layers.back()->executor = std::make_unique<host::Executor>(layers.back()->int8);
  }
  return layers;
}

// Runs every layer on the float values of one sample, the layers shared out between threads.
void measure(std::vector<std::unique_ptr<SingleLayer>>& layers, const TensorMap& values) {
  parallel_for(layers.size(), [&](size_t, size_t i) {
    SingleLayer& l = *layers[i];
    TensorMap inputs;
    for (const std::string& in : l.int8.inputs) inputs[in] = values.at(in);
    for (const auto& [name, got] : l.executor->run(inputs)) {
      l.cosine_sum += similarity(values.at(name), got).cosine;
      ++l.count;
    }
  });
}

}  // namespace

std::vector<LayerError> layer_errors(const Graph& top, const CalibrationTable& table,
                                     const QuantPolicy& policy,
                                     const std::vector<TensorMap>& samples) {
  std::vector<std::unique_ptr<SingleLayer>> layers = single_layers(top, table, policy);
  if (layers.empty()) return {};
  host::Executor float_ex(top);
  Progress shown{true, "measuring each layer's int8 error", samples.size()};
  for (const TensorMap& sample : samples) {
    measure(layers, float_ex.run(sample, true));
    shown.advance();
  }
  std::vector<LayerError> errors;
  for (const auto& l : layers)
    errors.push_back({l->name, l->count ? l->cosine_sum / l->count : 1.0});
  return errors;
}

}  // namespace tpuc::quant
