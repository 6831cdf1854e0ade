// Every op of the library, float and int8, against naive loops written in the tests (here and in
// tests/support/host_ops.cpp); and the Halide form of the int8 arithmetic against
// ir/quant_math.h. Ops run through the host executor on one-node graphs, shapes checked by their
// shape inference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "ir/quant_math.h"
#include "ops/op.h"
#include "ops/quant.h"
#include "schedules/host/host_schedule.h"
#include "target/host/executor.h"
#include "tests/support/host_ops.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using namespace tpuc::testing;

TEST(Ops, ConvFloat) {
  const ConvCase cases[] = {
      {{1, 3, 7, 8}, {4, 3, 3, 3}, 1, 1, 1, 1},
      {{2, 4, 9, 9}, {6, 4, 3, 3}, 2, 0, 1, 1},
      {{1, 4, 8, 8}, {4, 1, 3, 3}, 1, 1, 1, 4},
      {{1, 2, 9, 7}, {2, 2, 2, 2}, 1, 2, 2, 1},
      // host schedule edges: two-vector tiles whose last one overlaps (width 37,
      // 19), channel blocks that overlap (24, 20), packed weights (K = 1024)
      {{1, 8, 6, 37}, {24, 8, 3, 3}, 1, 1, 1, 1},
      {{1, 1024, 3, 19}, {20, 1024, 1, 1}, 1, 0, 1, 1}};
  unsigned seed = 1;
  for (const ConvCase& k : cases) {
    const Tensor x = random_tensor<float>(DType::F32, k.x, -1, 1, seed++),
                 w = random_tensor<float>(DType::F32, k.w, -1, 1, seed++);
    const Tensor b = random_tensor<float>(DType::F32, {k.w[0]}, -1, 1, seed++);
    Shape shape;
    const std::vector<double> want = naive_conv(x, w, &b, k, shape);
    const Tensor y = run_node(conv_node(k), {x, w, b}, {false, true, true});
    EXPECT_EQ(y.type.shape, shape);
    expect_near(y, want);
  }
}

namespace {

// A naive conv's sums (of `shape`, NCHW) requantized per output channel by ir/quant_math.h, before
// any activation.
std::vector<int> requantized(const std::vector<double>& acc, const Shape& shape,
                             const std::vector<int64_t>& multiplier,
                             const std::vector<int64_t>& rshift, int zero_point = 0) {
  std::vector<int> y;
  const int64_t per = shape[2] * shape[3];
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t c = size_t(int64_t(i) / per);
    y.push_back(requantize(int32_t(acc[i]), int32_t(multiplier[c]), int(rshift[c]), zero_point));
  }
  return y;
}

}  // namespace

// Two layers of one shape with their own weights, biases, requantizations and result scales: the
// host executor gives them one kernel (their tables are its arguments), each with its own values.
TEST(Ops, ConvInt8RequantizesPerChannelWithRelu) {
  const ConvCase k{{1, 5, 6, 6}, {3, 5, 3, 3}, 2, 1, 1, 1};
  const std::vector<int64_t> multipliers[] = {{1 << 30, 1500000000, 1234567890},
                                              {2000000000, 1 << 29, 1100000000}};
  const std::vector<int64_t> shifts[] = {{38, 39, 40}, {37, 41, 36}};
  for (unsigned layer = 0; layer < 2; ++layer) {
    const Tensor x = random_tensor<int8_t>(DType::I8, k.x, -128, 127, 7 + 3 * layer),
                 w = random_tensor<int8_t>(DType::I8, k.w, -127, 127, 8 + 3 * layer);
    const Tensor b = random_tensor<int32_t>(DType::I32, {3}, -2000, 2000, 9 + 3 * layer);
    Node n = conv_node(k);
    n.attrs["multiplier"] = multipliers[layer];
    n.attrs["rshift"] = shifts[layer];
    n.attrs["do_relu"] = int64_t{1};
    Shape shape;
    const std::vector<double> acc = naive_conv(x, w, &b, k, shape);
    std::vector<double> want;
    for (int y : requantized(acc, shape, multipliers[layer], shifts[layer]))
      want.push_back(std::max(0, y));
    const QuantParams result{{0.1 + layer}, 0, -1};
    expect_near(run_node(n, {x, w, b}, {false, true, true}, result), want, 0);
  }
}

// Asymmetric int8: the op sums x, padding with zx (real 0), as the quantizer has folded −zx·Σw
// into the bias; the output adds its zero point after requantization and relu clamps at it.
// Reference: the naive conv over x − zx (padding 0) with the bias b + zx·Σw.
TEST(Ops, ConvInt8WithZeroPoints) {
  const ConvCase k{{1, 4, 5, 5}, {3, 4, 3, 3}, 1, 1, 1, 1};
  const int zx = -100, zy = -128;
  Tensor x = random_tensor<int8_t>(DType::I8, k.x, -128, 127, 17),
         w = random_tensor<int8_t>(DType::I8, k.w, -127, 127, 18);
  x.type.quant = QuantParams{{0.05}, zx, -1};
  const Tensor b = random_tensor<int32_t>(DType::I32, {3}, -2000, 2000, 19);
  Tensor centered(TensorType{DType::F32, k.x, std::nullopt});
  for (int64_t i = 0; i < x.size(); ++i) centered.as<float>()[i] = float(x.at(i) - zx);
  Node n = conv_node(k);
  n.attrs["multiplier"] = std::vector<int64_t>{1 << 30, 1500000000, 1234567890};
  n.attrs["rshift"] = std::vector<int64_t>{38, 39, 40};
  n.attrs["do_relu"] = int64_t{1};
  n.attrs["relu_limit"] = 100.0;
  Tensor unfolded = b;  // the bias before the quantizer's fold
  const int64_t taps = w.size() / k.w[0];
  for (int64_t c = 0; c < k.w[0]; ++c)
    for (int64_t t = 0; t < taps; ++t)
      unfolded.as<int32_t>()[c] += zx * int32_t(w.at(c * taps + t));
  Shape shape;
  const std::vector<double> acc = naive_conv(centered, w, &unfolded, k, shape);
  std::vector<double> want;
  for (int y : requantized(acc, shape, n.ints("multiplier"), n.ints("rshift"), zy))
    want.push_back(std::clamp(y, zy, zy + 100));
  expect_near(run_node(n, {x, w, b}, {false, true, true}, QuantParams{{0.1}, zy, -1}), want, 0);
}

TEST(Ops, AddInt8WithZeroPoints) {
  Tensor a = random_tensor<int8_t>(DType::I8, {1, 64}, -128, 127, 54),
         b = random_tensor<int8_t>(DType::I8, {1, 64}, -128, 127, 55);
  a.type.quant = QuantParams{{0.1}, -20, -1};
  b.type.quant = QuantParams{{0.1}, 35, -1};
  Node add{"Add", "", {}, {}, {}};
  add.attrs["multiplier"] = std::vector<int64_t>{3 << 28, 5 << 27};
  add.attrs["rshift"] = std::vector<int64_t>{30};
  add.attrs["do_relu"] = int64_t{1};
  std::vector<double> want;
  for (int i = 0; i < 64; ++i) {
    const int64_t sum =
        round_shift((int64_t(a.at(i)) + 20) * (3 << 28) + (int64_t(b.at(i)) - 35) * (5 << 27), 30);
    want.push_back(std::max<int>(7, saturate_i8(sum + 7)));
  }
  expect_near(run_node(add, {a, b}, {}, QuantParams{{0.1}, 7, -1}), want, 0);
}

// int8 GlobalAveragePool: the exact window sum, requantized per channel (zero points subtracted
// and added as for Conv); GlobalMaxPool keeps the scale and takes the max.
TEST(Ops, GlobalPoolsInt8) {
  Tensor x = random_tensor<int8_t>(DType::I8, {1, 3, 5, 4}, -128, 127, 60);
  x.type.quant = QuantParams{{0.1}, 9, -1};
  Node avg{"GlobalAveragePool", "", {}, {}, {}};
  avg.attrs["multiplier"] = std::vector<int64_t>{1 << 30, 1500000000, 1234567890};
  avg.attrs["rshift"] = std::vector<int64_t>{34, 35, 36};
  std::vector<double> want_avg, want_max;
  for (int c = 0; c < 3; ++c) {
    int32_t sum = 0;
    double best = -128;
    for (int i = 0; i < 20; ++i) {
      sum += int32_t(x.at(c * 20 + i)) - 9;
      best = std::max(best, x.at(c * 20 + i));
    }
    want_avg.push_back(requantize(sum, int32_t(avg.ints("multiplier")[size_t(c)]),
                                  int(avg.ints("rshift")[size_t(c)]), -3));
    want_max.push_back(best);
  }
  expect_near(run_node(avg, {x}, {}, QuantParams{{0.05}, -3, -1}), want_avg, 0);
  expect_near(run_node({"GlobalMaxPool", "", {}, {}, {}}, {x}, {}, QuantParams{{0.1}, 9, -1}),
              want_max, 0);
}

TEST(Ops, MaxPoolFloatAndInt8) {
  for (DType t : {DType::F32, DType::I8}) {
    const Tensor x = t == DType::F32 ? random_tensor<float>(t, {1, 2, 7, 6}, -5, 5, 3)
                                     : random_tensor<int8_t>(t, {1, 2, 7, 6}, -128, 127, 3);
    Node n{"MaxPool", "", {}, {}, {}};
    n.attrs["kernel_shape"] = std::vector<int64_t>{3, 2};
    n.attrs["strides"] = std::vector<int64_t>{2, 2};
    n.attrs["pads"] = std::vector<int64_t>{1, 0, 1, 0};
    std::vector<double> want;
    for (int c = 0; c < 2; ++c)
      for (int oy = 0; oy < 4; ++oy)
        for (int ox = 0; ox < 3; ++ox) {
          double m = -1e30;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 2; ++kx) {
              const int iy = oy * 2 + ky - 1, ix = ox * 2 + kx;
              if (iy >= 0 && iy < 7) m = std::max(m, x.at((c * 7 + iy) * 6 + ix));
            }
          want.push_back(m);
        }
    const Tensor y = run_node(n, {x});
    EXPECT_EQ(y.type.shape, (Shape{1, 2, 4, 3}));
    expect_near(y, want, 0);
  }
}

// out[n, ky·C + c, y, x] = in[n, c, y + ky·dilation − top, x], the zero point outside.
TEST(Ops, StackRowsShiftsRowsOntoChannels) {
  for (const int zero_point : {0, -3}) {
    Tensor x = random_tensor<int8_t>(DType::I8, {2, 2, 5, 3}, -128, 127, 5);
    x.type.quant = QuantParams{{0.1}, zero_point, -1};
    Node n{"StackRows", "", {}, {}, {}};
    n.attrs["kernel_rows"] = int64_t{3};
    n.attrs["dilation"] = int64_t{2};
    n.attrs["pads"] = std::vector<int64_t>{3, 1};
    std::vector<double> want;
    for (int b = 0; b < 2; ++b)
      for (int ky = 0; ky < 3; ++ky)
        for (int c = 0; c < 2; ++c)
          for (int y = 0; y < 5; ++y)
            for (int col = 0; col < 3; ++col) {
              const int row = y + ky * 2 - 3;
              want.push_back(row >= 0 && row < 5 ? x.at(((b * 2 + c) * 5 + row) * 3 + col)
                                                 : zero_point);
            }
    const Tensor y = run_node(n, {x}, {false}, x.type.quant);
    EXPECT_EQ(y.type.shape, (Shape{2, 6, 5, 3}));  // 5 + 3 + 1 − (3 − 1)·2 rows
    expect_near(y, want, 0);
  }
}

TEST(Ops, GemmTransposesAndBias) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      const int M = 3, K = 5, N = 4;
      const Tensor a =
          random_tensor<float>(DType::F32, ta ? Shape{K, M} : Shape{M, K}, -1, 1, 10 + ta);
      const Tensor b =
          random_tensor<float>(DType::F32, tb ? Shape{N, K} : Shape{K, N}, -1, 1, 20 + tb);
      const Tensor c = random_tensor<float>(DType::F32, {N}, -1, 1, 30);
      Node n{"Gemm", "", {}, {}, {}};
      n.attrs["transA"] = int64_t{ta};
      n.attrs["transB"] = int64_t{tb};
      n.attrs["alpha"] = 0.5;
      n.attrs["beta"] = 2.0;
      std::vector<double> want;
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
          double s = 0;
          for (int k = 0; k < K; ++k)
            s += a.at(ta ? k * M + i : i * K + k) * b.at(tb ? j * K + k : k * N + j);
          want.push_back(0.5 * s + 2.0 * c.at(j));
        }
      expect_near(run_node(n, {a, b, c}, {false, true, true}), want);
    }
}

TEST(Ops, MatMulBroadcastsBatches) {
  const Tensor a = random_tensor<float>(DType::F32, {2, 1, 3, 4}, -1, 1, 40),
               b = random_tensor<float>(DType::F32, {3, 4, 2}, -1, 1, 41);
  std::vector<double> want;
  for (int p = 0; p < 2; ++p)
    for (int q = 0; q < 3; ++q)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 2; ++j) {
          double s = 0;
          for (int k = 0; k < 4; ++k) s += a.at((p * 3 + i) * 4 + k) * b.at((q * 4 + k) * 2 + j);
          want.push_back(s);
        }
  const Tensor y = run_node({"MatMul", "", {}, {}, {}}, {a, b});
  EXPECT_EQ(y.type.shape, (Shape{2, 3, 3, 2}));
  expect_near(y, want);
}

TEST(Ops, AddBroadcastsFloatAndInt8) {
  const Tensor a = random_tensor<float>(DType::F32, {2, 3, 4}, -1, 1, 50),
               b = random_tensor<float>(DType::F32, {3, 1}, -1, 1, 51);
  std::vector<double> want;
  for (int i = 0; i < 24; ++i) want.push_back(std::max(0.0, a.at(i) + b.at((i / 4) % 3)));
  Node add{"Add", "", {}, {}, {}};
  add.attrs["do_relu"] = int64_t{1};
  expect_near(run_node(add, {a, b}), want);
  const Tensor qa = random_tensor<int8_t>(DType::I8, {1, 6}, -128, 127, 52),
               qb = random_tensor<int8_t>(DType::I8, {1, 6}, -128, 127, 53);
  Node qadd{"Add", "", {}, {}, {}};
  qadd.attrs["multiplier"] = std::vector<int64_t>{3 << 28, -(5 << 27)};
  qadd.attrs["rshift"] = std::vector<int64_t>{30};
  std::vector<double> qwant;
  for (int i = 0; i < 6; ++i)
    qwant.push_back(saturate_i8(
        round_shift(int64_t(qa.at(i)) * (3 << 28) + int64_t(qb.at(i)) * -(5 << 27), 30)));
  expect_near(run_node(qadd, {qa, qb}, {}, QuantParams{{0.1}, 0, -1}), qwant, 0);
}

// Comparisons with NaN are false, and GreaterOrEqual/LessOrEqual are not the negation of
// Less/Greater: against C++'s own IEEE comparisons, b broadcast along the rows.
TEST(Ops, ComparisonsOfNaNAreFalse) {
  const float nan = std::nanf("");
  const Tensor a = make_tensor<float>(DType::F32, {2, 3}, {nan, 1, 2, -0.0f, 5, nan}),
               b = make_tensor<float>(DType::F32, {3}, {1, nan, 2});
  const std::map<std::string, bool (*)(float, float)> ieee = {
      {"Greater", [](float x, float y) { return x > y; }},
      {"GreaterOrEqual", [](float x, float y) { return x >= y; }},
      {"Less", [](float x, float y) { return x < y; }},
      {"LessOrEqual", [](float x, float y) { return x <= y; }},
      {"Equal", [](float x, float y) { return x == y; }}};
  for (const auto& [op, compare] : ieee) {
    SCOPED_TRACE(op);
    std::vector<double> want;
    for (int i = 0; i < 6; ++i) want.push_back(compare(a.at(i), b.at(i % 3)));
    expect_near(run_node({op, "", {}, {}, {}}, {a, b}), want, 0);
  }
}

TEST(Ops, ReluBatchNormSoftmax) {
  const Tensor x = random_tensor<float>(DType::F32, {1, 3, 2, 2}, -2, 2, 60);
  std::vector<double> relu;
  for (int i = 0; i < 12; ++i) relu.push_back(std::max(0.0, x.at(i)));
  expect_near(run_node({"Relu", "", {}, {}, {}}, {x}), relu, 0);
  const Tensor scale = make_tensor<float>(DType::F32, {3}, {1, 2, 0.5f}),
               bias = make_tensor<float>(DType::F32, {3}, {0, 1, -1});
  const Tensor mean = make_tensor<float>(DType::F32, {3}, {0.5f, 0, 1}),
               var = make_tensor<float>(DType::F32, {3}, {1, 4, 0.25f});
  Node bn{"BatchNormalization", "", {}, {}, {{"epsilon", 0.0}}};
  std::vector<double> bn_want;
  for (int i = 0; i < 12; ++i) {
    const int c = i / 4;
    bn_want.push_back((x.at(i) - mean.at(c)) / std::sqrt(var.at(c)) * scale.at(c) + bias.at(c));
  }
  expect_near(run_node(bn, {x, scale, bias, mean, var}, {false, true, true, true, true}), bn_want);
  for (int64_t axis : {-1, 1}) {
    std::vector<double> sm(12);
    for (int outer = 0; outer < 12; ++outer) {
      // axis -1: groups of 2 consecutive; axis 1: the 3 channels at one (h, w)
      const int stride = axis == -1 ? 1 : 4, count = axis == -1 ? 2 : 3;
      const int base = axis == -1 ? (outer / 2) * 2 : outer % 4;
      if ((axis == -1 && outer % 2) || (axis == 1 && outer >= 4)) continue;
      double m = -1e30, s = 0;
      for (int k = 0; k < count; ++k) m = std::max(m, x.at(base + k * stride));
      for (int k = 0; k < count; ++k) s += std::exp(x.at(base + k * stride) - m);
      for (int k = 0; k < count; ++k)
        sm[size_t(base + k * stride)] = std::exp(x.at(base + k * stride) - m) / s;
    }
    expect_near(run_node({"Softmax", "", {}, {}, {{"axis", axis}}}, {x}), sm);
  }
}

TEST(Ops, ShapeOpsKeepRowMajorOrder) {
  const Tensor x = random_tensor<float>(DType::F32, {2, 3, 4}, -1, 1, 70);
  std::vector<double> same;
  for (int i = 0; i < 24; ++i) same.push_back(x.at(i));
  const Tensor shape = make_tensor<int64_t>(DType::I64, {3}, {0, -1, 2});
  const Tensor r = run_node({"Reshape", "", {}, {}, {}}, {x, shape}, {false, true});
  EXPECT_EQ(r.type.shape, (Shape{2, 6, 2}));
  expect_near(r, same, 0);
  const Tensor f = run_node({"Flatten", "", {}, {}, {{"axis", int64_t{2}}}}, {x});
  EXPECT_EQ(f.type.shape, (Shape{6, 4}));
  expect_near(f, same, 0);
}

TEST(Ops, TopKLargestAndSmallestWithTies) {
  // Rows with ties: ONNX orders equal values by index.
  const Tensor x = make_tensor<float>(DType::F32, {2, 5}, {3, 1, 3, 7, 0, -1, -1, 5, 2, 5});
  const Tensor k = make_tensor<int64_t>(DType::I64, {1}, {3});
  for (int64_t largest : {1, 0}) {
    Graph g;
    g.name = "topk";
    g.inputs = {"x"};
    g.types["x"] = x.type;
    g.constants["k"] = k;
    g.nodes.push_back({"TopK",
                       "topk",
                       {"x", "k"},
                       {"values", "indices"},
                       {{"axis", int64_t{1}}, {"largest", largest}}});
    const auto types = ops::find_op("TopK")->infer(g.nodes[0], {{&x.type, nullptr}, {&k.type, &k}});
    g.types["values"] = types[0];
    g.types["indices"] = types[1];
    g.outputs = {"values", "indices"};
    const TensorMap out = host::Executor(g).run({{"x", x}});
    std::vector<double> values, indices;
    for (int row = 0; row < 2; ++row) {
      std::vector<int> order{0, 1, 2, 3, 4};
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return largest ? x.at(row * 5 + a) > x.at(row * 5 + b)
                       : x.at(row * 5 + a) < x.at(row * 5 + b);
      });
      for (int i = 0; i < 3; ++i) {
        values.push_back(x.at(row * 5 + order[size_t(i)]));
        indices.push_back(order[size_t(i)]);
      }
    }
    expect_near(out.at("values"), values, 0);
    expect_near(out.at("indices"), indices, 0);
  }
}

TEST(Ops, QuantizeDequantize) {
  Tensor x = make_tensor<float>(DType::F32, {6}, {0.25f, -0.25f, 0.75f, 100.0f, -100.0f, 0.1f});
  const Tensor q = run_node({"Quantize", "", {}, {}, {}}, {x}, {}, QuantParams{{0.5}, 0, -1});
  expect_near(q, {1, -1, 2, 127, -128, 0}, 0);  // halves round away from zero, then saturate
  Tensor qi = q;
  qi.type.quant = QuantParams{{0.5}, 0, -1};
  expect_near(run_node({"Dequantize", "", {}, {}, {}}, {qi}), {0.5, -0.5, 1, 63.5, -64, 0}, 0);
  // With a zero point: q = saturate(round(x / s) + z), x = (q - z) * s.
  const Tensor qz = run_node({"Quantize", "", {}, {}, {}}, {x}, {}, QuantParams{{0.5}, -10, -1});
  expect_near(qz, {-9, -11, -8, 127, -128, -10}, 0);
  Tensor qzi = qz;
  qzi.type.quant = QuantParams{{0.5}, -10, -1};
  expect_near(run_node({"Dequantize", "", {}, {}, {}}, {qzi}), {0.5, -0.5, 1, 68.5, -59, 0}, 0);
  // Another scale: the same kernel (the scale is its argument), this node's values.
  const Tensor q4 = run_node({"Quantize", "", {}, {}, {}}, {x}, {}, QuantParams{{4}, 0, -1});
  expect_near(q4, {0, 0, 0, 25, -25, 0}, 0);
  Tensor q4i = q4;
  q4i.type.quant = QuantParams{{4}, 0, -1};
  expect_near(run_node({"Dequantize", "", {}, {}, {}}, {q4i}), {0, 0, 0, 100, -100, 0}, 0);
}

TEST(Ops, HalideInt8ArithmeticEqualsTheReference) {
  using namespace Halide;
  std::mt19937_64 rng(5);
  const int n = 4096;
  Buffer<int32_t> acc(n), mult(n), shift(n);
  Buffer<float> xs(n);
  for (int i = 0; i < n; ++i) {
    acc(i) = int32_t(rng()) >> (rng() % 24);
    mult(i) = int32_t((uint32_t(rng()) >> 1) | (1u << 30));
    shift(i) = int32_t(rng() % 48);
    xs(i) = float(int(rng() % 2001) - 1000) / 8.0f;  // many exact halves
  }
  Var i;
  Func rq, qz;
  rq(i) = ops::requantize(acc(i), mult(i), shift(i));
  qz(i) = ops::quantize(xs(i), 0.25f);
  Buffer<int8_t> r = rq.realize({n}, host_jit_target()), q = qz.realize({n}, host_jit_target());
  for (int k = 0; k < n; ++k) {
    ASSERT_EQ(r(k), requantize(acc(k), mult(k), shift(k))) << k;
    ASSERT_EQ(q(k), quantize(xs(k), 0.25f)) << k;
  }
}

// Half-precision layers round their f32 results with Halide's casts; they must be the rounding of
// ir/quant_math.h, scalar and vectorized, on ties, subnormals, overflow and random bit patterns.
TEST(Ops, HalideHalfCastsEqualTheReference) {
  using namespace Halide;
  std::mt19937 rng(9);
  std::vector<float> values = {
      0x1p-25f,        0x1.8p-25f,          0x1p-24f,       65504.0f,           65520.0f, 65519.99f,
      1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 3.4e38f,  -0.0f,
      INFINITY};
  while (values.size() < 65536) {
    const uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, 4);
    if (!std::isnan(f)) values.push_back(f);
  }
  const int n = int(values.size());
  Buffer<float> xs(values.data(), n);
  Var i;
  for (bool vectorized : {false, true}) {
    Func h, b;
    h(i) = cast(Float(16), xs(i));
    b(i) = cast(BFloat(16), xs(i));
    if (vectorized) {
      h.vectorize(i, 16);
      b.vectorize(i, 16);
    }
    Buffer<float16_t> hs = h.realize({n}, host_jit_target());
    Buffer<bfloat16_t> bs = b.realize({n}, host_jit_target());
    for (int k = 0; k < n; ++k) {
      ASSERT_EQ(hs(k).to_bits(), to_f16(values[size_t(k)]))
          << std::hexfloat << values[size_t(k)] << " vectorized " << vectorized;
      ASSERT_EQ(bs(k).to_bits(), to_bf16(values[size_t(k)]))
          << std::hexfloat << values[size_t(k)] << " vectorized " << vectorized;
    }
  }
}

// CumSum along axis 1 of a [2, 4] tensor, against running sums written out here: forward,
// exclusive, reverse, reverse and exclusive.
TEST(Ops, CumSumScansAlongItsAxis) {
  const Tensor x = make_tensor<float>(DType::F32, {2, 4}, {1, 2, 3, 4, 10, 20, 30, 40});
  const Tensor axis = make_tensor<int64_t>(DType::I64, {}, {1});
  auto run = [&](int64_t exclusive, int64_t reverse) {
    return run_node({"CumSum", "", {}, {}, {{"exclusive", exclusive}, {"reverse", reverse}}},
                    {x, axis}, {false, true});
  };
  expect_near(run(0, 0), {1, 3, 6, 10, 10, 30, 60, 100}, 0);
  expect_near(run(1, 0), {0, 1, 3, 6, 0, 10, 30, 60}, 0);
  expect_near(run(0, 1), {10, 9, 7, 4, 100, 90, 70, 40}, 0);
  expect_near(run(1, 1), {9, 7, 4, 0, 90, 70, 40, 0}, 0);
}

// 3-D Conv (stride, padding, dilation, groups, bias) and 3-D MaxPool / AveragePool (padding,
// count_include_pad off) on NCDHW tensors, against six nested loops written here.
TEST(Ops, Conv3dAndPool3dMatchNaiveLoops) {
  const int64_t C = 4, D = 5, H = 6, W = 7, OC = 6, G = 2, K = 3, s = 2, p = 1, dil = 1;
  const Tensor x = random_tensor<float>(DType::F32, {1, C, D, H, W}, -1, 1, 31),
               w = random_tensor<float>(DType::F32, {OC, C / G, K, K, K}, -1, 1, 32),
               b = random_tensor<float>(DType::F32, {OC}, -1, 1, 33);
  auto out_size = [&](int64_t n) { return (n + 2 * p - dil * (K - 1) - 1) / s + 1; };
  const int64_t OD = out_size(D), OH = out_size(H), OW = out_size(W);
  auto at = [&](int64_t c, int64_t z, int64_t y, int64_t xx) {
    const bool inside = z >= 0 && z < D && y >= 0 && y < H && xx >= 0 && xx < W;
    return inside ? x.at(((c * D + z) * H + y) * W + xx) : NAN;
  };
  std::vector<double> conv, max_pool, average_pool;
  for (int64_t oc = 0; oc < OC; ++oc)
    for (int64_t z = 0; z < OD; ++z)
      for (int64_t y = 0; y < OH; ++y)
        for (int64_t xx = 0; xx < OW; ++xx) {
          double sum = b.at(oc);
          for (int64_t ic = 0; ic < C / G; ++ic)
            for (int64_t kz = 0; kz < K; ++kz)
              for (int64_t ky = 0; ky < K; ++ky)
                for (int64_t kx = 0; kx < K; ++kx) {
                  const double v = at(oc / (OC / G) * (C / G) + ic, z * s - p + kz, y * s - p + ky,
                                      xx * s - p + kx);
                  const int64_t wi = ((((oc * (C / G) + ic) * K + kz) * K + ky) * K + kx);
                  if (!std::isnan(v)) sum += v * w.at(wi);
                }
          conv.push_back(sum);
        }
  for (int64_t c = 0; c < C; ++c)
    for (int64_t z = 0; z < OD; ++z)
      for (int64_t y = 0; y < OH; ++y)
        for (int64_t xx = 0; xx < OW; ++xx) {
          double best = -INFINITY, sum = 0, count = 0;
          for (int64_t kz = 0; kz < K; ++kz)
            for (int64_t ky = 0; ky < K; ++ky)
              for (int64_t kx = 0; kx < K; ++kx) {
                const double v = at(c, z * s - p + kz, y * s - p + ky, xx * s - p + kx);
                if (std::isnan(v)) continue;
                best = std::max(best, v);
                sum += v;
                ++count;
              }
          max_pool.push_back(best);
          average_pool.push_back(sum / count);
        }
  const std::vector<int64_t> kernel = {K, K, K}, strides = {s, s, s}, pads(6, p);
  Node conv_node{"Conv", "c", {}, {}, {{"group", G}, {"strides", strides}, {"pads", pads}}};
  const Tensor y = run_node(conv_node, {x, w, b}, {false, true, true});
  EXPECT_EQ(y.type.shape, (Shape{1, OC, OD, OH, OW}));
  expect_near(y, conv);
  for (const char* op : {"MaxPool", "AveragePool"}) {
    Node pool{op, "p", {}, {}, {{"kernel_shape", kernel}, {"strides", strides}, {"pads", pads}}};
    expect_near(run_node(pool, {x}), op == std::string("MaxPool") ? max_pool : average_pool);
  }
}
