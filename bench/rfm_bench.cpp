// RFM from in-memory columns: values and scores (rfm::compute), and with the 10-segment R-F grid
// (compute + assign), beside the floor of streaming the same input columns once (as in
// summary_bench, repeated here so the ratio comes from one run of one binary).
//  - .../<rows>: the synthetic log of bench/synthetic.hpp, 1e3 .. 1e7 rows (rows / 10 customers),
//    generated once per process outside the timed loops;
//  - .../<file>: each file of CRMKIT_BENCH_DATA, ingested once outside the loops (the data the pandas
//    comparison reads);
//  - BM_RfmSegmentsCdnow: tests/data/CDNOW_master.txt.
// Items are rows.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "cdnow.hpp"
#include "crmkit/rfm/rfm.hpp"
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

void rfm_scores(benchmark::State& state, const TransactionsView& v) {
  std::size_t customers = 0;
  for (auto _ : state) {
    auto t = crmkit::rfm::compute(v);
    customers = t.size();
    benchmark::DoNotOptimize(t.r.data());
    benchmark::DoNotOptimize(t.f.data());
    benchmark::DoNotOptimize(t.m.data());
  }
  items(state, v.size());
  state.counters["customers"] = static_cast<double>(customers);
}

void rfm_segments(benchmark::State& state, const TransactionsView& v) {
  const auto grid = crmkit::rfm::Segmentation::rf_grid();
  for (auto _ : state) {
    auto t = crmkit::rfm::compute(v);
    auto seg = crmkit::rfm::assign(t, grid);
    benchmark::DoNotOptimize(seg.data());
  }
  items(state, v.size());
}

TransactionsView synthetic(const benchmark::State& state) {
  return crmkit::bench::cached_synthetic(static_cast<std::size_t>(state.range(0))).view();
}
void BM_StreamColumns(benchmark::State& state) { stream_columns(state, synthetic(state)); }
void BM_Rfm(benchmark::State& state) { rfm_scores(state, synthetic(state)); }
void BM_RfmSegments(benchmark::State& state) { rfm_segments(state, synthetic(state)); }
void BM_RfmSegmentsCdnow(benchmark::State& state) { rfm_segments(state, crmkit::bench::cdnow_master().view()); }

using crmkit::bench::max_rows;
using crmkit::bench::min_rows;

}  // namespace

BENCHMARK(BM_StreamColumns)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Rfm)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RfmSegments)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RfmSegmentsCdnow)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  crmkit::bench::register_file_benchmarks("BM_StreamColumns", stream_columns);
  crmkit::bench::register_file_benchmarks("BM_Rfm", rfm_scores);
  crmkit::bench::register_file_benchmarks("BM_RfmSegments", rfm_segments);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
