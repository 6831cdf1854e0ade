// Every operator the importer accepts has an algorithm: importing never promises what the
// executor cannot run.
#include <gtest/gtest.h>

#include "frontend/onnx/importer.h"
#include "ops/op.h"

TEST(Registry, EveryImportedOperatorHasAnAlgorithm) {
  for (const std::string& op : tpuc::onnx_supported_ops()) EXPECT_NE(tpuc::ops::find_op(op), nullptr) << op;
}
