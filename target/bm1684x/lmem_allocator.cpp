#include "target/bm1684x/lmem_allocator.h"

#include <numeric>
#include <optional>

#include "ir/align.h"

namespace tpuc::bm1684x {

void LmemAllocator::lay_out(LmemBuffer& b) const {
  const int64_t eu = std::max(1, chip_->eu_bytes / bytes(b.dtype));
  b.plane = 1;
  for (size_t d = 0; d < b.extents.size(); ++d)
    if (int(d) != b.lane_dim) b.plane *= b.extents[d];
  b.plane = align_up(b.plane, eu);
  const int64_t channels = b.lane_dim < int(b.extents.size()) ? b.extents[size_t(b.lane_dim)] : 1;
  b.slots = ceil_div<int64_t>(channels, chip_->lanes);
}

bool LmemAllocator::allocate(LmemBuffer& b) {
  lay_out(b);
  // The commands step from one channel slot to the next by a 16-bit stride: a larger slot does
  // not fit the chip's fields, as a larger buffer does not fit the memory.
  if (b.plane > kMaxChannelStride) return false;
  const int64_t size = b.bytes_per_lane();
  // The free gaps in address order, the search starting at the cursor and wrapping once.
  std::vector<std::pair<int64_t, int64_t>> gaps;
  int64_t end = 0;
  for (const auto& [start, bytes] : live_) {
    if (start > end) gaps.emplace_back(end, start);
    end = start + bytes;
  }
  if (end < chip_->lmem_bytes) gaps.emplace_back(end, chip_->lmem_bytes);
  auto search = [&](int64_t alignment) -> std::optional<int64_t> {
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& [g0, g1] : gaps) {
        const int64_t from = pass == 0 ? std::max(g0, cursor_) : g0;
        if (pass == 0 && g1 <= cursor_) continue;
        const int64_t start = align_up(from, alignment);
        if (start + size <= g1) return start;
      }
    return std::nullopt;
  };
  // Large buffers start on a bank where one is free; small ones (tables, short rows) pack tightly:
  // a bank each would leave no room contiguous enough for the large ones.
  std::optional<int64_t> at =
      2 * size >= chip_->bank_bytes() ? search(chip_->bank_bytes()) : std::nullopt;
  if (!at) at = search(chip_->eu_bytes);
  if (!at) return false;
  b.addr = uint64_t(*at);
  live_[*at] = size;
  cursor_ = *at + size;
  peak_ = std::max(peak_, live_bytes());
  placed_.push_back(b);
  return true;
}

void LmemAllocator::release(uint64_t addr) { live_.erase(int64_t(addr)); }

int64_t LmemAllocator::live_bytes() const {
  return std::accumulate(live_.begin(), live_.end(), int64_t(0),
                         [](int64_t s, const auto& b) { return s + b.second; });
}

}  // namespace tpuc::bm1684x
