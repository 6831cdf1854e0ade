// `tpuc run`, `tpuc compare`, `tpuc import`: the small tools around a compile.
#include <cstdio>
#include <filesystem>

#include "backend/host/executor.h"
#include "cli/commands.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "ir/npz.h"
#include "ir/text.h"
#include "passes/compare.h"
#include "passes/pass_manager.h"

namespace tpuc {

namespace {

// "name:1x3x224x224" → {name, {1, 3, 224, 224}}
std::map<std::string, Shape> parse_input_shapes(const std::vector<std::string>& specs) {
  std::map<std::string, Shape> shapes;
  for (const std::string& spec : specs) {
    const size_t colon = spec.rfind(':');
    if (colon == std::string::npos || colon == 0) throw Error("--input-shape '" + spec + "': expected name:1x3x224x224");
    Shape s;
    for (size_t start = colon + 1, x; start <= spec.size(); start = x + 1) {
      x = spec.find('x', start);
      if (x == std::string::npos) x = spec.size();
      const std::string dim = spec.substr(start, x - start);
      if (dim.empty() || dim.find_first_not_of("0123456789") != std::string::npos)
        throw Error("--input-shape '" + spec + "': '" + dim + "' is not a dimension");
      s.push_back(std::stoll(dim));
    }
    shapes[spec.substr(0, colon)] = s;
  }
  return shapes;
}

// A typed graph from .onnx (imported, then shape inference) or .tpuir (as written).
Graph load_model(const std::string& model, const std::vector<std::string>& input_shapes) {
  const std::string ext = std::filesystem::path(model).extension().string();
  if (ext == ".tpuir") return read_tpuir(model);
  if (ext != ".onnx") throw Error(model + ": unknown model kind (expected .onnx or .tpuir)");
  Graph g = import_onnx(model, parse_input_shapes(input_shapes));
  passes::run_pipeline(g, passes::make_pipeline({"canonicalize", "shape-inference"}));
  return g;
}

}  // namespace

int import_command(const std::string& model, const std::string& output, const std::vector<std::string>& input_shapes) {
  const Graph g = load_model(model, input_shapes);
  if (output.empty()) {
    std::fputs(print(g).c_str(), stdout);
  } else {
    write_tpuir(g, output);
  }
  return 0;
}

int run_command(const std::string& model, const std::string& input, const std::string& output,
                const std::vector<std::string>& input_shapes) {
  const Graph g = load_model(model, input_shapes);
  const TensorMap inputs = read_tensors(input);
  for (const std::string& name : g.inputs) {
    auto it = inputs.find(name);
    if (it == inputs.end()) throw Error(input + ": has no tensor named '" + name + "' (a model input)");
    const TensorType& want = g.type(name);
    if (it->second.type.dtype != want.dtype || it->second.type.shape != want.shape)
      throw Error(input + "[" + name + "]: is " + std::string(tpuc::name(it->second.type.dtype)) + "[" +
                  to_string(it->second.type.shape) + "], the model expects " + to_string(want));
  }
  write_npz(output, host::Executor(g).run(inputs));
  return 0;
}

int compare_command(const std::string& reference, const std::string& actual, double min_cosine, double min_euclidean) {
  const TensorMap ref = read_tensors(reference), act = read_tensors(actual);
  bool ok = true;
  std::printf("%-32s %10s %10s %10s %12s  %s\n", "tensor", "cosine", "euclidean", "sqnr_db", "max_abs", "result");
  for (const auto& [name, r] : ref) {
    auto it = act.find(name);
    if (it == act.end()) {
      std::printf("%-32s %s\n", name.c_str(), "missing in the second file");
      ok = false;
      continue;
    }
    const passes::Similarity s = passes::compare(r, it->second);
    const bool pass = s.cosine >= min_cosine && s.euclidean >= min_euclidean;
    ok = ok && pass;
    std::printf("%-32s %10.6f %10.6f %10.2f %12.6g  %s\n", name.c_str(), s.cosine, s.euclidean, s.sqnr_db, s.max_abs,
                pass ? "PASS" : "FAIL");
  }
  return ok ? 0 : 1;
}

}  // namespace tpuc
