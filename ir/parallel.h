// Work shared out between the machine's cores. Items are handed out one at a time to whichever
// worker is free; `worker` (below worker_count(count)) lets a caller keep state per worker, such
// as an executor, that no two threads use at once.
#pragma once
#include <cstddef>
#include <functional>

namespace tpuc {

// The workers parallel_for uses for `count` items: the cores, at most `count`, at least one.
size_t worker_count(size_t count);

// Runs work(worker, item) for every item in [0, count). Once every worker has stopped, the
// exception of the first failing item (in item order) is rethrown.
void parallel_for(size_t count, const std::function<void(size_t worker, size_t item)>& work);

}  // namespace tpuc
