// Shifted-beta-geometric. Oracles:
//  1. Published values: Fader & Hardie (2007), "How to project customer retention", J. Interactive
//     Marketing 21(1):76-90, Table/Figure for the two cohorts fitted on years 1-7 (8 counts): 'regular'
//     1000, 631, 468, 382, 326, 289, 262, 241 -> alpha = 0.704, beta = 1.182; 'high end' 1000, 869,
//     743, 653, 593, 551, 517, 491 -> alpha = 0.668, beta = 3.806. Printed to 3 decimals: tolerance half
//     a unit in the last digit.
//  2. Spot values from scipy 1.10 (betaln, hyp2f1) at alpha = 0.704, beta = 1.182: S(7), E[min(T, 10)],
//     and DERL as 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)).
// Properties: gradient vs central differences, cohort == individual records, retention rising.
#include "crmkit/clv/sbg.hpp"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

using namespace crmkit;
using clv::Sbg;
using clv::SbgParams;

namespace {
const std::vector<double> kRegular{1000, 631, 468, 382, 326, 289, 262, 241};
const std::vector<double> kHighEnd{1000, 869, 743, 653, 593, 551, 517, 491};
}  // namespace

TEST(Sbg, ReproducesFaderHardie2007) {
  const auto reg = Sbg::fit_cohort(kRegular);
  ASSERT_TRUE(reg.converged());
  EXPECT_NEAR(reg.params.alpha, 0.704, 0.0005);
  EXPECT_NEAR(reg.params.beta, 1.182, 0.0005);
  const auto high = Sbg::fit_cohort(kHighEnd);
  ASSERT_TRUE(high.converged());
  EXPECT_NEAR(high.params.alpha, 0.668, 0.0005);
  EXPECT_NEAR(high.params.beta, 3.806, 0.0005);
  EXPECT_EQ(reg.n_customers, 1000.0);
  for (double se : reg.std_errors) EXPECT_TRUE(std::isfinite(se) && se > 0);
}

TEST(Sbg, SurvivalLifetimeAndDerlMatchClosedForms) {
  const SbgParams p{0.704, 1.182};
  EXPECT_NEAR(clv::survival(p, 7), 0.23905064169324422, 1e-12);
  EXPECT_EQ(clv::survival(p, 0), 1.0);
  EXPECT_NEAR(clv::expected_lifetime(p, 10), 4.03911755068219, 1e-12);
  EXPECT_TRUE(std::isinf(clv::expected_lifetime(p)));  // alpha <= 1: heavy tail
  EXPECT_NEAR(clv::expected_lifetime(SbgParams{2.0, 3.0}), 4.0, 1e-12);
  EXPECT_NEAR(clv::derl(p, 0.1, 0), 3.6951474055745748, 1e-10);
  EXPECT_NEAR(clv::derl(p, 0.1, 5), 6.695208983605309, 1e-10);
  EXPECT_NEAR(clv::derl(p, 0.25, 1), 3.0004765123537753, 1e-10);
  // retention rises with tenure (the sorting effect F&H describe), churn pmf + survival add up
  double prev = 0;
  for (double t = 1; t <= 20; ++t) {
    const double r = clv::retention_rate(p, t);
    EXPECT_GT(r, prev);
    EXPECT_LT(r, 1.0);
    prev = r;
  }
  std::vector<double> ts{1, 2, 3, 4, 5}, pmf(5);
  clv::churn_probability(p, ts, pmf);
  double sum = 0;
  for (double v : pmf) sum += v;
  EXPECT_NEAR(sum + clv::survival(p, 5), 1.0, 1e-12);
}

TEST(Sbg, CohortEqualsIndividualRecordsAndGradientIsExact) {
  std::vector<double> periods, churned, weights;
  for (std::size_t t = 1; t < kRegular.size(); ++t) {
    periods.push_back(static_cast<double>(t));
    churned.push_back(1);
    weights.push_back(kRegular[t - 1] - kRegular[t]);
  }
  periods.push_back(7);
  churned.push_back(0);
  weights.push_back(241);
  const auto a = Sbg::fit_cohort(kRegular), b = Sbg::fit(periods, churned, weights);
  EXPECT_NEAR(a.params.alpha, b.params.alpha, 1e-9);
  EXPECT_NEAR(a.log_likelihood, b.log_likelihood, 1e-9);
  const SbgParams p{0.9, 2.1};
  std::vector<double> g(2);
  Sbg::log_likelihood(p, periods, churned, weights, g);
  for (std::size_t k = 0; k < 2; ++k) {
    auto up = p.values(), dn = p.values();
    const double h = 1e-6 * up[k];
    up[k] += h;
    dn[k] -= h;
    const double fd = (Sbg::log_likelihood(SbgParams::from_values(up), periods, churned, weights) -
                       Sbg::log_likelihood(SbgParams::from_values(dn), periods, churned, weights)) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-5 * std::max(1.0, std::fabs(fd)));
  }
}

TEST(Sbg, BadInputIsRefused) {
  EXPECT_THROW(Sbg::fit_cohort(std::vector<double>{1000}), InvalidArgument);
  EXPECT_THROW(Sbg::fit_cohort(std::vector<double>{1000, 1200}), InvalidArgument);
  EXPECT_THROW(Sbg::fit_cohort(std::vector<double>{0, 0}), InvalidArgument);
  EXPECT_THROW(Sbg::fit(std::vector<double>{0}, std::vector<double>{1}), InvalidArgument);     // churned in period 0
  EXPECT_THROW(Sbg::fit(std::vector<double>{1.5}, std::vector<double>{0}), InvalidArgument);
  EXPECT_THROW(Sbg::fit(std::vector<double>{1}, std::vector<double>{2}), InvalidArgument);
  EXPECT_THROW(clv::derl(SbgParams{1, 1}, 0, 0), InvalidArgument);
  nlohmann::json j = SbgParams{0.704, 1.182};
  EXPECT_EQ(j["model"], "sbg");
  EXPECT_EQ(j.get<SbgParams>().beta, 1.182);
}
