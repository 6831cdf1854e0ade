#include "backend/bm1684x/codegen/lmem_allocator.h"

namespace tpuc::bm1684x {

bool LmemAllocator::place(LmemBuffer& b) {
  const int64_t eu = std::max(1, chip_.eu_bytes / bytes(b.dtype));
  b.plane = 1;
  for (size_t d = 0; d < b.extents.size(); ++d)
    if (int(d) != b.lane_dim) b.plane *= b.extents[d];
  b.plane = (b.plane + eu - 1) / eu * eu;
  const int64_t channels = b.lane_dim < int(b.extents.size()) ? b.extents[size_t(b.lane_dim)] : 1;
  b.slots = (channels + chip_.lanes - 1) / chip_.lanes;
  const int64_t size = b.bytes_per_lane(), bank = chip_.bank_bytes();
  int64_t start = (next_ + chip_.eu_bytes - 1) / chip_.eu_bytes * chip_.eu_bytes;
  const int64_t bank_start = (next_ + bank - 1) / bank * bank;
  if (bank_start + size <= chip_.lmem_bytes) start = bank_start;  // a fresh bank while banks remain
  if (start + size > chip_.lmem_bytes) return false;
  b.addr = uint64_t(start);
  next_ = start + size;
  placed_.push_back(b);
  return true;
}

}  // namespace tpuc::bm1684x
