// DERT (continuous discounting) for BG/NBD and MBG/NBD, CLV by DERT, and BG/BB's P(X(n) = x) and DERT.
// Oracles:
//  1. No published DERT exists for BG/NBD or MBG/NBD. High-precision spot values: mpmath 1.3.0 at 30
//     digits by two independent routes that agree to 20 digits — the time integral
//     int_0^inf delta e^(-delta t) E(t) dt of FHL 2005 eq. 10 (mpmath hyp2f1, quad), and
//     P(alive) (r+x) E_p[e^y E_{r+x+1}(y) / p], y = delta (alpha+T) / p, p ~ Beta(a, b+x) (b+x+1 for
//     MBG/NBD), the expectation of lambda / (delta + p lambda). Tolerance 1e-9 relative (the quadrature's
//     own error bound).
//  2. The generic integrator (dert_from_expectation) applied to Pareto/NBD's conditional expectation
//     reproduces Pareto/NBD's closed-form DERT (Fader, Hardie & Lee 2005, "RFM and CLV") to 1e-8.
//  3. BG/BB (Fader, Hardie & Shang 2010; DERT their eq. 14) at the published donations parameters (alpha =
//     1.204, beta = 0.750, gamma = 0.657, delta = 2.783): we found no printed DERT or P(X(n) = x) digits
//     (the paper plots the histogram; FH's Excel note computes DERT without printing a value), so the
//     oracle is direct summation of the definitions in mpmath at 30 digits: DERT = sum_k (1+d)^-k
//     E[transaction at n+k | x, t_x, n] (checked against the beta-integral form to 1e-14), and P(X(n) = x)
//     summed over the death opportunity (checked against a 2-D integral over p and theta). Tolerance 1e-10
//     (1e-9 on the quadrature branch, d < 1e-3). The expected histogram times 11,104 donors
//     (3455.8, 1888.9, 1348.9, 1113.3, 1017.8, 1026.9, 1252.4 for x = 0..6) sits beside the observed counts
//     (3464, 1823, 1430, 1085, 1036, 1063, 1203) as in FHS's Figure 3.
// Properties: limits in delta, monotonicity, time-unit invariance, the monthly recipe bracketing DERT,
// heavy buyers finite, summation of the library's own conditional expectations.
#include "crmkit/clv/dert.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "crmkit/clv/bg_bb.hpp"
#include "crmkit/clv/gamma_gamma.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/clv/pareto_nbd.hpp"
#include "crmkit/core/error.hpp"

using namespace crmkit;
using clv::BgBbParams;
using clv::BgNbdParams;
using clv::MbgNbdParams;
using clv::ParetoNbdParams;

namespace {
double rel(double a, double b) { return std::fabs(a - b) / std::fabs(b); }
const BgNbdParams kBg{0.243, 4.414, 0.793, 2.426};    // FHL 2005 on CDNOW (weeks)
const MbgNbdParams kMbg{0.525, 6.183, 0.891, 1.614};  // MBG/NBD on CDNOW (weeks)
const ParetoNbdParams kPnbd{0.5534, 10.5796, 0.6061, 11.6650};
const BgBbParams kBb{1.204, 0.750, 0.657, 2.783};     // FHS 2010 on the donations
const double kWeekly = std::log(1.01) / 4.345;        // 1% a month, per week
}  // namespace

TEST(Dert, BgNbdMatchesHighPrecisionValues) {
  EXPECT_LT(rel(clv::dert(kBg, kWeekly, 2, 30.43, 38.86), 5.6473859945975983856), 1e-9);
  EXPECT_LT(rel(clv::dert(kBg, kWeekly, 0, 0, 38.86), 1.1303702188513086425), 1e-9);
  EXPECT_LT(rel(clv::dert(kBg, 0.1, 2, 30.43, 38.86), 0.34228104611056907609), 1e-9);
  EXPECT_LT(rel(clv::dert(kBg, kWeekly, 50, 35, 38.86), 50.39632167302571243), 1e-9);
  // Vector form: one integral per distinct (x, T), each customer its own P(alive).
  const std::vector<double> x{2, 0, 2, 50}, tx{30.43, 0, 30.43, 35}, T{38.86, 38.86, 38.86, 38.86};
  std::vector<double> out(4);
  clv::dert(kBg, kWeekly, x, tx, T, out);
  EXPECT_LT(rel(out[0], 5.6473859945975983856), 1e-9);
  EXPECT_EQ(out[0], out[2]);
  EXPECT_LT(rel(out[3], 50.39632167302571243), 1e-9);
}

TEST(Dert, MbgNbdMatchesHighPrecisionValues) {
  EXPECT_LT(rel(clv::dert(kMbg, kWeekly, 2, 30.43, 38.86), 5.3447538590530408749), 1e-9);
  EXPECT_LT(rel(clv::dert(kMbg, kWeekly, 0, 0, 38.86), 0.7971582270940894642), 1e-9);
}

TEST(Dert, GenericIntegratorReproducesParetoNbdClosedForm) {
  for (double delta : {0.0027, kWeekly, 0.1, 1.0})
    for (auto [x, tx, T] : {std::array<double, 3>{0, 0, 38.86}, {2, 30.43, 38.86}, {26, 30.86, 31}, {200, 50, 100}}) {
      auto e = [&](double t) { return clv::conditional_expected_purchases(kPnbd, t, x, tx, T); };
      const double generic = clv::dert_from_expectation(e, delta);
      EXPECT_LT(rel(generic, clv::dert(kPnbd, delta, x, tx, T)), 1e-8) << delta << " " << x;
    }
  // The same integrator over BG/NBD's E(t) with the customer's own t_x (no factorisation).
  auto e = [&](double t) { return clv::conditional_expected_purchases(kBg, t, 2, 30.43, 38.86); };
  EXPECT_LT(rel(clv::dert_from_expectation(e, kWeekly), 5.6473859945975983856), 1e-9);
  EXPECT_THROW(clv::dert_from_expectation(e, 0.0), InvalidArgument);
}

TEST(Dert, LimitsAndMonotonicity) {
  // delta -> inf: DERT ~ P(alive) (r+x)/(alpha+T) / delta (the current purchase rate, discounted at once).
  for (double x : {0.0, 3.0, 1000.0}) {
    const double tx = x > 0 ? 30 : 0, T = 38.86;
    const double rate = clv::p_alive(kBg, x, tx, T) * (kBg.r + x) / (kBg.alpha + T);
    const double big = 1e5 * (kBg.r + x) / (kBg.alpha + T);
    EXPECT_LT(rel(big * clv::dert(kBg, big, x, tx, T), rate), 1e-4) << x;
  }
  // delta -> 0 with a > 1: DERT -> P(alive) (a+b+x-1)/(a-1), all future purchases (MBG/NBD: (a+b+x)/(a-1)).
  const BgNbdParams bg{0.5, 5.0, 2.5, 3.0};
  const MbgNbdParams mbg{0.5, 5.0, 2.5, 3.0};
  EXPECT_LT(rel(clv::dert(bg, 1e-9, 4, 20, 30), clv::p_alive(bg, 4, 20, 30) * (2.5 + 3 + 4 - 1) / 1.5), 1e-6);
  EXPECT_LT(rel(clv::dert(mbg, 1e-9, 4, 20, 30), clv::p_alive(mbg, 4, 20, 30) * (2.5 + 3 + 4) / 1.5), 1e-6);
  // Falls as delta grows, and as the last purchase recedes.
  double prev = std::numeric_limits<double>::infinity();
  for (double delta : {1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0}) {
    const double v = clv::dert(kBg, delta, 3, 30, 38.86);
    EXPECT_LT(v, prev) << delta;
    prev = v;
  }
  EXPECT_GT(clv::dert(kBg, kWeekly, 3, 30, 38.86), clv::dert(kBg, kWeekly, 3, 10, 38.86));
  EXPECT_GT(clv::dert(kMbg, kWeekly, 3, 30, 38.86), clv::dert(kMbg, kWeekly, 3, 10, 38.86));
}

TEST(Dert, TimeUnitDoesNotMatter) {
  // Weeks -> days: alpha and every duration x 7, the rate per time unit / 7.
  const BgNbdParams days{kBg.r, kBg.alpha * 7, kBg.a, kBg.b};
  const MbgNbdParams mdays{kMbg.r, kMbg.alpha * 7, kMbg.a, kMbg.b};
  EXPECT_LT(rel(clv::dert(days, kWeekly / 7, 2, 30.43 * 7, 38.86 * 7), clv::dert(kBg, kWeekly, 2, 30.43, 38.86)), 1e-9);
  EXPECT_LT(rel(clv::dert(mdays, kWeekly / 7, 2, 30.43 * 7, 38.86 * 7), clv::dert(kMbg, kWeekly, 2, 30.43, 38.86)), 1e-9);
}

TEST(Dert, HeavyBuyersAreFinite) {
  for (double x : {200.0, 1000.0, 10000.0})
    for (double T : {300.0, 10000.0})
      for (double gap : {0.0, 0.5, 0.99}) {
        const double tx = T * (1 - gap);
        for (double delta : {1e-6, kWeekly, 1.0}) {
          const double b = clv::dert(kBg, delta, x, tx, T), m = clv::dert(kMbg, delta, x, tx, T);
          EXPECT_TRUE(std::isfinite(b) && b >= 0) << x << " " << T << " " << gap << " " << delta;
          EXPECT_TRUE(std::isfinite(m) && m >= 0) << x << " " << T << " " << gap << " " << delta;
        }
      }
  // A heavy, recent buyer: DERT near P(alive) (r+x)/(alpha+T) times the discounted time left.
  EXPECT_GT(clv::dert(kBg, kWeekly, 10000, 10000, 10000), 100.0);
}

TEST(Dert, BadInputIsRefused) {
  EXPECT_THROW(clv::dert(kBg, 0.0, 1, 1, 2), InvalidArgument);
  EXPECT_THROW(clv::dert(kBg, -1.0, 1, 1, 2), InvalidArgument);
  EXPECT_THROW(clv::dert(kBg, std::nan(""), 1, 1, 2), InvalidArgument);
  EXPECT_THROW(clv::dert(kMbg, 0.1, 1, 3, 2), InvalidArgument);  // recency > T
  EXPECT_THROW(clv::dert(BgNbdParams{-1, 1, 1, 1}, 0.1, 1, 1, 2), InvalidArgument);
  std::vector<double> out(2);
  const std::vector<double> one{1};
  EXPECT_THROW(clv::dert(kBg, 0.1, one, one, one, out), InvalidArgument);
}

TEST(Dert, ModelPredictionsAndLifetimeValue) {
  const auto bg = clv::Model::from_params("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  const auto mbg = clv::Model::from_params("mbgnbd", std::vector<double>{0.525, 6.183, 0.891, 1.614});
  const auto gg = clv::Model::from_params("gg", std::vector<double>{6.25, 3.74, 15.44});
  for (const auto* m : {&bg, &mbg}) {
    const auto p = m->predictions();
    EXPECT_NE(std::find(p.begin(), p.end(), "dert"), p.end());
  }
  const std::vector<double> x{2, 0, 10}, tx{30.43, 0, 35}, T{38.86, 38.86, 38.86}, mv{22.35, 0, 50};
  const clv::ModelData d{.frequency = x, .recency = tx, .T = T, .monetary_value = mv};
  std::vector<double> dert(3), spend(3), value(3);
  bg.predict("dert", kWeekly, d, dert);
  EXPECT_LT(rel(dert[0], 5.6473859945975983856), 1e-9);
  gg.predict("conditional_expected_spend", 0, d, spend);
  clv::ClvOptions o;
  o.periods_per_month = 4.345;
  o.discount_rate = 0.01;
  o.margin = 0.3;
  o.method = clv::ClvMethod::Dert;
  clv::customer_lifetime_value(bg, gg, d, o, value);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_LT(rel(value[i], 0.3 * spend[i] * dert[i]), 1e-12) << i;
  // The monthly recipe over a horizon long enough to hold everything brackets DERT: month i's purchases are
  // discounted by (1+d)^-i, at or below e^(-delta t) for every t in the month and at most (1+d) times below.
  for (const auto* m : {&bg, &mbg}) {
    std::vector<double> dv(3), monthly(3);
    clv::customer_lifetime_value(*m, gg, d, o, dv);
    clv::ClvOptions mo = o;
    mo.method = clv::ClvMethod::Monthly;
    mo.months = 4000;  // 1.01^-4000 < 1e-17
    clv::customer_lifetime_value(*m, gg, d, mo, monthly);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_LE(monthly[i], dv[i] * (1 + 1e-9)) << m->key() << i;
      EXPECT_LE(dv[i], 1.01 * monthly[i] * (1 + 1e-9)) << m->key() << i;
    }
  }
  // DERT has no horizon: months does not matter; d = 0 is refused (no discounting, no finite DERT in general).
  o.months = 1;
  std::vector<double> again(3);
  clv::customer_lifetime_value(bg, gg, d, o, again);
  EXPECT_EQ(again, value);
  o.discount_rate = 0;
  EXPECT_THROW(clv::customer_lifetime_value(bg, gg, d, o, again), InvalidArgument);
}

TEST(BgBbDert, MatchesDirectSummationOfTheDefinition) {
  EXPECT_LT(rel(clv::dert(kBb, 0.1, 3, 4, 6), 1.6286607730608238221), 1e-10);
  EXPECT_LT(rel(clv::dert(kBb, 0.1, 0, 0, 6), 0.114646996181764105), 1e-10);
  EXPECT_LT(rel(clv::dert(kBb, 0.1, 6, 6, 6), 5.9086783195553812846), 1e-10);
  EXPECT_LT(rel(clv::dert(kBb, 0.1, 2, 2, 6), 0.18748759930669425953), 1e-10);
  EXPECT_LT(rel(clv::dert(kBb, 0.001, 3, 4, 6), 22.380460518311119347), 1e-10);
  EXPECT_LT(rel(clv::dert(kBb, 0.001, 0, 0, 6), 1.5754370793660130091), 1e-10);
  // d < 1e-3: the quadrature branch; continuous at the cutoff.
  EXPECT_LT(rel(clv::dert(kBb, 1e-4, 3, 4, 6), 56.577603859011316373), 1e-9);
  EXPECT_LT(rel(clv::dert(kBb, 1e-4, 0, 0, 6), 3.9826908346341009355), 1e-9);
  EXPECT_LT(rel(clv::dert(kBb, std::nextafter(1e-3, 0.0), 3, 4, 6), clv::dert(kBb, 1e-3, 3, 4, 6)), 1e-9);
  // The library's own conditional expectations, discounted opportunity by opportunity.
  const std::vector<double> x{3}, tx{4}, n{6};
  double prev = 0, sum = 0;
  std::vector<double> e(1);
  for (int k = 1; k <= 600; ++k) {
    clv::conditional_expected_transactions(kBb, k, x, tx, n, e);
    sum += (e[0] - prev) / std::pow(1.1, k);
    prev = e[0];
  }
  EXPECT_LT(rel(clv::dert(kBb, 0.1, 3, 4, 6), sum), 1e-12);
  // Falls as d grows; finite for long histories.
  EXPECT_GT(clv::dert(kBb, 0.05, 3, 4, 6), clv::dert(kBb, 0.1, 3, 4, 6));
  EXPECT_TRUE(std::isfinite(clv::dert(kBb, 1e-6, 500, 900, 1000)));
  EXPECT_THROW(clv::dert(kBb, 0.0, 3, 4, 6), InvalidArgument);
  EXPECT_THROW(clv::dert(kBb, 0.1, 3, 2, 6), InvalidArgument);  // recency < frequency
}

TEST(BgBbPmf, MatchesTheDefinitionAndSumsToOne) {
  const double n6[] = {0.31121774326384934717, 0.1701099784065146583,  0.12148051376687113402,
                       0.10026311502480368974, 0.091659853424921834801, 0.092481147905292493703,
                       0.11278764820774684226};
  const double n5[] = {0.31878332874063207392, 0.18009655123586785761, 0.13392148357426027841,
                       0.11612129985282749062, 0.11398289263989305672, 0.13709444395651924272};
  std::vector<double> x(8), out(8);
  for (std::size_t i = 0; i < 8; ++i) x[i] = static_cast<double>(i);
  clv::probability_of_n_purchases(kBb, 6, x, out);
  double total = 0, mean = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_LT(rel(out[i], n6[i]), 1e-10) << i;
    total += out[i];
    mean += static_cast<double>(i) * out[i];
  }
  EXPECT_EQ(out[7], 0.0);  // more transactions than opportunities
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(mean, clv::expected_transactions(kBb, 6), 1e-12);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_LT(rel(clv::probability_of_n_purchases(kBb, 5, static_cast<double>(i)), n5[i]), 1e-10);
  EXPECT_EQ(clv::probability_of_n_purchases(kBb, 0, 0), 1.0);
  // One opportunity: transact only if alive and p fires: E[p] E[1 - theta].
  EXPECT_NEAR(clv::probability_of_n_purchases(kBb, 1, 1), 1.204 / (1.204 + 0.75) * 2.783 / (0.657 + 2.783), 1e-14);
  EXPECT_THROW(clv::probability_of_n_purchases(kBb, 2.5, 1), InvalidArgument);
  EXPECT_THROW(clv::probability_of_n_purchases(kBb, 6, -1), InvalidArgument);
  // Through the Model: P(X(horizon) = frequency) and DERT at d = horizon.
  const auto m = clv::Model::from_params("bgbb", std::vector<double>{1.204, 0.750, 0.657, 2.783});
  const std::vector<double> f{3, 0}, r{4, 0}, np{6, 6};
  std::vector<double> v(2);
  m.predict("probability_of_n_purchases", 6, {.frequency = f}, v);
  EXPECT_LT(rel(v[0], n6[3]), 1e-10);
  m.predict("dert", 0.1, {.frequency = f, .recency = r, .n_periods = np}, v);
  EXPECT_LT(rel(v[0], 1.6286607730608238221), 1e-10);
  EXPECT_LT(rel(v[1], 0.114646996181764105), 1e-10);
}
