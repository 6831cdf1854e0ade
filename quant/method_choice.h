// Calibration method "auto": a calibration method per layer. Every method's thresholds come from
// the same histograms; then each layer the samples reach is quantized alone once per method — its
// inputs at the first method's thresholds (MSE), its outputs at that method's — and measured
// against float on the samples, all layers and methods in one pass (quant/layer_error.h). Each
// layer's outputs take the thresholds of the method whose layer came closest (the first method
// on a tie); a method giving a layer's outputs the thresholds of an earlier one is not tried
// again. Layers are judged in symmetric int8.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "quant/calibration.h"

namespace tpuc::quant {

// by_method: each method's table, the base (MSE) first.
CalibrationTable choose_per_layer(
    const Graph& top, const std::vector<TensorMap>& samples,
    const std::vector<std::pair<std::string, CalibrationTable>>& by_method);

}  // namespace tpuc::quant
