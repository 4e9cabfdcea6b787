// RFM from in-memory columns: values and scores (rfm::compute), and with the 10-segment R-F grid
// (compute + assign), beside the floor of streaming the same input columns once (as in
// summary_bench, repeated here so the ratio comes from one run of one binary).
//  - BM_StreamColumns, BM_Rfm, BM_RfmSegments: one thread (crmkit::set_max_threads(1));
//  - BM_StreamColumns2T, BM_Rfm2T: two threads (the floor: each thread streams half the rows).
// BM_StreamColumns* and BM_Rfm* report wall time (real_time) and the CPU time of the whole process,
// all threads included (cpu_time), and decide the iteration count by wall time.
//  - .../<rows>: the synthetic log of bench/synthetic.hpp, 1e3 .. 1e7 rows (rows / 10 customers),
//    generated once per process outside the timed loops;
//  - .../<file>: each file of CRMKIT_BENCH_DATA, ingested once outside the loops (the data the pandas
//    comparison reads);
//  - BM_RfmSegmentsCdnow: tests/data/CDNOW_master.txt;
//  - BM_ScatterFloor, BM_ScatterFloor2T (files only): the bare per-customer update that any RFM pass
//    needs, a second floor beside BM_StreamColumns: every row adds its amount to, counts and maxes its
//    day into a 16-byte record of its customer (prefetched as rfm::compute does), with no checks, no scoring, no
//    outputs, into records allocated and faulted in once outside the timed loop and zeroed (memset,
//    timed) per iteration; 2T: each thread the same over half of the rows into its own records.
// Items are rows.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "cdnow.hpp"
#include "crmkit/core/detail/huge_pages.hpp"
#include "crmkit/core/parallel.hpp"
#include "crmkit/rfm/rfm.hpp"
#include "files.hpp"
#include "synthetic.hpp"

namespace {

using crmkit::core::TransactionsView;

void items(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// crmkit's thread limit for one benchmark, back to the default after it
struct Threads {
  explicit Threads(int n) { crmkit::set_max_threads(n); }
  ~Threads() { crmkit::set_max_threads(0); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
};

// `threads` threads each stream a contiguous share of the rows, partial sums combined in order
void stream_columns_n(benchmark::State& state, const TransactionsView& v, int threads) {
  const Threads limit(threads);
  const auto parts = static_cast<std::size_t>(threads);
  for (auto _ : state) {
    std::vector<crmkit::bench::StreamSums> part(parts);
    crmkit::detail::parallel_tasks(parts, [&](std::size_t j) {
      const std::size_t b = v.size() * j / parts, e = v.size() * (j + 1) / parts;
      TransactionsView slice = v;
      slice.customer = v.customer.subspan(b, e - b);
      slice.time = v.time.subspan(b, e - b);
      slice.amount = v.amount.subspan(b, e - b);
      part[j] = crmkit::bench::stream_once(slice);
    });
    benchmark::DoNotOptimize(part.data());
  }
  items(state, v.size());
}
void stream_columns(benchmark::State& state, const TransactionsView& v) { stream_columns_n(state, v, 1); }
void stream_columns_2t(benchmark::State& state, const TransactionsView& v) { stream_columns_n(state, v, 2); }

void rfm_scores_n(benchmark::State& state, const TransactionsView& v, int threads) {
  const Threads limit(threads);
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
  state.counters["threads"] = threads;
}
void rfm_scores(benchmark::State& state, const TransactionsView& v) { rfm_scores_n(state, v, 1); }
void rfm_scores_2t(benchmark::State& state, const TransactionsView& v) { rfm_scores_n(state, v, 2); }

// the bare update loop of BM_ScatterFloor over rows [b, e)
struct FloorRec16 {
  double spend;
  std::uint32_t last;
  std::uint32_t count;
};
void scatter_rows(const TransactionsView& v, std::size_t b, std::size_t e, FloorRec16* rec) {
  constexpr std::size_t ahead = 64;
  const std::int64_t base = v.time[0];
  for (std::size_t i = b; i < e; ++i) {
    if ((i & 7) == 0 && i + 1024 < e) {  // the columns far ahead, non-temporal (as rfm::compute does)
      __builtin_prefetch(&v.customer[i + 1024], 0, 0);
      __builtin_prefetch(&v.time[i + 1024], 0, 0);
      __builtin_prefetch(&v.amount[i + 1024], 0, 0);
    }
    if (i + ahead < e) __builtin_prefetch(&rec[v.customer[i + ahead]], 1);
    FloorRec16& r = rec[v.customer[i]];
    r.last = std::max(r.last, static_cast<std::uint32_t>(v.time[i] - base));
    ++r.count;
    r.spend += v.amount[i];
  }
}

void scatter_floor_n(benchmark::State& state, const TransactionsView& v, std::size_t parts) {
  std::vector<std::vector<FloorRec16>> rec(parts, std::vector<FloorRec16>(v.n_customers));  // faulted in once
  for (auto& r : rec) crmkit::detail::advise_huge_pages(r.data(), r.size() * sizeof(FloorRec16));
  const Threads limit(static_cast<int>(parts));
  for (auto _ : state) {
    crmkit::detail::parallel_tasks(parts, [&](std::size_t j) {
      std::memset(static_cast<void*>(rec[j].data()), 0, rec[j].size() * sizeof(FloorRec16));
      scatter_rows(v, v.size() * j / parts, v.size() * (j + 1) / parts, rec[j].data());
    });
    benchmark::DoNotOptimize(rec.data());
    benchmark::ClobberMemory();
  }
  items(state, v.size());
}
void scatter_floor(benchmark::State& state, const TransactionsView& v) { scatter_floor_n(state, v, 1); }
void scatter_floor_2t(benchmark::State& state, const TransactionsView& v) { scatter_floor_n(state, v, 2); }

void rfm_segments(benchmark::State& state, const TransactionsView& v) {
  const Threads limit(1);
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
void BM_StreamColumns2T(benchmark::State& state) { stream_columns_2t(state, synthetic(state)); }
void BM_Rfm(benchmark::State& state) { rfm_scores(state, synthetic(state)); }
void BM_Rfm2T(benchmark::State& state) { rfm_scores_2t(state, synthetic(state)); }
void BM_RfmSegments(benchmark::State& state) { rfm_segments(state, synthetic(state)); }
void BM_RfmSegmentsCdnow(benchmark::State& state) { rfm_segments(state, crmkit::bench::cdnow_master().view()); }

using crmkit::bench::max_rows;
using crmkit::bench::min_rows;

// As register_file_benchmarks, with wall time and whole-process CPU time.
void register_file_timed(const std::string& prefix, void (*fn)(benchmark::State&, const TransactionsView&)) {
  for (const auto& path : crmkit::bench::bench_data_paths()) {
    benchmark::RegisterBenchmark((prefix + "/" + crmkit::bench::base_name(path)).c_str(),
                                 [path, fn](benchmark::State& state) { fn(state, crmkit::bench::loaded(path).view()); })
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime()
        ->UseRealTime();
  }
}

}  // namespace

BENCHMARK(BM_StreamColumns)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_StreamColumns2T)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_Rfm)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_Rfm2T)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond)
    ->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(BM_RfmSegments)->RangeMultiplier(10)->Range(min_rows, max_rows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RfmSegmentsCdnow)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  register_file_timed("BM_StreamColumns", stream_columns);
  register_file_timed("BM_StreamColumns2T", stream_columns_2t);
  register_file_timed("BM_Rfm", rfm_scores);
  register_file_timed("BM_Rfm2T", rfm_scores_2t);
  register_file_timed("BM_ScatterFloor", scatter_floor);
  register_file_timed("BM_ScatterFloor2T", scatter_floor_2t);
  crmkit::bench::register_file_benchmarks("BM_RfmSegments", rfm_segments);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
