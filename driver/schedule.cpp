// `tpuc schedule show` and `tpuc schedule check`: one layer compiled alone for the chip: what its
// schedule made of it, and whether the simulator still computes what the host reference computes.
// The layer is one of a quantized graph (tpu.tpuir, as a compile writes it), or a synthetic layer
// of one operator on shapes of the user's choosing (driver/synthetic_layer.h); without a shape,
// check sweeps a table of shapes at the edges of the op's BM1684X schedule.
#include <cstdio>
#include <functional>

#include "chip/bm1684x/disasm.h"
#include "chip/bm1684x/sim/simulator.h"
#include "driver/commands.h"
#include "driver/host_layers.h"
#include "driver/synthetic_layer.h"
#include "ir/diagnostics.h"
#include "ir/text.h"
#include "quant/similarity.h"
#include "schedules/bm1684x/chip_ops.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"

namespace tpuc {

namespace {

// The shapes `schedule check --op OP` sweeps when no --shape is given, chosen for the edges of a
// BM1684X schedule: channels below, at and above the 64 lanes and not a multiple of them; odd
// heights and widths; strides 1 and 2; padding; 1×1 and 3×3 kernels (Conv's default is 3×3);
// depthwise Conv; and a layer too large for local memory at once (256 KiB a lane), split into row
// tiles that do not divide its rows. Small enough that a sweep takes seconds: every case
// JIT-compiles its host reference.
struct SweepCase {
  const char* shape;
  std::vector<std::string> attrs;
};
// Elementwise ops: channels below and past the lanes, row tiles; one lane and one row; a
// [rows, columns] tensor spread along its longest dimension.
const std::vector<SweepCase> kElementwise = {
    {"1x16x9x9", {}}, {"1x70x5x7", {}}, {"1x64x301x300", {}}, {"1x1x1x300", {}}, {"3x1000", {}}};
const std::map<std::string, std::vector<SweepCase>> kSweeps = {
    {"Conv",
     {{"1x3x17x17", {"out_channels=16", "pads=1,1,1,1"}},     // few channels, odd size, padding
      {"1x64x8x8", {"out_channels=64", "kernel_shape=1,1"}},  // exactly the lanes, 1×1
      {"1x70x9x11",
       {"out_channels=130", "strides=2,2", "pads=1,1,1,1"}},  // past the lanes, stride 2
      {"1x96x15x15", {"out_channels=96", "group=96", "strides=2,2", "pads=1,1,1,1"}},  // depthwise
      {"1x8x225x223", {"out_channels=8", "pads=1,1,1,1"}},  // two row tiles, uneven
      {"1x2x17x17",
       {"out_channels=1", "kernel_shape=7,7", "pads=3,3,3,3"}}}},  // one output channel
    {"MaxPool",
     {{"1x16x17x17",
       {"kernel_shape=3,3", "strides=2,2", "pads=1,1,1,1"}},    // few channels, odd size, padding
      {"1x64x8x8", {"kernel_shape=2,2", "strides=2,2"}},        // exactly the lanes
      {"1x66x7x9", {"kernel_shape=3,3", "pads=1,1,1,1"}},       // past the lanes, stride 1
      {"1x3x9x9", {"kernel_shape=1,1"}},                        // 1×1
      {"1x8x363x361", {"kernel_shape=3,3", "pads=1,1,1,1"}}}},  // row tiles
    {"Gemm",
     {{"1x100", {"out_features=70"}},       // outputs past the lanes
      {"4x64", {"out_features=64"}},        // exactly the lanes
      {"3x200", {"out_features=10"}},       // reduction past the lanes, odd rows
      {"2x8192", {"out_features=3000"}}}},  // B past local memory: tiles of columns
    {"Abs", kElementwise},
    {"Add", kElementwise},
    {"DepthToSpace",
     {{"1x36x5x7", {"blocksize=2"}},                 // few channels, DCR
      {"1x630x5x7", {"blocksize=3", "mode=CRD"}},    // past the lanes, CRD
      {"1x4x1x300", {"blocksize=2", "mode=CRD"}}}},  // one row
    {"Exp", kElementwise},
    {"Expand",
     {{"1x70x1x11", {"shape=1,70,9,11"}},  // rows
      {"1x1x9x11", {"shape=1,70,9,11"}},   // channels, past the lanes
      {"1x8x1x9", {"shape=2,8,5,9"}}}},    // a batch too
    {"Equal", kElementwise},
    {"Erf", kElementwise},
    {"Floor", kElementwise},
    {"Greater", kElementwise},
    {"GreaterOrEqual", kElementwise},
    {"HardSigmoid", kElementwise},
    {"HardSwish", kElementwise},
    {"LeakyRelu", kElementwise},
    {"Less", kElementwise},
    {"LessOrEqual", kElementwise},
    {"Log", kElementwise},
    {"Neg", kElementwise},
    {"Reciprocal", kElementwise},
    {"Relu", kElementwise},
    {"Sigmoid", kElementwise},
    {"Softplus", kElementwise},
    {"Sqrt", kElementwise},
    {"Tanh", kElementwise},
    {"GlobalAveragePool", {{"1x16x7x7", {}}, {"1x70x9x11", {}}}},
    {"Tile",
     {{"1x8x3x4", {"repeats=1,1,2,3"}},   // rows and columns: one copy per repeat
      {"1x70x3x4", {"repeats=2,1,1,1"}},  // the batch, channels past the lanes
      {"5x7", {"repeats=3,2"}}}},
    {"Where", kElementwise},
    {"Transpose", {{"1x128x4x64", {"perm=0,2,1,3"}}, {"128x3x70", {"perm=1,0,2"}}, {"5x7", {}}}},
    {"Softmax",
     {{"4x128x128", {}},
      {"3x1000", {}},
      {"1x4x70x50", {}}}},  // attention scores, a classifier, 4-D rows past the lanes
    {"MatMul", {{"4x70x64", {"out_features=70"}}, {"128x64", {"out_features=130"}}}},
};

const Node& find_node(const Graph& g, const std::string& name, const std::string& file) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw Error(file + ": no node named '" + name + "'");
}

// --graph and --op name the layer two ways; each kind's options go only with it.
void check_layer_options(const ScheduleOptions& o) {
  if (!o.graph.empty() && !o.op.empty())
    throw Error(
        "--graph and --op exclude each other: a layer of a quantized graph, or a synthetic layer");
  if (o.graph.empty() && o.op.empty())
    throw Error(
        "--graph or --op: give a quantized graph (--graph tpu.tpuir --node NAME) or an operator "
        "(--op conv2d ...)");
  if (!o.graph.empty() && (!o.shape.empty() || !o.dtype.empty() || !o.attrs.empty()))
    throw Error(
        "--shape, --dtype and --attr describe a synthetic layer: they go with --op, not --graph");
  if (!o.op.empty() && !o.node.empty())
    throw Error("--node names a layer of --graph; with --op the layer is the operator itself");
}

// --dtype, int8 unless given.
std::string precision(const ScheduleOptions& o) { return o.dtype.empty() ? "int8" : o.dtype; }

SyntheticLayer synthetic_layer(const ScheduleOptions& o, const std::string& shape,
                               const std::vector<std::string>& attrs) {
  return parse_synthetic_layer(o.op, shape, precision(o), attrs, o.configs);
}

// The model's commands as the generator made them, one line each (isa.h command_text).
std::string generated_commands(const bm1684x::Model& m) {
  std::string text = "TIU\n";
  for (const bm1684x::TiuCommand& c : m.program.tiu) text += "  " + bm1684x::command_text(c) + "\n";
  text += "GDMA\n";
  for (const bm1684x::GdmaCommand& c : m.program.gdma)
    text += "  " + bm1684x::command_text(c) + "\n";
  return text;
}

// Node `n` of `g` compiled alone: its tile, LMEM map, lowered loops, commands and simulated cycles.
void show_layer(const Graph& g, const Node& n, const bm1684x::Chip& chip) {
  const Graph one = single_node_graph(g, n);
  std::map<std::string, std::string> dumps;
  bm1684x::CodegenOptions options;
  options.dumps = &dumps;
  const bm1684x::Model model = bm1684x::compile_model(one, chip, options);
  bm1684x::Simulator sim(chip, model, host_layer_runner());
  sim.run(random_inputs(one, 1));
  const bm1684x::SimStats& s = sim.stats();
  std::printf(
      "%s\ncommands (as generated; `tpuc disasm` of a compiled model lists their bits):\n%s\n"
      "simulated on %s: %llu cycles (%.2f us), TIU busy %llu, GDMA busy %llu, "
      "MAC utilization %.2f%%, DDR utilization %.2f%%\n",
      dumps.count(n.name) ? dumps.at(n.name).c_str() : "(no commands: a view of its input)\n",
      generated_commands(model).c_str(), chip.name.c_str(), (unsigned long long)s.cycles,
      s.latency_us, (unsigned long long)s.tiu_busy, (unsigned long long)s.gdma_busy,
      100 * s.mac_utilization, 100 * s.ddr_utilization);
}

// One layer's check: what the chip made of it against the host reference.
struct LayerCheck {
  std::string result = "bit-exact";  // or how it differs, or the error
  std::string host_reason;  // set when the chip runs the layer on the host: nothing to check
  uint64_t cycles = 0;
  bool passed() const { return result == "bit-exact"; }
};

// "bit-exact" when the chip's output is the reference's bit for bit, else how it differs: for
// float outputs, by the largest difference.
std::string outcome(const Tensor& want, const Tensor& got, int sample) {
  if (got.data == want.data) return "bit-exact";
  const std::string where = " (sample " + std::to_string(sample) + ")";
  if (!info(want.type.dtype).is_float) return "MISMATCH" + where;
  char max_abs[32];
  std::snprintf(max_abs, sizeof max_abs, "%.3g", quant::similarity(want, got).max_abs);
  return std::string("max |diff| ") + max_abs + where;
}

// A one-node graph (made by `layer`, whose errors count as the layer's) compiled for the chip and
// run on `samples` random inputs, simulator against the host reference.
LayerCheck check_layer(const std::function<Graph()>& layer, const bm1684x::Chip& chip,
                       int samples) {
  LayerCheck c;
  try {
    const Graph one = layer();
    const bm1684x::Model model = bm1684x::compile_model(one, chip);
    if (!model.host_layers.empty()) {
      c.host_reason = model.host_layers[0].reason;
      return c;
    }
    bm1684x::Simulator sim(chip, model);
    host::Executor host(one);
    for (int s = 1; s <= samples && c.passed(); ++s) {
      const TensorMap in = random_inputs(one, unsigned(s));
      const TensorMap got = sim.run(in);
      const TensorMap& want = host.run(in);
      c.cycles = sim.stats().cycles;
      for (const std::string& o : one.outputs)
        if (c.passed()) c.result = outcome(want.at(o), got.at(o), s);
    }
  } catch (const Error& e) {
    c.result = std::string("error: ") + e.what();
  }
  return c;
}

// Checks and prints the rows of a table; the summary line counts them.
struct CheckTally {
  int checked = 0, failed = 0, on_host = 0;
  void add(const LayerCheck& c) {
    if (!c.host_reason.empty()) {
      ++on_host;
      return;
    }
    ++checked;
    failed += !c.passed();
  }
  int summary(const char* noun, const bm1684x::Chip& chip, int samples) const {
    std::printf(
        "%d of %d %s bit-exact against the host reference on %s (%d random samples each); %d host "
        "layers\n",
        checked - failed, checked, noun, chip.name.c_str(), samples, on_host);
    return failed ? 1 : 0;
  }
};

int check_graph(const ScheduleOptions& o, const bm1684x::Chip& chip) {
  const Graph g = read_tpuir(o.graph);
  CheckTally tally;
  std::printf("%-48s %-18s %-10s %10s\n", "node", "op", "result", "cycles");
  for (const Node& n : g.nodes) {
    if ((!o.node.empty() && n.name != o.node) || bm1684x::is_ddr_view(n.op)) continue;
    const LayerCheck c = check_layer([&] { return single_node_graph(g, n); }, chip, o.samples);
    tally.add(c);
    if (!c.host_reason.empty())
      std::printf("%-48s %-18s host layer: %s\n", n.name.c_str(), n.op.c_str(),
                  c.host_reason.c_str());
    else
      std::printf("%-48s %-18s %-10s %10llu\n", n.name.c_str(), n.op.c_str(), c.result.c_str(),
                  (unsigned long long)c.cycles);
  }
  if (!o.node.empty() && !tally.checked && !tally.on_host)
    throw Error(o.graph + ": no node named '" + o.node + "' with commands");
  return tally.summary("layers", chip, o.samples);
}

// The synthetic layers of --op: the one of --shape, or the op's sweep. Every case is parsed
// before any is checked, so bad input stops the command before its table starts.
int check_op(const ScheduleOptions& o, const bm1684x::Chip& chip) {
  std::vector<SyntheticLayer> cases;
  if (!o.shape.empty()) {
    cases.push_back(synthetic_layer(o, o.shape, o.attrs));
  } else {
    if (!o.attrs.empty())
      throw Error("--attr needs --shape: the sweep's cases bring their own attributes");
    const std::string op = onnx_op_name(o.op);
    auto sweep = kSweeps.find(op);
    if (sweep == kSweeps.end()) {
      std::string ops;
      for (const auto& [name, unused] : kSweeps) ops += (ops.empty() ? "" : ", ") + name;
      throw Error("--op " + op + ": no built-in shapes to sweep (there are for " + ops +
                  "); give --shape");
    }
    for (const SweepCase& s : sweep->second) cases.push_back(synthetic_layer(o, s.shape, s.attrs));
  }
  CheckTally tally;
  std::printf("%-64s %-10s %10s\n", ("case (" + cases[0].op + ", " + precision(o) + ")").c_str(),
              "result", "cycles");
  for (const SyntheticLayer& layer : cases) {
    const LayerCheck c = check_layer(
        [&] {
          const Graph tpu = synthetic_tpu_graph(layer);
          return single_node_graph(tpu, synthetic_layer_node(tpu, layer));
        },
        chip, o.samples);
    tally.add(c);
    const std::string label =
        to_string(layer.shape) + (layer.attr_text.empty() ? "" : " " + layer.attr_text);
    if (!c.host_reason.empty())
      std::printf("%-64s host layer: %s\n", label.c_str(), c.host_reason.c_str());
    else
      std::printf("%-64s %-10s %10llu\n", label.c_str(), c.result.c_str(),
                  (unsigned long long)c.cycles);
    std::fflush(stdout);  // a sweep takes seconds a case: show each as it ends
  }
  return tally.summary("cases", chip, o.samples);
}

}  // namespace

int schedule_show_command(const ScheduleOptions& o) {
  check_layer_options(o);
  const bm1684x::Chip chip = bm1684x::load_chip(o.chip);
  if (!o.graph.empty()) {
    if (o.node.empty()) throw Error("--node: name the layer of " + o.graph + " to show");
    const Graph g = read_tpuir(o.graph);
    show_layer(g, find_node(g, o.node, o.graph), chip);
    return 0;
  }
  if (o.shape.empty())
    throw Error("--shape: show compiles one shape of --op " + o.op + ", e.g. --shape 1x64x56x56");
  const SyntheticLayer layer = synthetic_layer(o, o.shape, o.attrs);
  const Graph tpu = synthetic_tpu_graph(layer);
  show_layer(tpu, synthetic_layer_node(tpu, layer), chip);
  return 0;
}

int schedule_check_command(const ScheduleOptions& o) {
  check_layer_options(o);
  const bm1684x::Chip chip = bm1684x::load_chip(o.chip);
  return o.graph.empty() ? check_op(o, chip) : check_graph(o, chip);
}

}  // namespace tpuc
