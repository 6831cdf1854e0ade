// The quantizer on small graphs with hand-computed expectations.
#include "quant/quantize.h"

#include <gtest/gtest.h>

#include "ir/files.h"
#include "ir/quant_math.h"
#include "ir/text.h"
#include "target/host/executor.h"
#include "tests/support/errors.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::error_of;
using tpuc::testing::random_tensor;

// A fused Clip(0, 6) keeps its limit in int8 steps of the output scale: 6 / (12/127) = 63.5 → 64.
TEST(Quantize, FusedReluLimitBecomesOutputSteps) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,1,4,4]
  const %w : f32[1,1,1,1] = [10]
  %y : f32[1,1,4,4] = Conv(%x, %w) {do_relu = 1, relu_limit = 6.0} @conv
  output %y
})");
  const Graph int8 = quant::quantize(top, {{{"x", 1.0}, {"y", 12.0}}}, quant::QuantPolicy{});
  const Node* conv = nullptr;
  for (const Node& n : int8.nodes)
    if (n.op == "Conv") conv = &n;
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->f("relu_limit", 0), 64.0);
  const Tensor x = random_tensor<float>(DType::F32, {1, 1, 4, 4}, -1, 1, 3);
  const Tensor y = host::Executor(int8).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i) {
    const double want = std::clamp(10.0 * x.at(i), 0.0, 6.0);
    EXPECT_NEAR(y.at(i), want, 12.0 / 127 + 10.0 / 127) << i;  // one output step plus the input's
  }
}

// An int8 Concat is a copy: its inputs and result share the widest threshold of the class they form
// with the values a scale-keeping op ties to them (here a MaxPool's input), and a nearest Resize
// keeps its input's scale; the int8 graph then concatenates exactly what float does, rounded once.
TEST(Quantize, ConcatInputsShareOneScaleAndNearestResizeKeepsIt) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,4,4]
  const %w : f32[2,2,1,1] = [1, 0, 0, 3]
  const %scales : f32[4] = [1, 1, 2, 2]
  %a : f32[1,2,4,4] = Conv(%x, %w) @conv
  %p : f32[1,2,4,4] = MaxPool(%a) {kernel_shape = [1, 1]} @pool
  %u : f32[1,2,8,8] = Resize(%x, _, %scales) {mode = "nearest",
      coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} @up
  %d : f32[1,2,8,8] = Resize(%p, _, %scales) {mode = "nearest",
      coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} @up2
  %y : f32[1,4,8,8] = Concat(%u, %d) {axis = 1} @cat
  output %y
})");
  const Graph int8 = quant::quantize(
      top, {{{"x", 1.0}, {"a", 3.0}, {"p", 2.0}, {"u", 0.5}, {"d", 1.0}, {"y", 2.5}}},
      quant::QuantPolicy{});
  const auto cat = std::find_if(int8.nodes.begin(), int8.nodes.end(),
                                [](const Node& n) { return n.op == "Concat"; });
  ASSERT_NE(cat, int8.nodes.end());
  for (const std::string& v : std::vector<std::string>{
           "a", "p", "u", "d", cat->outputs[0]}) {  // one class: the widest threshold, 3
    ASSERT_EQ(int8.type(v).dtype, DType::I8) << v;
    EXPECT_DOUBLE_EQ(int8.type(v).quant->scale[0], 3.0 / 127) << v;
  }
  const auto count = [&](const char* op) {
    return std::count_if(int8.nodes.begin(), int8.nodes.end(),
                         [&](const Node& n) { return n.op == op; });
  };
  EXPECT_EQ(count("Quantize"), 1);    // the input's: no float detour before the Concat
  EXPECT_EQ(count("Dequantize"), 1);  // the output's
  const Tensor x = random_tensor<float>(DType::F32, {1, 2, 4, 4}, -1, 1, 5);
  const Tensor y = host::Executor(int8).run({{"x", x}}).at("y"),
               want = host::Executor(top).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y.at(i), want.at(i), 3.0 / 127 + 1.0 / 127 * 3)
        << i;  // an output step plus the input's through the conv
}

// Transpose, Squeeze and Unsqueeze only move int8 codes: their results keep their input's scale
// (not a calibrated scale of their own, which the codes would not be in), and the int8 graph
// transposes exactly what float does, rounded once.
TEST(Quantize, MovingOpsKeepTheirInputsScale) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,1,3]
  const %w : f32[2,2,1,1] = [1, 0, 0, 2]
  %a : f32[1,2,1,3] = Conv(%x, %w) @conv
  %t : f32[1,3,1,2] = Transpose(%a) {perm = [0, 3, 2, 1]} @t
  %s : f32[1,3,2] = Squeeze(%t) {axes = [2]} @sq
  %y : f32[1,3,1,2] = Unsqueeze(%s) {axes = [2]} @unsq
  output %y
})");
  // Thresholds that would differ if each value were scaled on its own.
  const quant::CalibrationTable table{{{"x", 1.0}, {"a", 2.0}, {"t", 1.5}, {"s", 1.0}, {"y", 0.5}}};
  const Graph int8 = quant::quantize(top, table, quant::QuantPolicy{});
  for (const char* v : {"t", "s"}) {
    ASSERT_EQ(int8.type(v).dtype, DType::I8) << v;
    EXPECT_DOUBLE_EQ(int8.type(v).quant->scale[0], 2.0 / 127) << v;
  }
  const Tensor x = random_tensor<float>(DType::F32, {1, 2, 1, 3}, -1, 1, 7);
  const Tensor y = host::Executor(int8).run({{"x", x}}).at("y"),
               want = host::Executor(top).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y.at(i), want.at(i), 2.0 / 127 + 2.0 / 127) << i;  // the output step, the input's
}

// Overrides keep layers in a float precision, by layer pattern or op type (the last match wins); a
// layer pattern that matches nothing is an error naming the policy line.
TEST(Quantize, OverridesChooseEachLayersPrecision) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,1,2,2]
  const %w : f32[1,1,1,1] = [2]
  const %fw : f32[3,4] = [1, 2, 3, 4, -1, -2, -3, -4, 1, -1, 1, -1]
  const %shape : i64[2] = [1, 4]
  %c : f32[1,1,2,2] = Conv(%x, %w) @features/conv
  %f : f32[1,4] = Reshape(%c, %shape) @flatten
  %y : f32[1,3] = Gemm(%f, %fw) {transB = 1} @classifier/fc
  output %y
})");
  const quant::CalibrationTable table{{{"x", 1.0}, {"c", 2.0}, {"f", 2.0}, {"y", 20.0}}, ""};
  quant::QuantPolicy policy;
  policy.overrides = {{{}, {"classifier/*"}, DType::F16, "policy.yaml:3"},
                      {{"Reshape"}, {}, DType::F32, "policy.yaml:5"}};
  const Graph q = quant::quantize(top, table, policy);
  std::map<std::string, DType> out_dtype;
  for (const Node& n : q.nodes) out_dtype[n.name] = q.type(n.outputs[0]).dtype;
  EXPECT_EQ(out_dtype.at("features/conv"), DType::I8);
  EXPECT_EQ(out_dtype.at("flatten"), DType::F32);
  EXPECT_EQ(out_dtype.at("classifier/fc"), DType::F16);
  EXPECT_EQ(q.type(q.outputs[0]).dtype, DType::F32);  // converted back at the exit
  const Tensor x = random_tensor<float>(DType::F32, {1, 1, 2, 2}, -1, 1, 4);
  const Tensor y = host::Executor(q).run({{"x", x}}).at("y"),
               want = host::Executor(top).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y.at(i), want.at(i), 0.1) << i;
  policy.overrides[0].layers = {"head/*"};
  EXPECT_EQ(error_of([&] { quant::quantize(top, table, policy); }),
            "policy.yaml:3: layers: 'head/*' matches no layer of the model");
}

// Half-precision layers take rounded weights and round each result once; the f32 accumulation in
// between is exact here, so the outputs are known exactly: with x = [1, 2^-10],
//   y0 = x · [1 + 2^-11, 1]: the weight rounds to 1 in f16, so 1 + 2^-10 (f32 weights: 1 + 3·2^-11)
//   y1 = x · [1, 2^-2] = 1 + 2^-12, which rounds to 1 in f16 and bf16.
TEST(Quantize, HalfPrecisionModesRoundWeightsAndResults) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2]
  const %w : f32[2,2] = [1.00048828125, 1, 1, 0.25]
  %y : f32[1,2] = Gemm(%x, %w) {transB = 1} @fc
  output %y
})");
  const Tensor x = make_tensor<float>(DType::F32, {1, 2}, {1.0f, 0x1p-10f});
  const std::map<std::string, std::vector<double>> want = {
      {"f32", {1 + 3 * 0x1p-11, 1 + 0x1p-12}}, {"f16", {1 + 0x1p-10, 1}}, {"bf16", {1, 1}}};
  for (const auto& [mode, values] : want) {
    quant::QuantPolicy policy;
    policy.mode = mode;
    EXPECT_FALSE(quant::needs_calibration(policy));
    const Graph q = quant::quantize(top, {}, policy);
    const Node& fc =
        *std::find_if(q.nodes.begin(), q.nodes.end(), [](const Node& n) { return n.name == "fc"; });
    EXPECT_EQ(name(q.type(fc.outputs[0]).dtype), mode);
    EXPECT_EQ(name(q.type(fc.inputs[1]).dtype), mode);  // the weights, rounded once
    const Tensor y = host::Executor(q).run({{"x", x}}).at("y");
    ASSERT_EQ(y.type.dtype, DType::F32);
    for (size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(y.at(int64_t(i)), values[i]) << mode << " " << i;
  }
}

// An elementwise op in int8 is a 256-entry table: every output is the int8 step nearest to the op
// applied to the dequantized input.
TEST(Quantize, ElementwiseOpsBecomeLookupTables) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,64]
  %y : f32[1,64] = Sigmoid(%x) @act
  output %y
})");
  const double sx = 8.0 / 127, sy = 1.0 / 127;
  const Graph q = quant::quantize(top, {{{"x", 8.0}, {"y", 1.0}}, ""}, quant::QuantPolicy{});
  const Node& act =
      *std::find_if(q.nodes.begin(), q.nodes.end(), [](const Node& n) { return n.name == "act"; });
  EXPECT_EQ(act.op, "Lut");
  const Tensor x = random_tensor<float>(DType::F32, {1, 64}, -9, 9, 5);
  const Tensor y = host::Executor(q).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i) {
    const double xq = dequantize(quantize(float(x.at(i)), float(1 / sx)), float(sx));
    EXPECT_NEAR(y.at(i), 1 / (1 + std::exp(-xq)), sy / 2 + 1e-6) << x.at(i);
  }
}

// Asymmetric int8 spends all 256 codes on the observed range: a ReLU6 output seen in [0, 4] gets
// scale 4/255 and zero point -128, half the step of symmetric int8, and its limit 6 lies beyond the
// range (383 steps: it clips nothing, where the symmetric cap of 127 steps would clip at 2).
TEST(Quantize, AsymmetricInt8UsesTheObservedRange) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,4,4]
  const %w : f32[2,2,1,1] = [1, 0.5, -0.25, 2]
  const %b : f32[2] = [0.5, -0.5]
  %y : f32[1,2,4,4] = Conv(%x, %w, %b) {do_relu = 1, relu_limit = 6.0} @conv
  output %y
})");
  quant::CalibrationTable table{
      {{"x", 4.0}, {"y", 4.0}}, "", {{"x", {-1.0, 3.0}}, {"y", {0.0, 4.0}}}};
  quant::QuantPolicy policy;
  policy.mode = "int8_asym";
  const Graph q = quant::quantize(top, table, policy);
  const QuantParams &qx = *q.type("x_int8").quant, &qy = *q.type("y_int8").quant;
  EXPECT_DOUBLE_EQ(qx.scale[0], 4.0 / 255);
  EXPECT_EQ(qx.zero_point, -64);  // real 0 at -128 + 1/(4/255) = -64.25 → -64
  EXPECT_DOUBLE_EQ(qy.scale[0], 4.0 / 255);
  EXPECT_EQ(qy.zero_point, -128);
  const Tensor x = random_tensor<float>(DType::F32, {1, 2, 4, 4}, -1, 3, 6);
  const Tensor y = host::Executor(q).run({{"x", x}}).at("y"),
               want = host::Executor(top).run({{"x", x}}).at("y");
  for (int64_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y.at(i), std::min(want.at(i), 4.0), 4.0 / 255 + 2.5 * 4.0 / 255)
        << i;  // one output step + input rounding
}

// Bias correction: the weights [1, 0.3] become 127 and 38 steps of 1/127, so the second stands
// for 38/127 = 0.3 − 0.00078740; on inputs whose second channel averages 2 the output is off by
// 0.0015748 on average, which the bias absorbs: 0.5 → 0.5015748, in steps of sx·sw = 4/127²:
// 2016 without the correction, 2022 with it. A Conv without a bias gets one.
TEST(Quantize, BiasCorrectionAbsorbsTheWeightsMeanError) {
  const Graph top = parse(R"(tpuir 1
graph "g" {
  input %x : f32[1,2,1,1]
  const %w : f32[1,2,1,1] = [1, 0.3]
  const %b : f32[1] = [0.5]
  %y : f32[1,1,1,1] = Conv(%x, %w, %b) @conv
  %z : f32[1,1,1,1] = Conv(%x, %w) @plain
  output %y
  output %z
})");
  quant::CalibrationTable table{{{"x", 4.0}, {"y", 4.0}, {"z", 4.0}}, "", {}, {{"x", {0.0, 2.0}}}};
  const auto int32_bias = [&](const quant::QuantPolicy& policy, const std::string& layer) {
    const Graph q = quant::quantize(top, table, policy);
    for (const Node& n : q.nodes)
      if (n.name == layer && n.inputs.size() > 2) return q.constants.at(n.inputs[2]).at(0);
    return 0.0;
  };
  quant::QuantPolicy policy;
  EXPECT_EQ(int32_bias(policy, "conv"), 2016);
  EXPECT_EQ(int32_bias(policy, "plain"), 0);
  policy.bias_correction = true;
  EXPECT_EQ(int32_bias(policy, "conv"), 2022);
  EXPECT_EQ(int32_bias(policy, "plain"), 6);  // 0.0015748 / (4/127²) = 6.35
}

// Policy files: modes, overrides and search are checked with the file and line of each mistake.
TEST(Quantize, PolicyFilesAreChecked) {
  const std::string dir = ::testing::TempDir();
  auto load = [&](const std::string& text) {
    write_file_atomic(dir + "policy.yaml", text);
    return quant::load_quant_policy(dir + "policy.yaml");
  };
  const quant::QuantPolicy p = load(
      "mode: int8_sym\noverrides:\n  - {ops: [Softmax], precision: f16}\n  - layers: ['/head/*']\n "
      "   precision: bf16\n");
  ASSERT_EQ(p.overrides.size(), 2u);
  EXPECT_EQ(p.overrides[0].precision, DType::F16);
  EXPECT_EQ(p.overrides[1].layers, std::vector<std::string>{"/head/*"});
  EXPECT_EQ(p.overrides[1].origin, dir + "policy.yaml:4");
  EXPECT_EQ(p.precision_of({"Softmax", "/head/softmax", {}, {}, {}}),
            DType::BF16);  // the last match wins
  EXPECT_EQ(p.precision_of({"Conv", "/body/conv", {}, {}, {}}), DType::I8);
  auto load_error = [&](const std::string& text) { return error_of([&] { load(text); }); };
  EXPECT_NE(load_error("mode: int4\n").find("policy.yaml:1:7: unknown mode 'int4'"),
            std::string::npos);
  EXPECT_NE(load_error("overrides:\n  - {ops: [Softmax], precision: i8}\n")
                .find("'precision' must be f16, bf16 or f32, not 'i8'"),
            std::string::npos);
  EXPECT_NE(load_error("overrides:\n  - {ops: [Softmaxx]}\n").find("unknown operator 'Softmaxx'"),
            std::string::npos);
  EXPECT_NE(load_error("overrides:\n  - {precision: f16}\n")
                .find("policy.yaml:2:5: an override names 'ops' or 'layers'"),
            std::string::npos);
  EXPECT_NE(load_error("mode: f16\nsearch: {target_cosine: 0.9}\n")
                .find("a precision search needs an int8 mode"),
            std::string::npos);
}
