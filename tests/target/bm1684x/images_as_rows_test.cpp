// with_images_as_rows (target/bm1684x/images_as_rows.h): a CONV kernel's load walked one output
// channel at a time, the same elements at the same addresses; other copies unchanged.
#include "target/bm1684x/images_as_rows.h"

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

TEST(ImagesAsRows, AKernelLoadIsReadOneOutputChannelAtATime) {
  const Chip chip = SimHarness::small_chip();
  const GdmaCommand before = kernel_load(chip);
  const GdmaCommand after = with_images_as_rows(before);
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

TEST(ImagesAsRows, OtherCopiesAreLeftAsTheyAre) {
  const Chip chip = SimHarness::small_chip();
  GdmaCommand apart = kernel_load(chip);
  apart.src.ns = 10;  // a gap between the images' rows
  EXPECT_EQ(with_images_as_rows(apart).src.n, 512u);
  GdmaCommand tall = kernel_load(chip);
  tall.src.h = tall.dst.h = 200;  // 512 × 200 rows: more than a 16-bit size
  tall.src.ns = tall.dst.ns = 600;
  EXPECT_EQ(with_images_as_rows(tall).src.n, 512u);
  GdmaCommand fill = kernel_load(chip);
  fill.op = GdmaOp::Fill;
  EXPECT_EQ(with_images_as_rows(fill).dst.n, 512u);
}
