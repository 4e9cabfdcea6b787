// Customer summaries (frequency, recency, T, monetary value) from in-memory columns, beside the floor
// of streaming the same columns once; compress() of the summaries into (x, t_x, T) patterns.
//  - .../<rows>: the synthetic log of bench/synthetic.hpp, 1e3 .. 1e7 rows (rows / 10 customers; the
//    1e7 case is 1M customers), generated once per process outside the timed loops;
//  - .../<file>: each file of CRMKIT_BENCH_DATA, ingested once outside the loops (the data the pandas
//    comparison reads);
//  - ...Cdnow: tests/data/CDNOW_master.txt.
// Items are rows (customers for compress).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "cdnow.hpp"
#include "crmkit/summary/summary.hpp"
#include "files.hpp"
#include "synthetic.hpp"

namespace {

using crmkit::core::TransactionsView;

void items(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void stream_columns(benchmark::State& state, const TransactionsView& v) {
  for (auto _ : state) {
    auto s = crmkit::bench::stream_once(v);
    benchmark::DoNotOptimize(s);
  }
  items(state, v.size());
}

void summary(benchmark::State& state, const TransactionsView& v) {
  std::size_t customers = 0;
  for (auto _ : state) {
    auto s = crmkit::summary::summarize(v);
    customers = s.size();
    benchmark::DoNotOptimize(s.frequency.data());
    benchmark::DoNotOptimize(s.monetary_value.data());
  }
  items(state, v.size());
  state.counters["customers"] = static_cast<double>(customers);
}

void compress(benchmark::State& state, const TransactionsView& v) {
  const auto s = crmkit::summary::summarize(v);
  std::size_t patterns = 0;
  for (auto _ : state) {
    auto p = crmkit::summary::compress(s);
    patterns = p.size();
    benchmark::DoNotOptimize(p.weight.data());
  }
  items(state, s.size());
  state.counters["customers"] = static_cast<double>(s.size());
  state.counters["patterns"] = static_cast<double>(patterns);
}

TransactionsView synthetic(const benchmark::State& state) {
  return crmkit::bench::cached_synthetic(static_cast<std::size_t>(state.range(0))).view();
}
void BM_StreamColumns(benchmark::State& state) { stream_columns(state, synthetic(state)); }
void BM_Summary(benchmark::State& state) { summary(state, synthetic(state)); }
void BM_Compress(benchmark::State& state) { compress(state, synthetic(state)); }
void BM_SummaryCdnow(benchmark::State& state) { summary(state, crmkit::bench::cdnow_master().view()); }
void BM_CompressCdnow(benchmark::State& state) { compress(state, crmkit::bench::cdnow_master().view()); }

using crmkit::bench::max_rows;
using crmkit::bench::min_rows;

}  // namespace

BENCHMARK(BM_StreamColumns)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Summary)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Compress)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SummaryCdnow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CompressCdnow)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  crmkit::bench::register_file_benchmarks("BM_StreamColumns", stream_columns);
  crmkit::bench::register_file_benchmarks("BM_Summary", summary);
  crmkit::bench::register_file_benchmarks("BM_Compress", compress);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
