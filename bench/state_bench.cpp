// Summary states (issue 14): what keying the summary by customer id costs, and what a daily refresh
// costs against recomputing the summary from the whole history.
//  - BM_StateBuild/<rows>:      State::from_transactions over the synthetic log (ids: decimal codes);
//                               compare BM_Summary/<rows> in summary_bench, the same summary by code;
//  - BM_StateRefreshDay/<rows>: the state of every day but the last, plus the last day's rows (add);
//                               the state is copied outside the timed region;
//  - BM_StateSave/<rows>, BM_StateLoad/<rows>: serialize / deserialize (the file's bytes in memory).
// The refresh of the CLI is load + add + save; a recomputation is a parse and a summary of everything.
// Items: rows for build, the last day's rows for refresh, customers for save and load.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

#include "crmkit/summary/state.hpp"
#include "synthetic.hpp"

namespace {

using crmkit::core::TransactionsView;
using crmkit::summary::State;

std::string decimal(std::uint32_t c) { return std::to_string(c); }

// The synthetic log (rows in day order) cut before its last day.
struct Cut {
  TransactionsView before, last_day;
};

Cut cut(std::size_t rows) {
  const TransactionsView v = crmkit::bench::cached_synthetic(rows).view();
  const std::int64_t last = v.time[v.size() - 1];
  const auto at = static_cast<std::size_t>(std::lower_bound(v.time.begin(), v.time.end(), last) - v.time.begin());
  Cut c{v, v};
  c.before.customer = v.customer.first(at);
  c.before.time = v.time.first(at);
  c.before.amount = v.amount.first(at);
  c.last_day.customer = v.customer.subspan(at);
  c.last_day.time = v.time.subspan(at);
  c.last_day.amount = v.amount.subspan(at);
  return c;
}

const State& state_before_last_day(std::size_t rows) {
  static std::map<std::size_t, State> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, State::from_transactions(cut(rows).before, decimal)).first;
  return it->second;
}

void BM_StateBuild(benchmark::State& state) {
  const TransactionsView v = crmkit::bench::cached_synthetic(static_cast<std::size_t>(state.range(0))).view();
  std::size_t customers = 0;
  for (auto _ : state) {
    State s = State::from_transactions(v, decimal);
    customers = s.size();
    benchmark::DoNotOptimize(customers);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * v.size()));
  state.counters["customers"] = static_cast<double>(customers);
}

void BM_StateRefreshDay(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const Cut c = cut(rows);
  const State& base = state_before_last_day(rows);
  for (auto _ : state) {
    state.PauseTiming();
    State s = base;
    state.ResumeTiming();
    s.add(c.last_day, decimal);
    benchmark::DoNotOptimize(s.rows());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.last_day.size()));
  state.counters["day_rows"] = static_cast<double>(c.last_day.size());
  state.counters["customers"] = static_cast<double>(base.size());
}

void BM_StateSave(benchmark::State& state) {
  const State& s = state_before_last_day(static_cast<std::size_t>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string b = s.serialize();
    bytes = b.size();
    benchmark::DoNotOptimize(b.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
}

void BM_StateLoad(benchmark::State& state) {
  const State& s = state_before_last_day(static_cast<std::size_t>(state.range(0)));
  const std::string b = s.serialize();
  for (auto _ : state) {
    State back = State::deserialize(b);
    benchmark::DoNotOptimize(back.size());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}

using crmkit::bench::max_rows;

}  // namespace

BENCHMARK(BM_StateBuild)->RangeMultiplier(100)->Range(10000, max_rows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StateRefreshDay)->RangeMultiplier(100)->Range(10000, max_rows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StateSave)->RangeMultiplier(100)->Range(10000, max_rows)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StateLoad)->RangeMultiplier(100)->Range(10000, max_rows)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
