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
