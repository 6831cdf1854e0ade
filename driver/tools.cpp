// `tpuc run`, `tpuc compare`, `tpuc import`: the small tools around a compile.
#include <cstdio>
#include <filesystem>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/disasm.h"
#include "chip/bm1684x/model_file.h"
#include "chip/bm1684x/sim/simulator.h"
#include "chip/bm1684x/sim/trace.h"
#include "driver/commands.h"
#include "driver/host_layers.h"
#include "driver/synthetic_layer.h"
#include "driver/tensor_files.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ir/npz.h"
#include "ir/text.h"
#include "passes/pass_manager.h"
#include "quant/similarity.h"
#include "target/host/executor.h"

namespace tpuc {

namespace {

// "name:1x3x224x224" → {name, {1, 3, 224, 224}}
std::map<std::string, Shape> parse_input_shapes(const std::vector<std::string>& specs) {
  std::map<std::string, Shape> shapes;
  for (const std::string& spec : specs) {
    const size_t colon = spec.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw Error("--input-shape '" + spec + "': expected name:1x3x224x224");
    shapes[spec.substr(0, colon)] =
        parse_shape(spec.substr(colon + 1), "--input-shape '" + spec + "'");
  }
  return shapes;
}

// A typed graph from .onnx (imported, with `bound` inputs as constants, then shape inference) or
// .tpuir (as written).
Graph load_model(const std::string& model, const std::vector<std::string>& input_shapes,
                 const std::map<std::string, Tensor>& bound = {}) {
  const std::string ext = std::filesystem::path(model).extension().string();
  if (ext == ".tpuir") return read_tpuir(model);
  if (ext != ".onnx")
    throw Error(model + ": unknown model kind (expected .onnx, .tpuir or .bmodel)");
  Graph g = import_onnx(model, parse_input_shapes(input_shapes), bound);
  passes::run_pipeline(g, passes::import_pipeline());
  return g;
}

}  // namespace

int import_command(const std::string& model, const std::string& output,
                   const std::vector<std::string>& input_shapes) {
  const Graph g = load_model(model, input_shapes);
  if (output.empty()) {
    std::fputs(print(g).c_str(), stdout);
  } else {
    write_tpuir(g, output);
  }
  return 0;
}

namespace {

// What an .onnx model's inputs take from the given ones (`needs`), each said on stderr: an input
// that fixes a shape (a Reshape's shape, a Slice's starts, ...) leaves `inputs` to become a
// constant of the model; an input of a symbolic dimension without an --input-shape takes the
// given array's shape.
std::map<std::string, Tensor> bind_given_inputs(const InputNeeds& needs, const std::string& file,
                                                TensorMap& inputs,
                                                std::vector<std::string>& input_shapes) {
  std::map<std::string, Tensor> bound;
  for (const std::string& name : needs.fixing_shapes) {
    auto given = inputs.find(name);
    if (given == inputs.end()) continue;
    std::fprintf(stderr, "[run] input '%s' fixes a shape: bound to its value in %s\n", name.c_str(),
                 file.c_str());
    bound.insert(inputs.extract(given));
  }
  const std::map<std::string, Shape> shapes = parse_input_shapes(input_shapes);
  for (const std::string& name : needs.symbolic) {
    auto given = inputs.find(name);
    if (given == inputs.end() || shapes.count(name)) continue;
    const std::string shape = to_string(given->second.type.shape);
    std::fprintf(stderr, "[run] input '%s' has a symbolic dimension: shape %s, as given in %s\n",
                 name.c_str(), shape.c_str(), file.c_str());
    input_shapes.push_back(name + ":" + shape);
  }
  return bound;
}

}  // namespace

int run_command(const std::string& model, const std::string& input, const std::string& output,
                const std::string& chip, const std::vector<std::string>& input_shapes,
                const std::string& trace) {
  std::map<std::string, TensorType> expected;
  if (std::filesystem::path(model).extension() == ".bmodel") {
    const bm1684x::Model m = bm1684x::read_model(model);
    for (const bm1684x::IoTensor& io : m.inputs) expected[io.name] = io.type;
    const TensorMap inputs = read_model_inputs(input, expected);
    const bm1684x::Chip target = bm1684x::load_chip(chip);
    bm1684x::Simulator sim(target, m, host_layer_runner());
    write_npz(output, sim.run(inputs));
    const bm1684x::SimStats& s = sim.stats();
    if (!trace.empty()) write_file_atomic(trace, bm1684x::chrome_trace(m, s, target));
    std::printf("simulated %llu cycles (%.2f us), MAC utilization %.2f%%, DDR utilization %.2f%%\n",
                (unsigned long long)s.cycles, s.latency_us, 100 * s.mac_utilization,
                100 * s.ddr_utilization);
    return 0;
  }
  if (!trace.empty()) throw Error("--trace needs a .bmodel (the simulator's timeline)");
  // An .onnx model's needs first: an operator tpuc does not list is the error, not the data.
  const bool onnx = std::filesystem::path(model).extension() == ".onnx";
  const InputNeeds needs = onnx ? input_needs(model) : InputNeeds{};
  TensorMap inputs = read_tensor_file(input, "input");
  std::vector<std::string> shapes = input_shapes;
  const std::map<std::string, Tensor> bound = bind_given_inputs(needs, input, inputs, shapes);
  const Graph g = load_model(model, shapes, bound);
  for (const std::string& name : g.inputs) expected[name] = g.type(name);
  name_lone_array(input, expected, inputs);
  adapt_inputs(input, expected, inputs);
  check_inputs(input, inputs, expected);
  write_npz(output, as_numpy(host::Executor(g).run(inputs)));
  return 0;
}

int disasm_command(const std::string& model, const std::string& format) {
  if (format != "text" && format != "json")
    throw Error("--format " + format + ": expected text or json");
  const bm1684x::DisasmFormat f =
      format == "json" ? bm1684x::DisasmFormat::kJson : bm1684x::DisasmFormat::kText;
  std::fputs(bm1684x::disassemble_file(model, f).c_str(), stdout);
  return 0;
}

int compare_command(const std::string& reference, const std::string& actual,
                    const CompareTolerance& tolerance) {
  const TensorMap ref = read_tensor_file(reference, "output"),
                  act = read_tensor_file(actual, "output");
  bool ok = true;
  std::printf("%-32s %10s %10s %10s %12s  %s\n", "tensor", "cosine", "euclidean", "sqnr_db",
              "max_abs", "result");
  for (const auto& [name, r] : ref) {
    auto it = act.find(name);
    if (it == act.end()) {
      std::printf("%-32s %s\n", name.c_str(), "missing in the second file");
      ok = false;
      continue;
    }
    if (it->second.type.shape != r.type.shape) {
      std::printf("%-32s shape %s, expected %s  FAIL\n", name.c_str(),
                  to_string(it->second.type.shape).c_str(), to_string(r.type.shape).c_str());
      ok = false;
      continue;
    }
    const quant::Similarity s = quant::similarity(r, it->second);
    const bool pass =
        tolerance.allclose
            ? quant::first_not_close(r, it->second, tolerance.rtol, tolerance.atol) < 0
            : s.cosine >= tolerance.min_cosine && s.euclidean >= tolerance.min_euclidean;
    ok = ok && pass;
    std::printf("%-32s %10.6f %10.6f %10.2f %12.6g  %s\n", name.c_str(), s.cosine, s.euclidean,
                s.sqnr_db, s.max_abs, pass ? "PASS" : "FAIL");
  }
  return ok ? 0 : 1;
}

}  // namespace tpuc
