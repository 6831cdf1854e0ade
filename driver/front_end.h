// The front half of every config-driven command (compile, calibrate, compare-layers): import and
// the pass pipeline, calibration (or reuse of a table from the same inputs), and the datasets as
// the model's inputs — each stage timed and announced on stderr.
#pragma once
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "driver/commands.h"
#include "driver/config.h"
#include "driver/dataset.h"
#include "ir/graph.h"
#include "quant/calibration.h"

namespace tpuc {

// Times each stage and prints it as it finishes.
class Stages {
 public:
  template <class F>
  auto run(const std::string& name, F&& f) {
    std::fprintf(stderr, "[%s] ...\n", name.c_str());
    const auto start = std::chrono::steady_clock::now();
    auto result = f();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    times[name] = ms;
    std::fprintf(stderr, "[%s] done in %.0f ms\n", name.c_str(), ms);
    return result;
  }
  std::map<std::string, double> times;
};

// Import and the pass pipeline: the float graph every later stage starts from (top.tpuir).
Graph prepare_top(const CompileConfig& c, const CompileOptions& options, Stages& stages);
// The calibration table for `top`: the one in the output folder when its key matches, else
// computed.
quant::CalibrationTable calibrate_or_reuse(const CompileConfig& c, const Graph& top,
                                           Stages& stages);
// A dataset of the config (calibration or validation) as inputs of `g`.
Dataset load(const DatasetConfig& d, const Graph& g, const CompileConfig& c);

}  // namespace tpuc
