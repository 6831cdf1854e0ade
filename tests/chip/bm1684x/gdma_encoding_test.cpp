// tpuc's GDMA commands in the chip's own DMA_tensor encoding: every form tpuc emits survives the
// bits, the addresses are where the GDMA sees them, and streams end as the chip's do.
#include "chip/bm1684x/gdma_encoding.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/isa/stream.h"
#include "ir/diagnostics.h"
#include "tests/support/errors.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::error_of;

namespace {

constexpr uint64_t kLane = 1 << 18;
constexpr uint32_t kLanes = 64;

bool same(const Operand& a, const Operand& b) {
  return a.space == b.space && a.dtype == b.dtype && a.addr == b.addr && a.lane == b.lane &&
         a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w && a.ns == b.ns && a.cs == b.cs &&
         a.hs == b.hs && a.ws == b.ws;
}

GdmaCommand copy(const Operand& src, const Operand& dst, uint32_t id, uint32_t dep) {
  GdmaCommand c;
  c.op = GdmaOp::Tensor;
  c.id = id;
  c.dep = dep;
  c.src = src;
  c.dst = dst;
  return c;
}

GdmaCommand fill(const Operand& dst, double value, uint32_t id) {
  GdmaCommand c;
  c.op = GdmaOp::Fill;
  c.id = id;
  c.dst = dst;
  c.fill_value = value;
  return c;
}

}  // namespace

TEST(GdmaEncoding, CopiesAndFillsRoundTrip) {
  const Operand ddr{Space::Global, DType::I8, 0x123456789a, 0, 1, 70, 3, 5, 1050, 15, 5, 1};
  const Operand local{Space::Local, DType::I8, 0x3c0, 63, 1, 70, 3, 5, 0, 64, 5, 1};
  const Operand every_lane_src{Space::Global, DType::F32, 0x100000040, 0,   1, 64, 1,
                               256,           0,          0,           256, 1};
  const Operand every_lane_dst{Space::Local, DType::F32, 0x100, 0, 1, 64, 1, 256, 0, 0, 256, 1};
  const std::vector<GdmaCommand> commands = {
      copy(ddr, local, 1, 0),                      // DDR to local memory, channels past the lanes
      copy(local, ddr, 2, 7),                      // and back, after TIU command 7
      copy(every_lane_src, every_lane_dst, 3, 0),  // one table into every lane: the broadcast
      fill({Space::Local, DType::I8, 0, 5, 1, 3, 2, 2, 0, 64, 2, 1}, -128, 4),
      fill({Space::Local, DType::F16, 0, 0, 1, 1, 1, 8, 0, 64, 8, 1}, -65504, 5),
      fill({Space::Local, DType::BF16, 0, 0, 1, 1, 1, 8, 0, 64, 8, 1}, 0.5, 6),
      fill({Space::Global, DType::I32, 0x100000000, 0, 1, 1, 1, 8, 8, 8, 8, 1}, -2147483648.0, 7),
      fill({Space::Global, DType::F32, 0x100000000, 0, 1, 1, 1, 8, 8, 8, 8, 1}, double(-1e-30f), 8),
  };
  std::vector<GdmaCommand> with_end = commands;
  GdmaCommand end;
  end.id = 9;
  with_end.push_back(end);
  const std::string bytes = encode_gdma_stream(with_end, kLane);
  EXPECT_EQ(bytes.size() % 128, 0u);
  EXPECT_EQ(bytes.size(), 8 * 96 + 16 + 112);  // eight DMA_tensor, END, zero padding
  const std::vector<GdmaCommand> back = decode_gdma_stream(bytes, kLane, kLanes, "s");
  ASSERT_EQ(back.size(), with_end.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    const GdmaCommand &a = commands[i], &b = back[i];
    EXPECT_TRUE(a.op == b.op && a.id == b.id && a.dep == b.dep) << i;
    EXPECT_TRUE(same(a.dst, b.dst)) << i;
    if (a.op == GdmaOp::Tensor) {
      EXPECT_TRUE(same(a.src, b.src)) << i;
    } else {
      EXPECT_EQ(a.fill_value, b.fill_value) << i;
    }
  }
  EXPECT_EQ(back.back().op, GdmaOp::End);
  EXPECT_EQ(back.back().id, 9u);
}

// Bit positions read off the public layout (DMA_tensor: cmd_id [9, 29), cmd_type [32, 36),
// cmd_special_function [36, 39), cmd_id_dep [64, 84), dst_start_addr_l32 [576, 608), h8 [608,
// 616)), independently of the encoder's tables: local memory sits at 0x08000000 + lane · 256 KiB.
TEST(GdmaEncoding, FieldsSitWhereTheChipReadsThem) {
  const Operand src{Space::Global, DType::I8, 0x100000000, 0, 1, 64, 1, 4, 0, 0, 4, 1};
  const Operand dst{Space::Local, DType::I8, 0x40, 3, 1, 64, 1, 4, 0, 0, 4, 1};
  const std::string bytes = to_dma(copy(src, dst, 5, 2), kLane).encode();
  ASSERT_EQ(bytes.size(), 96u);
  EXPECT_EQ(isa::read_bits(bytes, 9, 29), 5u);
  EXPECT_EQ(isa::read_bits(bytes, 32, 36), 0u);  // DMA_tensor
  EXPECT_EQ(isa::read_bits(bytes, 36, 39), 3u);  // broadcast: the source has one channel
  EXPECT_EQ(isa::read_bits(bytes, 64, 84), 2u);
  EXPECT_EQ(isa::read_bits(bytes, 576, 608), 0x08000000u + 3 * 0x40000 + 0x40);
  EXPECT_EQ(isa::read_bits(bytes, 608, 616), 0u);
  EXPECT_EQ(isa::read_bits(bytes, 544, 552), 1u);  // DDR at 0x1_0000_0000: h8 = 1
}

TEST(GdmaEncoding, WhatTheFieldsCannotHoldIsAnError) {
  Operand wide{Space::Global, DType::I8, 0x100000000, 0, 1, 1, 1, 70000, 0, 0, 70000, 1};
  EXPECT_NE(error_of([&] { to_dma(copy(wide, wide, 1, 0), kLane); }).find("src_wsize"),
            std::string::npos);
  Operand i64 = wide;
  i64.w = 4;
  i64.dtype = DType::I64;
  EXPECT_NE(
      error_of([&] { to_dma(copy(i64, i64, 1, 0), kLane); }).find("has no BM1684X data format"),
      std::string::npos);
}

// A fill constant travels as its bits in the destination's type: one the type cannot hold exactly
// has no encoding.
TEST(GdmaEncoding, AFillValueMustFitItsType) {
  const Operand i8{Space::Local, DType::I8, 0, 0, 1, 4, 2, 2, 0, 4, 2, 1};
  EXPECT_EQ(error_of([&] { to_dma(fill(i8, 300, 1), kLane); }), "fill value 300 does not fit i8");
  Operand f16 = i8;
  f16.dtype = DType::F16;
  EXPECT_EQ(error_of([&] { to_dma(fill(f16, 65504.5, 1), kLane); }),  // between two f16 values
            "fill value 65504.5 does not fit f16");
}

// A command the simulator does not run (here a DMA_general) is named with its place.
TEST(GdmaEncoding, CommandsTpucDoesNotRunAreRejected) {
  isa::Command general(isa::form_named("DMA_general"));
  general.set("cmd_id", 1).set("cmd_id_en", 1).set("cmd_type", 3);
  const std::string bytes = isa::encode_stream(isa::Engine::kGdma, {general});
  EXPECT_NE(
      error_of([&] {
        decode_gdma_stream(bytes, kLane, kLanes, "s");
      }).find("s: command 1 (dma.general): dma.general is not a command tpuc's simulator runs"),
      std::string::npos)
      << error_of([&] { decode_gdma_stream(bytes, kLane, kLanes, "s"); });
}
