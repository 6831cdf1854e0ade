// The local buffers of one layer as the command generator walks its loops: which are live at this
// point, where each sits (placed by the model's LmemAllocator when its Allocate is reached), and
// the padded views — a window op's padded input, never stored, whose reads are reads of its source
// through the command's padding fields. A view keeps its source alive: Halide frees the source
// after the view's nest, its last reader, but the commands reading the view read the source.
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "target/bm1684x/lmem_allocator.h"

namespace tpuc::bm1684x {

// Thrown when a local buffer does not fit beside the live ones; the caller retries with smaller
// tiles.
struct LmemOverflow {
  int64_t needed, available;
};

// A padded view: its source buffer, the source coordinate of each of its own minus `offset`, the
// box [begin, end) of its coordinates the source covers, and what the rest reads.
struct PaddedView {
  std::string source;
  std::vector<int64_t> offset, begin, end;
  double value = 0;
};

class LocalMemory {
 public:
  LocalMemory(const Chip& chip, LmemAllocator& allocator) : chip_(chip), allocator_(allocator) {}

  // A buffer placed among the live ones (LmemOverflow when it does not fit), or, for a padded
  // view, only laid out for its coordinates (its source is recorded with `describe_view`).
  void place(LmemBuffer b);
  void place_view(LmemBuffer b);
  void describe_view(const std::string& view, PaddedView v);
  // Frees a buffer (its view's source with it, once the view is gone; a source still read by a
  // view stays until then). Unknown names are ignored: DDR buffers are not freed here.
  void release(const std::string& name);

  bool is_local(const std::string& name) const { return live_.count(name) != 0; }
  // The live local buffer `name`; an internal error when there is none.
  const LmemBuffer& buffer(const std::string& name) const;
  // The padded view `name`, or nullptr when it is not one.
  const PaddedView* view(const std::string& name) const;

  const std::vector<LmemBuffer>& placed() const { return placed_; }  // in the order placed
  const std::vector<std::pair<std::string, std::string>>& views() const { return view_sources_; }

 private:
  const Chip& chip_;
  LmemAllocator& allocator_;
  std::map<std::string, LmemBuffer> live_;
  std::map<std::string, PaddedView> views_;
  std::set<std::string> held_;  // sources freed while a view still reads them
  std::vector<LmemBuffer> placed_;
  std::vector<std::pair<std::string, std::string>> view_sources_;  // (view, source), in order
};

}  // namespace tpuc::bm1684x
