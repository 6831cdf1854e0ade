// Each layer's own int8 error, every layer in one pass: the float graph runs once per sample,
// keeping every value; each layer the policy quantizes then runs alone, in int8, on the float
// values of its inputs (quantized as the calibration table says), and its dequantized outputs are
// compared with the float ones. Errors of earlier layers do not reach a layer, so the figure is
// its own. The precision search ranks layers by it (quant/mixed_precision.h): one float run and
// one single-layer run per layer and sample, where ranking by the output needs a whole int8 run
// per layer and sample.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "quant/calibration.h"
#include "quant/quant_policy.h"

namespace tpuc::quant {

struct LayerError {
  std::string layer;
  // Per calibration table asked for: the cosine of the layer's int8 outputs against float, mean
  // over the samples.
  std::vector<double> cosine;
};

// The tables to quantize node `n` with, each measured (empty: the layer is not measured).
using TablesOf = std::function<std::vector<CalibrationTable>(const Node& n)>;

// The layers the policy quantizes, in graph order.
std::vector<LayerError> layer_errors(const Graph& top, const QuantPolicy& policy,
                                     const std::vector<TensorMap>& samples,
                                     const TablesOf& tables_of);

}  // namespace tpuc::quant
