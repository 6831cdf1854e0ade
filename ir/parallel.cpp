#include "ir/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace tpuc {

size_t worker_count(size_t count) {
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, std::max<size_t>(count, 1));
}

void parallel_for(size_t count, const std::function<void(size_t worker, size_t item)>& work) {
  std::vector<std::exception_ptr> errors(count);
  std::atomic<size_t> next{0};
  auto worker = [&](size_t w) {
    for (size_t i; (i = next++) < count;) {
      try {
        work(w, i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < worker_count(count); ++w) threads.emplace_back(worker, w);
  worker(0);
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace tpuc
