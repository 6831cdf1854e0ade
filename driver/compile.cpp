// `tpuc compile`: import → passes → calibrate → quantize → validate, with every artifact written to
// the output folder and a report (docs/report.md).
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>

#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "driver/commands.h"
#include "driver/config.h"
#include "driver/front_end.h"
#include "driver/host_layers.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/text.h"
#include "quant/mixed_precision.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "schedules/bm1684x/chip_ops.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"

namespace tpuc {

namespace {

using Json = nlohmann::json;

int argmax(const Tensor& t) {
  int best = 0;
  for (int64_t k = 1; k < t.size(); ++k)
    if (t.at(k) > t.at(best)) best = int(k);
  return best;
}

struct Validation {
  int64_t count = 0, float_correct = 0, int8_correct = 0, sim_correct = 0, bit_exact = 0;
  double cosine_sum = 0, cosine_min = 1;
};

// Runs every sample through the float graph and the int8 graph on the host reference, and the
// model file on the simulator; the simulator must reproduce the host int8 outputs bit for bit.
Validation validate(const Graph& top, const Graph& tpu, bm1684x::Simulator& sim,
                    const Dataset& data) {
  host::Executor float_ex(top), int8_ex(tpu);
  Validation v;
  const std::string& in = top.inputs.at(0);
  const std::string& out = top.outputs.at(0);
  for (size_t i = 0; i < data.images.size(); ++i) {
    const Tensor f = float_ex.run({{in, data.images[i]}}).at(out);
    const Tensor q = int8_ex.run({{in, data.images[i]}}).at(out);
    const Tensor chip = sim.run({{in, data.images[i]}}).at(out);
    const double cos = quant::similarity(f, q).cosine;
    v.cosine_sum += cos;
    v.cosine_min = std::min(v.cosine_min, cos);
    v.bit_exact += chip.data == q.data;
    if (!data.labels.empty()) {
      v.float_correct += argmax(f) == data.labels[i];
      v.int8_correct += argmax(q) == data.labels[i];
      v.sim_correct += argmax(chip) == data.labels[i];
    }
    ++v.count;
    if ((i + 1) % 1000 == 0 || i + 1 == data.images.size())
      std::fprintf(stderr, "\rvalidating: %zu/%zu", i + 1, data.images.size());
  }
  std::fprintf(stderr, "\n");
  return v;
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
  const std::string out = c.output_dir;

  Graph top = prepare_top(c, options, stages);
  quant::QuantPolicy policy = quant::load_quant_policy(c.policy);
  const quant::CalibrationTable table = quant::needs_calibration(policy)
                                            ? calibrate_or_reuse(c, top, stages)
                                            : quant::CalibrationTable{};
  Json search_report;
  if (policy.search) {
    const quant::SearchResult found = stages.run("precision search", [&] {
      Dataset cal = load(c.calibration, top, c);
      std::vector<TensorMap> samples;
      for (size_t i = 0; i < cal.images.size() && int(i) < policy.search->samples; ++i)
        samples.push_back({{top.inputs.at(0), cal.images[i]}});
      return quant::search_mixed_precision(top, table, policy, samples, *policy.search);
    });
    write_file_atomic(out + "/policy.searched.yaml",
                      quant::policy_yaml(found.policy, "found by tpuc's precision search from " +
                                                           c.policy + " for " + c.model));
    search_report = {{"int8_cosine", found.int8_cosine},
                     {"final_cosine", found.final_cosine},
                     {"float_layers", found.chosen},
                     {"precision", name(policy.search->precision)}};
    policy = found.policy;
  }
  const Graph tpu = stages.run("quantize", [&] {
    Graph q = quant::quantize(top, table, policy);
    write_tpuir(q, out + "/tpu.tpuir");
    return q;
  });

  const bm1684x::Chip chip = bm1684x::load_chip(c.chip);
  const bm1684x::Model model = stages.run("codegen", [&] {
    bm1684x::CodegenOptions options;
    options.layer_groups = c.layer_groups;
    options.dump_dir = out + "/codegen";
    bm1684x::Model m = bm1684x::compile_model(tpu, chip, options);
    bm1684x::write_model(out + "/model.tpumodel", m);
    write_file_atomic(out + "/model.disasm.txt", bm1684x::disassemble(m));
    return m;
  });
  bm1684x::Simulator sim(chip, bm1684x::read_model(out + "/model.tpumodel"), host_layer_runner());

  Json report;
  report["config"] = c.file;
  if (!search_report.is_null()) report["precision_search"] = search_report;
  report["model"] = c.model;
  bool passed = true;
  if (!c.validation.images.empty()) {
    const Validation v =
        stages.run("validate", [&] { return validate(top, tpu, sim, load(c.validation, top, c)); });
    Json& val = report["validation"];
    val["count"] = v.count;
    val["cosine_mean"] = v.count ? v.cosine_sum / double(v.count) : 1.0;
    val["cosine_min"] = v.cosine_min;
    if (!c.validation.labels.empty() && v.count) {
      const double fa = 100.0 * double(v.float_correct) / double(v.count),
                   ia = 100.0 * double(v.int8_correct) / double(v.count);
      val["float_accuracy"] = fa;
      val["int8_host_accuracy"] = ia;
      val["int8_chip_accuracy"] = 100.0 * double(v.sim_correct) / double(v.count);
      val["accuracy_drop"] = fa - ia;
      passed = passed && fa - ia <= c.max_accuracy_drop;
    }
    val["bit_exact_samples"] = v.bit_exact;
    val["bit_exact"] = v.bit_exact == v.count;
    passed = passed && v.bit_exact == v.count;
    passed = passed && double(val["cosine_mean"]) >= c.min_cosine;
    val["tolerance"] = {{"max_accuracy_drop", c.max_accuracy_drop}, {"min_cosine", c.min_cosine}};
  }
  const bm1684x::SimStats& st = sim.stats();
  // Activations share DDR by liveness: the peak they occupy, beside what one buffer each would
  // take.
  const uint64_t alignment = uint64_t(chip.ddr_alignment),
                 weights_end = (model.weight_addr + model.weights.size() + alignment - 1) /
                               alignment * alignment;
  uint64_t unshared = 0;
  for (const Node& n : tpu.nodes)
    if (!bm1684x::is_ddr_view(n.op))
      for (const std::string& o : n.outputs) unshared += uint64_t(tpu.type(o).num_bytes());
  for (const std::string& in : tpu.inputs) unshared += uint64_t(tpu.type(in).num_bytes());
  report["chip"] = {{"name", chip.name},
                    {"activation_peak_bytes", model.ddr_bytes - (weights_end - chip.ddr_base)},
                    {"activation_bytes_without_reuse", unshared},
                    {"tiu_commands", model.program.tiu.size()},
                    {"gdma_commands", model.program.gdma.size()},
                    {"weight_bytes", model.weights.size()},
                    {"ddr_bytes", model.ddr_bytes},
                    {"macs", model.macs},
                    {"latency_us", st.latency_us},
                    {"cycles", st.cycles},
                    {"tiu_busy_cycles", st.tiu_busy},
                    {"gdma_busy_cycles", st.gdma_busy},
                    {"mac_utilization", st.mac_utilization},
                    {"ddr_utilization", st.ddr_utilization}};
  // Each layer (a group) on the roofline: its operations per DDR byte against the chip's ridge
  // point (peak operations per byte of bandwidth), and the share of the attainable rate it reached.
  const double peak_ops_per_cycle = 2.0 * chip.lanes * chip.int8_macs_per_lane,
               bytes_per_cycle = chip.ddr_bytes_per_gdma_cycle() * chip.gdma_mhz / chip.tiu_mhz;
  for (size_t k = 0; k < st.layers.size(); ++k) {
    const bm1684x::LayerTime& l = st.layers[k];
    const double intensity = l.ddr_bytes ? 2.0 * double(l.macs) / double(l.ddr_bytes) : 0,
                 span = double(std::max<uint64_t>(1, l.end - l.start));
    const double attainable = l.ddr_bytes
                                  ? std::min(peak_ops_per_cycle, intensity * bytes_per_cycle)
                                  : peak_ops_per_cycle;
    report["chip"]["layers"].push_back(
        {{"name", l.name},
         {"op", l.op},
         {"nodes", model.layers[k].nodes},
         {"tiles", model.layers[k].tiles},
         {"start_cycle", l.start},
         {"end_cycle", l.end},
         {"tiu_busy_cycles", l.tiu_busy},
         {"gdma_busy_cycles", l.gdma_busy},
         {"macs", l.macs},
         {"ddr_bytes", l.ddr_bytes},
         {"ops_per_ddr_byte", intensity},
         {"bound", intensity * bytes_per_cycle < peak_ops_per_cycle ? "memory" : "compute"},
         {"of_attainable", 2.0 * double(l.macs) / span / attainable}});
  }
  report["chip"]["host_layers"] = Json::array();
  for (const bm1684x::HostLayer& h : model.host_layers)
    report["chip"]["host_layers"].push_back({{"name", h.name}, {"op", h.op}, {"reason", h.reason}});
  report["stage_ms"] = stages.times;
  report["passed"] = passed;
  write_file_atomic(out + "/report.json", report.dump(2) + "\n");

  std::printf("tpuc compile %s\n", c.file.c_str());
  std::printf(
      "  artifacts        %s/{top.tpuir, calibration.txt, tpu.tpuir, model.tpumodel, "
      "model.disasm.txt, report.json}\n",
      out.c_str());
  std::printf(
      "  %-16s %zu TIU + %zu GDMA commands, %.1f KiB weights; simulated %.2f us per inference, MAC "
      "utilization %.2f%%, DDR %.2f%%\n",
      chip.name.c_str(), model.program.tiu.size(), model.program.gdma.size(),
      double(model.weights.size()) / 1024, st.latency_us, 100 * st.mac_utilization,
      100 * st.ddr_utilization);
  if (!model.host_layers.empty())
    std::printf(
        "  %-16s %zu layers run on the host (report.json chip.host_layers; not in the simulated "
        "time), the first: %s (%s)\n",
        "host layers", model.host_layers.size(), model.host_layers[0].name.c_str(),
        model.host_layers[0].reason.c_str());
  if (report.contains("validation")) {
    const Json& val = report["validation"];
    std::printf("  validation       %lld samples\n", (long long)val["count"]);
    if (val.contains("float_accuracy"))
      std::printf(
          "  accuracy         float %.2f%%  int8 host %.2f%%  int8 %s %.2f%%  drop %.2f points "
          "(max %.2f)\n",
          double(val["float_accuracy"]), double(val["int8_host_accuracy"]), chip.name.c_str(),
          double(val["int8_chip_accuracy"]), double(val["accuracy_drop"]), c.max_accuracy_drop);
    std::printf("  bit-exact        %lld of %lld samples: %s output == host quantized reference\n",
                (long long)val["bit_exact_samples"], (long long)val["count"], chip.name.c_str());
    std::printf("  output cosine    mean %.5f  min %.5f (quantized vs float)\n",
                double(val["cosine_mean"]), double(val["cosine_min"]));
  }
  std::printf("  result           %s\n", passed ? "PASS" : "FAIL: outside tolerance");
  return passed ? 0 : 1;
}

}  // namespace tpuc
