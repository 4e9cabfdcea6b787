// BG/NBD and MBG/NBD conditional expectations and DERT where the hypergeometric series fail: purchase
// rates far above a + b (r = 100 .. 1e4: the Euler series' terms alternate and cancel every digit), a = 1
// with a huge r, and a tiny a (the Beta weight p^(a-1) puts half its mass below p = 1e-300). Until the fix
// these gave silently wrong expectations (1e9 .. 1e262 instead of 5 .. 1e3) and DERT threw NumericError.
//
// References: mpmath 1.3.0 at 50 digits.
//  - E[Y(t) | alive] = (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
//    (Fader, Hardie & Lee 2005, eq. 10 without its D; MBG/NBD: the same with b+1 for b), hyp2f1 with
//    maxterms 1e6; at a = 1 the mean of a = 1 +- 1e-20.
//  - DERT | alive = E_lambda[(lambda/delta) 2F1(1, a; a+b'; -lambda/delta)], lambda ~ Gamma(r+x, alpha+T),
//    b' = b+x (BG/NBD) or b+x+1 (MBG/NBD): the expectation of lambda / (delta + p lambda) with p integrated
//    in closed form, lambda by mp.quad split at the Gamma mode +- 3 and 8 sd.
// Tolerance 1e-9 relative (the tests elsewhere hold the series branches to 1e-10 .. 1e-12).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/dert.hpp"
#include "crmkit/clv/mbg_nbd.hpp"

namespace {

using crmkit::clv::BgNbdParams;
using crmkit::clv::MbgNbdParams;

struct Case {
  double r, alpha, a, b, x, T, t, expected;
};

template <class P>
double if_alive(const P& p, double t, double x, double T) {
  return crmkit::clv::conditional_expected_purchases(p, t, x, T, T) / crmkit::clv::p_alive(p, x, T, T);
}

TEST(ExpectationExtremes, BgNbdMatchesMpmathWhereTheSeriesCancel) {
  const std::vector<Case> cases{
      {100, 1, 1, 1, 0, 10, 1000, 9.6872375238233867688},         // a = 1, r = 100 (was 9.05e9)
      {1000, 1, 3, 5, 3, 10, 1000, 4.9999999565770632314},         // r = 1000: both series fail
      {100, 0.01, 0.001, 1, 2, 10, 100, 1013.8757885008966418},    // tiny a (a trapezoid lost 3e-4)
  };
  for (const auto& c : cases) {
    const BgNbdParams p{c.r, c.alpha, c.a, c.b};
    EXPECT_NEAR(if_alive(p, c.t, c.x, c.T), c.expected, 1e-9 * c.expected) << "r " << c.r << " a " << c.a;
  }
}

TEST(ExpectationExtremes, MbgNbdMatchesMpmathWhereTheSeriesCancel) {
  const std::vector<Case> cases{
      {100, 1, 1, 1, 0, 10, 1000, 17.37469726986899576},
      {1000, 1, 3, 5, 3, 10, 1000, 5.4999999402947753856},
  };
  for (const auto& c : cases) {
    const MbgNbdParams p{c.r, c.alpha, c.a, c.b};
    EXPECT_NEAR(if_alive(p, c.t, c.x, c.T), c.expected, 1e-9 * c.expected) << "r " << c.r << " a " << c.a;
  }
}

TEST(ExpectationExtremes, DertMatchesMpmathWithLargeRates) {
  // x = 0 (P(alive) = 1) and x = 3 with t_x = T (divided back out)
  {
    const BgNbdParams p{100, 1, 1, 1};
    EXPECT_NEAR(crmkit::clv::dert(p, 0.05, 0, 0, 10), 5.2035388781576990075, 1e-9 * 5.2);
    const MbgNbdParams q{100, 1, 1, 1};
    EXPECT_NEAR(crmkit::clv::dert(q, 0.05, 0, 0, 10) / crmkit::clv::p_alive(q, 0, 0, 10), 8.4647832478464605581,
                1e-9 * 8.5);
  }
  {
    const BgNbdParams p{1000, 100, 3, 5};
    EXPECT_NEAR(crmkit::clv::dert(p, 0.001, 3, 10, 10) / crmkit::clv::p_alive(p, 3, 10, 10), 4.9950882336031482831,
                1e-9 * 5.0);
    const MbgNbdParams q{1000, 100, 3, 5};
    EXPECT_NEAR(crmkit::clv::dert(q, 0.001, 3, 10, 10) / crmkit::clv::p_alive(q, 3, 10, 10), 5.4940003195644166117,
                1e-9 * 5.5);
  }
}

// Over a grid of extreme parameters: finite, non-negative, rising in t, and never above the expected
// purchases of a customer who never drops out ((r+x) t / (alpha+T)). DERT (one quadrature of ~150
// expectations each) on the corners of the grid: finite and >= 0 (it underflows to 0 with P(alive) when
// r = 1e4 and the last purchase is 5 periods old).
template <class P>
void sweep() {
  const std::vector<double> rs{1e-3, 0.5, 100, 1e4}, as{1e-3, 1, 3, 1e8}, bs{1e-3, 1, 1e8};
  for (double r : rs)
    for (double alpha : {1e-2, 1e3})
      for (double a : as)
        for (double b : bs)
          for (const auto& [x, tx, T] : std::vector<std::array<double, 3>>{{0, 0, 10}, {2, 5, 10}, {1000, 900, 1000}}) {
            const P p{r, alpha, a, b};
            double prev = 0;
            for (double t : {0.1, 1e3, 1e5}) {
              const double e = crmkit::clv::conditional_expected_purchases(p, t, x, tx, T);
              ASSERT_TRUE(std::isfinite(e) && e >= 0.0) << r << " " << alpha << " " << a << " " << b << " x " << x << " t " << t;
              EXPECT_GE(e, prev * (1 - 1e-9)) << r << " " << alpha << " " << a << " " << b << " x " << x << " t " << t;
              EXPECT_LE(e, (r + x) * t / (alpha + T) * (1 + 1e-9)) << r << " " << alpha << " " << a << " " << b << " x " << x;
              prev = e;
            }
          }
  for (double r : {0.5, 100.0, 1e4})
    for (double a : {1e-3, 1.0, 1e8})
      for (const auto& [x, tx, T] : std::vector<std::array<double, 3>>{{0, 0, 10}, {2, 5, 10}}) {
        const P p{r, 1.0, a, 1.0};
        double d = -1;
        ASSERT_NO_THROW(d = crmkit::clv::dert(p, 0.01, x, tx, T)) << r << " " << a << " x " << x;
        EXPECT_TRUE(std::isfinite(d) && d >= 0.0) << r << " " << a << " x " << x;
      }
}

TEST(ExpectationExtremes, BgNbdSweepIsFiniteAndMonotone) { sweep<BgNbdParams>(); }
TEST(ExpectationExtremes, MbgNbdSweepIsFiniteAndMonotone) { sweep<MbgNbdParams>(); }

}  // namespace
