// Quantization: turns the float ("top") graph into the quantized ("tpu") graph of
// docs/quantization.md, following a policy (quant/quant_policy.h) and a calibration table.
// Value names are kept: a layer's output has the name of the float value it approximates, so the
// two graphs compare layer by layer. Graph inputs and outputs stay f32 behind conversions.
#pragma once
#include "quant/calibration.h"
#include "quant/quant_policy.h"

namespace tpuc::quant {

Graph quantize(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy);

}  // namespace tpuc::quant
