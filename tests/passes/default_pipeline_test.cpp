// The default pipeline as a whole (configs/pipelines/default.yaml): passes that each pass their
// golden case can still undo one another by their order.
#include <gtest/gtest.h>

#include "ir/text.h"
#include "tests/support/compile_steps.h"

using namespace tpuc;

// torch.onnx.export's LayerNorm (opset 13) over the last axis of a [1, 32, 96] sequence, as in a
// transformer: recognize-patterns must see it before reduce-as-pool turns its means into pools.
TEST(DefaultPipeline, ExportedLayerNormBecomesOneOp) {
  std::string ones = "1", zeros = "0";
  for (int i = 1; i < 96; ++i) {
    ones += ", 1";
    zeros += ", 0";
  }
  // The graph as text, unformatted.
  // clang-format off
  const Graph g = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,32,96]
  const %two : f32[] = [2]
  const %eps : f32[] = [1e-05]
  const %gamma : f32[96] = [)" + ones + R"(]
  const %beta : f32[96] = [)" + zeros + R"(]
  %mean : f32[1,32,1] = ReduceMean(%x) {axes = [-1]} @ln.mean
  %d : f32[1,32,96] = Sub(%x, %mean) @ln.sub
  %sq : f32[1,32,96] = Pow(%d, %two) @ln.pow
  %var : f32[1,32,1] = ReduceMean(%sq) {axes = [-1]} @ln.var
  %ve : f32[1,32,1] = Add(%var, %eps) @ln.add_eps
  %sd : f32[1,32,1] = Sqrt(%ve) @ln.sqrt
  %n : f32[1,32,96] = Div(%d, %sd) @ln.div
  %g : f32[1,32,96] = Mul(%n, %gamma) @ln.mul
  %y : f32[1,32,96] = Add(%g, %beta) @ln
  output %y
}
)");
  // clang-format on
  const Graph top = tpuc::testing::with_default_pipeline(g);
  ASSERT_EQ(top.nodes.size(), 1u) << print(top);
  EXPECT_EQ(top.nodes[0].op, "LayerNormalization");
}
