// Churn: logistic regression on a synthetic 1M x 20 table and ROC AUC over 1M scores, on the data
// bench/compare/sklearn_compare.py writes (so scikit-learn runs on the same numbers in the same run):
//   CRMKIT_CHURN_DATA=DIR with DIR/churn_x.f64 (n x 20 doubles, column-major), churn_y.f64 (n labels)
//   and churn_score.f64 (n scores). Without it, the same shape is generated here (fixed seed).
// Counters: auc = in-sample AUC of the fitted model (compare with scikit-learn's), iterations.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "crmkit/churn/indicators.hpp"
#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/core/interactions.hpp"
#include "synthetic.hpp"

namespace {

using namespace crmkit;

struct Data {
  Eigen::MatrixXd x;
  std::vector<double> y, score;
};

std::vector<double> read_f64(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "churn_bench: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  const auto bytes = static_cast<std::size_t>(in.tellg());
  std::vector<double> v(bytes / sizeof(double));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double)));
  return v;
}

const Data& data() {
  static const Data d = [] {
    Data r;
    constexpr Eigen::Index p = 20;
    if (const char* dir = std::getenv("CRMKIT_CHURN_DATA")) {
      const std::string base(dir);
      const auto x = read_f64(base + "/churn_x.f64");
      r.y = read_f64(base + "/churn_y.f64");
      r.score = read_f64(base + "/churn_score.f64");
      const auto n = static_cast<Eigen::Index>(r.y.size());
      r.x = Eigen::Map<const Eigen::MatrixXd>(x.data(), n, p);
      return r;
    }
    const Eigen::Index n = 1000000;
    std::mt19937_64 gen(42);
    std::normal_distribution<double> N(0, 1);
    std::uniform_real_distribution<double> U(0, 1);
    r.x.resize(n, p);
    for (Eigen::Index j = 0; j < p; ++j)
      for (Eigen::Index i = 0; i < n; ++i) r.x(i, j) = N(gen);
    Eigen::VectorXd beta(p);
    for (Eigen::Index j = 0; j < p; ++j) beta[j] = (j % 2 ? -1.0 : 1.0) * 0.5 / static_cast<double>(1 + j / 4);
    const Eigen::VectorXd z = r.x * beta;
    r.y.resize(static_cast<std::size_t>(n));
    r.score.resize(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
      r.y[static_cast<std::size_t>(i)] = U(gen) < churn::sigmoid(z[i] - 1.0) ? 1 : 0;
      r.score[static_cast<std::size_t>(i)] = U(gen);
    }
    return r;
  }();
  return d;
}

void BM_LogisticFit(benchmark::State& state) {
  const Data& d = data();
  churn::LogisticOptions o;  // l2, C = 1: scikit-learn's defaults
  o.tolerance = 1e-6;
  churn::LogisticModel m;
  for (auto _ : state) {
    m = churn::fit_logistic(d.x, d.y, o);
    benchmark::DoNotOptimize(m.coef.data());
  }
  const Eigen::VectorXd p = m.predict_proba(d.x);
  state.counters["auc"] = churn::roc_auc(std::span<const double>(p.data(), d.y.size()), d.y);
  state.counters["iterations"] = m.iterations;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.y.size()));
}

void BM_RocAuc(benchmark::State& state) {
  const Data& d = data();
  double auc = 0;
  for (auto _ : state) {
    auc = churn::roc_auc(d.score, d.y);
    benchmark::DoNotOptimize(auc);
  }
  state.counters["auc"] = auc;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.y.size()));
}

BENCHMARK(BM_LogisticFit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RocAuc)->Unit(benchmark::kMillisecond)->UseRealTime();

// Churn indicators at a cutoff (docs/models/churn_indicators.md) over the synthetic log of
// bench/synthetic.hpp (rows / 10 customers over two years), cutoff 540 days in, horizon 180 days; the
// second argument adds an interaction log of rows / 2 contacts (random customer, day, channel of 4, kind
// of 3, CSAT 1..5 with 30 % blanks, response minutes, FCR flag). Items = transaction rows.
void BM_ChurnIndicators(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto data = crmkit::bench::make_synthetic(rows);
  const bool with_interactions = state.range(1) != 0;
  std::mt19937_64 rng(7);
  core::InteractionTable in;
  if (with_interactions) {
    const std::size_t m = rows / 2;
    std::uniform_int_distribution<std::uint32_t> cust(0, data.n_customers - 1), ch(0, 3), kind(0, 2), score(1, 5);
    std::uniform_int_distribution<std::int64_t> day(crmkit::bench::synthetic_first_day,
                                                    crmkit::bench::synthetic_first_day + crmkit::bench::synthetic_days - 1);
    std::uniform_real_distribution<double> u(0, 1);
    for (std::uint32_t c = 0; c < data.n_customers; ++c) in.ids.encode(std::to_string(c));
    in.channel_names = {"email", "phone", "chat", "web"};
    in.kind_names = {"complaint", "inquiry", "support"};
    for (std::size_t i = 0; i < m; ++i) {
      in.customer.push_back(cust(rng));
      in.time.push_back(day(rng));
      in.channel.push_back(ch(rng));
      in.kind.push_back(kind(rng));
      in.csat.push_back(u(rng) < 0.3 ? std::nan("") : static_cast<double>(score(rng)));
      in.first_response_minutes.push_back(600 * u(rng));
      in.resolved_first_contact.push_back(static_cast<std::int8_t>(u(rng) < 0.7));
    }
  }
  const auto iv = in.view();
  crmkit::churn::IndicatorOptions o;
  o.cutoff = crmkit::bench::synthetic_first_day + 540;
  o.horizon_days = 180;
  for (auto _ : state) {
    auto t = crmkit::churn::churn_indicators(data.view(), o, with_interactions ? &iv : nullptr);
    benchmark::DoNotOptimize(t.columns.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_ChurnIndicators)
    ->ArgsProduct({benchmark::CreateRange(1000, 1000000, 10), {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
