// The quantization policy (configs/quant/*.yaml, docs/config.md): the precision of every layer —
// int8, f16, bf16 or f32 — from a mode and overrides, plus an optional precision search.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tpuc::quant {

// Automatic mixed precision (quant/mixed_precision.h): layers in `precision` until the output
// cosine against float reaches target_cosine, at most max_float_layers of them.
struct PrecisionSearch {
  double target_cosine = 0.99;
  int max_float_layers = 4;
  int samples = 20;              // calibration samples the cosine is measured on
  DType precision = DType::F16;  // what the chosen layers keep
  // How layers are ranked: "layer" by each one's own int8 error, all in one pass
  // (quant/layer_error.h); "output" by the output cosine with only that layer in float, one
  // whole int8 run per layer.
  std::string ranking = "layer";
};

// Layers kept in a float precision: by op type, or by layer name or shell pattern (`/features/*`).
struct PrecisionOverride {
  std::vector<std::string> ops, layers;
  DType precision = DType::F32;  // f16, bf16 or f32
  std::string origin;  // "policy.yaml:7" for errors found later (a pattern matching nothing)
  bool matches(const Node& n) const;
};

struct QuantPolicy {
  std::string file;
  std::string mode =
      "int8_sym";  // int8_sym, int8_asym (zero points on activations), f16, bf16, f32
  bool per_channel_weights = true;
  // The equalize-cross-layer pass runs on the float graph before calibration (docs/passes.md).
  bool equalize_cross_layer = false;
  // Conv and Gemm biases absorb the mean error their int8 weights make on the calibration
  // samples (docs/quantization.md).
  bool bias_correction = false;
  std::vector<PrecisionOverride> overrides;  // the last one that matches a layer wins
  std::optional<PrecisionSearch> search;
  // The precision of a layer: int8 (DType::I8) or a float type. An int8 layer whose op has no
  // int8 form runs in f32.
  DType precision_of(const Node& n) const;
  bool int8() const { return mode == "int8_sym" || mode == "int8_asym"; }
  bool asymmetric() const { return mode == "int8_asym"; }
};

QuantPolicy load_quant_policy(const std::string& yaml_path);
// The policy as YAML, as load_quant_policy reads it (without `search`).
std::string policy_yaml(const QuantPolicy& policy, const std::string& comment);
// Int8 modes need a calibration table; float modes (f16, bf16, f32) do not.
bool needs_calibration(const QuantPolicy& policy);

}  // namespace tpuc::quant
