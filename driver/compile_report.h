// What `tpuc compile` reports once its phases have run: report.json (docs/report.md) and the
// summary it prints, both built from the phases' results.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "driver/config.h"
#include "ir/graph.h"
#include "metrics/task_metric.h"
#include "quant/mixed_precision.h"
#include "quant/quant_policy.h"

namespace tpuc {

// The validation's tallies over its samples: float and int8 graphs on the host reference, the
// model file on the simulator; the task metric's tallies when the samples have labels.
struct Validation {
  int64_t count = 0, bit_exact = 0;
  metrics::Tally float_tally, int8_tally, chip_tally;
  double cosine_sum = 0, cosine_min = 1;  // int8 output against float output
  double cosine_mean() const { return count ? cosine_sum / double(count) : 1.0; }
};

// The results of a compile's phases, as its report needs them.
struct CompileResults {
  const CompileConfig& config;
  const quant::QuantPolicy& policy;  // as the config names it, with its precision search
  const std::optional<quant::SearchResult>& search;  // set when the policy has a search
  const Graph& tpu;                                  // the quantized graph
  const bm1684x::Chip& chip;
  const bm1684x::Model& model;
  const bm1684x::SimStats& stats;  // of the simulator's last run (zero when validation ran none)
  const std::optional<Validation>& validation;  // set when the config has validation data
  const std::map<std::string, double>& stage_ms;
};

// report.json; its `passed` decides the exit code.
nlohmann::json compile_report(const CompileResults& r);
// The summary on stdout (README.md shows it), from the results and their report.
void print_compile_summary(const CompileResults& r, const nlohmann::json& report);

}  // namespace tpuc
