#include "driver/compile_report.h"

#include <algorithm>
#include <cstdio>

#include "chip/bm1684x/performance.h"
#include "ir/align.h"
#include "ir/diagnostics.h"
#include "ops/registry.h"
#include "schedules/bm1684x/chip_ops.h"

namespace tpuc {

namespace {

using Json = nlohmann::json;

Json search_json(const quant::SearchResult& found, const quant::PrecisionSearch& search) {
  return {{"int8_cosine", found.int8_cosine},
          {"final_cosine", found.final_cosine},
          {"float_layers", found.chosen},
          {"precision", name(search.precision)}};
}

// The task metric needs labels and at least one sample.
bool has_accuracy(const Validation& v, const CompileConfig& c) {
  return !c.validation.labels.empty() && v.count;
}

// The metric's first figure (top-1, F1, word accuracy) in percent.
double accuracy(const metrics::Tally& t, const CompileConfig& c) {
  return metrics::figures(c.metric, t).at(0).second;
}

double accuracy_drop(const Validation& v, const CompileConfig& c) {
  return accuracy(v.float_tally, c) - accuracy(v.int8_tally, c);
}

// Every tolerance of the config held, and the chip reproduced the host int8 output on every sample.
bool validation_passed(const Validation& v, const CompileConfig& c) {
  if (has_accuracy(v, c) && !(accuracy_drop(v, c) <= c.max_accuracy_drop)) return false;
  return v.bit_exact == v.count && v.cosine_mean() >= c.min_cosine;
}

Json figures_json(const metrics::Tally& t, const CompileConfig& c) {
  Json out = Json::object();
  for (const auto& [name, value] : metrics::figures(c.metric, t)) out[name] = value;
  return out;
}

Json validation_json(const Validation& v, const CompileConfig& c) {
  Json val = {
      {"count", v.count},
      {"cosine_mean", v.cosine_mean()},
      {"cosine_min", v.cosine_min},
      {"bit_exact_samples", v.bit_exact},
      {"bit_exact", v.bit_exact == v.count},
      {"tolerance", {{"max_accuracy_drop", c.max_accuracy_drop}, {"min_cosine", c.min_cosine}}}};
  if (has_accuracy(v, c)) {
    val["metric"] = {{"kind", c.metric.kind},
                     {"name", metrics::figures(c.metric, v.float_tally).at(0).first},
                     {"float", figures_json(v.float_tally, c)},
                     {"int8_host", figures_json(v.int8_tally, c)},
                     {"int8_chip", figures_json(v.chip_tally, c)}};
    val["float_accuracy"] = accuracy(v.float_tally, c);
    val["int8_host_accuracy"] = accuracy(v.int8_tally, c);
    val["int8_chip_accuracy"] = accuracy(v.chip_tally, c);
    val["accuracy_drop"] = accuracy_drop(v, c);
  }
  return val;
}

// Activations share DDR by liveness: the peak they occupy (DDR in use past the weights)...
uint64_t activation_peak_bytes(const bm1684x::Chip& chip, const bm1684x::Model& model) {
  const uint64_t weights_end =
      align_up<uint64_t>(model.weight_addr + model.weights.size(), uint64_t(chip.ddr_alignment));
  return model.ddr_bytes - (weights_end - chip.ddr_base);
}

// ... beside what one buffer for each value computed on the chip and each input would take.
uint64_t activation_bytes_without_reuse(const Graph& tpu) {
  uint64_t bytes = 0;
  for (const Node& n : tpu.nodes)
    if (!bm1684x::is_ddr_view(n.op))
      for (const std::string& o : n.outputs) bytes += uint64_t(tpu.type(o).num_bytes());
  for (const std::string& in : tpu.inputs) bytes += uint64_t(tpu.type(in).num_bytes());
  return bytes;
}

// Each layer (a group) with its time, work and place on the roofline.
Json layers_json(const bm1684x::Chip& chip, const bm1684x::Model& model,
                 const bm1684x::SimStats& stats) {
  Json layers = Json::array();
  for (size_t k = 0; k < stats.layers.size(); ++k) {
    const bm1684x::LayerTime& l = stats.layers[k];
    const bm1684x::Roofline roofline =
        bm1684x::roofline(chip, l.macs, l.ddr_bytes, l.end - l.start);
    layers.push_back({{"name", l.name},
                      {"op", l.op},
                      {"nodes", model.layers[k].nodes},
                      {"tiles", model.layers[k].tiles},
                      {"start_cycle", l.start},
                      {"end_cycle", l.end},
                      {"tiu_busy_cycles", l.tiu_busy},
                      {"gdma_busy_cycles", l.gdma_busy},
                      {"macs", l.macs},
                      {"ddr_bytes", l.ddr_bytes},
                      {"ops_per_ddr_byte", roofline.ops_per_ddr_byte},
                      {"bound", roofline.memory_bound ? "memory" : "compute"},
                      {"of_attainable", roofline.of_attainable}});
  }
  return layers;
}

// The work of the host layer `layer`: its node's in the quantized graph.
bm1684x::HostWork host_work(const Graph& g, const bm1684x::HostLayer& layer) {
  auto node = std::find_if(g.nodes.begin(), g.nodes.end(),
                           [&](const Node& n) { return n.name == layer.name; });
  TPUC_INTERNAL_ASSERT(node != g.nodes.end(), "host layer '" + layer.name + "' has no node");
  bm1684x::HostWork work;
  std::vector<const TensorType*> inputs;
  for (const std::string& v : node->inputs) {
    inputs.push_back(v.empty() ? nullptr : &g.type(v));
    if (!v.empty()) work.ddr_bytes += uint64_t(g.type(v).num_bytes());
  }
  for (const std::string& v : node->outputs) {
    if (v.empty()) continue;
    work.elements += uint64_t(g.type(v).num_elements());
    work.ddr_bytes += uint64_t(g.type(v).num_bytes());
  }
  const ops::OpDef& def = ops::op_of(*node);
  if (def.macs) work.macs = def.macs(*node, inputs, g.type(node->outputs[0]));
  return work;
}

// Every host layer with its reason, its work and its modeled time on the SoC's CPU.
Json host_layers_json(const CompileResults& r) {
  Json layers = Json::array();
  for (const bm1684x::HostLayer& h : r.model.host_layers) {
    const bm1684x::HostWork work = host_work(r.tpu, h);
    layers.push_back({{"name", h.name},
                      {"op", h.op},
                      {"reason", h.reason},
                      {"macs", work.macs},
                      {"ddr_bytes", work.ddr_bytes},
                      {"time_us", 1e6 * bm1684x::host_layer_seconds(r.chip, work)}});
  }
  return layers;
}

// The modeled time of all host layers, in microseconds.
double host_us(const Json& chip) {
  double total = 0;
  for (const Json& layer : chip["host_layers"]) total += double(layer["time_us"]);
  return total;
}

Json chip_json(const CompileResults& r) {
  const bm1684x::SimStats& st = r.stats;
  Json chip = {{"name", r.chip.name},
               {"activation_peak_bytes", activation_peak_bytes(r.chip, r.model)},
               {"activation_bytes_without_reuse", activation_bytes_without_reuse(r.tpu)},
               {"tiu_commands", r.model.program.tiu.size()},
               {"gdma_commands", r.model.program.gdma.size()},
               {"weight_bytes", r.model.weights.size()},
               {"ddr_bytes", r.model.ddr_bytes},
               {"macs", r.model.macs},
               {"latency_us", st.latency_us},
               {"cycles", st.cycles},
               {"tiu_busy_cycles", st.tiu_busy},
               {"gdma_busy_cycles", st.gdma_busy},
               {"mac_utilization", st.mac_utilization},
               {"ddr_utilization", st.ddr_utilization},
               {"host_layers", host_layers_json(r)}};
  // No layer times when the simulator never ran (a config without validation data): no key.
  if (!st.layers.empty()) chip["layers"] = layers_json(r.chip, r.model, st);
  return chip;
}

void print_validation(const Json& val, const CompileConfig& c, const bm1684x::Chip& chip) {
  std::printf("  validation       %lld samples\n", (long long)val["count"]);
  if (val.contains("metric")) {
    const Json& m = val["metric"];
    for (const auto& [name, unused] : metrics::figures(c.metric, {}))  // in the metric's order
      std::printf("  %-16s float %.2f%%  int8 host %.2f%%  int8 %s %.2f%%\n", name.c_str(),
                  double(m["float"][name]), double(m["int8_host"][name]), chip.name.c_str(),
                  double(m["int8_chip"][name]));
    std::printf("  %-16s %.2f points (max %.2f)\n", (std::string(m["name"]) + " drop").c_str(),
                double(val["accuracy_drop"]), c.max_accuracy_drop);
  }
  std::printf("  bit-exact        %lld of %lld samples: %s output == host quantized reference\n",
              (long long)val["bit_exact_samples"], (long long)val["count"], chip.name.c_str());
  std::printf("  output cosine    mean %.5f  min %.5f (quantized vs float)\n",
              double(val["cosine_mean"]), double(val["cosine_min"]));
}

}  // namespace

Json compile_report(const CompileResults& r) {
  const Json chip = chip_json(r);
  Json report = {{"config", r.config.file},
                 {"model", r.config.model},
                 {"chip", chip},
                 {"host_us", host_us(chip)},
                 {"latency_us", double(chip["latency_us"]) + host_us(chip)},
                 {"stage_ms", r.stage_ms},
                 {"passed", !r.validation || validation_passed(*r.validation, r.config)}};
  if (r.search) report["precision_search"] = search_json(*r.search, *r.policy.search);
  if (r.validation) report["validation"] = validation_json(*r.validation, r.config);
  return report;
}

void print_compile_summary(const CompileResults& r, const Json& report) {
  const bm1684x::SimStats& st = r.stats;
  std::printf("tpuc compile %s\n", r.config.file.c_str());
  std::printf(
      "  artifacts        %s/{top.tpuir, calibration.txt, tpu.tpuir, model.bmodel, "
      "model.bmodel.json, model.disasm.txt, report.json}\n",
      r.config.output_dir.c_str());
  std::printf(
      "  %-16s %zu TIU + %zu GDMA commands, %.1f KiB weights; simulated %.2f us per inference, MAC "
      "utilization %.2f%%, DDR %.2f%%\n",
      r.chip.name.c_str(), r.model.program.tiu.size(), r.model.program.gdma.size(),
      double(r.model.weights.size()) / 1024, st.latency_us, 100 * st.mac_utilization,
      100 * st.ddr_utilization);
  const std::vector<bm1684x::HostLayer>& host = r.model.host_layers;
  if (!host.empty()) {
    std::printf("  %-16s %zu %s on the host (report.json chip.host_layers):\n", "host layers",
                host.size(), host.size() == 1 ? "layer runs" : "layers run");
    for (const bm1684x::HostLayer& h : host)
      std::printf("  %-16s %s: %s\n", "", h.name.c_str(), h.reason.c_str());
    std::printf(
        "  %-16s %.2f us: simulated chip %.2f us + host layers %.2f us (modeled %dx %.0f MHz "
        "CPU)\n",
        "latency", double(report["latency_us"]), st.latency_us, double(report["host_us"]),
        r.chip.host_cores, r.chip.host_mhz);
  }
  if (report.contains("validation")) print_validation(report["validation"], r.config, r.chip);
  std::printf("  result           %s\n", report["passed"] ? "PASS" : "FAIL: outside tolerance");
}

}  // namespace tpuc
