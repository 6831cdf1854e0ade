// The TIU stream's binary encoding: round trips, and clear errors for damaged streams. The model
// file itself: model_bmodel_test.cpp.
#include "chip/bm1684x/model_file.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/encoding.h"
#include "ir/diagnostics.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::error_of;

namespace {

Model sample() {
  Model m;
  m.chip = "bm1684x";
  m.inputs = {{"x", {DType::F32, {1, 3}, std::nullopt}, 0x100001000}};
  m.outputs = {{"y", {DType::I8, {1, 3}, QuantParams{{0.5}, 0, -1}}, 0x100002000}};
  m.ddr_bytes = 0x3000;
  m.weight_addr = 0x100000000;
  m.weights = {1, 2, 3, 4, 5};
  m.macs = 42;
  for (uint8_t op : {0, 1, 2, 3, 4}) {
    TiuCommand c;
    c.id = uint32_t(m.program.tiu.size() + 1);
    c.dep = op;
    c.op = TiuOp(op);
    c.arith = ArithOp::Add;
    c.relu = op % 2;
    c.pool_sum = op % 3 == 1;
    c.relu_limit = 100 + op;
    c.kh = 3;
    c.stride_w = 2;
    c.scale = 0.125f;
    c.multiplier[1] = -77;
    c.shift = 9;
    c.res = {Space::Local, DType::I32, 0x40, 5, 1, 70, 3, 4, 12, 16, 4, 1};
    c.opd1 = {Space::Global, DType::I8, 0x100000010, 0, 2, 3, 4, 5, -60, 20, 5, 1};
    m.program.tiu.push_back(c);
  }
  GdmaCommand g;
  g.id = 1;
  g.op = GdmaOp::Fill;
  g.fill_value = -128;
  g.dst = {Space::Local, DType::I8, 0x80, 1, 1, 2, 3, 4, 0, 12, 4, 1};
  m.program.gdma.push_back(g);
  m.layers = {{"conv", "Conv", {"conv"}, 1, {0, 1, 2, 3, 4}, {0}}};
  return m;
}

bool same(const Operand& a, const Operand& b) {
  return a.space == b.space && a.dtype == b.dtype && a.addr == b.addr && a.lane == b.lane &&
         a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w && a.ns == b.ns && a.cs == b.cs &&
         a.hs == b.hs && a.ws == b.ws;
}

}  // namespace

TEST(Encoding, EveryTiuFieldRoundTrips) {
  const Model m = sample();
  const std::string bytes = encode_tiu(m.program.tiu);
  EXPECT_EQ(bytes.size(), m.program.tiu.size() * kTiuRecordBytes);
  const std::vector<TiuCommand> back = decode_tiu(bytes, "test");
  ASSERT_EQ(back.size(), m.program.tiu.size());
  for (size_t i = 0; i < back.size(); ++i) {
    const TiuCommand &a = m.program.tiu[i], &b = back[i];
    EXPECT_TRUE(a.id == b.id && a.dep == b.dep && a.op == b.op && a.arith == b.arith &&
                a.relu == b.relu && a.pool_sum == b.pool_sum && a.relu_limit == b.relu_limit &&
                a.kh == b.kh && a.stride_w == b.stride_w && a.scale == b.scale &&
                a.multiplier[1] == b.multiplier[1] && a.shift == b.shift);
    EXPECT_TRUE(same(a.res, b.res) && same(a.opd1, b.opd1) && same(a.opd0, b.opd0));
  }
}

TEST(Encoding, RejectsBadStreams) {
  std::string bytes = encode_tiu(sample().program.tiu);
  EXPECT_THROW(decode_tiu(bytes.substr(0, 100), "s"), Error);
  bytes[8] = 9;  // the first command's kind
  EXPECT_EQ(error_of([&] { decode_tiu(bytes, "s"); }), "s: command 0 has unknown kind 9");
}
