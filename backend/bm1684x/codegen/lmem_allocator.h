// LmemAllocator: places a node's local-memory buffers at lane-relative addresses. A buffer keeps
// its channels on the lanes (channel c in lane c % lanes, slot c / lanes), so its size per lane is
// slots × the other dimensions (aligned to the EU width). Buffers start on a new bank while banks
// remain, so the operands of one command sit in different banks and the TIU and GDMA do not
// contend; when banks run out they are packed.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backend/bm1684x/chip.h"
#include "ir/dtype.h"

namespace tpuc::bm1684x {

struct LmemBuffer {
  std::string name;
  DType dtype;
  std::vector<int64_t> extents;  // Halide dimension order, innermost first
  int lane_dim = 0;
  int64_t plane = 0;             // elements per channel slot in one lane
  int64_t slots = 0;             // channel slots per lane
  uint64_t addr = 0;             // lane-relative byte address
  int64_t bytes_per_lane() const { return slots * plane * bytes(dtype); }
};

class LmemAllocator {
 public:
  explicit LmemAllocator(const Chip& chip) : chip_(chip) {}
  // Lays out and places a buffer; returns false when it does not fit what is left.
  bool place(LmemBuffer& b);
  int64_t used() const { return next_; }
  const std::vector<LmemBuffer>& buffers() const { return placed_; }

 private:
  const Chip& chip_;
  int64_t next_ = 0;
  std::vector<LmemBuffer> placed_;
};

}  // namespace tpuc::bm1684x
