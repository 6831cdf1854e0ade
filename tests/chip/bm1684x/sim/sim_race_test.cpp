// The simulator's race check: commands of the two engines that overlap in time and share a
// local-memory byte, one of them writing it, are an error naming both; correctly ordered or
// disjoint commands run. Hand-built programs on a small 4-lane chip.
#include <gtest/gtest.h>

#include "tests/support/random_tensor.h"
#include "tests/support/sim_harness.h"

using namespace tpuc;
using namespace tpuc::bm1684x;
using tpuc::testing::random_tensor;
using tpuc::testing::SimHarness;

namespace {

// The programs here move an i8 [1, 4, 2, 4] tensor x to y: one channel per lane.
const TensorType kMoved{DType::I8, {1, 4, 2, 4}, std::nullopt};

// x's shape at lane-relative `addr` in local memory, its two rows `row_stride` bytes apart.
Operand local(uint64_t addr, int64_t row_stride = 4) {
  return {Space::Local, DType::I8, addr, 0, 1, 4, 2, 4, 0, 0, row_stride, 1};
}

// GDMA commands that load all of x into `dst` and store `src` as all of y.
GdmaCommand load_x(SimHarness& h, const Operand& dst, uint32_t dep) {
  return h.copy(h.input(), dst, dep);
}

GdmaCommand store_y(SimHarness& h, const Operand& src, uint32_t dep) {
  return h.copy(src, h.output(), dep);
}

// A TIU copy from src to dst.
TiuCommand tiu_copy(SimHarness& h, const Operand& src, const Operand& dst, uint32_t dep) {
  TiuCommand c;
  c.op = TiuOp::Arith;
  c.arith = ArithOp::Copy;
  c.opd0 = src;
  c.res = dst;
  return h.tiu(c, dep);
}

}  // namespace

TEST(SimRace, ReadAfterWriteNeedsItsDependency) {
  // GDMA 2 loads x into A while TIU 1 copies unrelated local bytes (GDMA 1 filled them); TIU 2
  // copies A out once GDMA 2 is done.
  for (uint32_t dep : {2u, 0u}) {
    SimHarness h(kMoved, kMoved);
    const GdmaCommand init = h.fill(local(0x800), 0, 0);
    const GdmaCommand load = load_x(h, local(0x0), 0);
    const TiuCommand unrelated = tiu_copy(h, local(0x800), local(0xa00), 1);
    const TiuCommand read = tiu_copy(h, local(0x0), local(0x400), dep);
    store_y(h, local(0x400), 2);
    if (dep) {
      const Tensor x = random_tensor<int8_t>(DType::I8, kMoved.shape, -128, 127, 1);
      EXPECT_EQ(h.run(x).data, x.data);
      continue;
    }
    // Without the dependency TIU 2 starts when TIU 1 ends, while the load still runs.
    const uint64_t f = h.cycles(init), t = f + h.cycles(unrelated), end = t + h.cycles(read),
                   g = f + h.cycles(load);
    ASSERT_LT(t, g);
    EXPECT_EQ(h.error_of_run(),
              "race in local memory at lane-relative 0x0: TIU command 2 (copy, cycles " +
                  std::to_string(t) + "-" + std::to_string(end) +
                  ") reads it while GDMA command 2 (TENSOR, cycles " + std::to_string(f) + "-" +
                  std::to_string(g) + ") writes it");
  }
}

TEST(SimRace, WriteAfterReadNeedsItsDependency) {
  // TIU 1 copies A to B; GDMA 2 then overwrites A, which must wait for TIU 1.
  for (uint32_t dep : {1u, 0u}) {
    SimHarness h(kMoved, kMoved);
    const GdmaCommand load = load_x(h, local(0x100), 0);
    const TiuCommand read = tiu_copy(h, local(0x100), local(0x200), 1);
    const GdmaCommand overwrite = h.fill(local(0x100), 0, dep);
    store_y(h, local(0x200), 1);
    if (dep) {
      const Tensor x = random_tensor<int8_t>(DType::I8, kMoved.shape, -128, 127, 2);
      EXPECT_EQ(h.run(x).data, x.data);
      continue;
    }
    // Both start when the load ends: the TIU first, the fill overwriting what it still reads.
    const uint64_t g = h.cycles(load);
    EXPECT_EQ(h.error_of_run(),
              "race in local memory at lane-relative 0x100: GDMA command 2 (FILL, cycles " +
                  std::to_string(g) + "-" + std::to_string(g + h.cycles(overwrite)) +
                  ") writes it while TIU command 1 (copy, cycles " + std::to_string(g) + "-" +
                  std::to_string(g + h.cycles(read)) + ") reads it");
  }
}

TEST(SimRace, WriteAfterWriteIsARace) {
  SimHarness h(kMoved, kMoved);
  load_x(h, local(0x0), 0);
  tiu_copy(h, local(0x800), local(0x2), 0);  // writes bytes 2.. of what the load writes
  const std::string error = h.error_of_run();
  EXPECT_NE(error.find("race in local memory at lane-relative 0x2: GDMA command 1 (TENSOR, "),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(") writes it while TIU command 1 (copy, cycles 0-"), std::string::npos)
      << error;
}

TEST(SimRace, DisjointBytesMayOverlapInTime) {
  // The load writes bytes 0..3 and 8..11 of each lane while the TIU reads bytes 4..7 and 12..15 and
  // writes elsewhere: their spans interleave, their bytes do not.
  SimHarness h(kMoved, kMoved);
  h.fill(local(0x4, 8), 0, 0);  // what the TIU reads
  load_x(h, local(0x0, 8), 0);
  tiu_copy(h, local(0x4, 8), local(0x40), 1);
  h.fill(local(0x80), 0, 0);
  tiu_copy(h, local(0x0, 8), local(0x100), 2);
  store_y(h, local(0x100), 2);
  const Tensor x = random_tensor<int8_t>(DType::I8, kMoved.shape, -128, 127, 3);
  EXPECT_EQ(h.run(x).data, x.data);
}

TEST(SimRace, AStridedConvReadsOnlyItsWindow) {
  // A 1x1 CONV with stride 2 reads bytes 0, 2, 4, 6 of its 8-byte input row; a concurrent fill of
  // the odd bytes is no race, one of the even bytes is.
  for (uint64_t fill_addr : {1u, 0u}) {
    SimHarness h(kMoved, kMoved);
    TiuCommand conv;
    conv.op = TiuOp::Conv;
    conv.opd0 = {Space::Local, DType::I8, 0x0, 0, 1, 4, 1, 8, 0, 0, 8, 1};
    conv.opd1 = {Space::Local, DType::I8, 0x100, 0, 1, 1, 4, 1, 0, 0, 1, 1};  // [oc 1, ic 4, 1]
    conv.res = {Space::Local, DType::I32, 0x200, 0, 1, 1, 1, 4, 0, 0, 4, 1};
    conv.stride_w = 2;
    h.fill(conv.opd0, 1);  // GDMA 1 and 2: the input and the weights
    h.fill(conv.opd1, 1);
    h.tiu(conv, 2);
    h.fill({Space::Local, DType::I8, fill_addr, 0, 1, 4, 1, 4, 0, 0, 8, 2}, 0);
    const std::string error = h.error_of_run();
    if (fill_addr == 1) {
      EXPECT_EQ(error, "no error");
    } else {
      EXPECT_NE(
          error.find("race in local memory at lane-relative 0x0: GDMA command 3 (FILL, cycles "),
          std::string::npos)
          << error;
      EXPECT_NE(error.find(") writes it while TIU command 1 (CONV, cycles "), std::string::npos)
          << error;
    }
  }
}
