// BG/NBD discounted_expected_purchases (the batched 12-month CLV path) on 1 and 2 threads: the series per
// distinct (x, T) and the per-customer P(alive) pass run in fixed chunks from 262,144 customers, and every
// output depends only on its own inputs, so the results must be bitwise equal; and equal to the sum of
// per-month conditional expectations (the unbatched definition) to 1e-10.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/core/parallel.hpp"

namespace {

TEST(ClvThreads, DiscountedPurchasesAreTheSameOnOneAndTwoThreads) {
  const std::size_t n = 300000;
  std::mt19937_64 rng(11);
  std::poisson_distribution<int> pois(2.0);
  std::uniform_int_distribution<int> age(30, 365);
  std::vector<double> x(n), tx(n), T(n);
  for (std::size_t i = 0; i < n; ++i) {
    T[i] = age(rng);
    x[i] = pois(rng);
    tx[i] = x[i] > 0 ? std::floor(std::uniform_real_distribution<double>(1, T[i])(rng)) : 0;
  }
  const crmkit::clv::BgNbdParams p{0.5, 80.0, 0.8, 2.5};
  std::vector<double> h, disc;
  for (int m = 1; m <= 12; ++m) {
    h.push_back(30.0 * m);
    disc.push_back(std::pow(1.01, -m));
  }
  std::vector<double> one(n), two(n);
  crmkit::set_max_threads(1);
  crmkit::clv::discounted_expected_purchases(p, h, disc, x, tx, T, one);
  crmkit::set_max_threads(2);
  crmkit::clv::discounted_expected_purchases(p, h, disc, x, tx, T, two);
  crmkit::set_max_threads(0);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(one[i], two[i]) << "customer " << i;
  for (std::size_t i = 0; i < n; i += 9973) {
    double want = 0, prev = 0;
    for (std::size_t k = 0; k < h.size(); ++k) {
      const double cur = crmkit::clv::conditional_expected_purchases(p, h[k], x[i], tx[i], T[i]);
      want += disc[k] * (cur - prev);
      prev = cur;
    }
    EXPECT_NEAR(one[i], want, 1e-10 * std::max(1.0, want)) << "customer " << i;
  }
}

}  // namespace
