// CLV models: fits on the full CDNOW log and on 1M synthetic customers, and CLV for 1M customers.
// Reference points from the issue (lifetimes, measured by the author): BG/NBD on the 23,570 CDNOW
// customers ~0.5 s, BG/NBD on 1M customers ~15 s, 12-month CLV for 1M customers ~12.5 s.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cdnow.hpp"
#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/gamma_gamma.hpp"
#include "crmkit/clv/mbg_nbd.hpp"
#include "crmkit/clv/pareto_nbd.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/clv/sbg.hpp"
#include "crmkit/clv/tracking.hpp"
#include "crmkit/summary/summary.hpp"

namespace {

using namespace crmkit;

const summary::CustomerSummary& cdnow_weekly() {
  static const summary::CustomerSummary s = [] {
    summary::SummaryOptions o;
    o.period = summary::Period::Week;
    return summary::summarize(bench::cdnow_master().view(), o);
  }();
  return s;
}

// 1M customers in days over a year: x ~ Poisson(mean 2), t_x uniform in [0, T], T uniform whole days in
// [30, 365], mean spend lognormal around 40. Fixed seed.
struct Synthetic {
  std::vector<double> x, tx, T, m;
};
const Synthetic& synthetic_1m() {
  static const Synthetic s = [] {
    Synthetic d;
    std::mt19937_64 rng(42);
    std::poisson_distribution<int> pois(2.0);
    std::uniform_int_distribution<int> age(30, 365);
    std::lognormal_distribution<double> spend(3.6, 0.5);
    const std::size_t n = 1'000'000;
    d.x.resize(n), d.tx.resize(n), d.T.resize(n), d.m.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      d.T[i] = age(rng);
      d.x[i] = pois(rng);
      d.tx[i] = d.x[i] > 0 ? std::floor(std::uniform_real_distribution<double>(1, d.T[i])(rng)) : 0;
      d.m[i] = d.x[i] > 0 ? spend(rng) : 0;
    }
    return d;
  }();
  return s;
}

// 1M customers simulated from BG/NBD itself (r = 0.5, alpha = 80 days, a = 0.8, b = 2.5; ages uniform whole
// days in [30, 365]; purchase times rounded down to whole days), so the likelihood has an interior maximum.
// (synthetic_1m above is not BG/NBD data: x is independent of T and t_x, and its likelihood rises towards
// a, b -> inf, the case BgNbd::fit reports as FitStatus::Boundary.) Fixed seed.
const Synthetic& simulated_bgnbd_1m() {
  static const Synthetic s = [] {
    Synthetic d;
    std::mt19937_64 rng(7);
    std::gamma_distribution<double> rate(0.5, 1.0 / 80.0);
    std::gamma_distribution<double> ga(0.8, 1.0), gb(2.5, 1.0);
    std::uniform_int_distribution<int> age(30, 365);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::size_t n = 1'000'000;
    d.x.resize(n), d.tx.resize(n), d.T.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double T = age(rng), lambda = rate(rng);
      const double u = ga(rng), v = gb(rng), p = u / (u + v);
      double t = 0, x = 0, tx = 0;
      std::exponential_distribution<double> gap(lambda);
      for (;;) {
        t += gap(rng);
        if (t > T) break;
        x += 1;
        tx = std::floor(t);
        if (unit(rng) < p) break;
      }
      d.x[i] = x;
      d.tx[i] = tx;
      d.T[i] = T;
    }
    return d;
  }();
  return s;
}

void BM_BgNbdFit_CdnowFull(benchmark::State& st) {
  const auto& s = cdnow_weekly();
  for (auto _ : st) benchmark::DoNotOptimize(clv::BgNbd::fit(s.frequency, s.recency, s.T));
  st.counters["customers"] = static_cast<double>(s.size());
}
// Wall time is the "fit time"; process CPU time counts every thread's work (the 1M fit's likelihood
// passes run on up to max_threads() threads).
BENCHMARK(BM_BgNbdFit_CdnowFull)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

void BM_ParetoNbdFit_CdnowFull(benchmark::State& st) {
  const auto& s = cdnow_weekly();
  for (auto _ : st) benchmark::DoNotOptimize(clv::ParetoNbd::fit(s.frequency, s.recency, s.T));
  st.counters["customers"] = static_cast<double>(s.size());
}
BENCHMARK(BM_ParetoNbdFit_CdnowFull)->Unit(benchmark::kMillisecond);

void BM_MbgNbdFit_CdnowFull(benchmark::State& st) {
  const auto& s = cdnow_weekly();
  for (auto _ : st) benchmark::DoNotOptimize(clv::MbgNbd::fit(s.frequency, s.recency, s.T));
}
BENCHMARK(BM_MbgNbdFit_CdnowFull)->Unit(benchmark::kMillisecond);

// Pareto/NBD predictions for every CDNOW customer: P(alive), 39-week expectation and DERT.
void BM_ParetoNbdPredict_CdnowFull(benchmark::State& st) {
  const auto& s = cdnow_weekly();
  const clv::ParetoNbdParams p{0.5534, 10.5796, 0.6061, 11.6650};
  std::vector<double> a(s.size()), e(s.size()), d(s.size());
  for (auto _ : st) {
    clv::p_alive(p, s.frequency, s.recency, s.T, a);
    clv::conditional_expected_purchases(p, 39.0, s.frequency, s.recency, s.T, e);
    clv::dert(p, 0.0027, s.frequency, s.recency, s.T, d);
    benchmark::DoNotOptimize(d.data());
  }
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(s.size()));
}
BENCHMARK(BM_ParetoNbdPredict_CdnowFull)->Unit(benchmark::kMillisecond);

// Tracking (clv/tracking.hpp): actual vs BG/NBD-predicted weekly repeat transactions of the full CDNOW
// cohort (69,659 rows, 23,570 customers, 84 first-purchase days, 78 weeks), from the log to the table.
void BM_TrackBgNbd_CdnowFull(benchmark::State& st) {
  const auto& tx = bench::cdnow_master();
  const auto m = clv::Model::from_params("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  clv::TrackingOptions o;
  o.period = summary::Period::Week;
  for (auto _ : st) benchmark::DoNotOptimize(clv::track(m, tx.view(), o));
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(tx.size()));
}
BENCHMARK(BM_TrackBgNbd_CdnowFull)->Unit(benchmark::kMillisecond);

void BM_GammaGammaFit_CdnowFull(benchmark::State& st) {
  const auto& s = cdnow_weekly();
  // repeat buyers with a positive mean spend, as `crmkit clv` fits them
  std::vector<double> w(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) w[i] = s.frequency[i] > 0 && s.monetary_value[i] > 0 ? 1 : 0;
  for (auto _ : st) benchmark::DoNotOptimize(clv::GammaGamma::fit(s.frequency, s.monetary_value, w));
}
BENCHMARK(BM_GammaGammaFit_CdnowFull)->Unit(benchmark::kMillisecond);

void BM_SbgFitCohort(benchmark::State& st) {
  const std::vector<double> active{1000, 631, 468, 382, 326, 289, 262, 241};
  for (auto _ : st) benchmark::DoNotOptimize(clv::Sbg::fit_cohort(active));
}
BENCHMARK(BM_SbgFitCohort)->Unit(benchmark::kMicrosecond);

// Fit time includes validation and compression into (x, t_x, T) patterns.
void BM_BgNbdFit_1M(benchmark::State& st) {
  const auto& d = simulated_bgnbd_1m();
  for (auto _ : st) benchmark::DoNotOptimize(clv::BgNbd::fit(d.x, d.tx, d.T));
}
BENCHMARK(BM_BgNbdFit_1M)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

// The degenerate synthetic set: the fit runs every start and reports "boundary".
void BM_BgNbdFit_1M_Degenerate(benchmark::State& st) {
  const auto& d = synthetic_1m();
  for (auto _ : st) benchmark::DoNotOptimize(clv::BgNbd::fit(d.x, d.tx, d.T));
}
BENCHMARK(BM_BgNbdFit_1M_Degenerate)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_Clv12Months_1M(benchmark::State& st) {
  const auto& d = synthetic_1m();
  const auto bg = clv::Model::from_params("bgnbd", std::vector<double>{0.5, 80.0, 0.8, 2.5});
  const auto gg = clv::Model::from_params("gg", std::vector<double>{6.0, 4.0, 20.0});
  std::vector<double> out(d.x.size());
  clv::ClvOptions o;
  o.months = 12;
  o.discount_rate = 0.01;
  o.periods_per_month = 30;
  clv::ModelData md;
  md.frequency = d.x;
  md.recency = d.tx;
  md.T = d.T;
  md.monetary_value = d.m;
  for (auto _ : st) {
    clv::customer_lifetime_value(bg, gg, md, o, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Clv12Months_1M)->Unit(benchmark::kMillisecond)->Iterations(2)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
