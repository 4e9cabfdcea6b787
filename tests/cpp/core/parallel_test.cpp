// crmkit::max_threads / set_max_threads and detail::parallel_tasks (include/crmkit/core/parallel.hpp).
#include "crmkit/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "crmkit/core/error.hpp"

namespace {

// Restores the default limit when a test ends.
struct ThreadLimit {
  explicit ThreadLimit(int n) { crmkit::set_max_threads(n); }
  ~ThreadLimit() { crmkit::set_max_threads(0); }
};

TEST(Parallel, SetAndRestoreTheLimit) {
  const int def = crmkit::max_threads();
  EXPECT_GE(def, 1);
  {
    ThreadLimit limit(3);
    EXPECT_EQ(crmkit::max_threads(), 3);
    crmkit::set_max_threads(1);
    EXPECT_EQ(crmkit::max_threads(), 1);
  }
  EXPECT_EQ(crmkit::max_threads(), def);
  crmkit::set_max_threads(100000);
  EXPECT_EQ(crmkit::max_threads(), 256);  // capped
  crmkit::set_max_threads(0);
  EXPECT_THROW(crmkit::set_max_threads(-1), crmkit::InvalidArgument);
  EXPECT_EQ(crmkit::max_threads(), def);  // a rejected value changes nothing
}

TEST(Parallel, EveryTaskRunsExactlyOnceOnAtMostTheLimit) {
  for (const int limit : {1, 2, 4}) {
    ThreadLimit l(limit);
    for (const std::size_t tasks : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{1000}}) {
      std::vector<std::atomic<int>> runs(tasks);
      std::mutex m;
      std::set<std::thread::id> ids;
      crmkit::detail::parallel_tasks(tasks, [&](std::size_t t) {
        runs[t].fetch_add(1);
        const std::lock_guard<std::mutex> lock(m);
        ids.insert(std::this_thread::get_id());
      });
      for (std::size_t t = 0; t < tasks; ++t) EXPECT_EQ(runs[t].load(), 1) << "task " << t << " limit " << limit;
      EXPECT_LE(ids.size(), static_cast<std::size_t>(limit));
      if (limit == 1 && tasks > 0) {
        EXPECT_EQ(ids.size(), 1u);
        EXPECT_EQ(*ids.begin(), std::this_thread::get_id());  // inline on the caller
      }
    }
  }
}

TEST(Parallel, PartialResultsCombinedInTaskOrderAreTheSameForAnyThreadCount) {
  // sums of 1/(i+1) in fixed chunks, combined in chunk order: bitwise equal for 1, 2 and 5 threads
  constexpr std::size_t n = 200000, chunk = 4096;
  auto run = [&](int limit) {
    ThreadLimit l(limit);
    std::vector<double> part(crmkit::detail::chunk_count(n, chunk), 0.0);
    crmkit::detail::parallel_tasks(part.size(), [&](std::size_t t) {
      double s = 0;
      for (std::size_t i = t * chunk; i < std::min(n, (t + 1) * chunk); ++i) s += 1.0 / static_cast<double>(i + 1);
      part[t] = s;
    });
    return std::accumulate(part.begin(), part.end(), 0.0);
  };
  const double one = run(1);
  EXPECT_NEAR(one, 12.7832908104, 1e-9);  // H(200000) = ln(200000) + 0.5772156649 + 1/(2n) - ...
  EXPECT_EQ(run(2), one);
  EXPECT_EQ(run(5), one);
}

TEST(Parallel, TheFirstExceptionReachesTheCaller) {
  for (const int limit : {1, 2}) {
    ThreadLimit l(limit);
    std::atomic<int> ran{0};
    EXPECT_THROW(crmkit::detail::parallel_tasks(100,
                                                [&](std::size_t t) {
                                                  ran.fetch_add(1);
                                                  if (t == 3) throw std::runtime_error("task 3");
                                                }),
                 std::runtime_error);
    EXPECT_GE(ran.load(), 4);
    EXPECT_LE(ran.load(), 100);
  }
}

TEST(Parallel, ChunkCount) {
  EXPECT_EQ(crmkit::detail::chunk_count(0, 10), 0u);
  EXPECT_EQ(crmkit::detail::chunk_count(10, 10), 1u);
  EXPECT_EQ(crmkit::detail::chunk_count(11, 10), 2u);
}

}  // namespace
