// The ONNX backend node tests (Debian's libonnx-testdata) through the importer and the host
// reference executor. Every case either runs and matches the shipped outputs, or is reported
// unsupported with the reason (an operator or form tpuc does not import yet). Prints a table per
// operator and a closing "N passed, N failed" line; exits non-zero when a supported case fails.
//
// Usage: tpuc_onnx_node_tests [data/node directory] [case-name filter substring]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "backend/host/executor.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "passes/pass_manager.h"

using namespace tpuc;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  enum Kind { Pass, Fail, Unsupported } kind;
  std::string why;
};

// ONNX's backend tests compare with rtol 1e-3, atol 1e-7.
std::string mismatch(const Tensor& want, const Tensor& got) {
  if (want.type.shape != got.type.shape) return "shape " + to_string(got.type.shape) + ", expected " + to_string(want.type.shape);
  for (int64_t i = 0; i < want.size(); ++i) {
    const double w = want.at(i), g = got.at(i);
    if (std::isnan(w) && std::isnan(g)) continue;
    if (!(std::fabs(w - g) <= 1e-7 + 1e-3 * std::fabs(w))) return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " + std::to_string(w);
  }
  return "";
}

Outcome run_case(const fs::path& dir) {
  Graph g;
  try {
    g = import_onnx((dir / "model.onnx").string());
    passes::run_pipeline(g, passes::make_pipeline({"canonicalize", "shape-inference"}));
  } catch (const Error& e) {
    return {Outcome::Unsupported, e.what()};
  }
  const fs::path data = dir / "test_data_set_0";
  TensorMap inputs, outputs;
  try {  // data tpuc cannot hold (e.g. bf16 stored as uint16) makes the case unsupported, not failed
    for (size_t i = 0; fs::exists(data / ("input_" + std::to_string(i) + ".pb")); ++i) {
      auto [name, t] = read_onnx_tensor((data / ("input_" + std::to_string(i) + ".pb")).string());
      inputs[name.empty() ? g.inputs.at(i) : name] = t;
    }
    for (size_t i = 0; fs::exists(data / ("output_" + std::to_string(i) + ".pb")); ++i) {
      auto [name, t] = read_onnx_tensor((data / ("output_" + std::to_string(i) + ".pb")).string());
      outputs[name.empty() ? g.outputs.at(i) : name] = t;
    }
  } catch (const Error& e) {
    return {Outcome::Unsupported, std::string("test data: ") + e.what()};
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
    if (e.is_directory() && e.path().filename().string().find(filter) != std::string::npos) cases.push_back(e.path());
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
  for (const auto& [op, n] : table) std::printf("%-22s %6d %6d %12d\n", op.c_str(), n[0], n[1], n[2]);
  std::printf("\n%d passed, %d failed, %d skipped\n", passed, failed, unsupported);
  return failed ? 1 : 0;
}
