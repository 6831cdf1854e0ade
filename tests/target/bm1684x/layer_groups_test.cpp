// Layer groups: float networks built here, calibrated and quantized like any model, compiled for
// the BM1684X fused into groups and one layer at a time. Both must equal the host int8 reference
// bit for bit; a group keeps its intermediate results in local memory (only its result is stored),
// a tiled group recomputes its producers' halos, and the search never separates a value from one
// of its readers.
#include "target/bm1684x/layer_groups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "target/bm1684x/codegen.h"
#include "tests/support/chip_checks.h"
#include "tests/support/compile_steps.h"
#include "tests/support/net_builder.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

// The network's int8 form: the default pipeline, then calibrated on four random inputs.
Graph quantized(const Graph& top) { return int8_quantized(with_default_pipeline(top), 4, 50); }

bm1684x::Model compile(const Graph& tpu, bool groups) {
  bm1684x::CodegenOptions options;
  options.layer_groups = groups;
  return bm1684x::compile_model(tpu, bm1684x_chip(), options);
}

// The model on the simulator against the quantized graph on the host, on two inputs in [-2, 2].
void expect_matches_host(const Graph& tpu, const bm1684x::Model& model) {
  expect_simulator_matches_host(tpu, model, {-2, 2}, 90, 2);
}

// GDMA commands writing DDR.
size_t ddr_stores(const bm1684x::Model& m) {
  size_t n = 0;
  for (const bm1684x::GdmaCommand& c : m.program.gdma)
    n += c.op == bm1684x::GdmaOp::Tensor && c.dst.space == bm1684x::Space::Global;
  return n;
}

}  // namespace

TEST(LayerGroups, AResidualBlockIsOneGroupAndOnlyItsResultIsStored) {
  NetBuilder b({1, 16, 20, 20});
  const std::string stem = b.conv("x", 32, 3, 1, 1, true);
  const std::string block =
      b.node("Add", {stem, b.conv(b.conv(stem, 32, 3, 1, 1, true), 32, 3, 1, 1, false)}, true);
  b.g.outputs = {b.conv(block, 8, 1, 1, 0, false)};
  const Graph tpu = quantized(b.g);
  const bm1684x::Model grouped = compile(tpu, true), alone = compile(tpu, false);
  expect_matches_host(tpu, grouped);
  expect_matches_host(tpu, alone);
  // The input's Quantize, four convolutions, the residual Add and the output's Dequantize: one
  // pipeline, one tile, one store.
  ASSERT_EQ(grouped.layers.size(), 1u);
  EXPECT_EQ(grouped.layers[0].nodes.size(), tpu.nodes.size()) << grouped.layers[0].op;
  EXPECT_EQ(grouped.layers[0].tiles, 1u);
  EXPECT_EQ(ddr_stores(grouped), 1u);
  EXPECT_EQ(ddr_stores(alone), alone.layers.size());
}

// 8 channels of 240×240 rows: a convolution's int32 accumulator alone is 225 KiB a lane, so the
// group computes in tiles of rows, each convolution computing the rows the next one's 3×3 window
// needs beyond the tile (halos).
TEST(LayerGroups, ATiledGroupRecomputesHalosBitExactly) {
  NetBuilder b({1, 8, 240, 240});
  b.g.outputs = {b.conv(b.conv("x", 8, 3, 1, 1, true), 8, 3, 1, 1, true)};
  const Graph tpu = quantized(b.g);
  const bm1684x::Model grouped = compile(tpu, true);
  expect_matches_host(tpu, grouped);
  const auto tiled = std::find_if(grouped.layers.begin(), grouped.layers.end(),
                                  [](const bm1684x::LayerInfo& l) { return l.nodes.size() > 1; });
  ASSERT_NE(tiled, grouped.layers.end());
  EXPECT_GT(tiled->tiles, 1u) << tiled->op;
}

// The group search on a network of branches (residual Adds, a Concat of two branches, a value that
// is also a graph output): every value a group computes, but its result, is read only inside it.
TEST(LayerGroups, TheSearchNeverSeparatesAValueFromItsReaders) {
  NetBuilder b({1, 16, 16, 16});
  const std::string stem = b.conv("x", 32, 3, 1, 1, true);
  const std::string left = b.conv(stem, 32, 3, 1, 1, true), right = b.conv(stem, 32, 1, 1, 0, true);
  Node cat{"Concat", "cat", {left, right}, {"cat"}, {}};
  cat.attrs["axis"] = int64_t{1};
  const std::string joined = b.add_node(cat, false);
  const std::string block = b.node("Add", {stem, b.conv(joined, 32, 3, 1, 1, false)}, true);
  b.g.outputs = {b.conv(block, 8, 1, 1, 0, false), left};
  const Graph tpu = quantized(b.g);
  std::vector<bool> on_chip(tpu.nodes.size(), true);
  const std::vector<bm1684x::LayerGroupPlan> groups =
      bm1684x::find_layer_groups(tpu, on_chip, bm1684x_chip());
  std::set<size_t> covered;
  for (const bm1684x::LayerGroupPlan& p : groups) {
    for (size_t k = 0; k < p.nodes.size(); ++k) {
      covered.insert(p.nodes[k]);
      if (k + 1 == p.nodes.size()) continue;
      const std::string& v = tpu.nodes[p.nodes[k]].outputs[0];
      EXPECT_EQ(std::count(tpu.outputs.begin(), tpu.outputs.end(), v), 0)
          << v << " is a graph output inside a group";
      for (const Node* r : tpu.consumers(v))
        EXPECT_TRUE(std::count(p.nodes.begin(), p.nodes.end(), size_t(r - tpu.nodes.data())))
            << v << " is read outside its group by " << r->name;
    }
  }
  EXPECT_EQ(covered.size(), tpu.nodes.size());
  expect_matches_host(tpu, compile(tpu, true));
}

TEST(LayerGroups, LocalityOrderPutsAConsumerRightAfterItsProducer) {
  Graph g;
  g.inputs = {"x"};
  g.outputs = {"c", "d"};
  g.nodes = {{"Relu", "a", {"x"}, {"a"}, {}},
             {"Relu", "b", {"a"}, {"b"}, {}},
             {"Relu", "c", {"a"}, {"c"}, {}},
             {"Relu", "d", {"b"}, {"d"}, {}}};
  std::vector<std::string> order;
  for (const Node& n : bm1684x::locality_order(g)) order.push_back(n.name);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "d", "c"}));
}
