// Quantization: turns the float ("top") graph into the quantized ("tpu") graph of
// docs/quantization.md, following a policy (configs/quant/*.yaml) and a calibration table.
// Value names are kept: an int8 value has the name of the float value it approximates, so the two
// graphs compare layer by layer. Graph inputs and outputs stay f32 behind Quantize/Dequantize.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "passes/calibration.h"

namespace tpuc::passes {

// Automatic mixed precision (passes/mixed_precision.h): float layers until the output cosine
// against float reaches target_cosine, at most max_float_layers of them.
struct PrecisionSearch {
  double target_cosine = 0.99;
  int max_float_layers = 4;
  int samples = 20;  // calibration samples the cosine is measured on
};

struct QuantPolicy {
  std::string file;
  std::string mode = "int8_sym";
  bool per_channel_weights = true;
  std::vector<std::string> float_ops;     // op types kept in f32
  std::vector<std::string> float_layers;  // layer names or shell patterns kept in f32
  std::optional<PrecisionSearch> search;
};

QuantPolicy load_quant_policy(const std::string& yaml_path);
Graph quantize(const Graph& top, const CalibrationTable& table, const QuantPolicy& policy);

}  // namespace tpuc::passes
