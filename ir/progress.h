// Long work shows progress: "label: done/total" on stderr, rewritten in place (at most every 5%),
// advanced from any thread. The line ends when the Progress is destroyed.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>

namespace tpuc {

class Progress {
 public:
  Progress(bool shown, std::string label, size_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void advance();

 private:
  const bool shown_;
  const std::string label_;
  const size_t total_;
  size_t done_ = 0;
  std::mutex mutex_;
};

}  // namespace tpuc
