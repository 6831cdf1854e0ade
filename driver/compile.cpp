// `tpuc compile` as a sequence of phases, each a function of what the earlier ones produced:
// front end (import and passes, driver/front_end.h), calibration, precision search, quantize,
// codegen, validate and report (driver/compile_report.h). Every phase writes its artifacts to the
// output folder.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "chip/bm1684x/disasm.h"
#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "driver/commands.h"
#include "driver/compile_report.h"
#include "driver/config.h"
#include "driver/front_end.h"
#include "driver/host_layers.h"
#include "ir/files.h"
#include "ir/parallel.h"
#include "ir/progress.h"
#include "ir/text.h"
#include "quant/mixed_precision.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"

namespace tpuc {

namespace {

// What one worker runs a validation sample on: host executors of both graphs and a simulator.
struct Validator {
  host::Executor float_ex, int8_ex;
  bm1684x::Simulator* sim;
};

// One sample's outputs: float and quantized host reference, and the simulator's.
struct SampleOutputs {
  Tensor f, q, chip;
};

// Runs every sample through the float graph and the int8 graph on the host reference, and the
// model file on the simulator; the simulator must reproduce the host int8 outputs bit for bit.
// Labelled samples add to the task metric's tallies. Each core runs a sample with simulators of
// its own (`sims`, one per worker); the results add up in sample order, a core's worth at a time,
// so the figures are the same on any machine.
Validation validate(const Graph& top, const Graph& tpu,
                    const std::vector<bm1684x::Simulator*>& sims, const Dataset& data,
                    const metrics::MetricConfig& metric) {
  std::vector<std::unique_ptr<Validator>> workers;
  for (bm1684x::Simulator* sim : sims)  // (Executor does not move: built in place)
    workers.emplace_back(new Validator{host::Executor(top), host::Executor(tpu), sim});
  Validation v;
  const std::string& in = top.inputs.at(0);
  const std::string& out = top.outputs.at(0);
  Progress shown{true, "validating", data.images.size()};
  for (size_t first = 0; first < data.images.size(); first += workers.size()) {
    std::vector<SampleOutputs> chunk(std::min(workers.size(), data.images.size() - first));
    parallel_for(chunk.size(), [&](size_t, size_t k) {
      Validator& w = *workers[k];
      const TensorMap sample{{in, data.images[first + k]}};
      chunk[k] = {w.float_ex.run(sample).at(out), w.int8_ex.run(sample).at(out),
                  w.sim->run(sample).at(out)};
      shown.advance();
    });
    for (size_t k = 0; k < chunk.size(); ++k) {
      const SampleOutputs& o = chunk[k];
      const double cos = quant::similarity(o.f, o.q).cosine;
      v.cosine_sum += cos;
      v.cosine_min = std::min(v.cosine_min, cos);
      v.bit_exact += o.chip.data == o.q.data;
      if (!data.labels.empty()) {
        const metrics::Label& label = data.labels[first + k];
        metrics::add_sample(metric, o.f, label, v.float_tally);
        metrics::add_sample(metric, o.q, label, v.int8_tally);
        metrics::add_sample(metric, o.chip, label, v.chip_tally);
      }
      ++v.count;
    }
  }
  return v;
}

// The policy's precision search, when it has one: which layers to keep in float for the output
// to reach its target cosine on calibration samples. The policy it finds is written out
// (policy.searched.yaml) and replaces the configured one.
std::optional<quant::SearchResult> search_precision(const CompileConfig& c, const Graph& top,
                                                    const quant::CalibrationTable& table,
                                                    const quant::QuantPolicy& policy,
                                                    Stages& stages) {
  if (!policy.search) return std::nullopt;
  quant::SearchResult found = stages.run("precision search", [&] {
    Dataset cal = load(c.calibration, top, c);
    std::vector<TensorMap> samples;
    for (size_t i = 0; i < cal.images.size() && int(i) < policy.search->samples; ++i)
      samples.push_back({{top.inputs.at(0), cal.images[i]}});
    return quant::search_mixed_precision(top, table, policy, samples, *policy.search);
  });
  write_file_atomic(c.output_dir + "/policy.searched.yaml",
                    quant::policy_yaml(found.policy, "found by tpuc's precision search from " +
                                                         c.policy + " for " + c.model));
  return found;
}

// The quantized graph (tpu.tpuir).
Graph quantize_graph(const CompileConfig& c, const Graph& top, const quant::CalibrationTable& table,
                     const quant::QuantPolicy& policy, Stages& stages) {
  return stages.run("quantize", [&] {
    Graph q = quant::quantize(top, table, policy);
    write_tpuir(q, c.output_dir + "/tpu.tpuir");
    return q;
  });
}

// The model file for the chip (model.bmodel and its sidecar model.bmodel.json), its disassembly,
// and each layer's schedule in codegen/. The net is named after the model file (its stem).
bm1684x::Model generate_code(const CompileConfig& c, const Graph& tpu, const bm1684x::Chip& chip,
                             Stages& stages) {
  return stages.run("codegen", [&] {
    bm1684x::CodegenOptions options;
    options.layer_groups = c.layer_groups;
    options.dump_dir = c.output_dir + "/codegen";
    bm1684x::Model m = bm1684x::compile_model(tpu, chip, options);
    m.name = std::filesystem::path(c.model).stem().string();
    bm1684x::write_model(c.output_dir + "/model.bmodel", m);
    write_file_atomic(c.output_dir + "/model.disasm.txt", bm1684x::disassemble(m));
    return m;
  });
}

// The validation data, when the config has some, through the float graph, the quantized graph
// and the model file (`written`): on `sim`, and on a simulator of its own for each further core.
std::optional<Validation> validate_model(const CompileConfig& c, const Graph& top, const Graph& tpu,
                                         const bm1684x::Chip& chip, const bm1684x::Model& written,
                                         bm1684x::Simulator& sim, Stages& stages) {
  if (c.validation.images.empty()) return std::nullopt;
  return stages.run("validate", [&] {
    const Dataset data = load(c.validation, top, c);
    std::vector<std::unique_ptr<bm1684x::Simulator>> more;
    std::vector<bm1684x::Simulator*> sims{&sim};
    while (sims.size() < worker_count(data.images.size())) {
      more.push_back(std::make_unique<bm1684x::Simulator>(chip, written, host_layer_runner()));
      sims.push_back(more.back().get());
    }
    return validate(top, tpu, sims, data, c.metric);
  });
}

}  // namespace

int calibrate_command(const CompileOptions& options) {
  const CompileConfig c = load_config(options.config, options.overrides);
  Stages stages;
  Graph top = prepare_top(c, options, stages);
  const quant::CalibrationTable table = calibrate_or_reuse(c, top, stages);
  std::printf("%zu thresholds (%s) in %s/calibration.txt\n", table.threshold.size(),
              c.calibration_method.name.c_str(), c.output_dir.c_str());
  return 0;
}

int compile_command(const CompileOptions& options) {
  const CompileConfig c = load_config(options.config, options.overrides);
  Stages stages;
  const Graph top = prepare_top(c, options, stages);
  const quant::QuantPolicy configured = quant::load_quant_policy(c.policy);
  const quant::CalibrationTable table = quant::needs_calibration(configured)
                                            ? calibrate_or_reuse(c, top, stages)
                                            : quant::CalibrationTable{};
  const std::optional<quant::SearchResult> search =
      search_precision(c, top, table, configured, stages);
  const Graph tpu = quantize_graph(c, top, table, search ? search->policy : configured, stages);
  const bm1684x::Chip chip = bm1684x::load_chip(c.chip);
  const bm1684x::Model model = generate_code(c, tpu, chip, stages);
  // The simulators run the model file as written, not the Model in memory.
  const bm1684x::Model written = bm1684x::read_model(c.output_dir + "/model.bmodel");
  bm1684x::Simulator sim(chip, written, host_layer_runner());
  const std::optional<Validation> validation =
      validate_model(c, top, tpu, chip, written, sim, stages);
  const CompileResults results{c,     configured,  search,     tpu,         chip,
                               model, sim.stats(), validation, stages.times};
  const nlohmann::json report = compile_report(results);
  write_file_atomic(c.output_dir + "/report.json", report.dump(2) + "\n");
  print_compile_summary(results, report);
  return report["passed"].get<bool>() ? 0 : 1;
}

}  // namespace tpuc
