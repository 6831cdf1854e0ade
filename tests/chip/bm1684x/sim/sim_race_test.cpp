// The simulator's race check: commands of the two engines that overlap in time and share a
// local-memory byte, one of them writing it, are an error naming both; correctly ordered or
// disjoint commands run. Hand-built programs on a small 4-lane chip.
#include <gtest/gtest.h>

#include "chip/bm1684x/sim/cycle_model.h"
#include "chip/bm1684x/sim/simulator.h"
#include "ir/diagnostics.h"
#include "tests/support/random_tensor.h"

using namespace tpuc;
using tpuc::testing::random_tensor;
using namespace tpuc::bm1684x;

namespace {

// A model moving an i8 [1, 4, 2, 4] tensor: x in DDR at 0, y right after; one channel per lane.
struct Harness {
  Chip chip;
  Model model;
  const TensorType type{DType::I8, {1, 4, 2, 4}, std::nullopt};

  Harness() {
    chip.name = "tiny";
    chip.lanes = 4;
    chip.lmem_bytes = 4096;
    chip.lmem_banks = 4;
    model.chip = chip.name;
    model.weight_addr = chip.ddr_base;
    model.ddr_bytes = 8192;
    model.inputs = {{"x", type, chip.ddr_base}};
    model.outputs = {{"y", type, chip.ddr_base + 4096}};
  }
  Operand global(const IoTensor& t) const {
    return {Space::Global, DType::I8, t.addr, 0, 1, 4, 2, 4, 32, 8, 4, 1};
  }
  // The tensor at lane-relative `addr`, its two rows `row_stride` bytes apart.
  static Operand local(uint64_t addr, int64_t row_stride = 4) {
    return {Space::Local, DType::I8, addr, 0, 1, 4, 2, 4, 0, 0, row_stride, 1};
  }

  GdmaCommand gdma(GdmaOp op, const Operand& src, const Operand& dst, uint32_t dep) {
    GdmaCommand g;
    g.op = op;
    g.src = src;
    g.dst = dst;
    g.dep = dep;
    g.id = uint32_t(model.program.gdma.size() + 1);
    return model.program.gdma.emplace_back(g);
  }
  GdmaCommand load(const Operand& dst, uint32_t dep) {
    return gdma(GdmaOp::Tensor, global(model.inputs[0]), dst, dep);
  }
  GdmaCommand store(const Operand& src, uint32_t dep) {
    return gdma(GdmaOp::Tensor, src, global(model.outputs[0]), dep);
  }
  GdmaCommand fill(const Operand& dst, uint32_t dep) { return gdma(GdmaOp::Fill, {}, dst, dep); }
  TiuCommand tiu(TiuCommand c, uint32_t dep) {
    c.dep = dep;
    c.id = uint32_t(model.program.tiu.size() + 1);
    return model.program.tiu.emplace_back(c);
  }
  TiuCommand copy(const Operand& src, const Operand& dst, uint32_t dep) {
    TiuCommand c;
    c.op = TiuOp::Arith;
    c.arith = ArithOp::Copy;
    c.opd0 = src;
    c.res = dst;
    return tiu(c, dep);
  }
  uint64_t cycles(const TiuCommand& c) const { return tiu_cost(chip, c).cycles; }
  uint64_t cycles(const GdmaCommand& c) const { return gdma_cost(chip, c).cycles; }

  Tensor run(const Tensor& x) { return Simulator(chip, model).run({{"x", x}}).at("y"); }
  std::string error_of_run() {
    try {
      run(Tensor(type));
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

bool same_bytes(const Tensor& a, const Tensor& b) { return a.data == b.data; }

}  // namespace

TEST(SimRace, ReadAfterWriteNeedsItsDependency) {
  // GDMA 1 loads x into A while TIU 1 copies unrelated local bytes; TIU 2 copies A out once GDMA 1
  // is done.
  for (uint32_t dep : {1u, 0u}) {
    Harness h;
    const GdmaCommand load = h.load(Harness::local(0x0), 0);
    const TiuCommand unrelated = h.copy(Harness::local(0x800), Harness::local(0xa00), 0);
    const TiuCommand read = h.copy(Harness::local(0x0), Harness::local(0x400), dep);
    h.store(Harness::local(0x400), 2);
    if (dep) {
      const Tensor x = random_tensor<int8_t>(DType::I8, h.type.shape, -128, 127, 1);
      EXPECT_TRUE(same_bytes(h.run(x), x));
      continue;
    }
    // Without the dependency TIU 2 starts when TIU 1 ends, while the load still runs.
    const uint64_t t = h.cycles(unrelated), end = t + h.cycles(read), g = h.cycles(load);
    ASSERT_LT(t, g);
    EXPECT_EQ(h.error_of_run(),
              "race in local memory at lane-relative 0x0: TIU command 2 (copy, cycles " +
                  std::to_string(t) + "-" + std::to_string(end) +
                  ") reads it while GDMA command 1 (TENSOR, cycles 0-" + std::to_string(g) +
                  ") writes it");
  }
}

TEST(SimRace, WriteAfterReadNeedsItsDependency) {
  // TIU 1 copies A to B; GDMA 2 then overwrites A, which must wait for TIU 1.
  for (uint32_t dep : {1u, 0u}) {
    Harness h;
    const GdmaCommand load = h.load(Harness::local(0x100), 0);
    const TiuCommand read = h.copy(Harness::local(0x100), Harness::local(0x200), 1);
    const GdmaCommand overwrite = h.fill(Harness::local(0x100), dep);
    h.store(Harness::local(0x200), 1);
    if (dep) {
      const Tensor x = random_tensor<int8_t>(DType::I8, h.type.shape, -128, 127, 2);
      EXPECT_TRUE(same_bytes(h.run(x), x));
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
  Harness h;
  h.load(Harness::local(0x0), 0);
  h.copy(Harness::local(0x800), Harness::local(0x2),
         0);  // writes bytes 2.. of what the load writes
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
  Harness h;
  h.load(Harness::local(0x0, 8), 0);
  h.copy(Harness::local(0x4, 8), Harness::local(0x40), 0);
  h.fill(Harness::local(0x80), 0);
  h.copy(Harness::local(0x0, 8), Harness::local(0x100), 1);
  h.store(Harness::local(0x100), 2);
  const Tensor x = random_tensor<int8_t>(DType::I8, h.type.shape, -128, 127, 3);
  EXPECT_TRUE(same_bytes(h.run(x), x));
}

TEST(SimRace, AStridedConvReadsOnlyItsWindow) {
  // A 1x1 CONV with stride 2 reads bytes 0, 2, 4, 6 of its 8-byte input row; a concurrent fill of
  // the odd bytes is no race, one of the even bytes is.
  for (uint64_t fill_addr : {1u, 0u}) {
    Harness h;
    TiuCommand conv;
    conv.op = TiuOp::Conv;
    conv.opd0 = {Space::Local, DType::I8, 0x0, 0, 1, 4, 1, 8, 0, 0, 8, 1};
    conv.opd1 = {Space::Local, DType::I8, 0x100, 0, 1, 1, 4, 1, 0, 0, 1, 1};  // [oc 1, ic 4, 1]
    conv.res = {Space::Local, DType::I32, 0x200, 0, 1, 1, 1, 4, 0, 0, 4, 1};
    conv.stride_w = 2;
    h.tiu(conv, 0);
    h.fill({Space::Local, DType::I8, fill_addr, 0, 1, 4, 1, 4, 0, 0, 8, 2}, 0);
    const std::string error = h.error_of_run();
    if (fill_addr == 1) {
      EXPECT_EQ(error, "no error");
    } else {
      EXPECT_NE(
          error.find("race in local memory at lane-relative 0x0: GDMA command 1 (FILL, cycles 0-"),
          std::string::npos)
          << error;
      EXPECT_NE(error.find(") writes it while TIU command 1 (CONV, cycles 0-"), std::string::npos)
          << error;
    }
  }
}
