// Log-space helpers: exact identities, extreme arguments (1e-100 .. 1e100) and continuity across every
// branch cutoff (std::nextafter on both sides).
#include "crmkit/math/log_space.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace crmkit::math;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// Relative difference in units of epsilon.
double ulps(double a, double b) {
  if (a == b) return 0.0;
  return std::fabs(a - b) / (kEps * std::max(std::fabs(a), std::fabs(b)));
}

// Steps one ulp below and above `cut` and checks that the jump between neighbours is the function's own
// change (slope * dx) up to max_ulps: a branch switch at `cut` must not add a discontinuity.
void expect_continuous(double (*f)(double), double (*slope)(double), double cut, double max_ulps) {
  const double below = std::nextafter(cut, -kInf), above = std::nextafter(cut, kInf);
  const double fb = f(below), fc = f(cut), fa = f(above);
  const double d = slope(cut);
  EXPECT_LE(std::fabs((fc - fb) - d * (cut - below)) / (kEps * std::fabs(fc)), max_ulps)
      << "cut " << cut << ": " << fb << " vs " << fc;
  EXPECT_LE(std::fabs((fa - fc) - d * (above - cut)) / (kEps * std::fabs(fc)), max_ulps)
      << "cut " << cut << ": " << fc << " vs " << fa;
}
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double d_log1m_exp(double x) { return -1.0 / std::expm1(-x); }

TEST(LogSumExp, PairIdentitiesAndExtremes) {
  EXPECT_DOUBLE_EQ(log_sum_exp(0.0, 0.0), std::numbers::ln2);
  EXPECT_DOUBLE_EQ(log_sum_exp(std::log(2.0), std::log(3.0)), std::log(5.0));
  EXPECT_EQ(log_sum_exp(1e100, 1e100), 1e100);
  EXPECT_EQ(log_sum_exp(1e100, -1e100), 1e100);
  EXPECT_EQ(log_sum_exp(-1e100, 0.0), 0.0);
  EXPECT_NEAR(log_sum_exp(1e-100, -1e-100), std::numbers::ln2, 1e-16);
  EXPECT_EQ(log_sum_exp(-kInf, -kInf), -kInf);
  EXPECT_EQ(log_sum_exp(-kInf, 3.0), 3.0);
  EXPECT_EQ(log_sum_exp(kInf, 3.0), kInf);
  EXPECT_TRUE(std::isnan(log_sum_exp(std::nan(""), 0.0)));
  // Far below the larger argument: the exact answer rounds to it.
  EXPECT_EQ(log_sum_exp(-800.0, -1600.0), -800.0);
}

TEST(LogSumExp, SpanMatchesPairwiseAndHandlesInfinities) {
  const std::vector<double> v{-3.0, 2.5, -1e100, 0.25, 2.5, -kInf};
  double pair = -kInf;
  for (double x : v) pair = log_sum_exp(pair, x);
  EXPECT_LE(ulps(log_sum_exp(v), pair), 4.0);
  EXPECT_EQ(log_sum_exp(std::vector<double>{}), -kInf);
  EXPECT_EQ(log_sum_exp(std::vector<double>{-kInf, -kInf}), -kInf);
  EXPECT_EQ(log_sum_exp(std::vector<double>{1.0, kInf}), kInf);
  EXPECT_EQ(log_sum_exp(std::vector<double>{1e100, 1e100, 1e100}), 1e100);
  EXPECT_TRUE(std::isnan(log_sum_exp(std::vector<double>{1.0, std::nan("")})));
}

TEST(Log1pExp, ExtremesAndBranches) {
  EXPECT_EQ(log1p_exp(-1e100), 0.0);
  EXPECT_EQ(log1p_exp(1e100), 1e100);
  EXPECT_EQ(log1p_exp(-kInf), 0.0);
  EXPECT_EQ(log1p_exp(kInf), kInf);
  EXPECT_DOUBLE_EQ(log1p_exp(1e-100), std::numbers::ln2);
  EXPECT_DOUBLE_EQ(log1p_exp(-1e-100), std::numbers::ln2);
  EXPECT_DOUBLE_EQ(log1p_exp(-700.0), std::exp(-700.0));  // no underflow to 0 before it must
  EXPECT_DOUBLE_EQ(log1p_exp(0.0), std::numbers::ln2);
  EXPECT_DOUBLE_EQ(log1p_exp(std::log(3.0)), std::log(4.0));
  for (double cut : {-37.0, 18.0, 33.3}) expect_continuous(log1p_exp, sigmoid, cut, 4.0);
}

TEST(Log1mExp, ExtremesAndBranch) {
  EXPECT_EQ(log1m_exp(0.0), -kInf);
  EXPECT_TRUE(std::isnan(log1m_exp(1e-300)));
  EXPECT_TRUE(std::isnan(log1m_exp(1.0)));
  EXPECT_DOUBLE_EQ(log1m_exp(-1e-100), std::log(1e-100));  // 1 - e^-eps = eps
  EXPECT_DOUBLE_EQ(log1m_exp(-1e-10), std::log(1e-10) + std::log1p(-0.5e-10));
  EXPECT_EQ(log1m_exp(-1e100), 0.0);
  EXPECT_EQ(log1m_exp(-kInf), 0.0);
  EXPECT_DOUBLE_EQ(log1m_exp(-40.0), -std::exp(-40.0));
  EXPECT_DOUBLE_EQ(log1m_exp(std::log(0.25)), std::log(0.75));
  expect_continuous(log1m_exp, d_log1m_exp, -std::numbers::ln2, 4.0);
}

TEST(LogDiffExp, IdentitiesAndEdges) {
  EXPECT_DOUBLE_EQ(log_diff_exp(std::log(5.0), std::log(3.0)), std::log(2.0));
  EXPECT_EQ(log_diff_exp(1e100, 0.0), 1e100);
  EXPECT_DOUBLE_EQ(log_diff_exp(0.0, -1e-100), std::log(1e-100));
  EXPECT_EQ(log_diff_exp(2.0, 2.0), -kInf);
  EXPECT_EQ(log_diff_exp(-kInf, -kInf), -kInf);
  EXPECT_EQ(log_diff_exp(2.0, -kInf), 2.0);
  EXPECT_EQ(log_diff_exp(kInf, 2.0), kInf);
  EXPECT_TRUE(std::isnan(log_diff_exp(1.0, 2.0)));
  EXPECT_TRUE(std::isnan(log_diff_exp(std::nan(""), 2.0)));
}

TEST(Lbeta, ClosedFormsOverExtremeArguments) {
  // B(1, b) = 1/b and B(2, b) = 1/(b (b + 1)) hold exactly; the grid crosses every branch (10).
  for (double b : {1e-100, 1e-10, 0.3, 1.0, 9.5, 10.0, 11.0, 1e3, 1e8, 1e15, 1e50, 1e100}) {
    EXPECT_LE(ulps(lbeta(1.0, b), -std::log(b)), 64.0) << "b = " << b;
    EXPECT_LE(ulps(lbeta(b, 1.0), -std::log(b)), 64.0) << "b = " << b;
    const double two = -std::log(b) - std::log1p(b);
    EXPECT_LE(std::fabs(lbeta(2.0, b) - two), 64.0 * kEps * std::max(1.0, std::fabs(two))) << "b = " << b;
  }
  EXPECT_LE(ulps(lbeta(0.5, 0.5), std::log(std::numbers::pi)), 4.0);
  EXPECT_TRUE(std::isnan(lbeta(0.0, 1.0)));
  EXPECT_TRUE(std::isnan(lbeta(-1.0, 1.0)));
  EXPECT_TRUE(std::isnan(lbeta(1.0, std::nan(""))));
}

TEST(Lbeta, RecurrenceHoldsForLargeArguments) {
  // B(a, b + 1) = B(a, b) b / (a + b): lbeta(a, b+1) - lbeta(a, b) = log(b) - log(a + b).
  // The plain lgamma sum loses ~log10(b lgamma(b)) digits here; the Stirling branches must not.
  for (double a : {1e-5, 0.7, 3.0, 10.0, 12.5, 1e4, 1e8}) {
    for (double b : {10.0, 55.0, 1e3, 1e6, 1e10, 1e14}) {
      const double lhs = lbeta(a, b + 1.0) - lbeta(a, b);
      const double rhs = std::log(b) - std::log(a + b);
      const double scale = std::max(std::fabs(lbeta(a, b)), 1.0);
      EXPECT_LE(std::fabs(lhs - rhs), 16.0 * kEps * scale) << "a = " << a << ", b = " << b;
    }
  }
}

TEST(Lbeta, ContinuousAtTheStirlingCutoff) {
  // Crossing q = 10 (one argument) and p = 10 (both) from below and above.
  for (double other : {0.01, 2.0, 9.0, 50.0, 1e6}) {
    const double below = std::nextafter(10.0, 0.0), above = std::nextafter(10.0, 20.0);
    EXPECT_LE(ulps(lbeta(below, other), lbeta(10.0, other)), 64.0) << other;
    EXPECT_LE(ulps(lbeta(above, other), lbeta(10.0, other)), 64.0) << other;
  }
  EXPECT_NEAR(lbeta(10.0, 10.0), std::lgamma(10.0) * 2 - std::lgamma(20.0), 1e-13);
}

}  // namespace
