// BG/NBD. Oracles, in the order of STYLE.md:
//  1. Published values: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative
//     to the Pareto/NBD model", Marketing Science 24(2):275-284, fitted to the CDNOW 1/10th sample (2,357
//     customers, weeks; tests/data/cdnow_customers_summary.csv): r = 0.243, alpha = 4.414, a = 0.793,
//     b = 2.426, LL = -9582.4, and E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226. The paper prints 3
//     decimals (LL: 1), so the tolerance is half a unit in the last printed digit.
//  2. Spot values: the untransformed formulas (FHL 2005 eqs. 8-10, 2F1 by its plain series) evaluated in
//     Python 3.11 doubles at fixed parameters; they share no code path with the Euler-transformed series
//     here, so agreement to 1e-11 relative is a real check.
// Properties: gradient vs central differences, weights == replicated rows, time-unit invariance, P(alive)
// bounds and monotonicity, monotone expectations, pmf sums to 1 with mean E[X(t)], heavy-buyer grid finite.
#include "crmkit/clv/bg_nbd.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

namespace {

using namespace crmkit;
using clv::BgNbd;
using clv::BgNbdParams;

struct Rfm {
  std::vector<double> x, tx, T;
};

Rfm load_cdnow() {
  std::ifstream in(std::string(CRMKIT_TEST_DATA) + "/cdnow_customers_summary.csv");
  EXPECT_TRUE(in.good());
  std::string line;
  std::getline(in, line);  // ID,frequency,recency,T
  Rfm d;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string f;
    std::getline(ss, f, ',');
    std::getline(ss, f, ',');
    d.x.push_back(std::stod(f));
    std::getline(ss, f, ',');
    d.tx.push_back(std::stod(f));
    std::getline(ss, f, ',');
    d.T.push_back(std::stod(f));
  }
  return d;
}

const Rfm& cdnow() {
  static const Rfm d = load_cdnow();
  return d;
}

// The published estimates (used as fixed parameters where a test needs realistic values).
const BgNbdParams kFhl{0.243, 4.414, 0.793, 2.426};
// Our CDNOW optimum to 6 digits (for the spot values below).
const BgNbdParams kFit{0.242593, 4.413532, 0.792886, 2.425753};

TEST(BgNbd, ReproducesPublishedCdnowFit) {
  const Rfm& d = cdnow();
  ASSERT_EQ(d.x.size(), 2357u);
  const auto res = BgNbd::fit(d.x, d.tx, d.T);
  EXPECT_EQ(res.status, core::FitStatus::Converged);
  EXPECT_NEAR(res.params.r, 0.243, 0.0005);
  EXPECT_NEAR(res.params.alpha, 4.414, 0.0005);
  EXPECT_NEAR(res.params.a, 0.793, 0.0005);
  EXPECT_NEAR(res.params.b, 2.426, 0.0005);
  EXPECT_NEAR(res.log_likelihood, -9582.4, 0.05);
  EXPECT_LE(res.gradient_norm, 1e-8);
  EXPECT_EQ(res.n_customers, 2357.0);
  EXPECT_GT(res.n_patterns, 0u);
  EXPECT_LT(res.n_patterns, 2357u);
  ASSERT_EQ(res.std_errors.size(), 4u);
  for (double se : res.std_errors) {
    EXPECT_TRUE(std::isfinite(se));
    EXPECT_GT(se, 0.0);
  }
  // Standard errors from the observed information: r is well determined, b least (relative).
  EXPECT_LT(res.std_errors[0] / res.params.r, res.std_errors[3] / res.params.b);
  // The total log-likelihood agrees with the public evaluator, and its gradient vanishes there.
  std::vector<double> g(4);
  EXPECT_NEAR(BgNbd::log_likelihood(res.params, d.x, d.tx, d.T, {}, g), res.log_likelihood, 1e-9);
  const auto v = res.params.values();
  for (int k = 0; k < 4; ++k) EXPECT_LT(std::fabs(g[k] * v[k]) / 2357.0, 1e-8) << k;
}

TEST(BgNbd, ReproducesPublishedConditionalExpectation) {
  const Rfm& d = cdnow();
  const auto res = BgNbd::fit(d.x, d.tx, d.T);
  // FHL 2005, section 5: customer with x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in 39 weeks.
  EXPECT_NEAR(clv::conditional_expected_purchases(res.params, 39.0, 2.0, 30.43, 38.86), 1.226, 0.0005);
  EXPECT_NEAR(clv::conditional_expected_purchases(kFhl, 39.0, 2.0, 30.43, 38.86), 1.226, 0.0005);
}

TEST(BgNbd, SpotValuesFromTheUntransformedFormulas) {
  const BgNbdParams p = kFit;
  auto rel = [](double got, double want) { return std::fabs(got - want) / std::fabs(want); };
  EXPECT_LT(rel(clv::conditional_expected_purchases(p, 39.0, 2.0, 30.43, 38.86), 1.225910520158), 1e-11);
  EXPECT_LT(rel(clv::conditional_expected_purchases(p, 10.0, 0.0, 0.0, 5.0), 0.22567574468161), 1e-11);
  EXPECT_LT(rel(clv::conditional_expected_purchases(p, 100.0, 15.0, 20.0, 30.0), 2.4942812268246), 1e-11);
  EXPECT_LT(rel(clv::expected_purchases(p, 39.0), 1.19501666486359), 1e-11);
  EXPECT_LT(rel(clv::probability_of_n_purchases(p, 39.0, 0.0), 0.574307181719887), 1e-11);
  EXPECT_LT(rel(clv::probability_of_n_purchases(p, 39.0, 1.0), 0.199193086254376), 1e-11);
  EXPECT_LT(rel(clv::probability_of_n_purchases(p, 39.0, 7.0), 0.00868167153671021), 1e-10);
}

// Central differences of the total log-likelihood vs the analytic gradient.
void expect_gradient_matches(const BgNbdParams& p, const Rfm& d, const std::vector<double>& w) {
  std::vector<double> g(4);
  BgNbd::log_likelihood(p, d.x, d.tx, d.T, w, g);
  const auto v = p.values();
  for (std::size_t k = 0; k < 4; ++k) {
    auto shifted = v;
    const double h = 1e-6 * v[k];
    shifted[k] = v[k] + h;
    const double fp = BgNbd::log_likelihood(BgNbdParams::from_values(shifted), d.x, d.tx, d.T, w);
    shifted[k] = v[k] - h;
    const double fm = BgNbd::log_likelihood(BgNbdParams::from_values(shifted), d.x, d.tx, d.T, w);
    const double fd = (fp - fm) / (2 * h);
    EXPECT_NEAR(g[k], fd, 1e-6 * std::max(1.0, std::fabs(fd)) + 1e-7 * std::fabs(fp) / v[k])
        << BgNbdParams::names[k] << " at r=" << p.r << " alpha=" << p.alpha << " a=" << p.a << " b=" << p.b;
  }
}

TEST(BgNbd, GradientMatchesFiniteDifferences) {
  const Rfm& d = cdnow();
  for (const BgNbdParams& p : {kFhl, BgNbdParams{1.0, 1.0, 1.0, 1.0}, BgNbdParams{0.05, 30.0, 0.2, 8.0},
                               BgNbdParams{5.0, 0.5, 3.0, 0.3}, BgNbdParams{20.0, 200.0, 1e-3, 1e3}})
    expect_gradient_matches(p, d, {});
  // Heavy buyers and weights.
  Rfm heavy{{0, 1, 250, 2000, 9000}, {0, 3, 400, 3000, 9990}, {50, 60, 500, 5000, 10000}};
  for (const BgNbdParams& p : {kFhl, BgNbdParams{2.0, 0.7, 0.5, 4.0}})
    expect_gradient_matches(p, heavy, {1.0, 2.5, 1.0, 0.5, 3.0});
}

TEST(BgNbd, WeightsEqualReplicatedRows) {
  const Rfm& d = cdnow();
  Rfm sub, rep;
  std::vector<double> w;
  for (std::size_t i = 0; i < 600; ++i) {
    const double k = static_cast<double>(1 + i % 4);
    sub.x.push_back(d.x[i]);
    sub.tx.push_back(d.tx[i]);
    sub.T.push_back(d.T[i]);
    w.push_back(k);
    for (int j = 0; j < static_cast<int>(k); ++j) {
      rep.x.push_back(d.x[i]);
      rep.tx.push_back(d.tx[i]);
      rep.T.push_back(d.T[i]);
    }
  }
  const auto fw = BgNbd::fit(sub.x, sub.tx, sub.T, w);
  const auto fr = BgNbd::fit(rep.x, rep.tx, rep.T);
  ASSERT_TRUE(fw.converged());
  ASSERT_TRUE(fr.converged());
  EXPECT_EQ(fw.n_customers, fr.n_customers);
  const auto a = fw.params.values(), b = fr.params.values();
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(a[k], b[k], 1e-7 * b[k]);
  EXPECT_NEAR(fw.log_likelihood, fr.log_likelihood, 1e-9 * std::fabs(fr.log_likelihood));
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(fw.std_errors[k], fr.std_errors[k], 1e-4 * fr.std_errors[k]);
  // Zero weights drop rows.
  std::vector<double> w0 = w;
  w0[0] = 0.0;
  const double l0 = BgNbd::log_likelihood(kFhl, sub.x, sub.tx, sub.T, w0);
  const double l1 = BgNbd::log_likelihood(kFhl, std::span(sub.x).subspan(1), std::span(sub.tx).subspan(1),
                                          std::span(sub.T).subspan(1), std::span<const double>(w).subspan(1));
  EXPECT_NEAR(l0, l1, 1e-9 * std::fabs(l1));
}

TEST(BgNbd, TimeUnitDoesNotChangePredictions) {
  const Rfm& wk = cdnow();
  Rfm days = wk;
  for (auto& v : days.tx) v *= 7.0;
  for (auto& v : days.T) v *= 7.0;
  const auto fw = BgNbd::fit(wk.x, wk.tx, wk.T);
  const auto fd = BgNbd::fit(days.x, days.tx, days.T);
  ASSERT_TRUE(fd.converged());
  EXPECT_NEAR(fd.params.r, fw.params.r, 1e-6 * fw.params.r);
  EXPECT_NEAR(fd.params.alpha, 7.0 * fw.params.alpha, 1e-6 * 7.0 * fw.params.alpha);
  EXPECT_NEAR(fd.params.a, fw.params.a, 1e-6 * fw.params.a);
  EXPECT_NEAR(fd.params.b, fw.params.b, 1e-6 * fw.params.b);
  // The density of purchase times rescales: LL_days = LL_weeks - sum(x) log 7.
  const double sx = std::accumulate(wk.x.begin(), wk.x.end(), 0.0);
  EXPECT_NEAR(fd.log_likelihood, fw.log_likelihood - sx * std::log(7.0), 1e-6);
  const std::size_t n = wk.x.size();
  std::vector<double> ew(n), ed(n), pw(n), pd(n);
  clv::conditional_expected_purchases(fw.params, 39.0, wk.x, wk.tx, wk.T, ew);
  clv::conditional_expected_purchases(fd.params, 273.0, days.x, days.tx, days.T, ed);
  clv::p_alive(fw.params, wk.x, wk.tx, wk.T, pw);
  clv::p_alive(fd.params, days.x, days.tx, days.T, pd);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(ed[i], ew[i], 1e-6 * std::max(ew[i], 1e-3));
    EXPECT_NEAR(pd[i], pw[i], 1e-6);
  }
  EXPECT_NEAR(clv::expected_purchases(fd.params, 273.0), clv::expected_purchases(fw.params, 39.0), 1e-6);
  EXPECT_NEAR(clv::probability_of_n_purchases(fd.params, 273.0, 3.0),
              clv::probability_of_n_purchases(fw.params, 39.0, 3.0), 1e-7);
}

TEST(BgNbd, PAliveIsAProbabilityFallingAsTheLastPurchaseRecedes) {
  EXPECT_EQ(clv::p_alive(kFhl, 0.0, 0.0, 38.0), 1.0);
  for (double x : {1.0, 2.0, 5.0, 20.0, 300.0}) {
    double prev = 2.0;
    for (double tx = 38.0; tx >= 0.0; tx -= 0.5) {  // same T, last purchase further in the past
      const double p = clv::p_alive(kFhl, x, tx, 38.0);
      EXPECT_GE(p, 0.0);
      EXPECT_LE(p, 1.0);
      EXPECT_LE(p, prev) << "x = " << x << ", t_x = " << tx;
      prev = p;
    }
    prev = 2.0;
    for (double T = 10.0; T <= 1000.0; T *= 1.5) {  // same t_x, customer observed longer without buying
      const double p = clv::p_alive(kFhl, x, 10.0, T);
      EXPECT_LE(p, prev);
      prev = p;
    }
  }
  // Bought at the very end: P(alive) = 1 / (1 + a / (b + x - 1)).
  EXPECT_NEAR(clv::p_alive(kFhl, 3.0, 38.0, 38.0), 1.0 / (1.0 + kFhl.a / (kFhl.b + 2.0)), 1e-15);
}

TEST(BgNbd, ExpectationsAreMonotoneInTheHorizon) {
  double prev_u = 0.0, prev_c = 0.0, prev_h = 0.0;
  EXPECT_EQ(clv::expected_purchases(kFhl, 0.0), 0.0);
  EXPECT_EQ(clv::conditional_expected_purchases(kFhl, 0.0, 2.0, 30.0, 38.0), 0.0);
  for (double t = 0.5; t < 5000.0; t *= 1.3) {
    const double u = clv::expected_purchases(kFhl, t);
    const double c = clv::conditional_expected_purchases(kFhl, t, 2.0, 30.43, 38.86);
    const double h = clv::conditional_expected_purchases(kFhl, t, 500.0, 2000.0, 2100.0);
    EXPECT_GT(u, prev_u);
    EXPECT_GT(c, prev_c);
    EXPECT_GT(h, prev_h);
    prev_u = u;
    prev_c = c;
    prev_h = h;
  }
}

TEST(BgNbd, ExpectationIsContinuousAtAEqualsOne) {
  // eq. 10 has (a - 1) in a denominator; the implementation removes the singularity.
  for (double x : {0.0, 3.0}) {
    BgNbdParams p{0.5, 3.0, 1.0, 2.0};
    const double at = clv::conditional_expected_purchases(p, 20.0, x, 10.0, 30.0);
    p.a = std::nextafter(1.0, 0.0);
    const double below = clv::conditional_expected_purchases(p, 20.0, x, 10.0, 30.0);
    p.a = 1.0 + 1e-7;
    const double above = clv::conditional_expected_purchases(p, 20.0, x, 10.0, 30.0);
    EXPECT_NEAR(below, at, 1e-14 * at);
    EXPECT_NEAR(above, at, 1e-6 * at);
  }
}

TEST(BgNbd, PmfSumsToOneWithMeanEqualToTheExpectation) {
  for (const BgNbdParams& p : {kFhl, BgNbdParams{2.0, 1.0, 1.5, 3.0}}) {
    const double t = 39.0;
    std::vector<double> n(5000), pr(5000);
    std::iota(n.begin(), n.end(), 0.0);
    clv::probability_of_n_purchases(p, t, n, pr);
    double total = 0, mean = 0;
    for (std::size_t k = 0; k < n.size(); ++k) {
      EXPECT_GE(pr[k], 0.0);
      total += pr[k];
      mean += n[k] * pr[k];
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
    EXPECT_NEAR(mean, clv::expected_purchases(p, t), 1e-9);
  }
}

TEST(BgNbd, HeavyBuyerGridIsFinite) {
  // Frequencies 200..10000, ages up to 10000 (days), with small and large parameter values.
  for (const BgNbdParams& p : {kFhl, BgNbdParams{0.01, 0.01, 0.01, 0.01}, BgNbdParams{50.0, 1e4, 20.0, 1e3},
                               BgNbdParams{1.0, 30.0, 1.0, 1.0}}) {
    Rfm d;
    for (double x : {200.0, 1000.0, 3000.0, 10000.0})
      for (double T : {200.0, 1000.0, 10000.0})
        for (double frac : {0.0, 0.01, 0.5, 0.99, 1.0}) {
          d.x.push_back(x);
          d.tx.push_back(frac * T);
          d.T.push_back(T);
        }
    const std::size_t n = d.x.size();
    std::vector<double> ll(n), pa(n), ce(n), g(4);
    clv::log_likelihood(p, d.x, d.tx, d.T, ll);
    clv::p_alive(p, d.x, d.tx, d.T, pa);
    clv::conditional_expected_purchases(p, 365.0, d.x, d.tx, d.T, ce);
    const double total = BgNbd::log_likelihood(p, d.x, d.tx, d.T, {}, g);
    EXPECT_TRUE(std::isfinite(total));
    for (double v : g) EXPECT_TRUE(std::isfinite(v));
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(std::isfinite(ll[i])) << d.x[i] << " " << d.tx[i] << " " << d.T[i];
      EXPECT_GE(pa[i], 0.0);
      EXPECT_LE(pa[i], 1.0);
      EXPECT_TRUE(std::isfinite(ce[i])) << d.x[i] << " " << d.tx[i] << " " << d.T[i];
      EXPECT_GE(ce[i], 0.0);
      sum += ll[i];
    }
    EXPECT_NEAR(sum, total, 1e-10 * std::fabs(total));
    std::vector<double> nn{0, 1, 200, 10000}, pr(4);
    clv::probability_of_n_purchases(p, 10000.0, nn, pr);
    for (double v : pr) EXPECT_TRUE(std::isfinite(v) && v >= 0.0 && v <= 1.0);
  }
}

TEST(BgNbd, FitWithHeavyBuyersConverges) {
  Rfm d = cdnow();
  for (double x : {200.0, 1500.0, 10000.0}) {
    d.x.push_back(x);
    d.tx.push_back(38.0);
    d.T.push_back(38.5);
  }
  const auto res = BgNbd::fit(d.x, d.tx, d.T);
  EXPECT_TRUE(res.converged()) << core::fit_status_name(res.status);
  EXPECT_TRUE(std::isfinite(res.log_likelihood));
  for (double se : res.std_errors) EXPECT_TRUE(std::isfinite(se));
}

TEST(BgNbd, BadStartIsRescuedByRestarts) {
  const Rfm& d = cdnow();
  core::FitOptions o;
  o.initial_params = std::vector<double>{1e-6, 1e8, 1e-6, 1e8};
  const auto res = BgNbd::fit(d.x, d.tx, d.T, {}, o);
  EXPECT_TRUE(res.converged());
  EXPECT_NEAR(res.params.r, 0.2426, 0.0005);
  // Starting at the optimum converges at once.
  o.initial_params = std::vector<double>{kFit.r, kFit.alpha, kFit.a, kFit.b};
  const auto again = BgNbd::fit(d.x, d.tx, d.T, {}, o);
  EXPECT_TRUE(again.converged());
  EXPECT_EQ(again.starts_tried, 1);
}

TEST(BgNbd, PenalizerShrinksLogParametersTowardsZero) {
  const Rfm& d = cdnow();
  const auto free = BgNbd::fit(d.x, d.tx, d.T);
  core::FitOptions o;
  o.penalizer = 0.05;
  const auto pen = BgNbd::fit(d.x, d.tx, d.T, {}, o);
  ASSERT_TRUE(pen.converged());
  auto norm = [](const BgNbdParams& p) {
    double s = 0;
    for (double v : p.values()) s += std::log(v) * std::log(v);
    return s;
  };
  EXPECT_LT(norm(pen.params), norm(free.params));
  EXPECT_LT(pen.log_likelihood, free.log_likelihood);
}

TEST(BgNbd, JsonRoundTrip) {
  const nlohmann::json j = kFit;
  EXPECT_EQ(j.at("model"), "bg_nbd");
  const auto back = j.get<BgNbdParams>();
  EXPECT_EQ(back.values(), kFit.values());
  const auto parsed = nlohmann::json::parse(R"({"r": 0.25, "alpha": 4, "a": 0.8, "b": 2.5})").get<BgNbdParams>();
  EXPECT_EQ(parsed.alpha, 4.0);
  using ::testing::HasSubstr;
  try {
    (void)nlohmann::json::parse(R"({"model": "pareto_nbd", "r": 1, "alpha": 1, "a": 1, "b": 1})").get<BgNbdParams>();
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.argument(), "model");
    EXPECT_THAT(e.what(), HasSubstr("must be \"bg_nbd\""));
  }
  try {
    (void)nlohmann::json::parse(R"({"r": 1, "alpha": -1, "a": 1, "b": 1})").get<BgNbdParams>();
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("params.alpha"));
    EXPECT_THAT(e.what(), HasSubstr("must be finite and > 0"));
  }
  EXPECT_THROW((void)nlohmann::json::parse(R"({"r": 1, "alpha": 1, "a": 1})").get<BgNbdParams>(), InvalidArgument);
}

TEST(BgNbd, InvalidInputIsRejectedWithContext) {
  using ::testing::HasSubstr;
  const std::vector<double> x{1, 2}, tx{1, 3}, T{2, 4}, shortT{2};
  auto expect_msg = [](auto&& f, const char* argument, const char* rule) {
    try {
      f();
      ADD_FAILURE() << "no exception for " << argument;
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(e.argument(), argument);
      EXPECT_THAT(e.what(), HasSubstr(rule));
    }
  };
  expect_msg([&] { BgNbd::fit(x, tx, shortT); }, "T", "must equal the length of frequency (2)");
  expect_msg([&] { BgNbd::fit(std::vector<double>{1, -1}, tx, T); }, "frequency (customer row 2)", "non-negative integer");
  expect_msg([&] { BgNbd::fit(std::vector<double>{1, 0.5}, tx, T); }, "frequency (customer row 2)", "non-negative integer");
  expect_msg([&] { BgNbd::fit(x, std::vector<double>{1, 5}, T); }, "recency (customer row 2)", "0 <= recency <= T (T = 4)");
  expect_msg([&] { BgNbd::fit(x, tx, T, std::vector<double>{1, NAN}); }, "weights (customer row 2)", "finite and >= 0");
  expect_msg([&] { BgNbd::fit(x, tx, T, std::vector<double>{0, 0}); }, "weights", "must be > 0");
  expect_msg([&] { BgNbd::fit(std::vector<double>{}, std::vector<double>{}, std::vector<double>{}); }, "frequency",
             "at least one customer");
  core::FitOptions o;
  o.penalizer = -1;
  expect_msg([&] { BgNbd::fit(x, tx, T, {}, o); }, "options.penalizer", "finite and >= 0");
  std::vector<double> out(1);
  expect_msg([&] { clv::p_alive(kFhl, x, tx, T, out); }, "out", "must equal the input length (2)");
  expect_msg([&] { clv::p_alive(BgNbdParams{0, 1, 1, 1}, 1.0, 1.0, 2.0); }, "params.r", "finite and > 0");
  expect_msg([&] { clv::expected_purchases(kFhl, -1.0); }, "t[0]", "finite and >= 0");
  expect_msg([&] { clv::probability_of_n_purchases(kFhl, 1.0, 1.5); }, "n[0]", "non-negative integer");
}

TEST(BgNbd, FitTimeIsReportedNotAsserted) {
  const Rfm& d = cdnow();
  constexpr int reps = 20;
  const auto t0 = std::chrono::steady_clock::now();
  double sink = 0;
  for (int i = 0; i < reps; ++i) sink += BgNbd::fit(d.x, d.tx, d.T).params.r;
  const auto t1 = std::chrono::steady_clock::now();
  std::printf("[ info     ] BG/NBD fit on CDNOW (2357 customers): %.3f ms per fit\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count() / reps);
  EXPECT_GT(sink, 0.0);
}

}  // namespace
