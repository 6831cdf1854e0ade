// Layers the default pipeline rewrites into forms the BM1684X runs, in small networks built here,
// float, calibrated and compiled like any model; every layer must run on the chip, in int8 and in
// f16, and the simulator's outputs equal the host reference bit for bit:
//   - a DenseNet-style transition (two branches concatenated, then BatchNormalization → Relu →
//     1×1 Conv → 2×2 AveragePool, no Conv right before the normalization): the lone normalization
//     and the pool become depthwise Convs, the Relu fusing into the first (as-depthwise-conv);
//   - ResNeXt-style grouped convolutions, narrow groups in one chunk and wide ones in several
//     (grouped-conv-as-dense);
//   - a segmentation head's bilinear upsampling by 2 and by 8, and a pooled branch broadcast back
//     (linear-resize-as-conv);
//   - a decoder's learned upsampling, ConvTranspose of stride 2 (conv-transpose-as-conv);
//   - a channel split feeding two branches joined again, as ShuffleNet and YOLOv8
//     (split-as-slices);
//   - reflect and edge padding before a Conv, as style-transfer networks pad (pad-as-concat);
//   - operands of a lower rank, as a transformer's feature vectors (canonicalize).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "chip/bm1684x/sim/simulator.h"
#include "quant/quantize.h"
#include "quant/similarity.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/chip_checks.h"
#include "tests/support/compile_steps.h"
#include "tests/support/net_builder.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

namespace {

Graph transition_block() {
  NetBuilder b({1, 8, 16, 16});
  const std::string left = b.conv("x", 24, 3, 1, 1, false), right = b.conv("x", 16, 1, 1, 0, false);
  Node cat{"Concat", "cat", {left, right}, {"cat"}, {{"axis", int64_t{1}}}};
  const std::string joined = b.add_node(cat, false);
  const int64_t channels = 40;
  const std::vector<std::pair<std::string, std::pair<float, float>>> params = {
      {"gamma", {0.5f, 1.5f}},
      {"beta", {-0.5f, 0.5f}},
      {"mean", {-0.2f, 0.2f}},
      {"var", {0.5f, 2}}};
  Node bn{"BatchNormalization", "bn", {joined}, {"bn"}, {}};
  unsigned seed = 40;
  for (const auto& [name, range] : params) {
    b.g.constants[name] =
        random_tensor<float>(DType::F32, {channels}, range.first, range.second, seed++);
    bn.inputs.push_back(name);
  }
  const std::string normalized = b.add_node(bn, true);  // and its Relu
  Node pool{"AveragePool", "pool", {b.conv(normalized, 16, 1, 1, 0, false)}, {"pool"}, {}};
  pool.attrs["kernel_shape"] = std::vector<int64_t>{2, 2};
  pool.attrs["strides"] = std::vector<int64_t>{2, 2};
  b.g.outputs = {b.add_node(pool, false)};
  return with_default_pipeline(b.g);
}

// Every layer of `top` on the BM1684X in int8 and in f16, bit-exact against the host reference on
// random inputs of `input` shape, and close to float.
void expect_all_on_the_chip(const Graph& top, const Shape& input) {
  const bm1684x::Chip chip = chip_config("bm1684x");
  for (const DType precision : {DType::I8, DType::F16}) {
    quant::QuantPolicy half;
    half.mode = "f16";
    const Graph tpu =
        precision == DType::I8 ? int8_quantized(top, 8, 500) : quant::quantize(top, {}, half);
    const bm1684x::Model model = bm1684x::compile_model(tpu, chip);
    EXPECT_TRUE(model.host_layers.empty()) << model.host_layers.front().reason;
    bm1684x::Simulator sim(chip, model);
    host::Executor host(tpu), float_host(top);
    for (unsigned s = 0; s < 2; ++s) {
      const Tensor x = random_tensor<float>(DType::F32, input, -2, 2, 600 + s);
      const std::string out = top.outputs[0];
      const Tensor got = sim.run({{"x", x}}).at(out);
      ASSERT_EQ(got.data, host.run({{"x", x}}).at(out).data) << name(precision) << " sample " << s;
      EXPECT_GT(quant::similarity(float_host.run({{"x", x}}).at(out), got).cosine, 0.99)
          << name(precision) << " sample " << s;
    }
  }
}

// `g` (input "x") through the default pipeline, none of whose nodes may be `left` (what the
// rewrite replaces), then expect_all_on_the_chip.
void expect_rewritten_onto_the_chip(const Graph& g, const std::function<bool(const Node&)>& left) {
  const Graph top = with_default_pipeline(g);
  for (const Node& n : top.nodes) EXPECT_FALSE(left(n)) << n.name << " (" << n.op << ")";
  expect_all_on_the_chip(top, g.type("x").shape);
}

// One op of type `op`: what each of the rewrites below removes.
std::function<bool(const Node&)> op_is(const std::string& op) {
  return [op](const Node& n) { return n.op == op; };
}

// A 3×3 Conv of `groups` groups with random weights, then Relu.
std::string grouped_conv(NetBuilder& b, const std::string& x, int64_t in, int64_t out,
                         int64_t groups, unsigned seed) {
  const std::string w = "w" + std::to_string(seed), bias = "b" + std::to_string(seed);
  const float scale = std::sqrt(2.0f / float(9 * in / groups));
  b.g.constants[w] =
      random_tensor<float>(DType::F32, {out, in / groups, 3, 3}, -scale, scale, seed);
  b.g.constants[bias] = random_tensor<float>(DType::F32, {out}, -0.1f, 0.1f, seed + 1);
  const std::string name = "grouped" + std::to_string(seed);
  Node conv{"Conv", name, {x, w, bias}, {name}, {}};
  conv.attrs["group"] = groups;
  conv.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  return b.add_node(conv, true);
}

}  // namespace

TEST(RewrittenLayersChip, ALoneBatchNormReluAndPoolRunOnTheChip) {
  const Graph top = transition_block();
  for (const Node& n : top.nodes)
    for (const char* op : {"BatchNormalization", "Relu", "AveragePool"}) EXPECT_NE(n.op, op);
  expect_all_on_the_chip(top, {1, 8, 16, 16});
}

TEST(RewrittenLayersChip, GroupedConvolutionsRunOnTheChip) {
  NetBuilder b({1, 8, 12, 12});
  const std::string stem = b.conv("x", 32, 3, 1, 1, true);
  const std::string narrow = grouped_conv(b, stem, 32, 32, 8, 70);   // 4 channels a group
  const std::string wide = grouped_conv(b, narrow, 32, 128, 2, 80);  // 16 per group, 1 chunk
  const std::string chunks = grouped_conv(b, wide, 128, 64, 2, 90);  // 64 per group, 2 chunks
  b.g.outputs = {chunks};
  expect_rewritten_onto_the_chip(
      b.g, [](const Node& n) { return n.op == "Conv" && n.i("group", 1) > 1; });
}

TEST(RewrittenLayersChip, BilinearUpsamplingRunsOnTheChip) {
  NetBuilder b({1, 8, 7, 9});
  const std::string features = b.conv("x", 70, 3, 1, 1, true);
  auto resize = [&](const std::string& x, const Shape& size, const std::string& name) {
    const std::string sizes = name + "_sizes";
    b.g.constants[sizes] = make_tensor<int64_t>(DType::I64, {4}, size);
    Node n{"Resize", name, {x, "", "", sizes}, {name}, {{"mode", std::string("linear")}}};
    return b.add_node(n, false);
  };
  const std::string twice = resize(features, {1, 70, 14, 18}, "twice");
  Node pool{"GlobalAveragePool", "pool", {features}, {"pooled"}, {}};
  const std::string broadcast = resize(b.add_node(pool, false), {1, 70, 14, 18}, "broadcast");
  Node add{"Add", "join", {twice, broadcast}, {"join"}, {}};
  b.g.outputs = {resize(b.add_node(add, false), {1, 70, 112, 144}, "eight_times")};
  expect_rewritten_onto_the_chip(
      b.g, [](const Node& n) { return n.op == "Resize" && n.s("mode", "nearest") != "nearest"; });
}

TEST(RewrittenLayersChip, ConvTransposeRunsOnTheChip) {
  NetBuilder b({1, 8, 7, 9});
  const std::string features = b.conv("x", 70, 3, 1, 1, true);
  Node up{"ConvTranspose", "up", {features, "up_w", "up_b"}, {"up"}, {}};
  b.g.constants["up_w"] = random_tensor<float>(DType::F32, {70, 16, 4, 4}, -0.1f, 0.1f, 51);
  b.g.constants["up_b"] = random_tensor<float>(DType::F32, {16}, -0.5f, 0.5f, 52);
  up.attrs["kernel_shape"] = std::vector<int64_t>{4, 4};
  up.attrs["strides"] = std::vector<int64_t>{2, 2};
  up.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  b.g.outputs = {b.add_node(up, true)};
  expect_rewritten_onto_the_chip(b.g, op_is("ConvTranspose"));
}

TEST(RewrittenLayersChip, SplitRunsOnTheChip) {
  NetBuilder b({1, 8, 7, 9});
  const std::string features = b.conv("x", 96, 3, 1, 1, true);
  b.g.constants["sizes"] = make_tensor<int64_t>(DType::I64, {2}, {32, 64});
  b.g.nodes.push_back(
      {"Split", "split", {features, "sizes"}, {"left", "right"}, {{"axis", int64_t{1}}}});
  b.g.types["left"] = {DType::F32, {1, 32, 7, 9}, std::nullopt};
  b.g.types["right"] = {DType::F32, {1, 64, 7, 9}, std::nullopt};
  const std::string left = b.conv("left", 32, 3, 1, 1, true);
  Node cat{"Concat", "cat", {left, "right"}, {"cat"}, {{"axis", int64_t{1}}}};
  b.g.outputs = {b.add_node(cat, false)};
  expect_rewritten_onto_the_chip(b.g, op_is("Split"));
}

TEST(RewrittenLayersChip, ReflectAndEdgePaddingRunOnTheChip) {
  NetBuilder b({1, 8, 7, 9});
  std::string x = b.conv("x", 70, 3, 1, 1, true);
  for (const char* mode : {"reflect", "edge"}) {
    const std::string pads = std::string(mode) + "_pads";
    b.g.constants[pads] = make_tensor<int64_t>(DType::I64, {8}, {0, 0, 1, 1, 0, 0, 1, 1});
    b.g.types[mode] = {DType::F32, {1, 70, 9, 11}, std::nullopt};
    b.g.nodes.push_back({"Pad", mode, {x, pads}, {mode}, {{"mode", std::string(mode)}}});
    x = b.conv(mode, 70, 3, 1, 0, true);  // back to 7 × 9
  }
  b.g.outputs = {x};
  expect_rewritten_onto_the_chip(b.g, op_is("Pad"));
}

TEST(RewrittenLayersChip, PReluRunsOnTheChip) {
  NetBuilder b({1, 8, 7, 9});
  auto prelu = [&](const std::string& x, const Tensor& slope, const std::string& name) {
    b.g.constants[name + "_slope"] = slope;
    return b.add_node({"PRelu", name, {x, name + "_slope"}, {name}, {}}, false);
  };
  const std::string features = b.conv("x", 70, 3, 1, 1, false);
  const Tensor per_channel = random_tensor<float>(DType::F32, {70, 1, 1}, -0.5f, 1.5f, 61);
  const std::string act = prelu(features, per_channel, "act");
  const std::string more = b.conv(act, 16, 3, 1, 1, false);
  b.g.outputs = {prelu(more, make_tensor<float>(DType::F32, {1}, {0.25f}), "act2")};
  expect_rewritten_onto_the_chip(b.g, op_is("PRelu"));
}

TEST(RewrittenLayersChip, AveragePoolsOfUnequalCountsRunOnTheChip) {
  NetBuilder b({1, 8, 14, 14});
  const std::string features = b.conv("x", 70, 3, 1, 1, true);
  Node excluded{"AveragePool", "excluded", {features}, {"excluded"}, {}};
  excluded.attrs = {{"kernel_shape", std::vector<int64_t>{3, 3}},
                    {"strides", std::vector<int64_t>{2, 2}},
                    {"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  Node ceil{"AveragePool", "ceil", {b.add_node(excluded, false)}, {"ceil"}, {}};
  ceil.attrs = {{"kernel_shape", std::vector<int64_t>{2, 2}},
                {"strides", std::vector<int64_t>{2, 2}},
                {"ceil_mode", int64_t{1}}};  // 7 × 7 → 4 × 4, the last windows half outside
  b.g.outputs = {b.add_node(ceil, false)};
  expect_rewritten_onto_the_chip(b.g, op_is("AveragePool"));
}

TEST(RewrittenLayersChip, InstanceNormalizationRunsOnTheChip) {
  NetBuilder b({1, 8, 12, 12});
  const std::string features = b.conv("x", 70, 3, 1, 1, false);
  b.g.constants["scale"] = random_tensor<float>(DType::F32, {70}, 0.5f, 1.5f, 71);
  b.g.constants["bias"] = random_tensor<float>(DType::F32, {70}, -0.5f, 0.5f, 72);
  Node norm{"InstanceNormalization", "norm", {features, "scale", "bias"}, {"norm"}, {}};
  b.g.outputs = {b.add_node(norm, true)};
  expect_rewritten_onto_the_chip(b.g, op_is("InstanceNormalization"));
}

// CBAM's spatial attention (the mean and the max across the channels), a max over the plane, a
// GlobalMaxPool and a sum across the channels: each a pool (or a Conv of ones) over rows.
TEST(RewrittenLayersChip, ReductionsOverAnyAxesRunOnTheChip) {
  NetBuilder b({1, 8, 9, 11});
  const std::string features = b.conv("x", 70, 3, 1, 1, true);
  auto reduce = [&](const std::string& op, const std::vector<int64_t>& axes,
                    const std::string& name) {
    return b.add_node({op, name, {features}, {name}, {{"axes", axes}}}, false);
  };
  Node cat{"Concat",
           "cat",
           {reduce("ReduceMean", {1}, "mean"), reduce("ReduceMax", {1}, "max")},
           {"cat"},
           {{"axis", int64_t{1}}}};
  const std::string attention = b.conv(b.add_node(cat, false), 8, 3, 1, 1, true);
  Node global{"GlobalMaxPool", "global", {attention}, {"global"}, {}};
  b.g.outputs = {b.add_node(global, false), reduce("ReduceMax", {2, 3}, "plane"),
                 reduce("ReduceSum", {1}, "sum")};
  expect_rewritten_onto_the_chip(b.g, [](const Node& n) {
    return n.op == "ReduceMean" || n.op == "ReduceMax" || n.op == "ReduceSum" ||
           n.op == "GlobalMaxPool";
  });
}

// A spatial attention map (the sigmoid of the channels' mean, one value per position) scaling the
// features: the Mul reads the map in every lane, so the map's producer may not share its layer
// group (its result would sit in one lane only).
TEST(RewrittenLayersChip, SpatialAttentionScalesEveryChannel) {
  NetBuilder b({1, 8, 9, 11});
  const std::string features = b.conv("x", 70, 3, 1, 1, true);
  const std::string mean = b.add_node(
      {"ReduceMean", "mean", {features}, {"mean"}, {{"axes", std::vector<int64_t>{1}}}}, false);
  const std::string map = b.add_node({"Sigmoid", "map", {mean}, {"map"}, {}}, false);
  b.g.outputs = {b.add_node({"Mul", "scaled", {features, map}, {"scaled"}, {}}, false)};
  expect_rewritten_onto_the_chip(b.g, op_is("ReduceMean"));
}

// A transformer's per-feature scale and shift of a [1, 32, 96] sequence, written with vectors of
// the features alone (numpy broadcasting from the last axis): canonicalize gives them the
// sequence's rank, and the operands broadcast along the rows.
TEST(RewrittenLayersChip, LowerRankOperandsBroadcastOnTheChip) {
  Graph g;
  g.inputs = {"x"};
  g.types["x"] = {DType::F32, {1, 32, 96}, std::nullopt};
  g.constants["gamma"] = random_tensor<float>(DType::F32, {96}, 0.5f, 1.5f, 70);
  g.constants["beta"] = random_tensor<float>(DType::F32, {96}, -0.5f, 0.5f, 71);
  g.nodes = {{"Mul", "scale", {"x", "gamma"}, {"scaled"}, {}},
             {"Add", "shift", {"scaled", "beta"}, {"y"}, {}}};
  g.outputs = {"y"};
  const Graph top = with_default_pipeline(g);
  for (const Node& n : top.nodes)
    for (const std::string& in : n.inputs) EXPECT_EQ(top.type(in).shape.size(), 3u) << n.name;
  quant::QuantPolicy half;
  half.mode = "f16";
  const Graph tpu = quant::quantize(top, {}, half);
  const bm1684x::Model model = bm1684x::compile_model(tpu, chip_config("bm1684x"));
  EXPECT_TRUE(model.host_layers.empty()) << model.host_layers.front().reason;
  expect_simulator_matches_host(tpu, model, {-2, 2}, 72, 2);
}
