// The cycle model (docs/isa.md) on random commands of a small 4-lane chip.
#include "chip/bm1684x/sim/cycle_model.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/support/sim_harness.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::SimHarness;

// In time, not cycles: the TIU and GDMA clocks may differ (the BM1684's do), and the timeline
// counts TIU cycles.
TEST(CycleModel, NeverBeatsTheRoofline) {
  Chip two_clocks = SimHarness::small_chip();
  two_clocks.tiu_mhz = 1000;
  two_clocks.gdma_mhz = 500;
  for (const Chip& chip : {SimHarness::small_chip(), two_clocks}) {
    std::mt19937 rng(3);
    for (int i = 0; i < 500; ++i) {
      TiuCommand c;
      c.op = TiuOp::Conv;
      c.opd0 = SimHarness::local(0, DType::I8, rng() % 4, 1, 1 + rng() % 20, 8, 8, 64);
      c.res = SimHarness::local(0, DType::I32, rng() % 4, 1 + rng() % 2, 1 + rng() % 20,
                                1 + rng() % 6, 1 + rng() % 6, 64);
      c.kh = uint8_t(1 + rng() % 3);
      c.kw = uint8_t(1 + rng() % 3);
      const CommandCost cost = tiu_cost(chip, c);
      const double peak_macs_per_cycle = double(chip.lanes) * chip.int8_macs_per_lane;
      ASSERT_GE(double(cost.cycles), double(cost.macs) / peak_macs_per_cycle);
      GdmaCommand g;
      g.op = GdmaOp::Tensor;
      g.src = SimHarness::local(0, DType::I8, 0, 1, 1 + rng() % 50, 1 + rng() % 30, 1 + rng() % 30,
                                1024);
      g.dst = {Space::Global,
               DType::I8,
               chip.ddr_base,
               0,
               g.src.n,
               g.src.c,
               g.src.h,
               g.src.w,
               0,
               0,
               0,
               0};
      const CommandCost dma = gdma_cost(chip, g);
      const double seconds = double(dma.cycles) / (chip.tiu_mhz * 1e6),
                   at_full_bandwidth =
                       double(dma.ddr_bytes) / (chip.ddr_gib_per_s * double(1 << 30));
      ASSERT_GE(seconds, at_full_bandwidth * (1 - 1e-12));
    }
  }
}

// Each cost term on small_chip() (4 lanes, 4 banks of 1 KiB, the BM1684X's rates: 256 int8 / 16
// f32 MACs per lane cycle, input channels summed 64 (int8) or 1 (f32) at a time, 64-byte EUs,
// 20 cycles per TIU and 100 per GDMA command, 64 GiB/s at 74%, 64-byte DDR blocks), worked out by
// hand. Operands sit in banks of their own unless a test says otherwise.
namespace {

TiuCommand conv(DType in, uint32_t ic) {
  TiuCommand c;
  c.op = TiuOp::Conv;
  c.kh = c.kw = 3;
  c.opd0 = SimHarness::local(0, in, 0, 1, ic, 4, 10, 40);
  c.opd1 = SimHarness::local(1024, in, 0, 1, ic, 1, 9, 9);
  const DType acc = in == DType::I8 ? DType::I32 : DType::F32;
  c.res = SimHarness::local(2048, acc, 0, 1, 4, 2, 8, 16);  // 16 outputs per lane
  return c;
}

TiuCommand elementwise(TiuOp op, DType t, uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
  TiuCommand k;
  k.op = op;
  k.opd0 = SimHarness::local(0, t, 0, n, c, h, w, 64);
  k.opd0.ns = 128;
  k.res = k.opd0;
  k.res.addr = 2048;
  return k;
}

GdmaCommand tensor_copy(const Operand& src, const Operand& dst) {
  GdmaCommand g;
  g.op = GdmaOp::Tensor;
  g.src = src;
  g.dst = dst;
  return g;
}

}  // namespace

// int8: 4 output positions per step (256 / 64); 16 outputs are 4 groups, each 9 taps × ⌈ic/64⌉.
// f32: 16 positions (16 / 1) are 1 group of 9 · ic steps.
TEST(CycleModel, ConvPaysForItsInputChannelsInGroups) {
  const Chip chip = SimHarness::small_chip();
  EXPECT_EQ(tiu_cost(chip, conv(DType::I8, 3)).cycles, 20u + 4 * 9);
  EXPECT_EQ(tiu_cost(chip, conv(DType::I8, 64)).cycles, 20u + 4 * 9);
  EXPECT_EQ(tiu_cost(chip, conv(DType::I8, 65)).cycles, 20u + 4 * 18);
  EXPECT_EQ(tiu_cost(chip, conv(DType::F32, 3)).cycles, 20u + 27);
  EXPECT_EQ(tiu_cost(chip, conv(DType::I8, 3)).macs, 4u * 16 * 27);  // the algorithm's, unpadded
}

// 6 channels on 4 lanes: 2 slots; 2 images: 4 planes of 3×5 = 15 int8 elements, one EU group
// each. With rows 8 apart (not contiguous) each of the 3 rows is a group of its own.
TEST(CycleModel, ElementwiseWorkIsAlignedPerPlane) {
  const Chip chip = SimHarness::small_chip();
  TiuCommand add = elementwise(TiuOp::Arith, DType::I8, 2, 6, 3, 5);
  add.arith = ArithOp::Max;
  add.opd1_const = true;
  EXPECT_EQ(tiu_cost(chip, add).cycles, 20u + 4);
  add.opd0.hs = add.res.hs = 8;
  EXPECT_EQ(tiu_cost(chip, add).cycles, 20u + 12);
  TiuCommand f32 = elementwise(TiuOp::Arith, DType::F32, 1, 4, 1, 40);  // 40 of 16 per step
  f32.opd1_const = true;
  EXPECT_EQ(tiu_cost(chip, f32).cycles, 20u + 3);
}

// A LUT gathers one element per lane per cycle (PerfAI's 64 per cycle on 64 lanes); a DEPTHWISE
// runs on the EUs, 64 int8 outputs a step, 9 taps each.
TEST(CycleModel, LutGathersOnePerLaneAndDepthwiseRunsOnTheEus) {
  const Chip chip = SimHarness::small_chip();
  TiuCommand lut = elementwise(TiuOp::Lut, DType::I8, 1, 4, 1, 100);
  lut.opd1 = SimHarness::local(1024, DType::I8, 0, 1, 4, 1, 256, 0);
  lut.opd1.cs = 0;
  EXPECT_EQ(tiu_cost(chip, lut).cycles, 20u + 100);
  TiuCommand dw = elementwise(TiuOp::Depthwise, DType::I8, 1, 4, 1, 64);
  dw.kh = dw.kw = 3;
  dw.opd1 = SimHarness::local(1024, DType::I8, 0, 1, 4, 1, 9, 9);
  dw.res.dtype = DType::I32;
  EXPECT_EQ(tiu_cost(chip, dw).cycles, 20u + 9);
}

// A result in its operand's bank costs one more cycle per step; a second operand there, another.
TEST(CycleModel, OperandsSharingABankTakeTurns) {
  const Chip chip = SimHarness::small_chip();
  TiuCommand add = elementwise(TiuOp::Arith, DType::I8, 1, 4, 1, 200);  // 4 steps
  add.arith = ArithOp::Add;
  add.opd1 = add.opd0;
  add.opd1.addr = 1024;
  EXPECT_EQ(bank_conflicts(chip, add), 0);
  EXPECT_EQ(tiu_cost(chip, add).cycles, 20u + 4);
  add.res.addr = 512;  // bank 0, opd0's
  EXPECT_EQ(bank_conflicts(chip, add), 1);
  EXPECT_EQ(tiu_cost(chip, add).cycles, 20u + 8);
  add.opd1.addr = 256;  // bank 0 too
  EXPECT_EQ(bank_conflicts(chip, add), 2);
  EXPECT_EQ(tiu_cost(chip, add).cycles, 20u + 12);
}

// 64 rows of 10 bytes, 100 bytes apart, from a block boundary: row k starts 36k mod 64 into a
// block (a multiple of 4), so 16 offsets 4 times each; rows starting at 56 or 60 cross into a
// second block: 8 rows of 128 bytes, 56 of 64 = 4608 bytes for 640 moved. A dense 4096-byte view
// is its 64 blocks; a broadcast reads its values once.
TEST(CycleModel, DdrIsMovedInWholeBlocks) {
  const Chip chip = SimHarness::small_chip();
  Operand rows = SimHarness::global(chip.ddr_base, DType::I8, 1, 64, 1, 10);
  rows.cs = 100;
  EXPECT_EQ(ddr_block_bytes(chip, rows), 4608u);
  EXPECT_EQ(ddr_block_bytes(chip, SimHarness::global(chip.ddr_base + 8, DType::I8, 1, 1, 64, 64)),
            4096u + 64);  // unaligned: one block more
  EXPECT_EQ(ddr_block_bytes(chip, SimHarness::global(chip.ddr_base, DType::F32, 1, 4, 16, 16)),
            4096u);
  Operand broadcast = SimHarness::global(chip.ddr_base, DType::F16, 768, 64, 1, 1);
  broadcast.ns = 1;
  broadcast.cs = 0;  // the same 768 values for every lane: read once
  EXPECT_EQ(ddr_block_bytes(chip, broadcast), 1536u);
}

// At 64 GiB/s and 1 GHz the DDR moves 68.719 bytes a cycle, 50.852 at 74%: a 4096-byte load takes
// 100 + 80.55 cycles, a 4096-byte DDR-to-DDR copy 100 + 161.1 (read and write), the 64 short
// rows above 100 + 90.62; a local-to-local copy of 4096 bytes passes each byte twice at the nominal
// rate: 100 + 119.2.
TEST(CycleModel, GdmaTimeIsItsDdrBlocksAtTheAchievableRate) {
  const Chip chip = SimHarness::small_chip();
  const Operand dense = SimHarness::global(chip.ddr_base, DType::I8, 1, 1, 64, 64);
  const Operand local = SimHarness::local(0, DType::I8, 0, 1, 1, 64, 64, 4096);
  EXPECT_EQ(gdma_cost(chip, tensor_copy(dense, local)).cycles, 181u);
  Operand other = dense;
  other.addr += 8192;
  EXPECT_EQ(gdma_cost(chip, tensor_copy(dense, other)).cycles, 262u);
  Operand rows = SimHarness::global(chip.ddr_base, DType::I8, 1, 64, 1, 10);
  rows.cs = 100;
  EXPECT_EQ(gdma_cost(chip, tensor_copy(rows, SimHarness::local(0, DType::I8, 0, 1, 64, 1, 10, 64)))
                .cycles,
            191u);
  Operand local2 = local;
  local2.addr = 0;
  EXPECT_EQ(gdma_cost(chip, tensor_copy(local, local2)).cycles, 220u);
}
