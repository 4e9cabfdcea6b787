// RFM (values, scores, segments) from in-memory columns.
#include <benchmark/benchmark.h>

#include "crmkit/rfm/rfm.hpp"
#include "synthetic.hpp"

namespace {

const crmkit::bench::Synthetic& data(std::size_t rows) { return crmkit::bench::cached_synthetic(rows); }

void BM_Rfm(benchmark::State& state) {
  const auto& d = data(static_cast<std::size_t>(state.range(0)));
  const auto grid = crmkit::rfm::Segmentation::rf_grid();
  for (auto _ : state) {
    auto t = crmkit::rfm::compute(d.view());
    auto seg = crmkit::rfm::assign(t, grid);
    benchmark::DoNotOptimize(seg.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(BM_Rfm)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
