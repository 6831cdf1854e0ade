#include "ir/progress.h"

#include <cstdio>

namespace tpuc {

Progress::Progress(bool shown, std::string label, size_t total)
    : shown_(shown), label_(std::move(label)), total_(total) {}

Progress::~Progress() {
  if (shown_ && done_) std::fprintf(stderr, "\n");
}

void Progress::advance() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (shown_ && (done_ * 20 / total_ != (done_ - 1) * 20 / total_ || done_ == total_))
    std::fprintf(stderr, "\r%s: %zu/%zu", label_.c_str(), done_, total_);
}

}  // namespace tpuc
