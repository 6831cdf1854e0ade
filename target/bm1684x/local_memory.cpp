#include "target/bm1684x/local_memory.h"

#include <algorithm>

#include "ir/diagnostics.h"

namespace tpuc::bm1684x {

void LocalMemory::place(LmemBuffer b) {
  if (!allocator_.allocate(b))
    throw LmemOverflow{allocator_.live_bytes() + b.bytes_per_lane(), chip_.lmem_bytes};
  placed_.push_back(b);
  live_[b.name] = b;
}

void LocalMemory::place_view(LmemBuffer b) {
  allocator_.lay_out(b);
  views_[b.name] = {};
  live_[b.name] = b;
}

void LocalMemory::describe_view(const std::string& view, PaddedView v) {
  view_sources_.push_back({view, v.source});
  views_.at(view) = std::move(v);
}

void LocalMemory::release(const std::string& name) {
  auto it = live_.find(name);
  if (it == live_.end()) return;
  const bool read_by_view = std::any_of(views_.begin(), views_.end(),
                                        [&](const auto& v) { return v.second.source == name; });
  if (read_by_view) {
    held_.insert(name);
    return;
  }
  auto view = views_.find(name);
  if (view == views_.end()) {
    allocator_.release(it->second.addr);
  } else {
    const std::string source = view->second.source;
    views_.erase(view);
    if (held_.erase(source)) release(source);
  }
  live_.erase(name);
}

const LmemBuffer& LocalMemory::buffer(const std::string& name) const {
  auto it = live_.find(name);
  if (it == live_.end()) TPUC_INTERNAL_ERROR("buffer '" + name + "' is not in local memory here");
  return it->second;
}

const PaddedView* LocalMemory::view(const std::string& name) const {
  auto it = views_.find(name);
  return it == views_.end() ? nullptr : &it->second;
}

}  // namespace tpuc::bm1684x
