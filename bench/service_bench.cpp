// Service metrics of synthetic interaction logs in memory, 1e3 .. 1e7 interactions. Items are rows.
//  - 4 channels, 3 priority tiers, csat 1..5, ces 1..7, first-response minutes (exponential, mean
//    per tier), first-contact resolution 0/1, ~5 % blanks per metric (fixed seed);
//  - BM_ServiceByChannel/<rows>: every metric overall and per channel (the pandas groupby work);
//  - BM_ServiceOverall/<rows>: the same without a group column;
//  - BM_NpsBySegment/<rows>: NPS of 0..10 scores per segment (8 segments).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crmkit/service/abtest.hpp"
#include "crmkit/service/metrics.hpp"

namespace {

struct Log {
  std::vector<double> csat, ces, minutes, nps;
  std::vector<std::int8_t> fcr;
  std::vector<std::uint32_t> priority, channel, segment;
  std::vector<std::string> priority_names{"urgent", "normal", "complex"};
  std::vector<std::string> channel_names{"email", "phone", "chat", "web"};
  std::vector<std::string> segment_names{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"};
};

Log make(std::size_t n) {
  Log l;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double mean_minutes[3] = {25, 200, 900};
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = static_cast<std::uint32_t>(rng() % 3);
    l.priority.push_back(p);
    l.channel.push_back(static_cast<std::uint32_t>(rng() % 4));
    l.segment.push_back(static_cast<std::uint32_t>(rng() % 8));
    l.csat.push_back(u(rng) < 0.05 ? nan : static_cast<double>(1 + rng() % 5));
    l.ces.push_back(u(rng) < 0.05 ? nan : static_cast<double>(1 + rng() % 7));
    l.minutes.push_back(u(rng) < 0.05 ? nan : std::round(-mean_minutes[p] * std::log(1 - u(rng))));
    l.fcr.push_back(static_cast<std::int8_t>(u(rng) < 0.05 ? -1 : u(rng) < 0.7));
    l.nps.push_back(u(rng) < 0.05 ? nan : static_cast<double>(rng() % 11));
  }
  return l;
}

const Log& cached(std::size_t n) {
  static std::map<std::size_t, Log> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, make(n)).first;
  return it->second;
}

crmkit::service::ServiceColumns columns(const Log& l) {
  crmkit::service::ServiceColumns c;
  c.csat = l.csat;
  c.ces = l.ces;
  c.first_response_minutes = l.minutes;
  c.resolved_first_contact = l.fcr;
  c.priority = l.priority;
  c.priority_names = l.priority_names;
  return c;
}

void BM_ServiceByChannel(benchmark::State& state) {
  const Log& l = cached(static_cast<std::size_t>(state.range(0)));
  const auto c = columns(l);
  for (auto _ : state) {
    auto r = crmkit::service::service_metrics(c, l.channel, l.channel_names);
    benchmark::DoNotOptimize(r.groups.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ServiceByChannel)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

void BM_ServiceOverall(benchmark::State& state) {
  const Log& l = cached(static_cast<std::size_t>(state.range(0)));
  const auto c = columns(l);
  for (auto _ : state) {
    auto r = crmkit::service::service_metrics(c);
    benchmark::DoNotOptimize(r.overall.csat.csat);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ServiceOverall)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

void BM_NpsBySegment(benchmark::State& state) {
  const Log& l = cached(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto r = crmkit::service::nps_by(l.nps, l.segment, l.segment_names);
    benchmark::DoNotOptimize(r.overall.score);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NpsBySegment)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

void BM_AbTest(benchmark::State& state) {
  std::int64_t s = 0;
  for (auto _ : state) {
    auto r = crmkit::service::two_proportion_test(480 + (s & 7), 8000, 560, 7000);
    benchmark::DoNotOptimize(r.ci_low);
    ++s;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AbTest);

}  // namespace

BENCHMARK_MAIN();
