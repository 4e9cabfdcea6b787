// The end-to-end analysis (crmkit analyze without reading the file): analyze() on CDNOW with and without a
// holdout, rendering report.html, writing customers.csv; on the CRMKIT_BENCH_DATA files too.
#include <benchmark/benchmark.h>

#include <sstream>

#include "cdnow.hpp"
#include "crmkit/analysis/analysis.hpp"
#include "crmkit/io/date.hpp"
#include "files.hpp"

namespace {

using crmkit::bench::cdnow_master;

crmkit::analysis::Inputs cdnow_inputs() {
  crmkit::analysis::Inputs in;
  in.transactions = cdnow_master().view();
  in.ids = &cdnow_master().ids;
  return in;
}

void BM_AnalyzeCdnow(benchmark::State& state) {
  const auto in = cdnow_inputs();
  for (auto _ : state) {
    auto r = crmkit::analysis::analyze(in);
    benchmark::DoNotOptimize(r.customers.clv.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.transactions.size()));
}
BENCHMARK(BM_AnalyzeCdnow)->Unit(benchmark::kMillisecond);

void BM_AnalyzeCdnowHoldout(benchmark::State& state) {
  const auto in = cdnow_inputs();
  crmkit::analysis::Options o;
  o.calibration_end = crmkit::io::days_from_civil(1997, 9, 30);
  for (auto _ : state) {
    auto r = crmkit::analysis::analyze(in, o);
    benchmark::DoNotOptimize(r.holdout->actual_total);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.transactions.size()));
}
BENCHMARK(BM_AnalyzeCdnowHoldout)->Unit(benchmark::kMillisecond);

const crmkit::analysis::Results& cdnow_results() {
  static const auto r = [] {
    crmkit::analysis::Options o;
    o.calibration_end = crmkit::io::days_from_civil(1997, 9, 30);
    return crmkit::analysis::analyze(cdnow_inputs(), o);
  }();
  return r;
}

void BM_RenderReportCdnow(benchmark::State& state) {
  const auto& r = cdnow_results();
  for (auto _ : state) {
    auto html = crmkit::analysis::render_report(r);
    benchmark::DoNotOptimize(html.data());
  }
}
BENCHMARK(BM_RenderReportCdnow)->Unit(benchmark::kMillisecond);

void BM_CustomersCsvCdnow(benchmark::State& state) {
  const auto& r = cdnow_results();
  for (auto _ : state) {
    std::ostringstream os;
    crmkit::analysis::write_customers_csv(r, os);
    benchmark::DoNotOptimize(os.str().size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(r.n_customers));
}
BENCHMARK(BM_CustomersCsvCdnow)->Unit(benchmark::kMillisecond);

const int registered = [] {
  crmkit::bench::register_file_benchmarks("BM_AnalyzeFile", [](benchmark::State& state, const auto& view) {
    crmkit::analysis::Inputs in;
    in.transactions = view;
    for (auto _ : state) {
      auto r = crmkit::analysis::analyze(in);
      benchmark::DoNotOptimize(r.customers.clv.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(view.size()));
  });
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
