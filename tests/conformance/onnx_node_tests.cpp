// The ONNX backend node tests (Debian's libonnx-testdata) through the importer and the host
// reference executor. Every case either runs and matches the shipped outputs, or is reported
// unsupported with the reason (an operator or form tpuc does not import yet). Shape operands fed as
// graph inputs are bound to the test's values at import (import_case). Prints a table per
// operator and a closing "N passed, N failed" line; exits non-zero when a supported case fails.
//
// Usage: tpuc_onnx_node_tests [data/node directory] [case-name filter substring] [ops.md to write]
//        [--expect expected_outcomes.tsv] [--write-expected expected_outcomes.tsv]
// With --expect, the exit code is non-zero when a case that passed no longer does, or a case
// passes that the list does not say passes (regenerate it with --write-expected).
// The third argument writes docs/ops.md: every operator of the registry with its conformance
// counts, whether it has an int8 form, and whether the BM1684X has a schedule for it.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "driver/tensor_files.h"
#include "frontend/onnx/importer.h"
#include "ir/diagnostics.h"
#include "ir/files.h"
#include "ops/op.h"
#include "passes/pass_manager.h"
#include "quant/similarity.h"
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
  const int64_t i = quant::first_not_close(want, got, 1e-3, 1e-7);
  if (i < 0) return "";
  return "element " + std::to_string(i) + " is " + std::to_string(got.at(i)) + ", expected " +
         std::to_string(want.at(i));
}

// Imports the case, its inputs that fix a shape (a shape, axes, pads, K: input_needs)
// bound to the test's values, as `tpuc run` binds them.
Graph import_case(const fs::path& dir, const InputNeeds& needs, TensorMap& inputs) {
  const std::string model = (dir / "model.onnx").string();
  std::map<std::string, Tensor> bound;
  for (const std::string& name : needs.fixing_shapes) {
    auto given = inputs.find(name);
    if (given != inputs.end()) bound.insert(inputs.extract(given));
  }
  Graph g = import_onnx(model, {}, bound);
  passes::run_pipeline(g, passes::import_pipeline());
  return g;
}

Outcome run_case(const fs::path& dir) {
  const fs::path data = dir / "test_data_set_0";
  TensorMap inputs, outputs;
  Graph g;
  InputNeeds needs;
  try {
    needs = input_needs((dir / "model.onnx").string());
  } catch (const Error& e) {  // an operator tpuc does not list, or a model it cannot take
    const bool unlisted = std::string(e.what()).find("unsupported operator") != std::string::npos;
    return {unlisted ? Outcome::Unsupported : Outcome::Fail, e.what()};
  }
  try {
    inputs = read_tensor_file(data.string(), "input");
    outputs = read_tensor_file(data.string(), "output");
    g = import_case(dir, needs, inputs);
  } catch (const Error& e) {  // any other error of a case whose operators tpuc lists is a failure
    return {Outcome::Fail, e.what()};
  }
  try {
    std::map<std::string, TensorType> expected;
    for (const std::string& name : g.inputs) expected[name] = g.type(name);
    adapt_inputs("the test data", expected, inputs);
    const TensorMap got = as_numpy(host::Executor(g).run(inputs));
    for (const auto& [name, want] : outputs) {
      const std::string why = mismatch(want, got.at(name));
      if (!why.empty()) return {Outcome::Fail, name + ": " + why};
    }
    return {Outcome::Pass, ""};
  } catch (const std::exception& e) {
    return {Outcome::Fail, e.what()};
  }
}

const char* kKindNames[] = {"pass", "fail", "unsupported"};

// The expected outcome of each case (tests/conformance/expected_outcomes.tsv): "case<TAB>kind<TAB>
// reason" lines.
std::map<std::string, Outcome> read_expected(const std::string& path) {
  std::map<std::string, Outcome> expected;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) throw Error(path + ": bad line " + line);
    const std::string kind = line.substr(a + 1, b - a - 1);
    const auto k = std::find(std::begin(kKindNames), std::end(kKindNames), kind);
    if (k == std::end(kKindNames)) throw Error(path + ": unknown outcome '" + kind + "'");
    expected[line.substr(0, a)] = {Outcome::Kind(k - kKindNames), line.substr(b + 1)};
  }
  return expected;
}

// One line of the outcome list; a reason on one line (the first of a long one), its paths relative
// to the case's folder.
std::string outcome_line(const fs::path& dir, const Outcome& o) {
  std::string why = o.why.substr(0, o.why.find('\n'));
  for (size_t at; (at = why.find(dir.string() + "/")) != std::string::npos;)
    why.erase(at, dir.string().size() + 1);
  std::replace(why.begin(), why.end(), '\t', ' ');
  return dir.filename().string() + "\t" + kKindNames[o.kind] + "\t" + why + "\n";
}

struct Arguments {
  fs::path root = "/usr/share/libonnx-testdata/data/node";
  std::string filter, ops_md, expect, write_expected;
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  std::vector<std::string> positional;
  for (int k = 1; k < argc; ++k) {
    const std::string arg = argv[k];
    if (arg == "--expect" && k + 1 < argc) {
      a.expect = argv[++k];
    } else if (arg == "--write-expected" && k + 1 < argc) {
      a.write_expected = argv[++k];
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() > 0) a.root = positional[0];
  if (positional.size() > 1) a.filter = positional[1];
  if (positional.size() > 2) a.ops_md = positional[2];
  return a;
}

// Every case's outcome, in name order.
using Results = std::vector<std::pair<fs::path, Outcome>>;

// The operator a case is named after (test_<op>_...), or "(other)".
std::string op_of_case(const std::string& name, const std::vector<std::string>& ops) {
  std::string op = "(other)";
  for (const std::string& candidate : ops) {
    std::string lower;
    for (char ch : candidate) lower += char(std::tolower(static_cast<unsigned char>(ch)));
    if (name.rfind("test_" + lower, 0) == 0 && lower.size() + 5 > op.size()) op = candidate;
  }
  return op;
}

// Per operator: pass / fail / unsupported counts.
using Table = std::map<std::string, std::array<int, 3>>;

Table count(const Results& results) {
  const std::vector<std::string> ops = onnx_supported_ops();
  Table table;
  for (const auto& [dir, o] : results) table[op_of_case(dir.filename().string(), ops)][o.kind]++;
  return table;
}

// Regressions (a case that passed and does not) and cases newly passing, each printed; their
// number.
int check_expected(const Results& results, const std::string& path) {
  const std::map<std::string, Outcome> expected = read_expected(path);
  int changes = 0;
  for (const auto& [dir, o] : results) {
    const std::string name = dir.filename().string();
    auto want = expected.find(name);
    const bool was_passing = want != expected.end() && want->second.kind == Outcome::Pass;
    if (was_passing && o.kind != Outcome::Pass)
      std::printf("REGRESSION   %s: passed, now %s: %s\n", name.c_str(), kKindNames[o.kind],
                  o.why.c_str());
    if (!was_passing && o.kind == Outcome::Pass)
      std::printf("NEWLY PASSES %s: update %s (--write-expected)\n", name.c_str(), path.c_str());
    changes += was_passing != (o.kind == Outcome::Pass);
  }
  return changes;
}

// docs/ops.md: every operator of the registry with its conformance counts, whether it has an int8
// form and a chip schedule, then every failing case of a listed operator with its reason.
// "yes" for an op with a chip schedule, else "via `pass`, ..." for the passes that rewrite it.
std::string chip_form(const std::string& op) {
  if (bm1684x::has_chip_schedule(op)) return "yes";
  std::string via;
  for (const passes::PassInfo& p : passes::all_passes())
    for (const char* rewritten : p.rewrites)
      if (op == rewritten) via += (via.empty() ? "via `" : ", `") + std::string(p.name) + "`";
  return via;
}

std::string ops_markdown(const Arguments& args, const Results& results) {
  const Table table = count(results);
  std::array<int, 3> total{0, 0, 0};
  for (const auto& [dir, o] : results) total[o.kind]++;
  std::string md =
      "# Operators\n\nGenerated by `build/tests/tpuc_onnx_node_tests " + args.root.string() +
      " \"\" docs/ops.md` from the\noperator registry and the ONNX backend node tests (Debian "
      "libonnx-testdata 1.12; opsets below 7\nare converted by ONNX's version converter). "
      "`conformance`: node-test cases named after the op that\npass / fail / are unsupported (the "
      "case needs an operator tpuc does not list). `int8`: an int8\nalgorithm on the host, or "
      "`table` for an elementwise op that int8 runs as a 256-entry lookup\n(`Lut`). `bm1684x`: a "
      "chip schedule, or the passes that rewrite the op into ops the chip\nruns (in the cases "
      "docs/passes.md states).\n\n"
      "| op | conformance pass / fail / unsupported | int8 | bm1684x |\n|---|---|---|---|\n";
  for (const ops::OpDef& op : ops::all_ops()) {
    const auto it = table.find(op.name);
    const std::array<int, 3> n = it == table.end() ? std::array<int, 3>{0, 0, 0} : it->second;
    std::string int8;
    if (op.int8 != ops::Int8Form::None) int8 = "yes";
    if (op.int8 == ops::Int8Form::None && op.elementwise) int8 = "table";
    md += std::string("| ") + op.name + " | " + std::to_string(n[0]) + " / " +
          std::to_string(n[1]) + " / " + std::to_string(n[2]) + " | " + int8 + " | " +
          chip_form(op.name) + " |\n";
  }
  md += "\nTotal: " + std::to_string(total[0]) + " passed, " + std::to_string(total[1]) +
        " failed, " + std::to_string(total[2]) + " unsupported of " +
        std::to_string(results.size()) + " node-test cases.\n\n## Cases that fail, and why\n\n";
  for (const auto& [dir, o] : results)
    if (o.kind == Outcome::Fail) {
      std::string line = outcome_line(dir, o);
      line = line.substr(line.rfind('\t', line.size() - 2) + 1);
      md += "- `" + dir.filename().string() + "`: " + line;
    }
  return md;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments args = parse(argc, argv);
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(args.root))
    if (e.is_directory() && e.path().filename().string().find(args.filter) != std::string::npos)
      cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  Results results;
  std::string outcomes;
  for (const fs::path& dir : cases) {
    results.emplace_back(dir, run_case(dir));
    const Outcome& o = results.back().second;
    outcomes += outcome_line(dir, o);
    if (o.kind == Outcome::Fail)
      std::printf("FAIL         %s: %s\n", dir.filename().string().c_str(), o.why.c_str());
  }
  std::printf("\n%-22s %6s %6s %12s\n", "operator", "pass", "fail", "unsupported");
  std::array<int, 3> total{0, 0, 0};
  for (const auto& [op, n] : count(results)) {
    std::printf("%-22s %6d %6d %12d\n", op.c_str(), n[0], n[1], n[2]);
    for (int k = 0; k < 3; ++k) total[size_t(k)] += n[size_t(k)];
  }
  std::printf("\n%d passed, %d failed, %d unsupported (an operator tpuc does not list)\n", total[0],
              total[1], total[2]);
  if (!args.write_expected.empty()) write_file_atomic(args.write_expected, outcomes);
  if (!args.ops_md.empty()) write_file_atomic(args.ops_md, ops_markdown(args, results));
  // Against the expected outcomes a known failure is not a failure; a regression or a case newly
  // passing (the list out of date) is.
  if (!args.expect.empty()) return check_expected(results, args.expect) ? 1 : 0;
  return total[1] ? 1 : 0;
}
