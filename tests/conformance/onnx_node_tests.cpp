// The ONNX backend node tests (Debian's libonnx-testdata) through the importer and the host
// reference executor. Every case either runs and matches the shipped outputs, or is reported
// unsupported with the reason (an operator or form tpuc does not import yet). Shape operands fed as
// graph inputs are bound to the test's values at import (import_case). Prints a table per
// operator and a closing "N passed, N failed" line; exits non-zero when a supported case fails.
//
// Usage: tpuc_onnx_node_tests [data/node directory] [case-name filter substring] [ops.md to write]
// The third argument writes docs/ops.md: every operator of the registry with its conformance
// counts, whether it has an int8 form, and whether the BM1684X has a schedule for it.
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ops/op.h"
#include "passes/pass_manager.h"
#include "schedules/bm1684x/chip_schedule.h"
#include "target/host/executor.h"

using namespace tpuc;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  enum Kind { Pass, Fail, Unsupported } kind;
  std::string why;
};

// ONNX's backend tests compare with rtol 1e-3, atol 1e-7.
std::string mismatch(const Tensor& want, const Tensor& got) {
  if (want.type.shape != got.type.shape)
    return "shape " + to_string(got.type.shape) + ", expected " + to_string(want.type.shape);
  for (int64_t i = 0; i < want.size(); ++i) {
    const double w = want.at(i), g = got.at(i);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (!(std::fabs(w - g) <= 1e-7 + 1e-3 * std::fabs(w)))
      return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " +
             std::to_string(w);
  }
  return "";
}

// Reads input_N.pb / output_N.pb; names come from the files, or from the graph's order.
void read_test_data(const fs::path& data, const std::string& kind,
                    const std::vector<std::string>& names, TensorMap& into) {
  for (size_t i = 0; fs::exists(data / (kind + "_" + std::to_string(i) + ".pb")); ++i) {
    auto [name, t] = read_onnx_tensor((data / (kind + "_" + std::to_string(i) + ".pb")).string());
    into[name.empty() ? names.at(i) : name] = t;
  }
}

// Imports the case. Where an operand that must be known at compile time (a shape, axes, pads, K)
// arrives as a graph input, the case is imported again with its integer inputs bound to the test's
// values, as a static-shape compiler is used.
Graph import_case(const fs::path& dir, TensorMap& inputs) {
  const std::string model = (dir / "model.onnx").string();
  try {
    Graph g = import_onnx(model);
    passes::run_pipeline(g, passes::import_pipeline());
    return g;
  } catch (const Error& e) {
    if (std::string(e.what()).find("must be a constant") == std::string::npos) throw;
    std::map<std::string, Tensor> bound;
    for (const auto& [name, t] : inputs)
      if (t.type.dtype == DType::I64 || t.type.dtype == DType::I32) bound[name] = t;
    for (const auto& [name, t] : bound) inputs.erase(name);
    Graph g = import_onnx(model, {}, bound);
    passes::run_pipeline(g, passes::import_pipeline());
    return g;
  }
}

Outcome run_case(const fs::path& dir) {
  const fs::path data = dir / "test_data_set_0";
  TensorMap inputs, outputs;
  Graph g;
  try {
    Graph declared = import_onnx((dir / "model.onnx").string());
    try {  // data tpuc cannot hold (e.g. bf16 stored as uint16) makes the case unsupported, not
           // failed
      read_test_data(data, "input", declared.inputs, inputs);
      read_test_data(data, "output", declared.outputs, outputs);
    } catch (const Error& e) {
      return {Outcome::Unsupported, std::string("test data: ") + e.what()};
    }
    g = import_case(dir, inputs);
  } catch (const Error& e) {
    return {Outcome::Unsupported, e.what()};
  }
  try {
    const TensorMap got = host::Executor(g).run(inputs);
    for (const auto& [name, want] : outputs) {
      const std::string why = mismatch(want, got.at(name));
      if (!why.empty()) return {Outcome::Fail, name + ": " + why};
    }
    return {Outcome::Pass, ""};
  } catch (const std::exception& e) {
    return {Outcome::Fail, e.what()};
  }
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path root = argc > 1 ? argv[1] : "/usr/share/libonnx-testdata/data/node";
  const std::string filter = argc > 2 ? argv[2] : "";
  const std::vector<std::string> ops = onnx_supported_ops();
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && e.path().filename().string().find(filter) != std::string::npos)
      cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  // Per operator of the case name (test_<op>_...): pass / fail / unsupported counts.
  std::map<std::string, std::array<int, 3>> table;
  int passed = 0, failed = 0, unsupported = 0;
  for (const fs::path& dir : cases) {
    const Outcome o = run_case(dir);
    const std::string name = dir.filename().string();
    std::string op = "(other)";
    for (const std::string& candidate : ops) {
      std::string lower;
      for (char ch : candidate) lower += char(std::tolower(static_cast<unsigned char>(ch)));
      if (name.rfind("test_" + lower, 0) == 0 && lower.size() + 5 > op.size()) op = candidate;
    }
    table[op][o.kind]++;
    if (o.kind == Outcome::Pass) ++passed;
    if (o.kind == Outcome::Fail) {
      ++failed;
      std::printf("FAIL         %s: %s\n", name.c_str(), o.why.c_str());
    }
    if (o.kind == Outcome::Unsupported) {
      ++unsupported;
      if (op != "(other)") std::printf("unsupported  %s: %s\n", name.c_str(), o.why.c_str());
    }
  }
  std::printf("\n%-22s %6s %6s %12s\n", "operator", "pass", "fail", "unsupported");
  for (const auto& [op, n] : table)
    std::printf("%-22s %6d %6d %12d\n", op.c_str(), n[0], n[1], n[2]);
  std::printf("\n%d passed, %d failed, %d skipped\n", passed, failed, unsupported);
  if (argc > 3) {
    std::string md =
        "# Operators\n\nGenerated by `build/tests/tpuc_onnx_node_tests " + root.string() +
        " \"\" docs/ops.md` from the\n"
        "operator registry and the ONNX backend node tests (Debian libonnx-testdata 1.12, opsets "
        "7-17).\n"
        "`conformance`: node-test cases named after the op that pass / fail / are unsupported (an "
        "op or\n"
        "form the case also needs). `int8`: an int8 algorithm on the host, or `table` for an "
        "elementwise op that int8 runs as a 256-entry lookup (`Lut`). `bm1684x`: a chip "
        "schedule.\n\n"
        "| op | conformance pass / fail / unsupported | int8 | bm1684x |\n|---|---|---|---|\n";
    for (const ops::OpDef& op : ops::all_ops()) {
      const auto it = table.find(op.name);
      const std::array<int, 3> n = it == table.end() ? std::array<int, 3>{0, 0, 0} : it->second;
      md += std::string("| ") + op.name + " | " + std::to_string(n[0]) + " / " +
            std::to_string(n[1]) + " / " + std::to_string(n[2]) + " | " +
            (op.int8 != ops::Int8Form::None ? "yes"
             : op.elementwise               ? "table"
                                            : "") +
            " | " + (bm1684x::has_chip_schedule(op.name) ? "yes" : "") + " |\n";
    }
    md += "\nTotal: " + std::to_string(passed) + " passed, " + std::to_string(failed) +
          " failed, " + std::to_string(unsupported) + " unsupported of " +
          std::to_string(cases.size()) + " node-test cases.\n";
    write_file_atomic(argv[3], md);
  }
  return failed ? 1 : 0;
}
