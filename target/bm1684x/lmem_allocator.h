// LmemAllocator: places local-memory buffers at lane-relative addresses for as long as they live
// (allocate ... release, in program order; one allocator serves the whole model). A buffer keeps
// its channels on the lanes (channel c in lane c % lanes, slot c / lanes), so its size per lane is
// slots × the other dimensions (aligned to the EU width).
//
// Placement is next-fit: the search for room starts where the previous buffer ended, so memory
// freed a moment ago is not handed out again at once. That is what lets the engines overlap: the
// next tile's input loads into fresh memory while this tile computes, the next layer's weights
// while this layer runs (the stream scheduler orders any reuse). A buffer of half a bank or more
// starts on a bank boundary where one is free, so one command's large operands sit in different
// banks; smaller ones pack tightly.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "chip/bm1684x/chip.h"
#include "chip/bm1684x/isa.h"
#include "ir/dtype.h"

namespace tpuc::bm1684x {

struct LmemBuffer {
  std::string name;
  DType dtype;
  std::vector<int64_t> extents;  // Halide dimension order, innermost first
  int lane_dim = 0;
  int64_t plane = 0;  // elements per channel slot in one lane
  int64_t slots = 0;  // channel slots per lane
  uint64_t addr = 0;  // lane-relative byte address
  int64_t bytes_per_lane() const { return slots * plane * bytes(dtype); }
};

class LmemAllocator {
 public:
  explicit LmemAllocator(const Chip& chip) : chip_(&chip) {}
  // Lays `b` out (its plane and slots) for this chip.
  void lay_out(LmemBuffer& b) const;
  // Lays `b` out and places it among the live buffers; false when no free range holds it, or when
  // its channel slot is longer than a command's channel stride can step (kMaxChannelStride).
  bool allocate(LmemBuffer& b);
  void release(uint64_t addr);
  int64_t live_bytes() const;
  int64_t peak_bytes() const { return peak_; }
  const std::vector<LmemBuffer>& placed() const {
    return placed_;
  }  // every buffer placed, in order

 private:
  const Chip* chip_;
  std::map<int64_t, int64_t> live_;  // start → bytes per lane
  int64_t cursor_ = 0;               // where the last placed buffer ended
  int64_t peak_ = 0;
  std::vector<LmemBuffer> placed_;
};

}  // namespace tpuc::bm1684x
