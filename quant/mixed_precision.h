// Automatic mixed precision: which layers must stay in float for the quantized model to reach a
// target output cosine against float? Layers are ranked by sensitivity — each one's own int8
// error (quant/layer_error.h, one pass), or the output cosine with only it in float (one whole
// run per layer) — and join the float set in that order, each only if it raises the output
// cosine, until the target is met, `max_float_layers` have joined or twice that many were tried.
// The result is the policy with those layers in one more override, which the user can commit.
#pragma once
#include <vector>

#include "quant/quantize.h"

namespace tpuc::quant {

struct SearchResult {
  QuantPolicy policy;                        // the input policy plus the chosen override
  double int8_cosine = 0, final_cosine = 0;  // mean output cosine before and after
  // Layers most sensitive first, with the figure they were ranked by: the cosine of the layer's
  // own int8 outputs, or the output cosine with only the layer in float.
  std::vector<std::pair<std::string, double>> sensitivity;
  std::vector<std::string> chosen;  // the layers kept in float, most sensitive first
};

SearchResult search_mixed_precision(const Graph& top, const CalibrationTable& table,
                                    const QuantPolicy& policy,
                                    const std::vector<TensorMap>& samples,
                                    const PrecisionSearch& search);

}  // namespace tpuc::quant
