// `tpuc schedule show` and `tpuc schedule check`: one layer of a quantized graph (tpu.tpuir, as a
// compile writes it) compiled alone for the chip — what its schedule made of it, and whether the
// simulator still computes what the host reference computes.
#include <cstdio>
#include <random>

#include "backend/bm1684x/codegen/codegen.h"
#include "backend/bm1684x/sim/simulator.h"
#include "backend/host/executor.h"
#include "cli/commands.h"
#include "cli/host_layers.h"
#include "ir/diagnostics.h"
#include "ir/text.h"
#include "schedules/bm1684x/chip_schedule.h"

namespace tpuc {

namespace {

// Seeded inputs over each type's whole range: every int8 code, standard-normal floats.
TensorMap random_inputs(const Graph& g, unsigned seed) {
  std::mt19937 rng(seed);
  TensorMap inputs;
  for (const std::string& name : g.inputs) {
    Tensor t(g.type(name));
    std::normal_distribution<float> normal;
    for (int64_t i = 0; i < t.size(); ++i) {
      if (t.type.dtype == DType::I8) t.as<int8_t>()[i] = int8_t(int(rng() % 256) - 128);
      if (t.type.dtype == DType::F32) t.as<float>()[i] = normal(rng);
    }
    inputs[name] = t;
  }
  return inputs;
}

const Node& find_node(const Graph& g, const std::string& name, const std::string& file) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw Error(file + ": no node named '" + name + "'");
}

}  // namespace

int schedule_show_command(const std::string& graph_file, const std::string& node, const std::string& chip_file) {
  const Graph g = read_tpuir(graph_file);
  const Graph one = single_node_graph(g, find_node(g, node, graph_file));
  const bm1684x::Chip chip = bm1684x::load_chip(chip_file);
  std::map<std::string, std::string> dumps;
  const bm1684x::Model model = bm1684x::compile_model(one, chip, {"", &dumps});
  bm1684x::Simulator sim(chip, model, host_layer_runner());
  sim.run(random_inputs(one, 1));
  const bm1684x::SimStats& s = sim.stats();
  std::printf("%s\ncommands:\n%s\nsimulated on %s: %llu cycles (%.2f us), TIU busy %llu, GDMA busy %llu, MAC utilization %.2f%%, DDR utilization %.2f%%\n",
              dumps.count(node) ? dumps.at(node).c_str() : "(no commands: a view of its input)\n", bm1684x::disassemble(model).c_str(),
              chip.name.c_str(), (unsigned long long)s.cycles, s.latency_us, (unsigned long long)s.tiu_busy, (unsigned long long)s.gdma_busy,
              100 * s.mac_utilization, 100 * s.ddr_utilization);
  return 0;
}

int schedule_check_command(const std::string& graph_file, const std::string& node, const std::string& chip_file, int samples) {
  const Graph g = read_tpuir(graph_file);
  const bm1684x::Chip chip = bm1684x::load_chip(chip_file);
  int checked = 0, failed = 0, on_host = 0;
  std::printf("%-48s %-18s %-10s %10s\n", "node", "op", "result", "cycles");
  for (const Node& n : g.nodes) {
    if ((!node.empty() && n.name != node) || bm1684x::is_ddr_view(n.op)) continue;
    const Graph one = single_node_graph(g, n);
    std::string result = "bit-exact";
    uint64_t cycles = 0;
    try {
      const bm1684x::Model model = bm1684x::compile_model(one, chip);
      if (!model.host_layers.empty()) {  // nothing of the chip's to check
        ++on_host;
        std::printf("%-48s %-18s host layer: %s\n", n.name.c_str(), n.op.c_str(), model.host_layers[0].reason.c_str());
        continue;
      }
      bm1684x::Simulator sim(chip, model);
      host::Executor host(one);
      for (int s = 0; s < samples && result == "bit-exact"; ++s) {
        const TensorMap in = random_inputs(one, unsigned(s + 1));
        const TensorMap got = sim.run(in);
        cycles = sim.stats().cycles;
        for (const std::string& o : one.outputs)
          if (got.at(o).data != host.run(in).at(o).data) result = "MISMATCH (sample " + std::to_string(s + 1) + ")";
      }
    } catch (const Error& e) {
      result = std::string("error: ") + e.what();
    }
    ++checked;
    failed += result != "bit-exact";
    std::printf("%-48s %-18s %-10s %10llu\n", n.name.c_str(), n.op.c_str(), result.c_str(), (unsigned long long)cycles);
  }
  if (!node.empty() && !checked && !on_host) throw Error(graph_file + ": no node named '" + node + "' with commands");
  std::printf("%d of %d layers bit-exact against the host reference on %s (%d random samples each); %d host layers\n", checked - failed,
              checked, chip.name.c_str(), samples, on_host);
  return failed ? 1 : 0;
}

}  // namespace tpuc
