// Gamma-Gamma spend model. Oracles:
//  1. Published values: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (and Fader,
//     Hardie & Lee 2005, "RFM and CLV", JMR 42(4)), fitted to the 946 repeat buyers of the CDNOW 1/10th
//     sample (tests/data/cdnow_customers_summary_with_transactions.csv, columns x and zbar): p = 6.25,
//     q = 3.74, gamma = 15.44. Printed to 2 decimals: tolerance half a unit in the last digit. The same
//     three numbers are lifetimes' GammaGammaFitter reference test.
//  2. The closed forms: E[M | x, m] = p (gamma + x m) / (px + q - 1); population mean p gamma / (q - 1).
// Properties: gradient vs central differences, weights == replicated rows, currency-scale invariance,
// q <= 1 refused, shrinkage of E[M] between m_x and the population mean.
#include "crmkit/clv/gamma_gamma.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/table.hpp"

namespace {

using namespace crmkit;
using clv::GammaGamma;
using clv::GammaGammaParams;

struct Spend {
  std::vector<double> x, m;
};

Spend load_cdnow() {
  const auto t = io::read_table(std::string(CRMKIT_TEST_DATA) + "/cdnow_customers_summary_with_transactions.csv");
  return {t.numbers(t.require({"x"}, "x")), t.numbers(t.require({"zbar"}, "zbar"))};
}

}  // namespace

TEST(GammaGamma, ReproducesFaderHardieOnCdnow) {
  const Spend d = load_cdnow();
  const auto fit = GammaGamma::fit(d.x, d.m);
  ASSERT_TRUE(fit.converged());
  EXPECT_NEAR(fit.params.p, 6.25, 0.005);
  EXPECT_NEAR(fit.params.q, 3.74, 0.005);
  // gamma comes out 15.4477: the likelihood is nearly flat along the p-gamma ridge (the published fit was
  // made with Excel's Solver) and the published (rounded) point is within 0.0015 log-likelihood units of ours, so
  // gamma is checked to 0.01 (lifetimes' own test uses an absolute tolerance of 0.01 for all three).
  EXPECT_NEAR(fit.params.gamma, 15.44, 0.01);
  const double ll_published = GammaGamma::log_likelihood(GammaGammaParams{6.25, 3.74, 15.44}, d.x, d.m);
  EXPECT_LE(ll_published, fit.log_likelihood);
  EXPECT_LT(fit.log_likelihood - ll_published, 2e-3);
  EXPECT_EQ(fit.n_customers, 946.0);  // repeat buyers only
  for (double se : fit.std_errors) EXPECT_TRUE(std::isfinite(se) && se > 0);
  // The likelihood is maximal there: every neighbour is worse.
  for (int k = 0; k < 3; ++k) {
    auto v = fit.params.values();
    v[static_cast<std::size_t>(k)] *= 1.01;
    EXPECT_LT(GammaGamma::log_likelihood(GammaGammaParams::from_values(v), d.x, d.m), fit.log_likelihood);
  }
}

TEST(GammaGamma, ConditionalSpendIsTheClosedForm) {
  const GammaGammaParams p{6.25, 3.74, 15.44};
  EXPECT_NEAR(clv::expected_spend(p), 6.25 * 15.44 / 2.74, 1e-12);
  // x = 2, m = 22.35 (customer 1 of the sample)
  EXPECT_NEAR(clv::conditional_expected_spend(p, 2, 22.35), 6.25 * (15.44 + 2 * 22.35) / (12.5 + 2.74), 1e-12);
  EXPECT_NEAR(clv::conditional_expected_spend(p, 0, 0), clv::expected_spend(p), 1e-12);
  // Shrinkage: between the customer's own mean and the population mean, closer to m as x grows.
  const double pop = clv::expected_spend(p);
  double prev_gap = 1e300;
  for (double x : {1.0, 2.0, 5.0, 20.0, 200.0}) {
    const double e = clv::conditional_expected_spend(p, x, 100.0);
    EXPECT_GT(e, pop);
    EXPECT_LT(e, 100.0);
    EXPECT_LT(100.0 - e, prev_gap);
    prev_gap = 100.0 - e;
  }
}

TEST(GammaGamma, GradientMatchesCentralDifferences) {
  const Spend d = load_cdnow();
  const GammaGammaParams p{3.0, 2.5, 20.0};
  std::vector<double> g(3);
  GammaGamma::log_likelihood(p, d.x, d.m, {}, g);
  for (std::size_t k = 0; k < 3; ++k) {
    auto up = p.values(), dn = p.values();
    const double h = 1e-6 * up[k];
    up[k] += h;
    dn[k] -= h;
    const double fd = (GammaGamma::log_likelihood(GammaGammaParams::from_values(up), d.x, d.m) -
                       GammaGamma::log_likelihood(GammaGammaParams::from_values(dn), d.x, d.m)) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-5 * std::max(1.0, std::fabs(fd))) << GammaGammaParams::names[k];
  }
}

TEST(GammaGamma, WeightsEqualReplicatedRowsAndScaleWithCurrency) {
  const std::vector<double> x{1, 2, 3, 1, 4, 2, 0}, m{10, 20, 15, 30, 12, 25, 0}, w{2, 1, 3, 1, 2, 1, 5};
  std::vector<double> rx, rm;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int k = 0; k < static_cast<int>(w[i]); ++k) {
      rx.push_back(x[i]);
      rm.push_back(m[i]);
    }
  const GammaGammaParams p{4.0, 3.0, 12.0};
  EXPECT_NEAR(GammaGamma::log_likelihood(p, x, m, w), GammaGamma::log_likelihood(p, rx, rm), 1e-9);
  // Spend in cents: p and q unchanged, gamma times 100 (compare predictions, which are well defined).
  const Spend d = load_cdnow();
  std::vector<double> cents(d.m);
  for (double& v : cents) v *= 100;
  const auto a = GammaGamma::fit(d.x, d.m), b = GammaGamma::fit(d.x, cents);
  EXPECT_NEAR(b.params.p, a.params.p, 1e-4 * a.params.p);
  EXPECT_NEAR(b.params.q, a.params.q, 1e-4 * a.params.q);
  EXPECT_NEAR(b.params.gamma, 100 * a.params.gamma, 1e-4 * 100 * a.params.gamma);
}

TEST(GammaGamma, RefusesUnboundedMeansAndBadInput) {
  const GammaGammaParams heavy{2.0, 0.9, 10.0};
  EXPECT_THROW(clv::expected_spend(heavy), NumericError);
  EXPECT_THROW(clv::conditional_expected_spend(heavy, 3, 10), NumericError);
  try {
    clv::expected_spend(heavy);
  } catch (const NumericError& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("q = 0.9"));
  }
  const std::vector<double> x{1, 2}, bad_m{10, -1}, nan_x{1, std::nan("")};
  EXPECT_THROW(GammaGamma::fit(x, bad_m), InvalidArgument);
  EXPECT_THROW(GammaGamma::fit(nan_x, bad_m), InvalidArgument);
  EXPECT_THROW(GammaGamma::fit(std::vector<double>{0, 0}, std::vector<double>{0, 0}), InvalidArgument);
  EXPECT_THROW(GammaGamma::fit(x, std::vector<double>{1}), InvalidArgument);
}

TEST(GammaGamma, CorrelationDiagnosticAndJson) {
  const Spend d = load_cdnow();
  const double r = clv::frequency_spend_correlation(d.x, d.m);
  EXPECT_GT(r, -0.3);  // CDNOW: frequency and spend nearly independent (FHL 2005 report r = 0.11)
  EXPECT_LT(r, 0.3);
  EXPECT_NEAR(clv::frequency_spend_correlation(std::vector<double>{1, 2, 3}, std::vector<double>{2, 4, 6}), 1.0, 1e-12);
  nlohmann::json j = GammaGammaParams{6.25, 3.74, 15.44};
  EXPECT_EQ(j["model"], "gamma_gamma");
  const auto back = j.get<GammaGammaParams>();
  EXPECT_EQ(back.q, 3.74);
  j["q"] = "x";
  EXPECT_THROW(j.get<GammaGammaParams>(), InvalidArgument);
}
