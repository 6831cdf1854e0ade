// Single f16 and bf16 layers compiled for the BM1684X and run on the simulator, against the host
// reference bit for bit: both widen the operands, compute in f32 in the same order and round the
// layer's result once (docs/quantization.md), so any difference is a schedule, lowering or
// simulator bug. Shapes reach past the lanes, stride 2, padding and tiles; plus the BM1684, which
// has no f16 arithmetic and runs such layers on the host.
#include <gtest/gtest.h>

#include <algorithm>

#include "chip/bm1684x/sim/simulator.h"
#include "driver/host_layers.h"
#include "ir/special_functions.h"
#include "target/bm1684x/codegen.h"
#include "target/host/executor.h"
#include "tests/support/chip_checks.h"
#include "tests/support/layer_graphs.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;
using namespace tpuc::bm1684x;

namespace {

// Where every layer's input values are drawn from.
constexpr ValueRange kFloatInputs{-3, 3};

const DType kHalfTypes[] = {DType::F16, DType::BF16};

}  // namespace

// Convolutions with a fused ReLU6: dense (more channels than lanes, stride 2, padding) and
// depthwise (one DEPTHWISE command per tile).
TEST(CodegenFloat, ConvAndDepthwiseConv) {
  for (DType t : kHalfTypes) {
    SCOPED_TRACE(name(t));
    expect_bit_exact(conv_graph(t, {1, 70, 9, 11}, 80, 3, 2, 1, true), kFloatInputs, 1);
    const Graph dw = conv_graph(t, {1, 96, 15, 15}, 96, 3, 1, 1, true, 96);
    const Program& p = compile_model(dw, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(), [](const TiuCommand& c) {
      return c.op == TiuOp::Depthwise && c.opd0.dtype != DType::I8;
    }));
    expect_bit_exact(dw, kFloatInputs, 2);
  }
}

// A fused LeakyRelu (Darknet's YOLO convolutions): ARITH mul by α and the max of the sum and that
// (the min when α > 1), rounded once; tiled by rows.
TEST(CodegenFloat, ConvWithFusedLeakyRelu) {
  for (const double alpha : {0.1, 1.5}) {
    SCOPED_TRACE(alpha);
    Graph g = conv_graph(DType::F16, {1, 70, 40, 41}, 80, 3, 1, 1, false);
    g.nodes[0].attrs["leaky_alpha"] = alpha;
    expect_bit_exact(g, kFloatInputs, 24);
  }
}

// Rows tiled: the output does not fit local memory at once.
TEST(CodegenFloat, ConvTiledByRows) {
  expect_bit_exact(conv_graph(DType::F16, {1, 32, 150, 150}, 32, 3, 1, 1, true), kFloatInputs, 3);
}

// Weights larger than local memory (200 × 4096 × 3 × 3 in f16: 4 output channels a lane, 288 KiB
// of weights a lane): tiles of output channels, each loading its weights, bias and result; the
// last tile shifts inwards.
TEST(CodegenFloat, ConvWhoseWeightsExceedLocalMemoryTilesItsOutputChannels) {
  const Graph g = conv_graph(DType::F16, {1, 4096, 3, 3}, 200, 3, 1, 1, true);
  const Model m = compile_model(g, bm1684x_chip());
  ASSERT_TRUE(m.host_layers.empty()) << m.host_layers[0].reason;
  EXPECT_GT(m.layers.at(0).tiles, 1);  // three rows fit one tile: the tiles split the channels
  expect_simulator_matches_host(g, m, kFloatInputs, 5, 3);
}

// Max pooling pads with the type's lowest value (a FILL of -65504 in f16).
TEST(CodegenFloat, MaxPoolWithPadding) {
  for (DType t : kHalfTypes) {
    Node n{"MaxPool", "pool", {"x"}, {"y"}, {}};
    n.attrs["kernel_shape"] = std::vector<int64_t>{3, 3};
    n.attrs["strides"] = std::vector<int64_t>{2, 2};
    n.attrs["pads"] = std::vector<int64_t>{1, 1, 1, 1};
    expect_bit_exact(one_node(n, plain_type(t, {1, 66, 7, 7}), plain_type(t, {1, 66, 4, 4})),
                     kFloatInputs, 4);
  }
}

// The f32 window sum times the rounded 1/(H·W), then one rounding.
TEST(CodegenFloat, GlobalAveragePool) {
  for (DType t : kHalfTypes)
    expect_bit_exact(one_node({"GlobalAveragePool", "gap", {"x"}, {"y"}, {}},
                              plain_type(t, {1, 70, 7, 7}), plain_type(t, {1, 70, 1, 1})),
                     kFloatInputs, 5);
}

// Both weight layouts (B as [N, K] and as [K, N]); the bias starts the sum.
TEST(CodegenFloat, GemmWithEitherWeightLayout) {
  for (int64_t trans_b : {0, 1}) {
    Node n{"Gemm", "fc", {"x", "w", "b"}, {"y"}, {}};
    n.attrs["transB"] = trans_b;
    Graph g = one_node(n, plain_type(DType::F16, {3, 100}), plain_type(DType::F16, {3, 70}));
    g.constants["w"] = random_input(
        plain_type(DType::F16, trans_b ? Shape{70, 100} : Shape{100, 70}), -0.2, 0.2, 21);
    g.constants["b"] = random_input(plain_type(DType::F16, {70}), -1, 1, 22);
    expect_bit_exact(g, kFloatInputs, 6);
  }
}

// A residual Add with relu, its second operand computed from the first: NCHW tiled by rows, and
// an encoder's 3-D one.
TEST(CodegenFloat, AddWithRelu) {
  for (const Shape& shape : {Shape{1, 70, 9, 11}, Shape{16, 1, 96}}) {
    Graph g = one_node({"Add", "double", {"x", "x"}, {"r"}, {}}, plain_type(DType::BF16, shape),
                       plain_type(DType::BF16, shape));
    g.nodes.push_back({"Add", "add", {"x", "r"}, {"y"}, {{"do_relu", int64_t{1}}}});
    g.types["y"] = plain_type(DType::BF16, shape);
    g.outputs = {"y"};
    expect_bit_exact(g, kFloatInputs, 7);
  }
}

// A float model's entry and exit: Cast f32 → f16 and back, as ARITH converts.
TEST(CodegenFloat, CastsBetweenFloatTypes) {
  Graph g = one_node({"Cast", "to_half", {"x"}, {"h"}, {{"to", std::string("f16")}}},
                     plain_type(DType::F32, {128, 1, 768}), plain_type(DType::F16, {128, 1, 768}));
  g.nodes.push_back({"Cast", "to_float", {"h"}, {"y"}, {{"to", std::string("f32")}}});
  g.types["y"] = plain_type(DType::F32, {128, 1, 768});
  g.outputs = {"y"};
  expect_bit_exact(g, kFloatInputs, 8);
}

// The BM1684 has no f16 arithmetic: the same layer becomes a host layer, with the reason.
TEST(CodegenFloat, AChipWithoutHalfPrecisionRunsItOnTheHost) {
  const Chip bm1684 = chip_config("bm1684");
  const Graph g = conv_graph(DType::F16, {1, 8, 6, 6}, 8, 3, 1, 1, true);
  const Model m = compile_model(g, bm1684);
  ASSERT_EQ(m.host_layers.size(), 1u);
  EXPECT_EQ(m.host_layers[0].reason, "bm1684 has no f16/bf16 arithmetic");
  const TensorMap x{{"x", random_input(plain_type(DType::F16, {1, 8, 6, 6}), -3, 3, 9)}};
  EXPECT_EQ(Simulator(bm1684, m, host_layer_runner()).run(x).at("y").data,
            host::Executor(g).run(x).at("y").data);
}

// Attention's products of two activations, batched: one MATMUL per batch, in f16 and in f32 (the
// int8 encoder keeps them in f32). The second operand comes from the first through a Transpose.
TEST(CodegenFloat, BatchedMatMulOfTwoActivations) {
  for (DType t : {DType::F16, DType::F32}) {
    SCOPED_TRACE(name(t));
    Graph g = one_node({"Transpose", "t", {"x"}, {"xt"}, {{"perm", std::vector<int64_t>{0, 2, 1}}}},
                       plain_type(t, {4, 70, 64}), plain_type(t, {4, 64, 70}));
    g.nodes.push_back({"MatMul", "scores", {"x", "xt"}, {"y"}, {}});
    g.types["y"] = plain_type(t, {4, 70, 70});
    g.outputs = {"y"};
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_EQ(std::count_if(p.tiu.begin(), p.tiu.end(),
                            [](const TiuCommand& c) { return c.op == TiuOp::MatMul; }),
              4);
    expect_bit_exact(g, kFloatInputs, 10);
  }
}

// Softmax over rows: POOL max, ARITH sub, exp (its sequence around an SFU polynomial), POOL sum,
// ARITH div, tiled by rows (rank 3, an attention's scores, and rank 2, a classifier's), all in f32
// (a f16 layer widens its input and rounds its result).
TEST(CodegenFloat, SoftmaxOverTheLastAxis) {
  for (const auto& [t, shape] :
       {std::pair{DType::F32, Shape{4, 128, 128}}, std::pair{DType::F32, Shape{3, 1000}},
        std::pair{DType::F16, Shape{2, 70, 50}}}) {
    SCOPED_TRACE(name(t));
    const Graph g = one_node({"Softmax", "softmax", {"x"}, {"y"}, {{"axis", int64_t{-1}}}},
                             plain_type(t, shape), plain_type(t, shape));
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(), [](const TiuCommand& c) {
      return c.op == TiuOp::Sfu && c.sfu == SfuOp::Taylor && c.opd1.w == special::kExpTerms;
    }));
    expect_bit_exact(g, kFloatInputs, 11);
  }
}

// Attention's scaling: a division by a constant, which the algorithm holds as an immediate.
TEST(CodegenFloat, DivisionByAConstant) {
  for (DType t : {DType::F16, DType::F32}) {
    Graph g = one_node({"Div", "scale", {"x", "k"}, {"y"}, {}}, plain_type(t, {128, 4, 64}),
                       plain_type(t, {128, 4, 64}));
    g.constants["k"] = convert_float(make_tensor<float>(DType::F32, {}, {3.0f}), t);
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(), [](const TiuCommand& c) {
      return c.op == TiuOp::Arith && c.opd1_const;
    }));
    expect_bit_exact(g, kFloatInputs, 12);
  }
}

// LayerNormalization over rows (an encoder's [1, 128, 256] with 128 rows past the lanes, f32 and
// f16): the moments, sqrt and the normalization one command each; scale and bias in every lane.
TEST(CodegenFloat, LayerNormalizationOverTheLastAxis) {
  for (DType t : {DType::F32, DType::F16}) {
    SCOPED_TRACE(name(t));
    Graph g = one_node({"LayerNormalization",
                        "norm",
                        {"x", "scale", "bias"},
                        {"y"},
                        {{"axis", int64_t{-1}}, {"epsilon", 1e-5}}},
                       plain_type(t, {1, 128, 256}), plain_type(t, {1, 128, 256}));
    g.constants["scale"] = random_input(plain_type(t, {256}), 0.5, 1.5, 13);
    g.constants["bias"] = random_input(plain_type(t, {256}), -0.5, 0.5, 14);
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(), [](const TiuCommand& c) {
      return c.op == TiuOp::Sfu && c.sfu == SfuOp::Rsqrt;
    }));
    expect_bit_exact(g, kFloatInputs, 14);
  }
}

// GELU, one command per stage (erf's sequence, around an SFU polynomial, among them): an encoder's
// activation in f16, NCHW in f32.
TEST(CodegenFloat, Gelu) {
  for (const auto& [t, shape] :
       {std::pair{DType::F16, Shape{128, 1, 300}}, std::pair{DType::F32, Shape{1, 70, 9, 11}}}) {
    SCOPED_TRACE(name(t));
    const Graph g =
        one_node({"Gelu", "gelu", {"x"}, {"y"}, {}}, plain_type(t, shape), plain_type(t, shape));
    const Program& p = compile_model(g, bm1684x_chip()).program;
    EXPECT_TRUE(std::any_of(p.tiu.begin(), p.tiu.end(), [](const TiuCommand& c) {
      return c.op == TiuOp::Sfu && c.sfu == SfuOp::Taylor && c.opd1.w == special::kErfTerms;
    }));
    expect_bit_exact(g, kFloatInputs, 15);
  }
}

// Sigmoid and SiLU: ARITH mul by −1, SFU exp, ARITH add 1, then 1 / · (a constant dividend) or x /
// ·.
TEST(CodegenFloat, SigmoidAndSilu) {
  for (const char* op : {"Sigmoid", "Silu"})
    for (const auto& [t, shape] :
         {std::pair{DType::F16, Shape{1, 70, 9, 11}}, std::pair{DType::BF16, Shape{4, 300}},
          std::pair{DType::F32, Shape{1, 16, 5, 5}}}) {
      SCOPED_TRACE(std::string(op) + " " + name(t));
      const Graph g =
          one_node({op, "act", {"x"}, {"y"}, {}}, plain_type(t, shape), plain_type(t, shape));
      const Model m = compile_model(g, bm1684x_chip());
      const auto& tiu = m.program.tiu;
      EXPECT_EQ(std::count_if(
                    tiu.begin(), tiu.end(),
                    [](const TiuCommand& c) { return c.op == TiuOp::Arith && c.constant_first; }),
                op == std::string("Sigmoid") ? 1 : 0);
      expect_simulator_matches_host(g, m, kFloatInputs, 17, 3);
    }
}

// Standalone activations, one ARITH (or SFU sequence) per stage of their algorithms: HardSigmoid
// and HardSwish (mul, add, max, min; then mul by x), LeakyRelu (mul, max; min when α > 1), Relu,
// Clip with both, one or no bound, Exp and Erf (convert, SFU, convert), Neg and Reciprocal (one
// ARITH with a constant). None is a host layer.
TEST(CodegenFloat, StandaloneActivations) {
  struct Case {
    Node node;
    std::vector<float> bounds;  // Clip: its min and max inputs (NaN: absent)
  };
  const float absent = std::nanf("");
  Node hard_sigmoid{"HardSigmoid", "act", {"x"}, {"y"}, {}};
  hard_sigmoid.attrs["alpha"] = 0.3;
  hard_sigmoid.attrs["beta"] = 0.6;
  Node leaky{"LeakyRelu", "act", {"x"}, {"y"}, {}}, steep = leaky;
  leaky.attrs["alpha"] = 0.1;
  steep.attrs["alpha"] = 1.5;
  const std::vector<Case> cases = {
      {hard_sigmoid, {}},
      {{"HardSwish", "act", {"x"}, {"y"}, {}}, {}},
      {leaky, {}},
      {steep, {}},
      {{"Relu", "act", {"x"}, {"y"}, {}}, {}},
      {{"Clip", "act", {"x"}, {"y"}, {}}, {-1.5f, 2.25f}},
      {{"Clip", "act", {"x"}, {"y"}, {}}, {absent, 0.5f}},
      {{"Clip", "act", {"x"}, {"y"}, {}}, {0.0f}},
      {{"Exp", "act", {"x"}, {"y"}, {}}, {}},
      {{"Neg", "act", {"x"}, {"y"}, {}}, {}},
      {{"Reciprocal", "act", {"x"}, {"y"}, {}}, {}},
      {{"Erf", "act", {"x"}, {"y"}, {}}, {}},
      {{"Sqrt", "act", {"x"}, {"y"}, {}}, {}},
      {{"Tanh", "act", {"x"}, {"y"}, {}}, {}},
      {{"Abs", "act", {"x"}, {"y"}, {}}, {}},
      {{"Floor", "act", {"x"}, {"y"}, {}}, {}},
      {{"Log", "act", {"x"}, {"y"}, {}}, {}},
      {{"Softplus", "act", {"x"}, {"y"}, {}}, {}},
  };
  for (const Case& k : cases)
    for (const auto& [t, shape] :
         {std::pair{DType::F16, Shape{1, 70, 9, 11}}, std::pair{DType::BF16, Shape{4, 300}},
          std::pair{DType::F32, Shape{1, 16, 5, 5}}}) {
      SCOPED_TRACE(k.node.op + " " + name(t) + " " + std::to_string(k.bounds.size()));
      Graph g = one_node(k.node, plain_type(t, shape), plain_type(t, shape));
      for (size_t i = 0; i < k.bounds.size(); ++i) {
        const std::string bound = i == 0 ? "min" : "max";
        g.nodes[0].inputs.push_back(std::isnan(k.bounds[i]) ? "" : bound);
        if (std::isnan(k.bounds[i])) continue;
        g.constants[bound] =
            convert_float(make_tensor<float>(DType::F32, {}, std::vector<float>{k.bounds[i]}), t);
        g.types[bound] = plain_type(t, {});
      }
      expect_bit_exact(g, kFloatInputs, 18);
    }
}

// A constant of one channel over every channel (a spatial mask [1, 1, H, W]; one of a single row):
// copied into every lane, tiled by rows; either operand.
TEST(CodegenFloat, OperandsBroadcastAcrossTheLanes) {
  for (const auto& [x, mask] : {std::pair{Shape{1, 70, 9, 11}, Shape{1, 1, 9, 11}},
                                std::pair{Shape{1, 64, 301, 300}, Shape{1, 1, 301, 300}},
                                std::pair{Shape{1, 70, 9, 11}, Shape{1, 1, 1, 11}}})
    for (bool mask_first : {false, true}) {
      SCOPED_TRACE(to_string(mask) + (mask_first ? " first" : " second"));
      Graph g = one_node({"Mul", "mask", {"x", "m"}, {"y"}, {}}, plain_type(DType::F16, x),
                         plain_type(DType::F16, x));
      if (mask_first) std::swap(g.nodes[0].inputs[0], g.nodes[0].inputs[1]);
      g.types["m"] = plain_type(DType::F16, mask);
      g.constants["m"] = random_input(g.types["m"], -2, 2, 21);
      expect_bit_exact(g, kFloatInputs, 20);
    }
}

// A constant Pad no Conv absorbs: the input copied into the middle of the output, DDR to DDR,
// the border filled with the value: rows and columns, or channels.
TEST(CodegenFloat, ConstantPad) {
  for (const auto& [value, pads, out] :
       {std::tuple{0.0f, std::vector<int64_t>{0, 0, 1, 2, 0, 0, 2, 0}, Shape{1, 70, 12, 13}},
        std::tuple{-1.5f, std::vector<int64_t>{0, 1, 0, 0, 0, 2, 0, 0}, Shape{1, 73, 9, 11}}}) {
    SCOPED_TRACE(value);
    Graph g = one_node({"Pad", "pad", {"x", "pads", "value"}, {"y"}, {}},
                       plain_type(DType::F16, {1, 70, 9, 11}), plain_type(DType::F16, out));
    g.constants["pads"] = make_tensor<int64_t>(DType::I64, {8}, pads);
    g.types["pads"] = {DType::I64, {8}, std::nullopt};
    g.constants["value"] = convert_float(make_tensor<float>(DType::F32, {}, {value}), DType::F16);
    g.types["value"] = plain_type(DType::F16, {});
    expect_bit_exact(g, kFloatInputs, 22);
  }
}

// Expand: one GDMA copy DDR to DDR, reading a dimension of one element with a zero stride (rows,
// channels, a new leading dimension).
TEST(CodegenFloat, Expand) {
  for (const auto& [x, y] : {std::pair{Shape{1, 70, 1, 11}, Shape{1, 70, 9, 11}},
                             std::pair{Shape{1, 1, 9, 11}, Shape{1, 70, 9, 11}},
                             std::pair{Shape{70, 11}, Shape{3, 70, 11}}}) {
    SCOPED_TRACE(to_string(x));
    Graph g = one_node({"Expand", "expand", {"x", "shape"}, {"y"}, {}}, plain_type(DType::F16, x),
                       plain_type(DType::F16, y));
    g.constants["shape"] = make_tensor<int64_t>(DType::I64, {int64_t(y.size())}, y);
    g.types["shape"] = {DType::I64, {int64_t(y.size())}, std::nullopt};
    expect_bit_exact(g, kFloatInputs, 23);
  }
}

// Tile: one GDMA copy DDR to DDR of the whole input per repeat (rows and columns, channels).
TEST(CodegenFloat, Tile) {
  for (const auto& [x, repeats] :
       {std::pair{Shape{1, 8, 3, 4}, std::vector<int64_t>{1, 1, 2, 3}},
        std::pair{Shape{1, 70, 3, 4}, std::vector<int64_t>{1, 2, 1, 1}}}) {
    SCOPED_TRACE(to_string(x));
    Shape y = x;
    for (size_t d = 0; d < y.size(); ++d) y[d] *= repeats[d];
    Graph g = one_node({"Tile", "tile", {"x", "repeats"}, {"y"}, {}}, plain_type(DType::F16, x),
                       plain_type(DType::F16, y));
    g.constants["repeats"] = make_tensor<int64_t>(DType::I64, {4}, repeats);
    g.types["repeats"] = {DType::I64, {4}, std::nullopt};
    expect_bit_exact(g, kFloatInputs, 25);
  }
}

// DepthToSpace in both modes: one GDMA copy DDR to DDR per position inside a block.
TEST(CodegenFloat, DepthToSpace) {
  for (const char* mode : {"CRD", "DCR"}) {
    SCOPED_TRACE(mode);
    Node n{"DepthToSpace", "d2s", {"x"}, {"y"}, {}};
    n.attrs["blocksize"] = int64_t{3};
    n.attrs["mode"] = std::string(mode);
    const Graph g = one_node(n, plain_type(DType::F16, {1, 9 * 70, 5, 7}),
                             plain_type(DType::F16, {1, 70, 15, 21}));
    const Model m = compile_model(g, bm1684x_chip());
    EXPECT_EQ(m.program.gdma.size(), 9u + 1);  // and the end
    expect_simulator_matches_host(g, m, kFloatInputs, 19, 3);
  }
}

// A squeeze-and-excitation scale: x [1, C, H, W] times s [1, C, 1, 1], s broadcast along the rows
// and columns by zero strides.
TEST(CodegenFloat, BroadcastMultiply) {
  Graph g = one_node({"GlobalAveragePool", "squeeze", {"x"}, {"s"}, {}},
                     plain_type(DType::F16, {1, 70, 9, 11}), plain_type(DType::F16, {1, 70, 1, 1}));
  g.nodes.push_back({"Mul", "excite", {"x", "s"}, {"y"}, {}});
  g.types["y"] = plain_type(DType::F16, {1, 70, 9, 11});
  g.outputs = {"y"};
  expect_bit_exact(g, kFloatInputs, 16);
}

// Comparisons and Where as CMP commands: a comparison with an operand broadcast across the
// channels and one with an immediate give bools, and Where chooses by them between an operand and
// an immediate, or between two operands; Equal compares Floor's whole numbers with one, and
// GreaterOrEqual (three CMPs) too; LessOrEqual compares x with the rows.
TEST(CodegenFloat, ComparisonsAndWhere) {
  for (const DType t : {DType::F16, DType::BF16, DType::F32}) {
    SCOPED_TRACE(name(t));
    const Shape shape{1, 70, 9, 11};
    const TensorType x = plain_type(t, shape), mask = plain_type(DType::Bool, shape);
    Graph g = one_node({"Greater", "above", {"x", "rows"}, {"above"}, {}}, x, mask);
    g.constants["rows"] =
        convert_float(random_tensor<float>(DType::F32, {1, 1, 9, 11}, -1.0f, 1.0f, 81), t);
    g.types["rows"] = plain_type(t, {1, 1, 9, 11});
    auto add = [&](const Node& n, const TensorType& type) {
      g.nodes.push_back(n);
      g.types[n.outputs[0]] = type;
    };
    auto scalar = [&](const std::string& name, float v) {
      g.constants[name] = convert_float(make_tensor<float>(DType::F32, {}, {v}), t);
      g.types[name] = plain_type(t, {});
    };
    scalar("quarter", 0.25f);
    scalar("floor", -1e4f);
    scalar("one", 1.0f);
    add({"Less", "below", {"x", "quarter"}, {"below"}, {}}, mask);
    add({"Where", "kept", {"above", "x", "floor"}, {"kept"}, {}}, x);
    add({"Where", "mixed", {"below", "kept", "x"}, {"mixed"}, {}}, x);
    add({"Floor", "whole", {"x"}, {"whole"}, {}}, x);
    add({"Equal", "ones", {"whole", "one"}, {"ones"}, {}}, mask);
    add({"GreaterOrEqual", "at_least", {"whole", "one"}, {"at_least"}, {}}, mask);
    add({"LessOrEqual", "at_most", {"x", "rows"}, {"at_most"}, {}}, mask);
    g.outputs = {"mixed", "ones", "at_least", "at_most"};
    const bm1684x::Model m = bm1684x::compile_model(g, bm1684x_chip());
    EXPECT_TRUE(m.host_layers.empty());
    expect_simulator_matches_host(g, m, kFloatInputs, 19, 3);
  }
}

// A Conv of one output channel (CBAM's 7×7 attention map) has no output-channel loop: the schedule
// names its input and weights for the generator.
TEST(CodegenFloat, ConvOfOneOutputChannel) {
  expect_bit_exact(conv_graph(DType::I8, {1, 2, 17, 17}, 1, 7, 1, 3, false), kAnyInt8, 23);
  for (const DType t : {DType::F16, DType::F32})
    expect_bit_exact(conv_graph(t, {1, 2, 17, 17}, 1, 7, 1, 3, false), kFloatInputs, 24);
}
