// Runs every golden case in tests/passes/golden (format in its README) as its own test.
#include <gtest/gtest.h>

#include <filesystem>

#include "ir/files.h"
#include "ir/text.h"
#include "ops/op.h"
#include "passes/pass_manager.h"
#include "target/host/executor.h"
#include "tests/support/pass_golden_cases.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

const std::string kSeparator = "// ----- EXPECT\n";

// Input i of g drawn uniformly from [-2, 2] and rounded to its element type, with seed 7 + i.
TensorMap random_inputs(const Graph& g) {
  TensorMap inputs;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    inputs[g.inputs[i]] = random_input(g.type(g.inputs[i]), -2, 2, unsigned(7 + i));
  return inputs;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, PrintsTheExpectedGraphAndKeepsTheOutputs) {
  const std::string& path = GetParam();
  const std::string text = read_file(path);
  const size_t split = text.find(kSeparator);
  ASSERT_NE(split, std::string::npos) << path << ": no '" << kSeparator << "' line";
  const std::string run_line = text.substr(0, text.find('\n'));
  ASSERT_EQ(run_line.rfind("// RUN: ", 0), 0u)
      << path << ": the first line must be '// RUN: pass, pass' or '// RUN: [yaml list]'";
  const std::string list = run_line.substr(8);
  passes::Pipeline pipeline;
  if (list.rfind("[", 0) == 0) {  // passes with options, as in a pipeline file
    pipeline = passes::parse_pipeline("passes: " + list, path);
  } else {
    std::vector<std::string> names;
    for (size_t start = 0, comma; start < list.size(); start = comma + 1) {
      comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string name = list.substr(start, comma - start);
      name.erase(0, name.find_first_not_of(' '));
      names.push_back(name.substr(0, name.find_last_not_of(' ') + 1));
    }
    pipeline = passes::make_pipeline(names);
  }
  const Graph before = parse(text.substr(0, split), path);
  Graph after = before;
  passes::run_pipeline(after, pipeline);
  EXPECT_EQ(print(after), text.substr(split + kSeparator.size()));

  // Graphs with untyped values (e.g. shapes only folding can compute) are checked by their text,
  // as are passes that change what the inputs mean (marked "// NUMERICS: off" with the reason).
  const bool runnable =
      text.find("\n// NUMERICS: off") == std::string::npos &&
      std::all_of(before.nodes.begin(), before.nodes.end(), [&](const Node& n) {
        return ops::find_op(n.op) &&
               std::all_of(n.outputs.begin(), n.outputs.end(),
                           [&](const std::string& o) { return before.types.count(o); });
      });
  if (!runnable) return;
  const TensorMap inputs = random_inputs(before);
  const TensorMap want = host::Executor(before).run(inputs),
                  got = host::Executor(after).run(inputs);
  for (const auto& [name, t] : want)
    for (int64_t i = 0; i < t.size(); ++i)
      EXPECT_NEAR(got.at(name).at(i), t.at(i), 1e-5 * (1 + std::fabs(t.at(i)))) << name;
}

// Each case is named after its file: fold-pad.tpuir runs as Passes/Golden.<...>/fold_pad.
INSTANTIATE_TEST_SUITE_P(Passes, Golden, ::testing::ValuesIn(pass_golden_cases()),
                         [](const auto& info) {
                           std::string name = std::filesystem::path(info.param).stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
