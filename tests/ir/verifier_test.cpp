// The graph verifier (ir/verifier.h): what makes a graph malformed.
#include "ir/verifier.h"

#include <gtest/gtest.h>

#include "ir/diagnostics.h"
#include "tests/support/sample_graph.h"

using namespace tpuc;
using tpuc::testing::sample_graph;

TEST(Verifier, RejectsUseBeforeDefinitionAndDoubleDefinition) {
  Graph g = sample_graph();
  std::swap(g.nodes[0], g.nodes[1]);
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  g.nodes[1].outputs = {"y"};
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  g.outputs.push_back("missing");
  EXPECT_THROW(verify(g), Error);
  g = sample_graph();
  EXPECT_THROW(verify(g, {.require_types = true}), Error);  // "logits" is untyped
  g.types["logits"] = {DType::I8, {1, 32}, std::nullopt};
  verify(g, {.require_types = true});
  g.constants["w"].data.pop_back();
  EXPECT_THROW(verify(g), Error);
}
