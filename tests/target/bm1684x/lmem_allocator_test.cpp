// The local-memory allocator: which address each buffer gets, per lane, on the BM1684X.
#include "target/bm1684x/lmem_allocator.h"

#include <gtest/gtest.h>

#include "tests/support/chip_checks.h"

using namespace tpuc;
using namespace tpuc::testing;
using namespace tpuc::bm1684x;

TEST(LmemAllocator, BanksFirstThenNextFitSoFreedMemoryIsNotReusedAtOnce) {
  const Chip& chip = bm1684x_chip();
  LmemAllocator a(chip);
  LmemBuffer small{"a", DType::I8, {10, 10, 64}, 2};  // 100 bytes per lane → 128 after EU alignment
  ASSERT_TRUE(a.allocate(small));
  LmemBuffer table{"t", DType::I32, {64}, 0};  // small: packed after `a`
  ASSERT_TRUE(a.allocate(table));
  EXPECT_EQ(table.addr, 128u);
  // 2 channel slots × 3136 × 4 bytes: over half a bank.
  LmemBuffer wide{"b", DType::I32, {56, 56, 70}, 2};
  ASSERT_TRUE(a.allocate(wide));
  EXPECT_EQ(small.addr, 0u);
  EXPECT_EQ(wide.addr, uint64_t(chip.bank_bytes()));  // its own bank
  EXPECT_EQ(wide.bytes_per_lane(), 2 * 3136 * 4);
  // Freed, `a` is not handed out again while later memory is free: the next buffer goes after `b`.
  a.release(small.addr);
  LmemBuffer next{"c", DType::I8, {10, 10, 64}, 2};
  ASSERT_TRUE(a.allocate(next));
  EXPECT_EQ(next.addr, uint64_t(chip.bank_bytes()) + 2 * 3136 * 4);
  LmemBuffer huge{"d", DType::I8, {chip.lmem_bytes, 1, 1}, 2};
  EXPECT_FALSE(a.allocate(huge));
  // Past the end of local memory the search wraps around to the freed start.
  // A channel slot longer than the commands' 16-bit channel stride does not fit either.
  LmemBuffer long_slot{"l", DType::I8, {kMaxChannelStride + 1, 1, 1}, 2};
  EXPECT_FALSE(a.allocate(long_slot));
  LmemBuffer rest{"e", DType::I32, {(chip.lmem_bytes - 3 * chip.bank_bytes()) / 4, 1, 1}, 2};
  ASSERT_TRUE(a.allocate(rest));
  EXPECT_EQ(rest.addr, uint64_t(3 * chip.bank_bytes()));
  LmemBuffer again{"f", DType::I8, {10, 10, 64}, 2};
  ASSERT_TRUE(a.allocate(again));
  EXPECT_EQ(again.addr, 0u);
  EXPECT_EQ(a.placed().size(), 6u);
}
