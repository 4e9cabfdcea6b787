// Threads: how many one crmkit call may use, and the one helper that runs work on them.
//
// crmkit runs a few large passes (RFM over millions of rows, likelihood passes of model fits over many
// patterns) on several threads. Every such pass splits its work into tasks whose boundaries do not depend
// on the thread count and combines the tasks' partial results in task order, so results are bitwise the
// same whatever max_threads() is (tests check 1 against 2 threads). Small inputs stay on the calling thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace crmkit {

/// The most threads one crmkit call uses, >= 1, the calling thread included: the value of the last
/// set_max_threads(n > 0), else the environment variable CRMKIT_THREADS when it holds a positive integer
/// (read once, at the first call; other values are ignored), else std::thread::hardware_concurrency()
/// (1 when unknown), at most 256.
int max_threads() noexcept;

/// From now on, for the whole process: at most n threads per call (n > 0), or back to the default above
/// (n == 0). Throws InvalidArgument for n < 0. Calls already running keep their count.
void set_max_threads(int n);

namespace detail {

/// Calls fn(task) exactly once for every task in [0, tasks), on up to max_threads() threads (the calling
/// thread takes part; tasks go to whichever thread is free, in ascending order). fn must only write
/// results of its own task. Runs inline when one thread is allowed, when `tasks` < 2, or when a thread
/// cannot be started. When a task throws, the remaining unstarted tasks are skipped and the first
/// exception is rethrown on the calling thread after every thread has finished.
template <class F>
void parallel_tasks(std::size_t tasks, F&& fn) {
  const std::size_t threads = std::min<std::size_t>(static_cast<std::size_t>(max_threads()), tasks);
  if (threads <= 1) {
    for (std::size_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&]() noexcept {
    for (;;) {
      if (failed.load(std::memory_order_relaxed)) return;
      const std::size_t t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks) return;
      try {
        fn(t);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true, std::memory_order_relaxed);
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads: the ones started (and this one) do all the tasks
    }
  }
  work();
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

/// Splits [0, n) into fixed chunks of `chunk` items (the last may be shorter): the task count
/// parallel_tasks takes for a pass over n items. chunk must be > 0.
constexpr std::size_t chunk_count(std::size_t n, std::size_t chunk) noexcept { return (n + chunk - 1) / chunk; }

}  // namespace detail

}  // namespace crmkit
