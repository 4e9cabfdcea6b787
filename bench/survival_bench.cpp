// Kaplan-Meier and cohort retention, in memory. Items are rows.
//  - BM_KaplanMeier/<n>: n durations, 1e3 .. 1e6 (exponential, mean 365 days, floored to whole days so
//    times tie as in customer data; 40 % censored; fixed seed), one curve, log intervals;
//  - BM_KaplanMeierGroups/<n>: the same in 4 groups with the log-rank test;
//  - BM_Cohorts/<rows>: monthly cohort matrices of bench/synthetic.hpp's log, 1e3 .. 1e7 rows (rows in
//    day order, so the per-customer order path; 730 days = 24 months);
//  - BM_CohortsShuffled/<rows>: the same log with rows shuffled (the sort path);
//  - BM_Durations/<rows>: (duration, event) per customer with inactive_days = 90.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "crmkit/churn/cohorts.hpp"
#include "crmkit/churn/survival.hpp"
#include "synthetic.hpp"

namespace {

struct Durations {
  std::vector<double> t, e;
  std::vector<std::uint32_t> g;
};

const Durations& durations(std::size_t n) {
  static std::map<std::size_t, Durations> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  Durations d;
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> life(1.0 / 365.0);
  std::bernoulli_distribution censored(0.4);
  for (std::size_t i = 0; i < n; ++i) {
    d.t.push_back(std::floor(life(rng)));
    d.e.push_back(censored(rng) ? 0.0 : 1.0);
    d.g.push_back(static_cast<std::uint32_t>(rng() % 4));
  }
  return cache.emplace(n, std::move(d)).first->second;
}

const crmkit::bench::Synthetic& log_of(std::size_t rows, bool shuffled) {
  static std::map<std::pair<std::size_t, bool>, crmkit::bench::Synthetic> cache;
  auto it = cache.find({rows, shuffled});
  if (it != cache.end()) return it->second;
  crmkit::bench::Synthetic s = crmkit::bench::make_synthetic(rows);
  if (shuffled) {
    std::vector<std::size_t> idx(s.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::shuffle(idx.begin(), idx.end(), std::mt19937_64(7));
    crmkit::bench::Synthetic r = s;
    for (std::size_t i = 0; i < idx.size(); ++i) {
      r.customer[i] = s.customer[idx[i]];
      r.time[i] = s.time[idx[i]];
      r.amount[i] = s.amount[idx[i]];
    }
    s = std::move(r);
  }
  return cache.emplace(std::make_pair(rows, shuffled), std::move(s)).first->second;
}

void BM_KaplanMeier(benchmark::State& state) {
  const Durations& d = durations(static_cast<std::size_t>(state.range(0)));
  crmkit::churn::SurvivalInput in;
  in.duration = d.t;
  in.event = d.e;
  for (auto _ : state) {
    auto km = crmkit::churn::kaplan_meier(in);
    benchmark::DoNotOptimize(km.curves[0].survival.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KaplanMeier)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);

void BM_KaplanMeierGroups(benchmark::State& state) {
  const Durations& d = durations(static_cast<std::size_t>(state.range(0)));
  crmkit::churn::SurvivalInput in;
  in.duration = d.t;
  in.event = d.e;
  in.group = d.g;
  for (auto _ : state) {
    auto km = crmkit::churn::kaplan_meier(in);
    benchmark::DoNotOptimize(km.logrank.chi_square);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KaplanMeierGroups)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);

void cohorts(benchmark::State& state, bool shuffled) {
  const auto& s = log_of(static_cast<std::size_t>(state.range(0)), shuffled);
  for (auto _ : state) {
    auto t = crmkit::churn::cohort_retention(s.view());
    benchmark::DoNotOptimize(t.active.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
void BM_Cohorts(benchmark::State& state) { cohorts(state, false); }
void BM_CohortsShuffled(benchmark::State& state) { cohorts(state, true); }
BENCHMARK(BM_Cohorts)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CohortsShuffled)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

void BM_Durations(benchmark::State& state) {
  const auto& s = log_of(static_cast<std::size_t>(state.range(0)), false);
  for (auto _ : state) {
    auto d = crmkit::churn::durations_from_transactions(s.view());
    benchmark::DoNotOptimize(d.duration.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Durations)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
