// Chip descriptions (configs/chips/*.yaml): the bundled ones load, every mistake in a file is
// reported with its place, all at once, and the host CPU model follows their figures.
#include "chip/bm1684x/chip.h"

#include <gtest/gtest.h>

#include "chip/bm1684x/performance.h"
#include "ir/files.h"
#include "tests/support/errors.h"
#include "tests/support/source_tree.h"

using namespace tpuc;
using namespace tpuc::testing;

TEST(Chip, TheBundledChipsLoad) {
  const bm1684x::Chip x = bm1684x::load_chip(source_path("configs/chips/bm1684x.yaml"));
  EXPECT_EQ(x.name, "bm1684x");
  EXPECT_EQ(x.lanes, 64);
  EXPECT_EQ(x.lmem_bytes, 262144);
  EXPECT_EQ(x.ddr_base, 0x100000000u);
  const bm1684x::Chip old = bm1684x::load_chip(source_path("configs/chips/bm1684.yaml"));
  EXPECT_EQ(old.f16_macs_per_lane, 0);  // no f16/bf16 arithmetic
}

// The cycle model's constants (docs/isa.md): the bundled BM1684X's, each from its cited source.
TEST(Chip, TheCycleModelConstantsAreTheCitedOnes) {
  const bm1684x::Chip x = bm1684x::load_chip(source_path("configs/chips/bm1684x.yaml"));
  EXPECT_EQ(x.conv_ic_parallel(DType::I8), 64);   // BM1684X.h IC_PARALLEL
  EXPECT_EQ(x.conv_ic_parallel(DType::F16), 32);  // opparam.py _32IC
  EXPECT_EQ(x.conv_ic_parallel(DType::F32), 1);   // opparam.py _1IC
  EXPECT_EQ(x.lut_per_lane_cycle, 1);             // PerfAI: 64 per cycle
  EXPECT_DOUBLE_EQ(x.ddr_efficiency, 0.74);       // 51 GB/s of 68.7
  // 64 lanes x 64 channels x 4 positions: PerfAI's int8 cube peak
  EXPECT_EQ(x.lanes * x.conv_ic_parallel(DType::I8) *
                (x.macs_per_lane_cycle(DType::I8) / x.conv_ic_parallel(DType::I8)),
            64 * 64 * 4);
}

// A DDR efficiency above 1 and channel groups that do not divide the MAC rate are mistakes.
TEST(Chip, CycleModelConstantsAreChecked) {
  const std::string path = ::testing::TempDir() + "/bad-cycle-model.yaml";
  std::string text = read_file(source_path("configs/chips/bm1684x.yaml"));
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"ddr_efficiency: 0.74", "ddr_efficiency: 1.5"},
        {"int8_conv_ic_parallel: 64", "int8_conv_ic_parallel: 48"}}) {
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
  }
  write_file_atomic(path, text);
  const std::string error = error_of([&] { bm1684x::load_chip(path); });
  EXPECT_NE(error.find("'ddr_efficiency' must be at most 1"), std::string::npos) << error;
  EXPECT_NE(error.find("'int8_conv_ic_parallel' must divide the MACs per lane cycle"),
            std::string::npos)
      << error;
}

TEST(Chip, EveryMistakeIsReportedWithItsPlace) {
  const std::string path = ::testing::TempDir() + "/broken-chip.yaml";
  write_file_atomic(path,
                    "name: broken\n"                   // 1
                    "lanes: 0\n"                       // 2: must be positive
                    "lmem_bytes_per_lane: 262144\n"    // 3
                    "lmem_banks: 16\n"                 // 4
                    "eu_bytes: 64\n"                   // 5
                    "ddr_base: 0x100000000\n"          // 6
                    "ddr_alignment: 0\n"               // 7: must be positive
                    "tiu_mhz: 1000\n"                  // 8
                    "gdma_mhz: 1000\n"                 // 9
                    "int8_macs_per_lane_cycle: 256\n"  // 10
                    "f16_macs_per_lane_cycle: -1\n"    // 11: 0 or positive
                    "f32_macs_per_lane_cycle: 16\n"    // 12
                    "ddr_gib_per_s: 64\n"              // 13
                    "tiu_issue_cycles: -20\n"          // 14: 0 or positive
                    "gdma_issue_cycles: 100\n"         // 15
                    "lanez: 64\n");                    // 16: unknown
  const std::string error = error_of([&] { bm1684x::load_chip(path); });
  for (const std::string& expected :
       {path + ":2:8: 'lanes' must be positive", path + ":7:16: 'ddr_alignment' must be positive",
        path + ":11:26: 'f16_macs_per_lane_cycle' must be 0 (no f16/bf16) or positive",
        path + ":14:19: 'tiu_issue_cycles' must be 0 (no start-up cost) or positive",
        path + ":16:1: unknown key 'lanez'"})
    EXPECT_NE(error.find(expected), std::string::npos) << expected << "\nin:\n" << error;
}

// A host layer's modeled time (performance.h) from the BM1684X's CPU figures (8 cores, 2.3 GHz,
// 4 f32 operations per core cycle, 10 GiB/s, 20 us per switch), worked out by hand: 1 MiB moved
// takes 2^20 / (10 · 2^30) s = 97.65625 us, more than its 2,001,000 operations' 27.19 us; 10^9
// MACs take 2·10^9 / (7.36·10^10) s = 27,173.9 us, more than their 1 MiB.
TEST(Chip, AHostLayerTakesItsSwitchAndItsSlowerResource) {
  const bm1684x::Chip x = bm1684x::load_chip(source_path("configs/chips/bm1684x.yaml"));
  const uint64_t mib = 1 << 20;
  EXPECT_NEAR(1e6 * bm1684x::host_layer_seconds(x, {1000000, 1000, mib}), 20 + 97.65625, 1e-6);
  EXPECT_NEAR(1e6 * bm1684x::host_layer_seconds(x, {1000000000, 0, mib}), 20 + 2e9 / 7.36e10 * 1e6,
              1e-6);
}
