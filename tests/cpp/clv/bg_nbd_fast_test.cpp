// BG/NBD fast paths and robustness (issue 3, Speed and "no NaN for any valid input").
// Oracles: the straightforward computations these paths replace (hash-and-sort compression, one
// conditional_expected_purchases call per month, finite-difference Hessians of the analytic gradient, a
// plain Simpson integral of the Beta mixture) to 1e-10 relative unless stated; the deterministic-p limit
// of E[Y(t)] when a, b -> inf with a / (a + b) fixed; and regression data on which the fit used to stop on
// the a ~ 1e14 plateau with NaN expectations afterwards.
#include <array>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <gtest/gtest.h>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"

namespace {

using namespace crmkit;
using clv::BgNbd;
using clv::BgNbdParams;

struct Rfm {
  std::vector<double> x, tx, T;
};

const Rfm& cdnow() {
  static const Rfm d = [] {
    std::ifstream in(std::string(CRMKIT_TEST_DATA) + "/cdnow_customers_summary.csv");
    EXPECT_TRUE(in.good());
    std::string line;
    std::getline(in, line);  // ID,frequency,recency,T
    Rfm r;
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string f;
      std::getline(ss, f, ',');
      std::getline(ss, f, ',');
      r.x.push_back(std::stod(f));
      std::getline(ss, f, ',');
      r.tx.push_back(std::stod(f));
      std::getline(ss, f, ',');
      r.T.push_back(std::stod(f));
    }
    return r;
  }();
  return d;
}

void expect_same_patterns(const clv::detail::WeightedPatterns& a, const clv::detail::WeightedPatterns& b) {
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.t_x, b.t_x);
  EXPECT_EQ(a.T, b.T);
  EXPECT_EQ(a.w, b.w);  // summed in input order on both paths: bit-identical
  EXPECT_EQ(a.group_x, b.group_x);
  EXPECT_EQ(a.group_w, b.group_w);
  EXPECT_EQ(a.group_begin, b.group_begin);
  EXPECT_EQ(a.unique_T, b.unique_T);
  EXPECT_EQ(a.unique_tx, b.unique_tx);
  EXPECT_EQ(a.T_index, b.T_index);
  EXPECT_EQ(a.tx_index, b.tx_index);
  EXPECT_EQ(a.total_weight, b.total_weight);
}

TEST(BgNbdFast, RadixCompressionEqualsHashAndSort) {
  const Rfm& d = cdnow();
  expect_same_patterns(clv::detail::compress_weighted(d.x, d.tx, d.T, {}),
                       clv::detail::compress_hashed(d.x, d.tx, d.T, {}));
  // Whole days with weights (some zero), -0.0 beside 0.0, fractional and large values (hashed columns).
  std::mt19937_64 rng(11);
  Rfm r;
  std::vector<double> w;
  for (int i = 0; i < 20000; ++i) {
    const double T = static_cast<double>(30 + rng() % 336);
    const double x = static_cast<double>(rng() % 6);
    double tx = x > 0 ? static_cast<double>(rng() % static_cast<std::uint64_t>(T)) : (i % 7 == 0 ? -0.0 : 0.0);
    if (i % 5 == 0) tx = x > 0 ? tx + 0.25 : tx;
    r.x.push_back(i % 997 == 0 ? 1e7 : x);
    r.tx.push_back(i % 997 == 0 ? T : tx);
    r.T.push_back(T);
    w.push_back(static_cast<double>(rng() % 4) * 0.5);
  }
  const auto a = clv::detail::compress_weighted(r.x, r.tx, r.T, w);
  expect_same_patterns(a, clv::detail::compress_hashed(r.x, r.tx, r.T, w));
  expect_same_patterns(clv::detail::compress_weighted(r.x, r.tx, r.T, {}),
                       clv::detail::compress_hashed(r.x, r.tx, r.T, {}));
  EXPECT_LT(a.size(), r.x.size());
  // Weekly values computed as days / 7 (the direct table of fractions k / 7), mixed with fractions of
  // other denominators (1/3, 0.1: the hash), whole numbers, and a first fraction that fixes the scale.
  Rfm wk;
  for (int i = 0; i < 20000; ++i) {
    const double days = static_cast<double>(30 + rng() % 700);
    const double x = static_cast<double>(rng() % 5);
    double tx = x > 0 ? static_cast<double>(rng() % static_cast<std::uint64_t>(days)) / 7.0 : 0.0;
    if (i % 11 == 0 && x > 0) tx = std::floor(tx) + 1.0 / 3.0;
    if (i % 13 == 0 && x > 0) tx = std::floor(tx) + 0.1;
    wk.x.push_back(x);
    wk.tx.push_back(tx);
    wk.T.push_back(i % 17 == 0 ? std::ceil(days / 7.0) + 1.0 : days / 7.0);
  }
  expect_same_patterns(clv::detail::compress_weighted(wk.x, wk.tx, wk.T, {}),
                       clv::detail::compress_hashed(wk.x, wk.tx, wk.T, {}));
}

TEST(BgNbdFast, DiscountedPurchasesEqualOneCallPerMonth) {
  const Rfm& d = cdnow();
  for (const BgNbdParams& p : {BgNbdParams{0.243, 4.414, 0.793, 2.426}, BgNbdParams{2.0, 50.0, 0.5, 8.0},
                               BgNbdParams{0.5, 3.0, 1.0, 1.0}}) {
    std::vector<double> h, disc;
    for (int i = 1; i <= 12; ++i) {
      h.push_back(4.345 * i);
      disc.push_back(std::pow(1.01, -i));
    }
    const std::size_t n = d.x.size();
    std::vector<double> fast(n), cur(n), prev(n, 0.0), slow(n, 0.0);
    clv::discounted_expected_purchases(p, h, disc, d.x, d.tx, d.T, fast);
    for (std::size_t k = 0; k < h.size(); ++k) {
      clv::conditional_expected_purchases(p, h[k], d.x, d.tx, d.T, cur);
      for (std::size_t i = 0; i < n; ++i) slow[i] += disc[k] * (cur[i] - prev[i]);
      prev.swap(cur);
    }
    for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(fast[i], slow[i], 1e-10 * std::fabs(slow[i]) + 1e-300) << i;
  }
  std::vector<double> out(1), h{1.0, 0.5}, disc{1.0, 1.0};
  const double x = 1, tx = 1, T = 2;
  EXPECT_THROW(clv::discounted_expected_purchases(BgNbdParams{}, h, disc, {&x, 1}, {&tx, 1}, {&T, 1}, out),
               InvalidArgument);  // horizons must not decrease
}

// Hessian of -LL in u = log(theta) by central differences of the analytic gradient; standard errors of
// the Newton fit (from the analytic Hessian) must match it.
TEST(BgNbdFast, AnalyticHessianStandardErrorsMatchFiniteDifferences) {
  const Rfm& d = cdnow();
  const auto res = BgNbd::fit(d.x, d.tx, d.T);
  ASSERT_TRUE(res.converged());
  EXPECT_EQ(res.starts_tried, 1);
  const auto v = res.params.values();
  auto grad_u = [&](const std::array<double, 4>& u) {
    std::vector<double> g(4);
    const BgNbdParams p{std::exp(u[0]), std::exp(u[1]), std::exp(u[2]), std::exp(u[3])};
    BgNbd::log_likelihood(p, d.x, d.tx, d.T, {}, g);
    Eigen::Vector4d gu;
    for (int k = 0; k < 4; ++k) gu[k] = -g[static_cast<std::size_t>(k)] * std::exp(u[static_cast<std::size_t>(k)]);
    return gu;
  };
  std::array<double, 4> u{};
  for (std::size_t k = 0; k < 4; ++k) u[k] = std::log(v[k]);
  Eigen::Matrix4d h;
  for (int k = 0; k < 4; ++k) {
    const double step = 1e-5;
    auto up = u, dn = u;
    up[static_cast<std::size_t>(k)] += step;
    dn[static_cast<std::size_t>(k)] -= step;
    h.col(k) = (grad_u(up) - grad_u(dn)) / (2 * step);
  }
  h = 0.5 * (h + h.transpose()).eval();
  const Eigen::Matrix4d cov = h.llt().solve(Eigen::Matrix4d::Identity());
  for (std::size_t k = 0; k < 4; ++k) {
    const double se = v[k] * std::sqrt(cov(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k)));
    EXPECT_NEAR(res.std_errors[k], se, 1e-5 * se) << k;
  }
}

// Data on which the fit used to stop on a plateau (a ~ 1e7 .. 1e14, or r, alpha ~ 1e16 with a
// log-likelihood made of lgamma rounding noise) and expectations came out NaN.
TEST(BgNbdFast, DegenerateDataGiveBoundaryStatusAndFinitePredictions) {
  const std::vector<std::vector<std::array<double, 3>>> sets = {
      {{1, 1, 10}, {0, 0, 10}},                   // was: "converged", a = 1.8e6, E = NaN
      {{2, 3, 40}, {1, 1, 40}, {0, 0, 40}},       // was: a = 1.3e9, E = NaN
      {{0, 0, 10}, {0, 0, 20}, {0, 0, 5}},        // nobody repeats
      {{1, 10, 10}, {2, 10, 10}, {3, 10, 10}},    // everybody alive at the end
      {{5, 10, 10}},                              // one customer
  };
  int boundary = 0;
  for (const auto& s : sets) {
    Rfm d;
    for (const auto& e : s) {
      d.x.push_back(e[0]);
      d.tx.push_back(e[1]);
      d.T.push_back(e[2]);
    }
    const auto res = BgNbd::fit(d.x, d.tx, d.T);
    EXPECT_TRUE(std::isfinite(res.log_likelihood));
    for (double v : res.params.values()) EXPECT_TRUE(v > 0.0 && std::isfinite(v));
    EXPECT_NE(res.status, core::FitStatus::Converged) << core::fit_status_name(res.status);
    boundary += res.status == core::FitStatus::Boundary;
    // the log-likelihood is that of the data at the returned parameters (not rounding noise)
    EXPECT_NEAR(res.log_likelihood, BgNbd::log_likelihood(res.params, d.x, d.tx, d.T), 1e-9 * (1 + std::fabs(res.log_likelihood)));
    const std::size_t n = d.x.size();
    std::vector<double> pa(n), ce(n);
    clv::p_alive(res.params, d.x, d.tx, d.T, pa);
    clv::conditional_expected_purchases(res.params, 52.0, d.x, d.tx, d.T, ce);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(pa[i] >= 0.0 && pa[i] <= 1.0);
      EXPECT_TRUE(std::isfinite(ce[i]) && ce[i] >= 0.0) << ce[i];
    }
    EXPECT_TRUE(std::isfinite(clv::expected_purchases(res.params, 52.0)));
  }
  EXPECT_GE(boundary, 3);
  EXPECT_STREQ(core::fit_status_name(core::FitStatus::Boundary), "boundary");
}

// a, b -> inf with a / (a + b) = q fixed: p is q for everybody, so
// E[Y(t) | x, t_x, T] = P(alive) (1 - ((alpha + T) / (alpha + T + q t))^(r + x)) / q.
TEST(BgNbdFast, ExpectationAtHugeBetaShapesIsTheDeterministicLimit) {
  for (double scale : {1e12, 1e14, 1e16}) {
    const BgNbdParams p{0.7, 5.0, 0.4 * scale, 0.6 * scale};
    for (double x : {0.0, 1.0, 7.0, 200.0})
      for (double t : {1.0, 39.0, 500.0}) {
        const double T = 38.86, tx = x > 0 ? 30.43 : 0.0;
        const double q = 0.4;
        const double num = -std::expm1(-(p.r + x) * std::log1p(q * t / (p.alpha + T))) / q;
        const double want = num * clv::p_alive(p, x, tx, T);
        const double got = clv::conditional_expected_purchases(p, t, x, tx, T);
        EXPECT_NEAR(got, want, 1e-6 * want + 1e-300) << scale << " " << x << " " << t;
      }
  }
}

// a and x both large (neither series converges quickly): the Beta-mixture quadrature against a plain
// Simpson integral over p in [0, 1] written independently here.
TEST(BgNbdFast, ExpectationWhenBothSeriesAreSlowMatchesSimpson) {
  const BgNbdParams p{1.5, 10.0, 3e5, 4e5};
  const double x = 2e5, T = 100, tx = 99, t = 400;
  const double A = p.a, B = p.b + x, m = p.r + x, c = t / (p.alpha + T);
  // Beta(A, B) is concentrated near A / (A + B) (sd ~ 6e-4): integrate over +-40 sd with 2e5 Simpson steps.
  const double mu = A / (A + B), sd = std::sqrt(mu * (1 - mu) / (A + B + 1));
  const double lo = mu - 40 * sd, hi = mu + 40 * sd;
  const int N = 200000;
  const double h = (hi - lo) / N;
  auto logd = [&](double q) { return (A - 1) * std::log(q) + (B - 1) * std::log1p(-q); };
  const double l0 = logd(mu);
  double s0 = 0, s1 = 0;
  for (int i = 0; i <= N; ++i) {
    const double q = lo + i * h;
    const double wgt = (i == 0 || i == N) ? 1 : (i % 2 ? 4 : 2);
    const double dens = std::exp(logd(q) - l0);
    s0 += wgt * dens;
    s1 += wgt * dens * (-std::expm1(-m * std::log1p(c * q)) / q);
  }
  const double want = s1 / s0 * clv::p_alive(p, x, tx, T);
  const double got = clv::conditional_expected_purchases(p, t, x, tx, T);
  EXPECT_TRUE(std::isfinite(got));
  EXPECT_NEAR(got, want, 1e-9 * want);
}

TEST(BgNbdFast, ExtremeParameterGridIsFinite) {
  const std::vector<double> vals{1e-8, 0.5, 1.0, 1e3, 1e14};
  for (double r : vals)
    for (double a : vals)
      for (double b : {1e-8, 1.0, 1e14}) {
        const BgNbdParams p{r, 10.0 * r, a, b};
        for (double x : {0.0, 1.0, 50.0})
          for (double t : {0.5, 39.0, 1e4}) {
            const double v = clv::conditional_expected_purchases(p, t, x, x > 0 ? 20.0 : 0.0, 38.0);
            ASSERT_TRUE(std::isfinite(v) && v >= 0.0) << r << " " << a << " " << b << " " << x << " " << t;
          }
        const double e = clv::expected_purchases(p, 39.0);
        ASSERT_TRUE(std::isfinite(e) && e >= 0.0) << r << " " << a << " " << b;
        const double pn = clv::probability_of_n_purchases(p, 39.0, 3.0);
        ASSERT_TRUE(std::isfinite(pn) && pn >= 0.0 && pn <= 1.0) << r << " " << a << " " << b;
      }
}

// Tracking: expected cumulative repeat transactions of a cohort = sum over customers of E[X(t - s_i)].
TEST(BgNbdFast, CumulativeAndIncrementalTrackingEqualTheirDefinitions) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  // CDNOW's first purchases fall in weeks 0..12 of the calibration period (T = 38.86 - first purchase week)
  const Rfm& d = cdnow();
  std::vector<double> birth(d.T.size());
  for (std::size_t i = 0; i < birth.size(); ++i) birth[i] = 38.86 - d.T[i];
  std::vector<double> t, cum(78), inc(78);
  for (int k = 1; k <= 78; ++k) t.push_back(k);
  clv::expected_cumulative_transactions(p, birth, t, cum);
  clv::expected_incremental_transactions(p, birth, t, inc);
  double running = 0;
  for (std::size_t j = 0; j < t.size(); ++j) {
    double want = 0;
    for (double s : birth)
      if (s < t[j]) want += clv::expected_purchases(p, t[j] - s);
    EXPECT_NEAR(cum[j], want, 1e-10 * want + 1e-12) << j;
    running += inc[j];
    EXPECT_NEAR(running, cum[j], 1e-9 * cum[j] + 1e-12);
    if (j > 0) {
      EXPECT_GE(cum[j], cum[j - 1]);
    }
  }
  // weights equal replicated customers
  std::vector<double> two(2, 5.0), one(1, 5.0), w(1, 2.0), a(3), b(3);
  const std::vector<double> tt{4.0, 10.0, 40.0};
  clv::expected_cumulative_transactions(p, two, tt, a);
  clv::expected_cumulative_transactions(p, one, tt, b, w);
  for (int j = 0; j < 3; ++j) EXPECT_NEAR(a[j], b[j], 1e-14 * a[j] + 1e-300);
  const std::vector<double> bad{1.0, 0.5};
  std::vector<double> o2(2);
  EXPECT_THROW(clv::expected_incremental_transactions(p, one, bad, o2), InvalidArgument);
}

// The warm start on many patterns (src/clv/bg_nbd.cpp): Newton first on systematic customer samples
// (detail::sample_customers). Oracle: the same fit from the data-driven start given as initial_params,
// which skips the warm start; both stop at gradient norm <= 1e-8, so they agree to ~1e-8. Data: CDNOW's
// calibration rows five times, copy j with t_x and T shifted by 0.1 j weeks (x = 0 keeps t_x = 0): 11,785
// customers in well over the 3,000 patterns that trigger the warm start.
TEST(BgNbdFast, WarmStartFromCustomerSamplesGivesTheSameFit) {
  const Rfm& c = cdnow();
  Rfm d;
  for (int j = 0; j < 5; ++j)
    for (std::size_t i = 0; i < c.x.size(); ++i) {
      d.x.push_back(c.x[i]);
      d.tx.push_back(c.x[i] > 0 ? c.tx[i] + 0.1 * j : 0.0);
      d.T.push_back(c.T[i] + 0.1 * j);
    }
  const auto pat = clv::detail::compress_weighted(d.x, d.tx, d.T, {});
  ASSERT_GE(pat.size(), 3000u);
  // The sample: every 8th customer in pattern order, integer weights, a sorted subset of the patterns.
  const auto smp = clv::detail::sample_customers(pat, 8.0);
  EXPECT_NEAR(smp.total_weight, pat.total_weight / 8.0, 1.0);
  double sum = 0;
  for (std::size_t k = 0; k < smp.size(); ++k) {
    EXPECT_EQ(smp.w[k], std::floor(smp.w[k]));
    EXPECT_GE(smp.w[k], 1.0);
    EXPECT_EQ(smp.unique_T[smp.T_index[k]], smp.T[k]);
    EXPECT_EQ(smp.unique_tx[smp.tx_index[k]], smp.t_x[k]);
    sum += smp.w[k];
  }
  EXPECT_EQ(sum, smp.total_weight);
  ASSERT_EQ(smp.group_begin.size(), smp.group_x.size() + 1);
  for (std::size_t g = 0; g < smp.group_x.size(); ++g)
    for (std::uint32_t k = smp.group_begin[g]; k < smp.group_begin[g + 1]; ++k) EXPECT_EQ(smp.x[k], smp.group_x[g]);

  const auto warm = BgNbd::fit(d.x, d.tx, d.T);
  double sx = 0, sT = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    sx += d.x[i];
    sT += d.T[i];
  }
  const double n = static_cast<double>(d.x.size());
  core::FitOptions o;
  o.initial_params = std::vector<double>{1.0, n * (sT / n) / sx, 1.0, 3.0};
  const auto cold = BgNbd::fit(d.x, d.tx, d.T, {}, o);
  ASSERT_TRUE(warm.converged());
  ASSERT_TRUE(cold.converged());
  EXPECT_LT(warm.iterations, cold.iterations);  // the warm start was taken (fewer full-data iterations)
  const auto a = warm.params.values(), b = cold.params.values();
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(a[k], b[k], 1e-6 * b[k]) << k;
    EXPECT_NEAR(warm.std_errors[k], cold.std_errors[k], 1e-4 * cold.std_errors[k]) << k;
  }
  EXPECT_NEAR(warm.log_likelihood, cold.log_likelihood, 1e-8 * std::fabs(cold.log_likelihood));
}

// detail::check_and_compress validates and codes in one pass: the errors (message and row) must be
// check_repeat_purchase_data's, and the patterns compress_hashed's, on every path (whole numbers, weeks as
// days / 7, fractions of other denominators and values too large to code, which fall back).
TEST(BgNbdFast, CheckAndCompressGivesTheReferenceErrorsAndPatterns) {
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "no error";
  };
  const double nan = std::nan(""), inf = INFINITY;
  struct Case {
    std::vector<double> x, tx, T, w;
  };
  std::vector<Case> bad = {
      {{1, 2, nan, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {}},          // NaN frequency
      {{1, 2, 1.5, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {}},          // fractional frequency
      {{1, 2, -1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {}},           // negative frequency
      {{1, 1e7, 1, 2}, {1, 1, 1, 3}, {2, 2, 2, 2}, {}},          // too large to code, then recency > T
      {{1, 1, 1, 1}, {1, -0.5, 1, 1}, {2, 2, 2, 2}, {}},         // negative recency
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, inf, 2, 2}, {}},          // infinite T
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, nan, 2}, {}},          // NaN T
      {{1, 1, 1, 1}, {1, 1 / 7.0, 3 / 7.0, 1}, {2, 2, 0.25, 2}, {}},  // recency > T in weeks
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 1, -1, 1}}, // negative weight
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, nan, 1, 1}},// NaN weight
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, inf, 1, 1}},// infinite weight
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 0, 0, 0}},  // weights sum to 0
      {{1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {}},               // lengths
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2}, {}},
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 1}},
      {{}, {}, {}, {}},                                          // empty
  };
  for (std::size_t c = 0; c < bad.size(); ++c) {
    const Case& k = bad[c];
    const std::string want = message([&] { clv::detail::check_repeat_purchase_data("f", k.x, k.tx, k.T, k.w); });
    ASSERT_NE(want, "no error") << c;
    EXPECT_EQ(message([&] { (void)clv::detail::check_and_compress("f", k.x, k.tx, k.T, k.w); }), want) << c;
  }
  // a bad row far into a long valid column is named by its index
  Rfm big;
  for (int i = 0; i < 50000; ++i) {
    big.x.push_back(i % 4);
    big.tx.push_back(i % 4 ? 3.0 : 0.0);
    big.T.push_back(5.0 + i % 100);
  }
  big.tx[43210] = 200.0;
  const std::string want = message([&] { clv::detail::check_repeat_purchase_data("f", big.x, big.tx, big.T, {}); });
  EXPECT_NE(want.find("recency (customer row 43211)"), std::string::npos) << want;
  EXPECT_EQ(message([&] { (void)clv::detail::check_and_compress("f", big.x, big.tx, big.T, {}); }), want);

  // patterns: CDNOW (weeks), whole days with weights, weeks mixed with thirds, huge values (fallback)
  const Rfm& d = cdnow();
  expect_same_patterns(clv::detail::check_and_compress("f", d.x, d.tx, d.T, {}),
                       clv::detail::compress_hashed(d.x, d.tx, d.T, {}));
  std::mt19937_64 rng(5);
  Rfm r, wk;
  std::vector<double> w;
  for (int i = 0; i < 30000; ++i) {
    const double T = static_cast<double>(30 + rng() % 336);
    const double x = static_cast<double>(rng() % 6);
    const double tx = x > 0 ? static_cast<double>(rng() % static_cast<std::uint64_t>(T)) : 0.0;
    r.x.push_back(x);
    r.tx.push_back(i % 3 == 0 ? tx : (i % 3 == 1 ? tx / 7.0 : tx));
    r.T.push_back(T);
    w.push_back(static_cast<double>(rng() % 4) * 0.25);
    wk.x.push_back(x);
    wk.tx.push_back(tx / 7.0);
    wk.T.push_back(i % 101 == 0 ? T / 3.0 + 200.0 : T / 7.0);
  }
  for (const Rfm* s : {&r, &wk}) {
    expect_same_patterns(clv::detail::check_and_compress("f", s->x, s->tx, s->T, w),
                         clv::detail::compress_hashed(s->x, s->tx, s->T, w));
    expect_same_patterns(clv::detail::check_and_compress("f", s->x, s->tx, s->T, {}),
                         clv::detail::compress_hashed(s->x, s->tx, s->T, {}));
  }
  Rfm huge = r;
  huge.T[29999] = 3e6;  // a code of 2^21 or more
  huge.x[17] = 4e6;
  expect_same_patterns(clv::detail::check_and_compress("f", huge.x, huge.tx, huge.T, w),
                       clv::detail::compress_hashed(huge.x, huge.tx, huge.T, w));
  // few cells (direct accumulation), -0.0 beside 0.0
  const std::vector<double> sx{0, 1, 0, 1, 2, 0}, stx{0, 3, -0.0, 3, 1, 0}, sT{4, 4, 4, 5, 5, 4}, sw{1, 0.5, 2, 0, 1, 0.25};
  expect_same_patterns(clv::detail::check_and_compress("f", sx, stx, sT, sw), clv::detail::compress_hashed(sx, stx, sT, sw));
  expect_same_patterns(clv::detail::check_and_compress("f", sx, stx, sT, {}), clv::detail::compress_hashed(sx, stx, sT, {}));
}

// From 2^18 rows the coding pass runs over chunks of 2^16 rows on up to max_threads() threads: the same
// patterns (compress_hashed's) and the same first bad row as on one thread.
TEST(BgNbdFast, ParallelCodingPassGivesTheSamePatternsAndErrors) {
  std::mt19937_64 rng(17);
  Rfm d, wk;
  std::vector<double> w;
  for (int i = 0; i < 300000; ++i) {
    const double T = static_cast<double>(30 + rng() % 336);
    const double x = static_cast<double>(rng() % 7);
    const double tx = x > 0 ? static_cast<double>(rng() % static_cast<std::uint64_t>(T)) : 0.0;
    // a wider range of codes in a late chunk (its tables grow further than the others')
    d.x.push_back(i > 250000 && i % 50 == 0 ? x + 100.0 : x);
    d.tx.push_back(tx);
    d.T.push_back(i > 280000 && i % 70 == 0 ? T + 5000.0 : T);
    wk.x.push_back(x);
    wk.tx.push_back(tx / 7.0);
    wk.T.push_back(T / 7.0);
    w.push_back(static_cast<double>(rng() % 3) * 0.5);
  }
  for (int threads : {1, 2}) {
    set_max_threads(threads);
    for (const Rfm* s : {&d, &wk}) {
      expect_same_patterns(clv::detail::check_and_compress("f", s->x, s->tx, s->T, {}),
                           clv::detail::compress_hashed(s->x, s->tx, s->T, {}));
      expect_same_patterns(clv::detail::check_and_compress("f", s->x, s->tx, s->T, w),
                           clv::detail::compress_hashed(s->x, s->tx, s->T, w));
    }
    Rfm bad = d;
    bad.tx[290000] = bad.T[290000] + 1.0;  // chunk 4
    bad.x[70000] = 0.5;                   // chunk 1: the first bad row
    try {
      (void)clv::detail::check_and_compress("f", bad.x, bad.tx, bad.T, {});
      ADD_FAILURE() << "no error";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("frequency (customer row 70001)"), std::string::npos) << e.what();
    }
    std::vector<double> zero(d.x.size(), 0.0);
    EXPECT_THROW((void)clv::detail::check_and_compress("f", d.x, d.tx, d.T, zero), InvalidArgument);
  }
  set_max_threads(0);
}

// The likelihood passes run fixed chunks of patterns on up to max_threads() threads and add them in chunk
// order: one and two threads give bitwise the same fit. Data: 150,000 customers simulated from BG/NBD
// (r 0.5, alpha 80, a 0.8, b 2.5; days), well over the patterns that turn the threads on.
TEST(BgNbdFast, FitIsBitwiseTheSameOnOneAndTwoThreads) {
  std::mt19937_64 rng(3);
  std::gamma_distribution<double> rate(0.5, 1.0 / 80.0), ga(0.8, 1.0), gb(2.5, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Rfm d;
  for (int i = 0; i < 150000; ++i) {
    const double T = 30.0 + std::floor(unit(rng) * 336.0), lambda = rate(rng);
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
    d.x.push_back(x);
    d.tx.push_back(tx);
    d.T.push_back(T);
  }
  ASSERT_GE(clv::detail::compress_weighted(d.x, d.tx, d.T, {}).size(), 40000u);
  set_max_threads(1);
  const auto one = BgNbd::fit(d.x, d.tx, d.T);
  std::vector<double> g1(4), g2(4);
  const double ll1 = BgNbd::log_likelihood(BgNbdParams{0.5, 80, 0.8, 2.5}, d.x, d.tx, d.T, {}, g1);
  set_max_threads(2);
  const auto two = BgNbd::fit(d.x, d.tx, d.T);
  const double ll2 = BgNbd::log_likelihood(BgNbdParams{0.5, 80, 0.8, 2.5}, d.x, d.tx, d.T, {}, g2);
  set_max_threads(0);
  ASSERT_TRUE(one.converged());
  EXPECT_EQ(one.params.values(), two.params.values());
  EXPECT_EQ(one.log_likelihood, two.log_likelihood);
  EXPECT_EQ(one.std_errors, two.std_errors);
  EXPECT_EQ(one.iterations, two.iterations);
  EXPECT_EQ(ll1, ll2);
  EXPECT_EQ(g1, g2);
  // and the recovered parameters are near the simulated ones (150k customers: a few % sampling error)
  EXPECT_NEAR(one.params.r, 0.5, 0.05);
  EXPECT_NEAR(one.params.alpha, 80.0, 8.0);
  EXPECT_NEAR(one.params.a, 0.8, 0.15);
  EXPECT_NEAR(one.params.b, 2.5, 0.5);
}

}  // namespace
