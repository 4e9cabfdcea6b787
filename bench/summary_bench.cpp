// Customer summaries from in-memory columns, against the floor: streaming the same columns once.
#include <benchmark/benchmark.h>

#include "crmkit/summary/summary.hpp"
#include "synthetic.hpp"

namespace {

const crmkit::bench::Synthetic& data(std::size_t rows) { return crmkit::bench::cached_synthetic(rows); }

// The floor: read every input column once (sum codes, times and amounts).
void BM_StreamColumns(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::uint64_t c = 0;
    std::int64_t t = 0;
    double a = 0;
    for (std::size_t i = 0; i < d.customer.size(); ++i) {
      c += d.customer[i];
      t += d.time[i];
      a += d.amount[i];
    }
    benchmark::DoNotOptimize(c);
    benchmark::DoNotOptimize(t);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Summary(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  crmkit::summary::SummaryOptions o;
  o.period = crmkit::summary::Period::Week;
  for (auto _ : state) {
    auto s = crmkit::summary::summarize(d.view(), o);
    benchmark::DoNotOptimize(s.frequency.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Compress(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  const auto s = crmkit::summary::summarize(d.view(), {});
  for (auto _ : state) {
    auto p = crmkit::summary::compress(s);
    benchmark::DoNotOptimize(p.weight.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(s.size()));
  state.counters["customers"] = static_cast<double>(s.size());
}

}  // namespace

BENCHMARK(BM_StreamColumns)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Summary)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compress)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
