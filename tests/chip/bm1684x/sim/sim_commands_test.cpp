// Each simulator command against a naive loop written here from isa.h's semantics, on a small
// 4-lane chip so channels wrap over the lanes; plus the faults a bad command must raise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "chip/bm1684x/sim/simulator.h"
#include "ir/quant_math.h"
#include "tests/support/random_tensor.h"
#include "tests/support/sim_harness.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::random_tensor;
using tpuc::testing::SimHarness;

TEST(SimCommands, ConvInt8WithStrideDilationAndWrappedLanes) {
  // x [1, 6, 7, 7] (6 channels over 4 lanes), w [5, 6, 2, 2] inside the model input after x.
  const int IC = 6, OC = 5, H = 7, W = 7, K = 2, S = 2, D = 2, OH = (H - D * (K - 1) - 1) / S + 1,
            OW = OH;
  Tensor x = random_tensor<int8_t>(DType::I8, {1, IC + OC * K * K, H, W}, -128, 127,
                                   1);  // weights ride in the same input
  SimHarness h({DType::I8, {1, IC + OC * K * K, H, W}, std::nullopt},
               {DType::I32, {1, OC, OH, OW}, std::nullopt});
  const int64_t plane = H * W;
  h.copy(SimHarness::global(h.in_addr, DType::I8, 1, IC, H, W),
         SimHarness::local(0, DType::I8, 0, 1, IC, H, W, plane));
  // Weights [oc][ic·K·K] from the input's bytes after x: oc on the lanes, ic·K·K per lane.
  const uint64_t w_ddr = h.in_addr + uint64_t(IC * H * W);
  Operand wsrc{Space::Global, DType::I8, w_ddr, 0, 1, OC, IC, K * K, 0, IC * K * K, K * K, 1};
  Operand wdst{Space::Local, DType::I8, 1024, 0, 1, OC, IC, K * K, 0, IC * K * K, K * K, 1};
  h.copy(wsrc, wdst);
  TiuCommand c;
  c.op = TiuOp::Conv;
  c.opd0 = SimHarness::local(0, DType::I8, 0, 1, IC, H, W, plane);
  c.opd1 = wdst;
  c.res = SimHarness::local(2048, DType::I32, 0, 1, OC, OH, OW, OH * OW);
  c.kh = c.kw = K;
  c.stride_h = c.stride_w = S;
  c.dilation_h = c.dilation_w = D;
  h.tiu(c, 2);
  h.copy(c.res, SimHarness::global(h.out_addr, DType::I32, 1, OC, OH, OW), 1);
  const Tensor y = h.run(x);
  const int8_t* xi = x.as<int8_t>();
  const int8_t* wi = xi + IC * H * W;
  for (int oc = 0; oc < OC; ++oc)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        int32_t acc = 0;
        for (int ic = 0; ic < IC; ++ic)
          for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
              acc += xi[(ic * H + oy * S + ky * D) * W + ox * S + kx * D] *
                     wi[((oc * IC + ic) * K + ky) * K + kx];
        ASSERT_EQ(y.as<int32_t>()[(oc * OH + oy) * OW + ox], acc) << oc << " " << oy << " " << ox;
      }
}

// Window padding: CONV reads pad_value (0) outside opd0, POOL its pad_value (the lowest int8),
// with different pads on each side.
TEST(SimCommands, ConvAndPoolReadPaddingOutsideTheirInput) {
  const int C = 3, H = 5, W = 6, K = 3, PT = 1, PB = 2, PL = 2, PR = 1, OH = H + PT + PB - K + 1,
            OW = W + PL + PR - K + 1;
  Tensor x = random_tensor<int8_t>(DType::I8, {1, C + C * K * K, H, W}, -128, 127,
                                   9);  // weights ride in the same input
  SimHarness h({DType::I8, {1, C + C * K * K, H, W}, std::nullopt},
               {DType::I32, {2, C, OH, OW}, std::nullopt});
  h.copy(SimHarness::global(h.in_addr, DType::I8, 1, C, H, W),
         SimHarness::local(0, DType::I8, 0, 1, C, H, W, H * W));
  Operand wsrc{
      Space::Global, DType::I8, h.in_addr + uint64_t(C * H * W), 0, 1, C, 1, K * K, 0, K * K,
      K * K,         1};
  Operand wdst{Space::Local, DType::I8, 1024, 0, 1, C, 1, K * K, 0, K * K, K * K, 1};
  h.copy(wsrc, wdst);
  TiuCommand conv;  // depthwise: one kernel per channel
  conv.op = TiuOp::Depthwise;
  conv.opd0 = SimHarness::local(0, DType::I8, 0, 1, C, H, W, H * W);
  conv.opd1 = wdst;
  conv.res = SimHarness::local(2048, DType::I32, 0, 1, C, OH, OW, OH * OW);
  conv.kh = conv.kw = K;
  conv.pad_top = PT;
  conv.pad_bottom = PB;
  conv.pad_left = PL;
  conv.pad_right = PR;
  h.tiu(conv, 2);
  TiuCommand pool = conv;
  pool.op = TiuOp::Pool;
  pool.res = SimHarness::local(1536, DType::I8, 0, 1, C, OH, OW, OH * OW);
  pool.pad_value = -128;
  h.tiu(pool, 2);
  h.copy(conv.res, SimHarness::global(h.out_addr, DType::I32, 1, C, OH, OW), 1);
  h.copy(pool.res,
         SimHarness::global(h.out_addr + uint64_t(C * OH * OW * 4), DType::I8, 1, C, OH, OW),
         2);  // the int8 pool after it
  Simulator sim(h.chip, h.model);
  const Tensor y = sim.run({{"x", x}}).at("y");
  const int8_t* xi = x.as<int8_t>();
  const int8_t* wi = xi + C * H * W;
  const int8_t* pooled = reinterpret_cast<const int8_t*>(y.as<int32_t>() + C * OH * OW);
  for (int c = 0; c < C; ++c)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        int32_t acc = 0;
        int8_t m = -128;
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int iy = oy + ky - PT, ix = ox + kx - PL;
            const bool in = iy >= 0 && iy < H && ix >= 0 && ix < W;
            acc += in ? xi[(c * H + iy) * W + ix] * wi[c * K * K + ky * K + kx] : 0;
            m = std::max<int8_t>(m, in ? xi[(c * H + iy) * W + ix] : int8_t(-128));
          }
        ASSERT_EQ(y.as<int32_t>()[(c * OH + oy) * OW + ox], acc) << c << " " << oy << " " << ox;
        ASSERT_EQ(pooled[(c * OH + oy) * OW + ox], m) << c << " " << oy << " " << ox;
      }
}

TEST(SimCommands, MaxPoolAndRequantAndArith) {
  const int C = 5, H = 4, W = 4;
  Tensor x = random_tensor<int8_t>(DType::I8, {1, C, H, W}, -128, 127, 2);
  SimHarness h({DType::I8, {1, C, H, W}, std::nullopt}, {DType::I8, {1, C, 2, 2}, std::nullopt});
  h.copy(SimHarness::global(h.in_addr, DType::I8, 1, C, H, W),
         SimHarness::local(0, DType::I8, 1, 1, C, H, W, 16));  // start lane 1
  TiuCommand p;
  p.op = TiuOp::Pool;
  p.opd0 = SimHarness::local(0, DType::I8, 1, 1, C, H, W, 16);
  p.res = SimHarness::local(512, DType::I8, 1, 1, C, 2, 2, 4);
  p.kh = p.kw = 2;
  p.stride_h = p.stride_w = 2;
  h.tiu(p, 1);
  // An int8 Add as the chip does it: y = saturate(round_shift(pool·3 + pool·(-1), 1)) with relu,
  // the sum in int32 (MUL, MAC), then a constant REQUANT.
  const Operand sum = SimHarness::local(2048, DType::I32, 1, 1, C, 2, 2, 4);
  TiuCommand mul;
  mul.op = TiuOp::Arith;
  mul.arith = ArithOp::Mul;
  mul.opd0 = p.res;
  mul.res = sum;
  mul.opd1_const = true;
  mul.constant = 3;
  h.tiu(mul, 0);
  TiuCommand mac = mul;
  mac.arith = ArithOp::Mac;
  mac.constant = -1;
  h.tiu(mac, 0);
  TiuCommand rq;
  rq.op = TiuOp::Requant;
  rq.opd0 = sum;
  rq.res = SimHarness::local(1024, DType::I8, 1, 1, C, 2, 2, 4);
  rq.opd1_const = true;
  rq.multiplier = 1;
  rq.shift = 1;
  rq.relu = true;
  h.tiu(rq, 0);
  h.copy(rq.res, SimHarness::global(h.out_addr, DType::I8, 1, C, 2, 2), 4);
  const Tensor y = h.run(x);
  for (int c = 0; c < C; ++c)
    for (int oy = 0; oy < 2; ++oy)
      for (int ox = 0; ox < 2; ++ox) {
        int8_t m = -128;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 2; ++kx)
            m = std::max(m, x.as<int8_t>()[(c * H + oy * 2 + ky) * W + ox * 2 + kx]);
        const int8_t want = std::max<int8_t>(0, saturate_i8(round_shift(int64_t(m) * 2, 1)));
        ASSERT_EQ(y.as<int8_t>()[(c * 2 + oy) * 2 + ox], want);
      }
}

TEST(SimCommands, MatMulRequantQuantizeDequantize) {
  // y = dequantize(requant(x·Wᵀ + b)) for x [2, 6] f32 → quantized first.
  const int M = 2, K = 6, N = 5;
  Tensor x(TensorType{DType::F32, {M, K}, std::nullopt});
  for (int i = 0; i < M * K; ++i) x.as<float>()[i] = float(i % 7) - 3.2f;
  SimHarness h({DType::F32, {M, K}, std::nullopt}, {DType::F32, {M, N}, std::nullopt});
  // Weights, bias and requant tables are written into LMEM by FILL commands (one value each).
  const Operand xf{Space::Local, DType::F32, 0, 0, M, K, 1, 1, 1,
                   16,           0,          0};  // row m in slot n, k on lanes
  h.copy({Space::Global, DType::F32, h.in_addr, 0, M, K, 1, 1, K, 1, 0, 0}, xf);
  const Operand wq{Space::Local, DType::I8, 256, 0, 1, N, K, 1, 0, 16, 1, 0};
  h.fill(wq, 2);
  const Operand bias{Space::Local, DType::I32, 512, 0, 1, N, 1, 1, 0, 16, 0, 0};
  h.fill(bias, -7);
  // Each channel's requantization block [multiplier, shift, zero point], as REQUANT reads it.
  const Operand block{Space::Local, DType::I32, 768, 0, 1, N, 1, 3, 0, 16, 0, 1};
  Operand part = block;
  part.w = 1;
  h.fill(part, 1 << 30);
  part.addr += 4;
  h.fill(part, 31);  // requant = /2
  part.addr += 4;
  h.fill(part, 0);
  TiuCommand q;
  q.op = TiuOp::Arith;
  q.arith = ArithOp::Quantize;
  q.opd0 = xf;
  q.res = {Space::Local, DType::I8, 1280, 0, M, K, 1, 1, 1, 16, 0, 0};
  q.scale = 4.0f;  // 1 / 0.25
  h.tiu(q, 6);
  TiuCommand mm;
  mm.op = TiuOp::MatMul;
  mm.opd0 = q.res;
  mm.opd1 = wq;
  mm.res = {Space::Local, DType::I32, 1536, 0, M, N, 1, 1, 1, 16, 0, 0};
  h.tiu(mm, 0);
  TiuCommand add_bias;  // int8 MATMUL takes no bias: an int32 ARITH Add, the bias broadcast
  add_bias.op = TiuOp::Arith;
  add_bias.arith = ArithOp::Add;
  add_bias.res = add_bias.opd0 = mm.res;
  add_bias.opd1 = bias;
  add_bias.opd1.n = M;
  h.tiu(add_bias, 0);
  TiuCommand rq;
  rq.op = TiuOp::Requant;
  rq.opd0 = mm.res;
  rq.opd1 = block;
  rq.res = {Space::Local, DType::I8, 2048, 0, M, N, 1, 1, 1, 16, 0, 0};
  h.tiu(rq, 0);
  TiuCommand dq;
  dq.op = TiuOp::Arith;
  dq.arith = ArithOp::Dequantize;
  dq.opd0 = rq.res;
  dq.res = {Space::Local, DType::F32, 2304, 0, M, N, 1, 1, 1, 16, 0, 0};
  dq.scale = 0.5f;
  h.tiu(dq, 0);
  h.copy(dq.res, {Space::Global, DType::F32, h.out_addr, 0, M, N, 1, 1, N, 1, 0, 0}, 5);
  const Tensor y = h.run(x);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      int32_t acc = -7;
      for (int k = 0; k < K; ++k) acc += int32_t(quantize(x.as<float>()[m * K + k], 4.0f)) * 2;
      ASSERT_EQ(y.as<float>()[m * N + n], dequantize(requantize(acc, 1 << 30, 31), 0.5f))
          << m << " " << n;
    }
}

// ARITH convert and a float add: f32 arithmetic, the fused activation, one rounding to the result
// type (f16 here), against quant_math's rounding; a FILL of f16's lowest value stays exact.
TEST(SimCommands, FloatArithRoundsOnceToTheResultType) {
  const TensorType in{DType::F32, {1, 6, 3, 3}, std::nullopt},
      out{DType::F16, {1, 6, 3, 3}, std::nullopt};
  Tensor x = random_tensor<float>(DType::F32, in.shape, -20, 20, 5);
  SimHarness h(in, out);
  const Operand xf = SimHarness::local(0, DType::F32, 1, 1, 6, 3, 3, 9),
                half = SimHarness::local(256, DType::F16, 1, 1, 6, 3, 3, 9),
                sum = SimHarness::local(512, DType::F16, 1, 1, 6, 3, 3, 9);
  h.copy(SimHarness::global(h.in_addr, DType::F32, 1, 6, 3, 3), xf);
  TiuCommand convert;
  convert.op = TiuOp::Arith;
  convert.arith = ArithOp::Convert;
  convert.opd0 = xf;
  convert.res = half;
  convert.scale = 0.3f;
  convert.relu = true;
  h.tiu(convert, 1);
  TiuCommand limit;  // the activation's limit: a MIN with a constant, in place
  limit.op = TiuOp::Arith;
  limit.arith = ArithOp::Min;
  limit.res = limit.opd0 = half;
  limit.opd1_const = true;
  limit.constant = 5.5f;
  h.tiu(limit, 0);
  TiuCommand add;
  add.op = TiuOp::Arith;
  add.arith = ArithOp::Add;
  add.opd0 = half;
  add.opd1 = half;
  add.res = sum;
  h.tiu(add, 0);
  h.copy(sum, SimHarness::global(h.out_addr, DType::F16, 1, 6, 3, 3), 3);
  const Tensor y = h.run(x);
  for (int64_t i = 0; i < x.size(); ++i) {
    const float clipped = std::min(std::max(x.as<float>()[i] * 0.3f, 0.0f), 5.5f),
                rounded = from_f16(to_f16(clipped));
    ASSERT_EQ(y.as<uint16_t>()[i], to_f16(rounded + rounded)) << "element " << i;
  }
}

namespace {

TiuCommand arith(ArithOp op, const Operand& res, const Operand& a) {
  TiuCommand c;
  c.op = TiuOp::Arith;
  c.arith = op;
  c.res = res;
  c.opd0 = a;
  return c;
}

}  // namespace

// The commands exp, erf and sqrt are made of, on values whose every step is exact (quarters, a
// polynomial of small coefficients), so the naive formula here is the reference: an SFU
// polynomial from a table filled into every lane, floor, abs, an f32 mac of two operands, a
// conversion to int32 and the bitwise or and and.
TEST(SimCommands, SpecialFunctionSteps) {
  const TensorType in{DType::F32, {1, 6, 3, 3}, std::nullopt},
      out{DType::I32, {1, 6, 3, 3}, std::nullopt};
  Tensor x = random_tensor<float>(DType::F32, in.shape, -12, 12, 6);
  for (int64_t i = 0; i < x.size(); ++i)
    x.as<float>()[i] = std::round(x.as<float>()[i]) / 4;  // quarters in [−3, 3]
  SimHarness h(in, out);
  auto tile = [](uint64_t addr, DType t) {
    return SimHarness::local(addr, t, 1, 1, 6, 3, 3, 9);
  };  // 6 channels from lane 1: they wrap
  const Operand xf = tile(0, DType::F32), p = tile(128, DType::F32), f = tile(256, DType::F32),
                a = tile(384, DType::F32), q = tile(512, DType::I32);
  h.copy(SimHarness::global(h.in_addr, DType::F32, 1, 6, 3, 3), xf);
  const float coefficients[] = {1, -2, 0.5f};  // 1 − 2x + x²/2
  for (int k = 0; k < 3; ++k)
    h.fill({Space::Local, DType::F32, 1024 + 4u * k, 0, 1, 4, 1, 1, 0, 0, 0, 1}, coefficients[k]);
  TiuCommand taylor;
  taylor.op = TiuOp::Sfu;
  taylor.sfu = SfuOp::Taylor;
  taylor.res = p;
  taylor.opd0 = xf;
  taylor.opd1 = {Space::Local, DType::F32, 1024, 1, 1, 6, 1, 3, 0, 0, 0, 1};
  h.tiu(taylor, 4);
  h.tiu(arith(ArithOp::Floor, f, xf), 0);
  h.tiu(arith(ArithOp::Abs, a, xf), 0);
  TiuCommand mac = arith(ArithOp::Mac, p, f);  // p + floor(x)·|x|
  mac.opd1 = a;
  h.tiu(mac, 0);
  TiuCommand times4 = arith(ArithOp::Mul, p, p);
  times4.opd1_const = true;
  times4.constant = 4;
  h.tiu(times4, 0);
  h.tiu(arith(ArithOp::Convert, q, p), 0);
  TiuCommand with_one = arith(ArithOp::Or, q, q);
  with_one.opd1_const = true;
  with_one.constant = 1;
  h.tiu(with_one, 0);
  TiuCommand without_two = arith(ArithOp::And, q, q);
  without_two.opd1_const = true;
  without_two.constant = -3;
  const uint32_t last = h.tiu(without_two, 0).id;
  h.copy(q, SimHarness::global(h.out_addr, DType::I32, 1, 6, 3, 3), last);
  const Tensor y = h.run(x);
  for (int64_t i = 0; i < x.size(); ++i) {
    const double v = x.as<float>()[i];
    const double times4 = (1 - 2 * v + v * v / 2 + std::floor(v) * std::fabs(v)) * 4;
    const int32_t want = int32_t(std::nearbyint(times4));  // half to even
    ASSERT_EQ(y.as<int32_t>()[i], (want | 1) & -3) << "x = " << v;
  }
}

// sfu.rsqrt: four Newton steps land within f32's rounding of 1/√x.
TEST(SimCommands, ReciprocalSquareRoot) {
  const TensorType t{DType::F32, {1, 6, 3, 3}, std::nullopt};
  const Tensor x = random_tensor<float>(DType::F32, t.shape, 0.01, 1000, 7);
  SimHarness h(t, t);
  const Operand xf = SimHarness::local(0, DType::F32, 0, 1, 6, 3, 3, 9),
                r = SimHarness::local(128, DType::F32, 0, 1, 6, 3, 3, 9);
  h.copy(SimHarness::global(h.in_addr, DType::F32, 1, 6, 3, 3), xf);
  TiuCommand rsqrt;
  rsqrt.op = TiuOp::Sfu;
  rsqrt.sfu = SfuOp::Rsqrt;
  rsqrt.res = r;
  rsqrt.opd0 = xf;
  rsqrt.iterations = 4;
  h.tiu(rsqrt, 1);
  h.copy(r, SimHarness::global(h.out_addr, DType::F32, 1, 6, 3, 3), 1);
  const Tensor y = h.run(x);
  for (int64_t i = 0; i < x.size(); ++i) {
    const double want = 1 / std::sqrt(double(x.as<float>()[i]));
    ASSERT_NEAR(y.as<float>()[i], want, 2.5e-7 * want) << "x = " << x.as<float>()[i];
  }
}

TEST(SimCommands, BadCommandsAreErrorsNotCorruption) {
  const TensorType t{DType::I8, {1, 4, 2, 2}, std::nullopt};
  {
    SimHarness h(t, t);  // LMEM address past the lane
    h.copy(SimHarness::global(h.in_addr, DType::I8, 1, 4, 2, 2),
           SimHarness::local(4094, DType::I8, 0, 1, 4, 2, 2, 4));
    EXPECT_EQ(h.error_of_run(),
              "GDMA command 1 dst: local bytes [4094, 4098) leave the lane's 4096 bytes");
  }
  {
    SimHarness h(t, t);  // DDR past the end
    h.copy(SimHarness::global(h.in_addr + 8190, DType::I8, 1, 4, 2, 2),
           SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4));
    EXPECT_NE(h.error_of_run().find(
                  "GDMA command 1 src: DDR bytes [0x100001ffe, 0x10000200e) leave the model's DDR"),
              std::string::npos)
        << h.error_of_run();
  }
  {
    // A start lane the chip does not have: past the lanes, the GDMA's local-memory window ends
    // and the address (0x08000000 + 9 · 4096) names no memory the model has.
    SimHarness h(t, t);
    h.copy(SimHarness::global(h.in_addr, DType::I8, 1, 4, 2, 2),
           SimHarness::local(0, DType::I8, 9, 1, 4, 2, 2, 4));
    EXPECT_NE(h.error_of_run().find("GDMA command 1 dst: DDR bytes [0x8009000, 0x8009010) leave "
                                    "the model's DDR"),
              std::string::npos)
        << h.error_of_run();
  }
  {
    SimHarness h(t, t);  // a command reading local memory nothing loaded (a missing load)
    TiuCommand c;
    c.op = TiuOp::Arith;
    c.arith = ArithOp::Copy;
    c.opd0 = SimHarness::local(2048, DType::I8, 0, 1, 4, 2, 2, 4);
    c.res = SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4);
    h.tiu(c, 0);
    EXPECT_EQ(h.error_of_run(),
              "TIU command 1 (copy, cycles 0-21) reads local memory at "
              "lane-relative 0x800, which no command of the run has written");
  }
  {
    SimHarness h(t, t);  // a dependency on a command that does not exist
    h.copy(SimHarness::global(h.in_addr, DType::I8, 1, 4, 2, 2),
           SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4), 3);
    EXPECT_EQ(h.error_of_run(), "GDMA command 1 depends on command 3, which does not exist");
  }
  {
    SimHarness h(t, t);  // an ADD whose second operand is smaller than the result
    TiuCommand c;
    c.op = TiuOp::Arith;
    c.arith = ArithOp::Add;
    c.opd0 = c.res = SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4);
    c.opd1 = SimHarness::local(64, DType::I8, 0, 1, 4, 1, 2, 4);
    h.tiu(c, 0);
    EXPECT_EQ(h.error_of_run(), "TIU command 1: res and opd1 shapes differ");
  }
  {
    SimHarness h(t, t);  // a REQUANT whose shift holds 64
    const Operand block{Space::Local, DType::I32, 512, 0, 1, 4, 1, 3, 0, 16, 0, 1};
    h.fill(block, 64);
    TiuCommand c;
    c.op = TiuOp::Requant;
    c.opd0 = SimHarness::local(0, DType::I32, 0, 1, 4, 2, 2, 4);
    c.opd1 = block;
    c.res = SimHarness::local(1024, DType::I8, 0, 1, 4, 2, 2, 4);
    h.tiu(c, 1);
    EXPECT_EQ(h.error_of_run(), "TIU command 1: shift 64 is outside [0, 63]");
  }
  {
    SimHarness h(t, t);  // CONV weights with fewer input channels than the input has
    TiuCommand c;
    c.op = TiuOp::Conv;
    c.opd0 = SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4);
    c.opd1 = SimHarness::local(64, DType::I8, 0, 1, 4, 2, 1, 36);
    c.res = SimHarness::local(512, DType::I32, 0, 1, 4, 2, 2, 4);
    h.tiu(c, 0);
    EXPECT_EQ(h.error_of_run(),
              "TIU command 1: opd1 does not cover [output channels, input channels, kh·kw]");
  }
  {
    SimHarness h(t, t);  // a CONV whose window leaves its input
    TiuCommand c;
    c.op = TiuOp::Conv;
    c.opd0 = SimHarness::local(0, DType::I8, 0, 1, 4, 2, 2, 4);
    c.opd1 = SimHarness::local(64, DType::I8, 0, 1, 4, 4, 9, 36);
    c.res = SimHarness::local(512, DType::I32, 0, 1, 4, 2, 2, 4);
    c.kh = c.kw = 3;
    h.tiu(c, 0);
    EXPECT_EQ(h.error_of_run(), "TIU command 1: the window leaves opd0 and its padding");
    TiuCommand& padded = h.model.program.tiu.back();   // the window fits its padding now, but the
    padded.pad_top = 16;                               // chip's fields hold at most 15: a command
    padded.pad_left = 2;                               // the compiler must never make
    EXPECT_THROW(h.error_of_run(), std::logic_error);  // InternalError
  }
}

// CMP: x > 0.5 chooses x, else the scalar −2 (f32); then x == that choice chooses 1, else 0 (a
// bool), as isa.h defines cmp.sel_gt and cmp.sel_eq.
TEST(SimCommands, CompareAndSelect) {
  const TensorType in{DType::F32, {1, 6, 3, 3}, std::nullopt},
      out{DType::U8, {1, 6, 3, 3}, std::nullopt};
  Tensor x = random_tensor<float>(DType::F32, in.shape, -2, 2, 7);
  SimHarness h(in, out);
  const Operand xf = SimHarness::local(0, DType::F32, 1, 1, 6, 3, 3, 9),
                chosen = SimHarness::local(256, DType::F32, 1, 1, 6, 3, 3, 9),
                same = SimHarness::local(512, DType::U8, 1, 1, 6, 3, 3, 9);
  h.copy(SimHarness::global(h.in_addr, DType::F32, 1, 6, 3, 3), xf);
  TiuCommand greater;
  greater.op = TiuOp::Cmp;
  greater.cmp = CmpOp::Greater;
  greater.res = chosen;
  greater.opd0 = greater.opd2 = xf;
  greater.opd1_const = greater.opd3_const = true;
  greater.constant = 0.5f;
  greater.opd3_value = -2;
  h.tiu(greater, 1);
  TiuCommand equal = greater;
  equal.cmp = CmpOp::Equal;
  equal.res = same;
  equal.opd1 = chosen;
  equal.opd1_const = false;
  equal.opd2_const = true;
  equal.opd2_value = 1;
  equal.opd3_value = 0;
  h.tiu(equal, 0);
  h.copy(same, SimHarness::global(h.out_addr, DType::U8, 1, 6, 3, 3), 2);
  const Tensor y = h.run(x);
  for (int64_t i = 0; i < x.size(); ++i) {
    const float v = x.as<float>()[i];
    ASSERT_EQ(y.as<uint8_t>()[i], v > 0.5f ? 1 : 0) << "element " << i << ": " << v;
  }
}
