// The compile configuration (docs/config.md): one YAML file naming the model, its inputs and
// preprocessing, the chip, the pass pipeline, the quantization policy and calibration data,
// validation data and tolerances, and the output folder. Relative paths resolve against the
// file they are written in. A config may `extends:` a base config and `include:` fragments;
// `--set a.b=value` overrides any key before the checks run; every mistake is reported at once
// with file:line:column.
#pragma once
#include <string>
#include <vector>

#include "driver/dataset.h"
#include "ir/tensor.h"
#include "metrics/task_metric.h"
#include "quant/calibration.h"

namespace tpuc {

struct DatasetConfig {
  std::string images, labels;  // IDX files (gzip)
  int64_t count = 0;           // samples used; 0 = all
};

struct InputConfig {
  std::string name;
  Shape shape;        // empty: as the model says
  std::string value;  // a file holding its value: the input becomes that constant
  Preprocess preprocess;
  bool fuse_preprocess = false;  // the compiled model takes raw input (passes/fuse_preprocess.cpp)
};

// A list of names from the config, with where it was written (errors found after import use it).
struct NamesConfig {
  std::vector<std::string> names;
  std::string origin;  // "file:line"
};

struct CompileConfig {
  std::string file;
  std::string model;
  std::vector<InputConfig> inputs;
  NamesConfig outputs;  // the model outputs to keep (empty: all)
  std::string chip, pipeline, policy;
  DatasetConfig calibration;
  quant::CalibrationMethod calibration_method;
  DatasetConfig validation;
  metrics::MetricConfig metric;    // how validation outputs are judged against their labels
  double max_accuracy_drop = 1.0;  // points of the metric's first figure, quantized vs float
  double min_cosine = 0.99;  // per-sample output cosine, quantized vs float (mean over samples)
  bool layer_groups = true;  // codegen.layer_groups: fuse layers in local memory
  std::string output_dir;
};

// `path` composed with its `extends:` and `include:` files (merge rule in ir/yaml.h), then `--set`.
CompileConfig load_config(const std::string& path, const std::vector<std::string>& overrides = {});
// Every file `path` is composed of: itself and its `extends:` and `include:` files, recursively.
std::vector<std::string> config_files(const std::string& path);
// The resolved config as YAML, every value followed by "# file:line" (or "# --set ...") of where it
// was written: `tpuc config show`.
std::string show_config(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace tpuc
