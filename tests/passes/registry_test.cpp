// The registries keep their promises: every operator the importer accepts has an algorithm, and
// every registered pass has a golden case in tests/passes/golden.
#include <gtest/gtest.h>

#include "frontend/onnx/importer.h"
#include "ir/files.h"
#include "ops/op.h"
#include "passes/pass_manager.h"
#include "tests/support/pass_golden_cases.h"

TEST(Registry, EveryImportedOperatorHasAnAlgorithm) {
  for (const std::string& op : tpuc::onnx_supported_ops())
    EXPECT_NE(tpuc::ops::find_op(op), nullptr) << op;
}

TEST(Registry, EveryPassHasAGoldenCase) {
  std::string run_lines;
  for (const std::string& path : tpuc::testing::pass_golden_cases()) {
    const std::string text = tpuc::read_file(path);
    run_lines += text.substr(0, text.find('\n')) + "\n";
  }
  for (const tpuc::passes::PassInfo& p : tpuc::passes::all_passes())
    EXPECT_NE(run_lines.find(p.name), std::string::npos)
        << "no golden case runs pass '" << p.name << "'";
}
