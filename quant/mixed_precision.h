// Automatic mixed precision: which layers must stay in float for the quantized model to reach a
// target output cosine against the float one? Every layer the policy quantizes is tried alone in
// float (its sensitivity: how much the mean output cosine over the samples improves); then layers
// join the float set in order of sensitivity until the target is met or `max_float_layers` are
// used. The result is the policy with those layers in one more override, which the user can commit.
#pragma once
#include <vector>

#include "quant/quantize.h"

namespace tpuc::quant {

struct SearchResult {
  QuantPolicy policy;                        // the input policy plus the chosen override
  double int8_cosine = 0, final_cosine = 0;  // mean output cosine before and after
  std::vector<std::pair<std::string, double>>
      sensitivity;                  // layer → cosine with only it in float, best first
  std::vector<std::string> chosen;  // the layers kept in float, most sensitive first
};

SearchResult search_mixed_precision(const Graph& top, const CalibrationTable& table,
                                    const QuantPolicy& policy,
                                    const std::vector<TensorMap>& samples,
                                    const PrecisionSearch& search);

}  // namespace tpuc::quant
