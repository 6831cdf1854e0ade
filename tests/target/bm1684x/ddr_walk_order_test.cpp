// in_ddr_walk_order (target/bm1684x/ddr_walk_order.h): a CONV kernel's load walked one output
// channel at a time, a matrix loaded across the lanes one row at a time, the same elements at the
// same addresses; other copies unchanged.
#include "target/bm1684x/ddr_walk_order.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/sim/cycle_model.h"
#include "tests/support/sim_harness.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::SimHarness;

namespace {

// A 3×3 int8 kernel of 512 input and 512 output channels as the schedules load it: input channels
// along n (9 bytes apart), output channels along c (4608 bytes apart), ONNX's bytes in DDR.
GdmaCommand kernel_load(const Chip& chip) {
  GdmaCommand g;
  g.op = GdmaOp::Tensor;
  g.src = {Space::Global, DType::I8, chip.ddr_base, 0, 512, 512, 3, 3, 9, 4608, 3, 1};
  g.dst = g.src;
  g.dst.space = Space::Local;
  g.dst.addr = 0;
  g.dst.cs = 4608;
  return g;
}

// The byte offset of element (n, c, h, w) of a view, for comparing two walks.
int64_t offset(const Operand& o, int64_t n, int64_t c, int64_t h, int64_t w) {
  return n * o.ns + c * o.cs + h * o.hs + w * o.ws;
}

}  // namespace

TEST(DdrWalkOrder, AKernelLoadIsReadOneOutputChannelAtATime) {
  const Chip chip = SimHarness::small_chip();
  const GdmaCommand before = kernel_load(chip);
  const GdmaCommand after = in_ddr_walk_order(before);
  EXPECT_EQ(after.src.n, 1u);
  EXPECT_EQ(after.src.h, 512u * 3);
  EXPECT_EQ(after.dst.h, 512u * 3);
  // Element (ic, oc, ky, kx) is row ic·3 + ky: same source and destination offsets.
  for (int64_t ic : {0, 7, 511})
    for (int64_t oc : {0, 300})
      for (int64_t ky : {0, 2}) {
        EXPECT_EQ(offset(after.src, 0, oc, ic * 3 + ky, 1), offset(before.src, ic, oc, ky, 1));
        EXPECT_EQ(offset(after.dst, 0, oc, ic * 3 + ky, 1), offset(before.dst, ic, oc, ky, 1));
      }
  // 512 runs of 4608 bytes (72 blocks each) instead of 262144 runs of 9 bytes (one or two blocks).
  EXPECT_EQ(ddr_block_bytes(chip, after.src), 512u * 4608);
  EXPECT_GT(ddr_block_bytes(chip, before.src), 262144u * 64);
}

// A Gemm's A [256, 768] (f16) loaded with K on the lanes and M along w: walked with M as n, each
// of its 256 rows is one 1536-byte run of DDR; along w, each element was one.
TEST(DdrWalkOrder, AMatrixLoadedAcrossTheLanesReadsItsRowsWhole) {
  const Chip chip = SimHarness::small_chip();
  GdmaCommand g;
  g.op = GdmaOp::Tensor;
  g.src = {Space::Global, DType::F16, chip.ddr_base, 0, 1, 768, 1, 256, 0, 1, 0, 768};
  g.dst = {Space::Local, DType::F16, 0, 0, 1, 768, 1, 256, 0, 256, 0, 1};
  const GdmaCommand after = in_ddr_walk_order(g);
  EXPECT_EQ(after.src.n, 256u);
  EXPECT_EQ(after.src.w, 1u);
  for (int64_t m : {0, 5, 255})
    for (int64_t k : {0, 700}) {
      EXPECT_EQ(offset(after.src, m, k, 0, 0), offset(g.src, 0, k, 0, m));
      EXPECT_EQ(offset(after.dst, m, k, 0, 0), offset(g.dst, 0, k, 0, m));
    }
  EXPECT_EQ(ddr_block_bytes(chip, after.src), 256u * 768 * 2);
  EXPECT_EQ(ddr_block_bytes(chip, g.src), 256u * 768 * 64);
}

// An NCHW activation is read channel by channel, each channel's rows one run: left as it is.
TEST(DdrWalkOrder, AnActivationIsLeftAsItIs) {
  const Chip chip = SimHarness::small_chip();
  GdmaCommand g;
  g.op = GdmaOp::Tensor;
  g.src = SimHarness::global(chip.ddr_base, DType::I8, 1, 64, 14, 14);
  g.dst = SimHarness::local(0, DType::I8, 0, 1, 64, 14, 14, 256);
  const GdmaCommand after = in_ddr_walk_order(g);
  EXPECT_EQ(after.src.n, 1u);
  EXPECT_EQ(after.src.h, 14u);
  EXPECT_EQ(after.src.w, 14u);
}

TEST(DdrWalkOrder, OtherCopiesAreLeftAsTheyAre) {
  const Chip chip = SimHarness::small_chip();
  GdmaCommand apart = kernel_load(chip);
  apart.src.ns = 10;  // a gap between the images' rows
  EXPECT_EQ(in_ddr_walk_order(apart).src.n, 512u);
  GdmaCommand tall = kernel_load(chip);
  tall.src.h = tall.dst.h = 200;  // 512 × 200 rows: more than a 16-bit size
  tall.src.ns = tall.dst.ns = 600;
  EXPECT_EQ(in_ddr_walk_order(tall).src.n, 512u);
  GdmaCommand fill = kernel_load(chip);
  fill.op = GdmaOp::Fill;
  EXPECT_EQ(in_ddr_walk_order(fill).dst.n, 512u);
}
