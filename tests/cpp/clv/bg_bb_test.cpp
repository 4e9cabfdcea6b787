// BG/BB. Oracles:
//  1. Published values: Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time
//     noncontractual setting", Marketing Science 29(6):1086-1108, fitted to the 1995 donor cohort
//     (11,104 donors, 6 opportunities; tests/data/donations.csv): alpha = 1.204, beta = 0.750,
//     gamma = 0.657, delta = 2.783, LL = -33,225.6. Tolerance: half a unit in the last printed digit.
//  2. Spot values at the published parameters from scipy 1.10 (betaln, gammaln) of FHS eqs. 5, 7, 11
//     and 13 in their closed forms (eq. 13 with its Gamma-function ratios; crmkit sums over future
//     opportunities instead), so agreement to 1e-10 checks both.
// Properties: gradient vs central differences, weights == replicated rows, P(alive) in [0, 1].
#include "crmkit/clv/bg_bb.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/table.hpp"

using namespace crmkit;
using clv::BgBb;
using clv::BgBbParams;

namespace {
struct Donations {
  std::vector<double> x, tx, n, w;
};
Donations load() {
  const auto t = io::read_table(std::string(CRMKIT_TEST_DATA) + "/donations.csv");
  return {t.numbers(t.require({"frequency"}, "x")), t.numbers(t.require({"recency"}, "t_x")),
          t.numbers(t.require({"periods"}, "n")), t.numbers(t.require({"weights"}, "w"))};
}
}  // namespace

TEST(BgBb, ReproducesFaderHardieShang2010) {
  const Donations d = load();
  const auto fit = BgBb::fit(d.x, d.tx, d.n, d.w);
  ASSERT_TRUE(fit.converged());
  EXPECT_NEAR(fit.params.alpha, 1.204, 0.0005);
  EXPECT_NEAR(fit.params.beta, 0.750, 0.0005);
  EXPECT_NEAR(fit.params.gamma, 0.657, 0.0005);
  EXPECT_NEAR(fit.params.delta, 2.783, 0.0005);
  EXPECT_NEAR(fit.log_likelihood, -33225.6, 0.05);
  EXPECT_EQ(fit.n_customers, 11104.0);
  for (double se : fit.std_errors) EXPECT_TRUE(std::isfinite(se) && se > 0);
}

TEST(BgBb, PredictionsMatchTheClosedForms) {
  const BgBbParams p{1.204, 0.750, 0.657, 2.783};
  const std::vector<double> x{3, 0, 6, 2}, tx{4, 0, 6, 2}, n{6, 6, 6, 6};
  std::vector<double> alive(4), e(4);
  clv::p_alive(p, x, tx, n, alive);
  clv::conditional_expected_transactions(p, 5, x, tx, n, e);
  const double want_alive[] = {0.43946285705575655, 0.10801658416867414, 0.9304025423728814, 0.06637954735437354};
  const double want_e[] = {1.0342284984211145, 0.07280287747504376, 3.752115607599858, 0.1190579533263558};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(alive[i], want_alive[i], 1e-10 * want_alive[i]) << i;
    EXPECT_NEAR(e[i], want_e[i], 1e-10 * want_e[i]) << i;
  }
  EXPECT_NEAR(clv::expected_transactions(p, 6), 2.2196313934873078, 1e-10);
  EXPECT_NEAR(clv::expected_transactions(p, 11), 3.3875711110646307, 1e-10);
  // more future opportunities, more expected transactions
  std::vector<double> e10(4);
  clv::conditional_expected_transactions(p, 10, x, tx, n, e10);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_GT(e10[i], e[i]);
}

TEST(BgBb, GradientAndWeights) {
  const Donations d = load();
  const BgBbParams p{1.1, 0.8, 0.7, 2.5};
  std::vector<double> g(4);
  BgBb::log_likelihood(p, d.x, d.tx, d.n, d.w, g);
  for (std::size_t k = 0; k < 4; ++k) {
    auto up = p.values(), dn = p.values();
    const double h = 1e-6 * up[k];
    up[k] += h;
    dn[k] -= h;
    const double fd = (BgBb::log_likelihood(BgBbParams::from_values(up), d.x, d.tx, d.n, d.w) -
                       BgBb::log_likelihood(BgBbParams::from_values(dn), d.x, d.tx, d.n, d.w)) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-6 * std::max(1.0, std::fabs(fd))) << BgBbParams::names[k];
  }
  const std::vector<double> x{1, 1, 2}, tx{3, 3, 5}, n{6, 6, 6};
  EXPECT_NEAR(BgBb::log_likelihood(p, x, tx, n), BgBb::log_likelihood(p, std::vector<double>{1, 2}, std::vector<double>{3, 5},
                                                                     std::vector<double>{6, 6}, std::vector<double>{2, 1}),
              1e-9);
}

TEST(BgBb, BadInputIsRefused) {
  const std::vector<double> n{6};
  EXPECT_THROW(BgBb::fit(std::vector<double>{2}, std::vector<double>{1}, n), InvalidArgument);   // x > t_x
  EXPECT_THROW(BgBb::fit(std::vector<double>{0}, std::vector<double>{3}, n), InvalidArgument);   // t_x without x
  EXPECT_THROW(BgBb::fit(std::vector<double>{1}, std::vector<double>{7}, n), InvalidArgument);   // t_x > n
  EXPECT_THROW(BgBb::fit(std::vector<double>{1.5}, std::vector<double>{2}, n), InvalidArgument);
  nlohmann::json j = BgBbParams{1.204, 0.75, 0.657, 2.783};
  EXPECT_EQ(j["model"], "bg_bb");
  EXPECT_EQ(j.get<BgBbParams>().delta, 2.783);
}
