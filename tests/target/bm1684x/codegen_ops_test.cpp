// Single int8 ops compiled for the BM1684X and run on the simulator, against the host int8
// reference bit for bit, at shapes the example model does not reach: more channels than lanes,
// stride 2, padding, tiles that do not divide the rows; the local-memory overflow error; and the
// layers that run on the host instead, with their reasons.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "chip/bm1684x/sim/simulator.h"
#include "driver/host_layers.h"
#include "ir/diagnostics.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/chip_checks.h"
#include "tests/support/errors.h"
#include "tests/support/layer_graphs.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;
using namespace tpuc::bm1684x;

TEST(CodegenOps, ConvWithMoreChannelsThanLanesStrideAndPadding) {
  expect_bit_exact(conv_graph(DType::I8, {1, 70, 9, 11}, 80, 3, 2, 1, true), kAnyInt8, 1);
}

TEST(CodegenOps, ConvOneByOneWithoutRelu) {
  expect_bit_exact(conv_graph(DType::I8, {1, 8, 5, 5}, 3, 1, 1, 0, false), kAnyInt8, 2);
}

// MobileNet's depthwise 3×3 (stride 1 and 2, padding, more channels than lanes, ReLU6): one
// DEPTHWISE command per tile.
TEST(CodegenOps, DepthwiseConv) {
  for (int stride : {1, 2}) {
    const int64_t c = 96, out = (15 + 2 - 3) / stride + 1;
    Node n{"Conv", "dw", {"x", "w", "b"}, {"y"}, {}};
    n.attrs["strides"] = std::vector<int64_t>{stride, stride};
    n.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
    n.attrs["group"] = c;
    n.attrs["do_relu"] = int64_t{1};
    n.attrs["relu_limit"] = 90.0;
    set_requant_attrs(n, c, 36);
    Graph g = one_node(n, int8_type({1, c, 15, 15}, 0.05), int8_type({1, c, out, out}, 0.1));
    g.constants["w"] = random_tensor<int8_t>(DType::I8, {c, 1, 3, 3}, -127, 127, 31);
    g.constants["b"] = random_tensor<int32_t>(DType::I32, {c}, -3000, 3000, 32);
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(),
                            [](const TiuCommand& t) { return t.op == TiuOp::Depthwise; }));
    expect_bit_exact(g, kAnyInt8, 9 + unsigned(stride));
  }
}

// A Relu no convolution precedes (after a residual Add, say): one ARITH max with the zero point
// (0: the chip's int8 is symmetric), in int8 codes.
TEST(CodegenOps, StandaloneReluInInt8Codes) {
  Graph g = conv_graph(DType::I8, {1, 70, 6, 6}, 70, 3, 1, 1, false);
  g.nodes.push_back({"Relu", "relu", {"y"}, {"r"}, {}});
  g.types["r"] = g.types["y"];
  g.outputs = {"r"};
  const Model m = compile_model(g, bm1684x_chip());
  EXPECT_TRUE(std::any_of(m.program.tiu.begin(), m.program.tiu.end(), [](const TiuCommand& t) {
    return t.op == TiuOp::Arith && t.arith == ArithOp::Max && t.opd1_const && t.constant == 0;
  }));
  expect_simulator_matches_host(g, m, kAnyInt8, 41, 3);
}

// A fused ReLU6: the limit, in output steps, clamps after the relu.
TEST(CodegenOps, ConvWithReluLimit) {
  Graph g = conv_graph(DType::I8, {1, 8, 6, 6}, 5, 3, 1, 1, true);
  g.nodes[0].attrs["relu_limit"] = 20.0;
  expect_bit_exact(g, kAnyInt8, 8);
}

TEST(CodegenOps, MaxPoolWithPadding) {
  Node n{"MaxPool", "pool", {"x"}, {"y"}, {}};
  n.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
  n.attrs["strides"] = std::vector<int64_t>{2, 2};
  n.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
  expect_bit_exact(one_node(n, int8_type({1, 66, 7, 7}, 0.1), int8_type({1, 66, 4, 4}, 0.1)),
                   kAnyInt8, 3);
}

// GoogLeNet's pools: ceil_mode pads only the ends, equally along H and W, and Halide's simplifier
// merges the two "inside" bounds into one, max(x, y) < 112.
TEST(CodegenOps, MaxPoolWithCeilMode) {
  Node n{"MaxPool", "pool", {"x"}, {"y"}, {}};
  n.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
  n.attrs["strides"] = std::vector<int64_t>{2, 2};
  n.attrs["ceil_mode"] = int64_t{1};
  expect_bit_exact(one_node(n, int8_type({1, 64, 112, 112}, 0.1), int8_type({1, 64, 56, 56}, 0.1)),
                   kAnyInt8, 3);
}

// Inception's factorized kernels: a 7×1 window has no kx loop left after lowering, a 1×7 no ky
// loop; both padded along their long side only.
TEST(CodegenOps, ConvWithOneColumnAndOneRowKernels) {
  for (const bool column : {true, false}) {
    Graph g = conv_graph(DType::I8, {1, 70, 9, 9}, 8, 7, 1, 3, true);
    const std::vector<int64_t> kernel =
        column ? std::vector<int64_t>{7, 1} : std::vector<int64_t>{1, 7};
    g.nodes[0].attrs["pads"] =
        column ? std::vector<int64_t>{3, 0, 3, 0} : std::vector<int64_t>{0, 3, 0, 3};
    g.constants["w"] =
        random_tensor<int8_t>(DType::I8, {8, 70, kernel[0], kernel[1]}, -127, 127, 5);
    expect_bit_exact(g, kAnyInt8, 9);
  }
}

TEST(CodegenOps, GemmWithMoreColumnsThanLanes) {
  Node n{"Gemm", "fc", {"x", "w", "b"}, {"y"}, {}};
  n.attrs["transB"] = int64_t{1};
  n.attrs["do_relu"] = int64_t{1};
  set_requant_attrs(n, 70, 40);
  Graph g = one_node(n, int8_type({1, 100}, 0.1), int8_type({1, 70}, 0.1));
  g.constants["w"] = random_tensor<int8_t>(DType::I8, {70, 100}, -127, 127, 21);
  g.constants["b"] = random_tensor<int32_t>(DType::I32, {70}, -3000, 3000, 22);
  expect_bit_exact(g, kAnyInt8, 4);
}

// A classifier whose B (8192 × 3000, 24 MiB) is larger than all of local memory: the result in
// tiles of columns, each with its part of B, the bias and the requantization tables; the tiles
// do not divide the 3000 columns (the last shifts inwards). int8 and f16.
TEST(CodegenOps, GemmLargerThanLocalMemoryInTilesOfColumns) {
  for (DType t : {DType::I8, DType::F16}) {
    SCOPED_TRACE(name(t));
    const int64_t k = 8192, n = 3000;
    Node fc{"Gemm", "fc", {"x", "w", "b"}, {"y"}, {}};
    fc.attrs["transB"] = int64_t{1};
    Graph g;
    if (t == DType::I8) {
      set_requant_attrs(fc, n, 40);
      g = one_node(fc, int8_type({2, k}, 0.1), int8_type({2, n}, 0.1));
      g.constants["w"] = random_tensor<int8_t>(DType::I8, {n, k}, -127, 127, 23);
      g.constants["b"] = random_tensor<int32_t>(DType::I32, {n}, -3000, 3000, 24);
    } else {
      g = one_node(fc, plain_type(t, {2, k}), plain_type(t, {2, n}));
      g.constants["w"] = random_input(plain_type(t, {n, k}), -0.02, 0.02, 23);
      g.constants["b"] = random_input(plain_type(t, {n}), -1, 1, 24);
    }
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_GT(std::count_if(m.program.tiu.begin(), m.program.tiu.end(),
                            [](const TiuCommand& c) { return c.op == TiuOp::MatMul; }),
              1);
    expect_simulator_matches_host(g, m, t == DType::I8 ? kAnyInt8 : ValueRange{-3, 3}, 6, 3);
  }
}

// The residual join of a ResNet block: Add(x, conv(x)) with relu, more channels than lanes.
TEST(CodegenOps, ResidualAddWithRelu) {
  Graph g = conv_graph(DType::I8, {1, 70, 9, 11}, 70, 1, 1, 0, true);
  Node add{"Add", "add", {"x", "y"}, {"z"}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{3 << 12, -(5 << 11)};  // 15 bits, as quantized
  add.attrs["rshift"] = std::vector<int64_t>{14};
  add.attrs["do_relu"] = int64_t{1};
  g.types["z"] = int8_type({1, 70, 9, 11}, 0.1);
  g.nodes.push_back(add);
  g.outputs = {"z"};
  expect_bit_exact(g, kAnyInt8, 5);
}

// ConvNeXt's residual Add: the layer-scaled branch is so much smaller than the sum that its int8
// multiplier rounds to 0, and the lowered Add reads the other operand alone; either way round.
TEST(CodegenOps, ResidualAddWithAZeroMultiplier) {
  for (const auto& m : {std::vector<int64_t>{0, 3 << 12}, std::vector<int64_t>{-(5 << 11), 0}}) {
    Graph g = conv_graph(DType::I8, {1, 70, 9, 11}, 70, 1, 1, 0, true);
    Node add{"Add", "add", {"x", "y"}, {"z"}, {}};
    add.attrs["multiplier"] = m;
    add.attrs["rshift"] = std::vector<int64_t>{14};
    g.types["z"] = int8_type({1, 70, 9, 11}, 0.1);
    g.nodes.push_back(add);
    g.outputs = {"z"};
    EXPECT_TRUE(compile_model(g, bm1684x_chip()).host_layers.empty());
    expect_bit_exact(g, kAnyInt8, 5);
  }
}

// Operands too large for local memory at once: the Add is tiled by rows (tiles that do not divide
// the 301 rows), still bit-exact.
TEST(CodegenOps, AddTiledByRows) {
  Graph g;
  g.name = "add";
  g.inputs = {"x"};
  g.outputs = {"z"};
  g.types["x"] = int8_type({1, 64, 301, 300}, 0.1);
  g.types["y"] = int8_type({1, 64, 301, 300}, 0.1);
  g.types["z"] = int8_type({1, 64, 301, 300}, 0.2);
  Node pool{"MaxPool", "pool", {"x"}, {"y"}, {}};
  pool.attrs["kernel_shape"] = std::vector<int64_t>{1, 1};
  Node add{"Add", "add", {"x", "y"}, {"z"}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{1 << 14, 1 << 14};
  add.attrs["rshift"] = std::vector<int64_t>{15};
  g.nodes = {pool, add};
  const Program& p = compile_model(g, bm1684x_chip()).program;
  EXPECT_GT(std::count_if(p.tiu.begin(), p.tiu.end(),
                          [](const TiuCommand& c) { return c.op == TiuOp::Requant; }),
            1);  // an int8 Add ends in one REQUANT per tile
  expect_bit_exact(g, kAnyInt8, 6);
}

// ResNet's head: the int32 sum of each channel's 7×7 window, requantized per channel.
TEST(CodegenOps, GlobalAveragePoolSumsAndRequantizes) {
  Node n{"GlobalAveragePool", "gap", {"x"}, {"y"}, {}};
  set_requant_attrs(n, 70, 36);
  expect_bit_exact(one_node(n, int8_type({1, 70, 7, 7}, 0.1), int8_type({1, 70, 1, 1}, 0.1)),
                   kAnyInt8, 7);
}

// Conversions of tensors too large for local memory at once: NCHW tiled by rows, other ranks spread
// over the lanes along their longest dimension (an encoder's [128, 1, 768] has one "channel").
TEST(CodegenOps, LargeDequantizes) {
  for (const Shape& shape : {Shape{128, 1, 768}, Shape{1, 64, 301, 300}})
    expect_bit_exact(one_node({"Dequantize", "dq", {"x"}, {"y"}, {}}, int8_type(shape, 0.1),
                              {DType::F32, shape, std::nullopt}),
                     kAnyInt8, 12);
}

// Transpose is one GDMA copy DDR to DDR with permuted strides (an encoder's head split and merge).
TEST(CodegenOps, TransposeIsOneStridedCopy) {
  const std::vector<std::pair<Shape, std::vector<int64_t>>> cases = {
      {{1, 128, 4, 64}, {0, 2, 1, 3}}, {{128, 3, 70}, {1, 0, 2}}, {{5, 7}, {1, 0}}};
  for (const auto& [shape, perm] : cases) {
    Shape out;
    for (int64_t p : perm) out.push_back(shape[size_t(p)]);
    Node n{"Transpose", "t", {"x"}, {"y"}, {}};
    n.attrs["perm"] = perm;
    const Graph g = one_node(n, int8_type(shape, 0.1), int8_type(out, 0.1));
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty());
    EXPECT_EQ(m.program.gdma.size(), 2u);  // the copy and END
    expect_bit_exact(g, kAnyInt8, 13);
  }
}

// Squeeze and Unsqueeze are reshapes as Reshape is (the registry says so once): the result is a
// view of the input's DDR bytes, with no command and no host layer.
TEST(CodegenOps, SqueezeAndUnsqueezeAreViews) {
  const std::vector<std::tuple<const char*, Shape, Shape>> cases = {
      {"Squeeze", {1, 8, 1, 6}, {1, 8, 6}}, {"Unsqueeze", {1, 8, 6}, {1, 8, 1, 6}}};
  for (const auto& [op, in, out] : cases) {
    Node n{op, "s", {"x"}, {"y"}, {}};
    n.attrs["axes"] = std::vector<int64_t>{2};
    const Graph g = one_node(n, int8_type(in, 0.1), int8_type(out, 0.1));
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty()) << op;
    EXPECT_EQ(m.program.gdma.size(), 1u) << op;  // END alone
    EXPECT_EQ(m.outputs.at(0).addr, m.inputs.at(0).addr) << op;
  }
}

// An int8 elementwise function as a LUT gather, the table in every lane: NCHW tiled by rows with
// channels past the lanes, and an encoder's 3-D activation spread along its longest dimension.
TEST(CodegenOps, LookupTableIsAGather) {
  Tensor table(TensorType{DType::I8, {256}, std::nullopt});
  for (int i = 0; i < 256; ++i)
    table.as<int8_t>()[i] = int8_t((i * 37) % 256 - 128);  // no pattern a wrong index could hit
  for (const Shape& shape : {Shape{1, 70, 9, 11}, Shape{128, 1, 300}}) {
    Graph g = one_node({"Lut", "gelu", {"x", "table"}, {"y"}, {}}, int8_type(shape, 0.1),
                       int8_type(shape, 0.05));
    g.constants["table"] = table;
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty());
    EXPECT_TRUE(std::any_of(m.program.tiu.begin(), m.program.tiu.end(),
                            [](const TiuCommand& c) { return c.op == TiuOp::Lut; }));
    expect_bit_exact(g, kAnyInt8, 17);
  }
}

// Slice is a GDMA copy too: from an offset, with steps.
TEST(CodegenOps, SliceIsOneStridedCopy) {
  Graph g = one_node({"Slice", "s", {"x", "starts", "ends", "axes", "steps"}, {"y"}, {}},
                     int8_type({2, 10, 12}, 0.1), int8_type({2, 5, 4}, 0.1));
  g.constants["starts"] = make_tensor<int64_t>(DType::I64, {2}, {1, 2});
  g.constants["ends"] = make_tensor<int64_t>(DType::I64, {2}, {10, 12});
  g.constants["axes"] = make_tensor<int64_t>(DType::I64, {2}, {1, 2});
  g.constants["steps"] = make_tensor<int64_t>(DType::I64, {2}, {2, 3});
  EXPECT_TRUE(compile_model(g, bm1684x_chip()).host_layers.empty());
  expect_bit_exact(g, kAnyInt8, 14);
}

// An encoder's residual Add is 3-D with one "channel": spread along its longest dimension.
TEST(CodegenOps, AddOfThreeDimensionalTensors) {
  Graph g =
      conv_graph(DType::I8, {1, 8, 4, 4}, 8, 1, 1, 0, false);  // only to have a second int8 operand
  Node reshape{"Reshape", "r", {"y", "shape"}, {"v"}, {}};
  g.constants["shape"] = make_tensor<int64_t>(DType::I64, {3}, {4, 1, 32});
  g.types["v"] = int8_type({4, 1, 32}, 0.1);
  Node reshape_x{"Reshape", "rx", {"x", "shape"}, {"u"}, {}};
  g.types["u"] = int8_type({4, 1, 32}, 0.05);
  Node add{"Add", "add", {"u", "v"}, {"z"}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{1 << 14, 3 << 12};
  add.attrs["rshift"] = std::vector<int64_t>{14};
  g.types["z"] = int8_type({4, 1, 32}, 0.1);
  g.nodes.insert(g.nodes.end(), {reshape, reshape_x, add});
  g.outputs = {"z"};
  const Model m = compile_model(g, bm1684x_chip());
  EXPECT_TRUE(m.host_layers.empty());
  expect_bit_exact(g, kAnyInt8, 15);
}

// An op with no chip form (here an int8 Sign) becomes a host layer inside the model file, a CPU
// subnet between two TPU subnets: the simulator stops the streams there, hands the tensors to the
// host and carries on. The result is still the host reference's, bit for bit, with or without
// the sidecar; without a host runner the simulator refuses the model.
TEST(CodegenOps, OpsWithoutAChipFormRunAsHostLayers) {
  Graph g = conv_graph(DType::I8, {1, 8, 6, 6}, 8, 3, 1, 1, true);
  g.nodes.push_back({"Sign", "sign", {"y"}, {"t"}, {}});
  g.types["t"] = int8_type({1, 8, 6, 6}, 0.1);
  Node conv2 = g.nodes[0];
  conv2.name = "conv2";
  conv2.inputs[0] = "t";
  conv2.outputs = {"z"};
  g.nodes.push_back(conv2);
  g.types["z"] = g.types["y"];
  g.outputs = {"z"};
  const std::string path = ::testing::TempDir() + "/host-layer.bmodel";
  write_model(path, compile_model(g, bm1684x_chip()));
  const Model model = read_model(path);
  std::vector<bmodel::SubnetMode> modes;
  const bmodel::BmodelFile file = bmodel::read_bmodel(path);
  for (const bmodel::SubNet& s : file.model.nets[0].parameters[0].sub_nets) modes.push_back(s.mode);
  EXPECT_EQ(modes, (std::vector<bmodel::SubnetMode>{
                       bmodel::SubnetMode::Tpu, bmodel::SubnetMode::Cpu, bmodel::SubnetMode::Tpu}));
  std::filesystem::remove(path + ".json");
  Simulator without_sidecar(bm1684x_chip(), read_model(path), host_layer_runner());
  ASSERT_EQ(model.host_layers.size(), 1u);
  EXPECT_EQ(model.host_layers[0].name, "sign");
  EXPECT_NE(model.host_layers[0].reason.find("no bm1684x schedule for Sign"), std::string::npos);
  EXPECT_THROW(Simulator(bm1684x_chip(), model), Error);
  Simulator sim(bm1684x_chip(), model, host_layer_runner());
  host::Executor host(g);
  for (unsigned k = 0; k < 3; ++k) {
    const Tensor x = random_input(g.type("x"), -128, 127, 40 + k);
    const Tensor want = host.run({{"x", x}}).at("z");
    EXPECT_EQ(sim.run({{"x", x}}).at("z").data, want.data) << "sample " << k;
    EXPECT_EQ(without_sidecar.run({{"x", x}}).at("z").data, want.data) << "sample " << k;
    EXPECT_EQ(sim.stats().host_layers, std::vector<std::string>{"sign"});
  }
}

// A layer no tile of its schedule fits local memory (a row of 70,000 elements) runs on the host,
// and says why.
TEST(CodegenOps, ALayerNoTileFitsRunsOnTheHostAndSaysWhy) {
  const Graph g = conv_graph(DType::I8, {1, 1, 1, 70000}, 2, 1, 1, 0, false);
  const Model m = compile_model(g, bm1684x_chip());
  ASSERT_EQ(m.host_layers.size(), 1u);
  const std::string& reason = m.host_layers[0].reason;
  EXPECT_NE(reason.find("node 'conv' (Conv): needs "), std::string::npos) << reason;
  EXPECT_NE(reason.find("bytes of local memory per lane even with one output row per tile; "
                        "bm1684x has 262144"),
            std::string::npos)
      << reason;
}

// Asymmetric int8 on the chip: a Conv pads with its input's zero point, and its fused relu and
// limit are by its result's zero point (the command's relu field is a max by 0). The chip
// reproduces the host reference bit for bit; a conversion with a zero point (quant.rq0 and
// quant.dq0 run without one) stays on the host and says why.
TEST(CodegenOps, AsymmetricInt8RunsOnTheChip) {
  for (const int zy : {-128, -20, 7}) {
    for (const bool limit : {false, true}) {
      SCOPED_TRACE("zy " + std::to_string(zy) + (limit ? ", limit 30" : ""));
      Graph g = conv_graph(DType::I8, {1, 8, 5, 5}, 4, 3, 1, 1, true);
      g.types["x"].quant->zero_point = -5;
      g.types["y"].quant->zero_point = zy;
      if (limit) g.nodes[0].attrs["relu_limit"] = 30.0;
      const Model m = compile_model(g, bm1684x_chip());
      EXPECT_TRUE(m.host_layers.empty());
      Simulator sim(bm1684x_chip(), m, host_layer_runner());
      for (uint32_t seed : {16u, 17u}) {
        const Tensor x = random_input(g.type("x"), -128, 127, seed);
        EXPECT_EQ(sim.run({{"x", x}}).at("y").data, host::Executor(g).run({{"x", x}}).at("y").data);
      }
    }
  }
  TensorType x = int8_type({1, 4, 2, 2}, 0.1);
  x.quant->zero_point = 3;
  const Model dq = compile_model(
      one_node({"Dequantize", "dq", {"x"}, {"y"}, {}}, x, {DType::F32, {1, 4, 2, 2}, std::nullopt}),
      bm1684x_chip());
  ASSERT_EQ(dq.host_layers.size(), 1u);
  EXPECT_NE(dq.host_layers[0].reason.find("an asymmetric int8 Dequantize has no BM1684X form"),
            std::string::npos)
      << dq.host_layers[0].reason;
}

TEST(CodegenOps, HostLayersAreNamedWithTheirReason) {
  const TensorType f32{DType::F32, {1, 10}, std::nullopt};
  const Model m =
      compile_model(one_node({"Cos", "squash", {"x"}, {"y"}, {}}, f32, f32), bm1684x_chip());
  ASSERT_EQ(m.host_layers.size(), 1u);
  EXPECT_EQ(m.host_layers[0].name, "squash");
  EXPECT_EQ(m.host_layers[0].reason, "no bm1684x schedule for Cos");
  EXPECT_TRUE(m.program.tiu.size() == 1 && m.program.gdma.size() == 1);  // only the END commands
}

// Concat is one DDR-to-DDR GDMA copy per input into its slice of the output: along the channels
// (SqueezeNet's fire modules) and along the last axis of a 3-D tensor.
TEST(CodegenOps, ConcatIsOneCopyPerInput) {
  for (int64_t axis : {1, -1}) {
    Graph g;
    g.name = "concat";
    g.inputs = {"x"};
    g.outputs = {"z"};
    const Shape x = axis == 1 ? Shape{1, 70, 9, 11} : Shape{4, 30, 50};
    Shape z = x;
    z[axis == 1 ? 1 : 2] *= 2;
    g.types["x"] = int8_type(x, 0.1);
    g.types["y"] = int8_type(x, 0.1);
    g.types["z"] = int8_type(z, 0.1);
    Node transpose{"Transpose", "t", {"x"}, {"y"}, {}};  // any second operand computed from x
    transpose.attrs["perm"] =
        x.size() == 4 ? std::vector<int64_t>{0, 1, 2, 3} : std::vector<int64_t>{0, 1, 2};
    Node concat{"Concat", "concat", {"x", "y"}, {"z"}, {}};
    concat.attrs["axis"] = axis;
    g.nodes = {transpose, concat};
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty());
    EXPECT_EQ(m.layers.back().gdma.size(), 2u);
    expect_bit_exact(g, kAnyInt8, 18);
  }
}

// A nearest Resize by whole factors (2 along the rows, 3 along the columns) is one strided
// DDR-to-DDR GDMA copy per phase: 6, each the whole input.
TEST(CodegenOps, NearestResizeIsOneCopyPerPhase) {
  Node up{"Resize", "up", {"x", "", "scales"}, {"y"}, {}};
  up.attrs["mode"] = std::string("nearest");
  up.attrs["coordinate_transformation_mode"] = std::string("asymmetric");
  up.attrs["nearest_mode"] = std::string("floor");
  Graph g = one_node(up, int8_type({1, 70, 9, 11}, 0.1), int8_type({1, 70, 18, 33}, 0.1));
  g.constants["scales"] = make_tensor<float>(DType::F32, {4}, {1, 1, 2, 3});
  const Model m = compile_model(g, bm1684x_chip());
  EXPECT_TRUE(m.host_layers.empty()) << m.host_layers[0].reason;
  EXPECT_EQ(m.layers.back().gdma.size(), 6u);
  expect_bit_exact(g, kAnyInt8, 19);
}

// A 5-D transpose whose two innermost dimensions stay together (ShuffleNet's channel shuffle) is
// one 4-D GDMA copy: the rows and columns merge into one dimension.
TEST(CodegenOps, ChannelShuffleTransposeMergesDimensions) {
  Node shuffle{"Transpose", "shuffle", {"x"}, {"y"}, {}};
  shuffle.attrs["perm"] = std::vector<int64_t>{0, 2, 1, 3, 4};
  const Graph g =
      one_node(shuffle, int8_type({1, 2, 35, 9, 11}, 0.1), int8_type({1, 35, 2, 9, 11}, 0.1));
  const Model m = compile_model(g, bm1684x_chip());
  EXPECT_TRUE(m.host_layers.empty()) << m.host_layers[0].reason;
  EXPECT_EQ(m.layers.back().gdma.size(), 1u);
  expect_bit_exact(g, kAnyInt8, 23);
}

// A Gather of one constant index (a ViT's class token, row 0 of [1, 7, 20]) is one GDMA copy.
TEST(CodegenOps, GatherOfOneConstantIndexIsACopy) {
  for (int64_t index : {0, -2}) {
    Node take{"Gather", "token", {"x", "index"}, {"y"}, {}};
    take.attrs["axis"] = int64_t{1};
    Graph g = one_node(take, int8_type({1, 7, 20}, 0.1), int8_type({1, 20}, 0.1));
    g.constants["index"] = make_tensor<int64_t>(DType::I64, {}, {index});
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty()) << m.host_layers[0].reason;
    EXPECT_EQ(m.layers.back().gdma.size(), 1u);
    expect_bit_exact(g, kAnyInt8, 29);
  }
}

// ViT's patch embedding: a window of 16 with stride 16, which the chip's 4-bit stride field cannot
// hold, is one command per output position (a single output makes the stride irrelevant), int8
// and f16, bit-exact.
TEST(CodegenOps, ConvWithAStrideAboveTheFieldsSplitsPerOutput) {
  for (DType t : {DType::I8, DType::F16}) {
    const Graph g = conv_graph(t, {1, 3, 48, 32}, 8, 16, 16, 0, false);
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_EQ(std::count_if(p.tiu.begin(), p.tiu.end(),
                            [](const TiuCommand& c) { return c.op == TiuOp::Conv; }),
              3 * 2);
    if (t == DType::I8) {
      expect_bit_exact(g, kAnyInt8, 16);
    } else {
      expect_bit_exact(g, {-2, 2}, 16);
    }
  }
}

// An int8 Add whose multipliers would overflow the chip's int32 sum (larger than the quantizer's
// 15 bits) has no command form: a host layer that says why.
TEST(CodegenOps, AnInt8AddWithLargeMultipliersRunsOnTheHost) {
  Graph g = conv_graph(DType::I8, {1, 8, 4, 4}, 8, 1, 1, 0, false);
  Node add{"Add", "add", {"x", "y"}, {"z"}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{1 << 30, 1 << 30};
  add.attrs["rshift"] = std::vector<int64_t>{31};
  g.types["z"] = int8_type({1, 8, 4, 4}, 0.1);
  g.nodes.push_back(add);
  g.outputs = {"z"};
  const bm1684x::Model m = compile_model(g, bm1684x_chip());
  ASSERT_EQ(m.host_layers.size(), 1u);
  EXPECT_NE(m.host_layers[0].reason.find("overflow the chip's int32 sum"), std::string::npos)
      << m.host_layers[0].reason;
}
