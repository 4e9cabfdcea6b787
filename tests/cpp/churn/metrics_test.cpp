// Metrics against scikit-learn 1.2.1 on a heavily tied sample (40 scores rounded to one decimal,
// made with numpy.random.default_rng(7) on Debian's /usr/bin/python3): roc_auc_score,
// average_precision_score, log_loss, brier_score_loss, roc_curve(drop_intermediate=False),
// calibration_curve(n_bins=5). Tolerance 1e-12 (the sums differ only in rounding order).
#include "crmkit/churn/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "crmkit/core/error.hpp"

using namespace crmkit;
using namespace crmkit::churn;

namespace {

const std::vector<double> kScore = {0.2, 0.6, 0.4, 0.9, 0.7, 0.5, 0.4, 0.4, 0.4, 0.6, 0.6, 0.7, 0.3, 0.3,
                                    0.2, 0.1, 0.6, 0.3, 0.7, 0.4, 0.7, 0.7, 0.5, 0.4, 0.6, 0.2, 0.3, 0.1,
                                    0.7, 0.2, 0.5, 0.5, 0.9, 0.8, 0.1, 0.9, 1.0, 0.9, 0.4, 0.4};
const std::vector<double> kLabel = {0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                                    1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1};

// O(P N) pair counting, the definition.
double auc_by_pairs(const std::vector<double>& s, const std::vector<double>& y) {
  double u = 0, P = 0, N = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (y[i] == 1) P += 1; else N += 1;
    for (std::size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) u += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
  }
  return u / (P * N);
}

}  // namespace

TEST(ChurnMetrics, MatchScikitLearnWithHeavyTies) {
  EXPECT_NEAR(roc_auc(kScore, kLabel), 0.8375959079283888, 1e-12);
  EXPECT_NEAR(average_precision(kScore, kLabel), 0.7961452698357603, 1e-12);
  EXPECT_NEAR(log_loss(kScore, kLabel), 0.4951999216642854, 1e-12);
  EXPECT_NEAR(brier_score(kScore, kLabel), 0.16625, 1e-12);
  const Metrics m = evaluate(kScore, kLabel);
  EXPECT_EQ(m.auc, roc_auc(kScore, kLabel));
  // All scores tied: AUC 1/2, AP = the positive rate (17/40).
  const std::vector<double> tied(kScore.size(), 0.5);
  EXPECT_EQ(roc_auc(tied, kLabel), 0.5);
  EXPECT_NEAR(average_precision(tied, kLabel), 0.425, 1e-15);
}

TEST(ChurnMetrics, RocCurveHasEveryDistinctThreshold) {
  const RocCurve c = roc_curve(kScore, kLabel);
  ASSERT_EQ(c.fpr.size(), 11u);  // (0, 0) + 10 distinct scores
  EXPECT_TRUE(std::isinf(c.thresholds[0]));
  EXPECT_EQ(c.thresholds[1], 1.0);
  EXPECT_EQ(c.thresholds[2], 0.9);
  EXPECT_NEAR(c.tpr[1], 1.0 / 17, 1e-15);
  EXPECT_NEAR(c.tpr[2], 5.0 / 17, 1e-15);
  EXPECT_NEAR(c.tpr[3], 6.0 / 17, 1e-15);
  EXPECT_EQ(c.fpr.back(), 1.0);
  EXPECT_EQ(c.tpr.back(), 1.0);
  double trapezoid = 0;
  for (std::size_t k = 1; k < c.fpr.size(); ++k) trapezoid += (c.fpr[k] - c.fpr[k - 1]) * (c.tpr[k] + c.tpr[k - 1]) / 2;
  EXPECT_NEAR(trapezoid, roc_auc(kScore, kLabel), 1e-14);
}

TEST(ChurnMetrics, RadixAucEqualsPairCountingOnRandomTiesAndSigns) {
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int> level(-20, 20);
  std::uniform_real_distribution<double> U(0, 1);
  for (int rep = 0; rep < 20; ++rep) {
    const std::size_t n = 50 + static_cast<std::size_t>(rep) * 37;
    std::vector<double> s(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = U(gen) < 0.3 ? 1 : 0;
      s[i] = rep % 2 ? level(gen) * 0.25 + y[i] * 2 : (U(gen) - 0.5) * std::pow(10.0, level(gen));
      if (i % 17 == 0) s[i] = (i % 2) ? 0.0 : -0.0;  // -0 and +0 tie
    }
    y[0] = 1;
    y[1] = 0;
    EXPECT_NEAR(roc_auc(s, y), auc_by_pairs(s, y), 1e-14) << rep;
  }
}

// roc_auc's sort orders keys by their top 32 bits, then fixes runs of equal top halves by the full key:
// scores a few ulps apart (one long run: the std::sort branch; short runs: the insertion branch) must
// still give the exact pair-counting AUC.
TEST(ChurnMetrics, RadixAucOrdersScoresThatDifferOnlyInTheirLowBits) {
  std::mt19937_64 gen(5);
  std::uniform_int_distribution<int> ulps(0, 300), base(0, 40);
  std::uniform_real_distribution<double> U(0, 1);
  for (int rep = 0; rep < 2; ++rep) {
    const std::size_t n = 700;
    std::vector<double> s(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = U(gen) < 0.4 ? 1 : 0;
      double v = rep == 0 ? 0.5 : 0.25 + 0.01 * base(gen);  // rep 0: one run of 700; rep 1: ~41 runs
      for (int k = ulps(gen) + static_cast<int>(y[i]) * 40; k > 0; --k) v = std::nextafter(v, 1.0);
      s[i] = v;
    }
    y[0] = 1;
    y[1] = 0;
    EXPECT_NEAR(roc_auc(s, y), auc_by_pairs(s, y), 1e-14) << rep;
    if (rep == 0) {
      EXPECT_GT(roc_auc(s, y), 0.6);  // one run: positives sit 40 ulps higher on average
    }
  }
}

TEST(ChurnMetrics, LiftGainsCalibrationConfusion) {
  const auto lift = lift_table(kScore, kLabel, 4);
  ASSERT_EQ(lift.size(), 4u);
  std::size_t total = 0;
  for (const auto& r : lift) total += r.count;
  EXPECT_EQ(total, 40u);
  EXPECT_EQ(lift[0].count, 10u);
  EXPECT_NEAR(lift.back().cumulative_gain, 1.0, 1e-15);
  EXPECT_NEAR(lift.back().cumulative_lift, 1.0, 1e-15);
  EXPECT_GT(lift[0].lift, 1.0);
  EXPECT_NEAR(lift[0].lift, lift[0].rate / (17.0 / 40), 1e-15);
  EXPECT_GE(lift[0].min_score, lift[1].max_score);
  // scikit-learn calibration_curve(n_bins=5): prob_true, prob_pred of the non-empty bins.
  const auto cal = calibration_table(kScore, kLabel, 5);
  const double pt[] = {0.0, 0.3333333333333333, 0.3333333333333333, 0.7142857142857143, 1.0};
  const double pp[] = {0.15714285714285717, 0.36666666666666664, 0.5555555555555556, 0.7142857142857143, 0.9200000000000002};
  for (std::size_t b = 0; b < 5; ++b) {
    EXPECT_NEAR(cal[b].observed, pt[b], 1e-12) << b;
    EXPECT_NEAR(cal[b].mean_predicted, pp[b], 1e-12) << b;
  }
  const Confusion c = confusion(kScore, kLabel, 0.7);
  EXPECT_EQ(c.tp + c.fp + c.tn + c.fn, 40);
  // >= 0.7: scores 0.7 (x6), 0.8, 0.9 (x4), 1.0 -> 12 predicted positive
  EXPECT_EQ(c.tp + c.fp, 12);
  EXPECT_NEAR(c.precision, c.tp / 12, 1e-15);
  EXPECT_NEAR(c.f1, 2 * c.precision * c.recall / (c.precision + c.recall), 1e-15);
}

TEST(ChurnMetrics, BadInput) {
  const std::vector<double> s = {0.1, 0.2}, one = {1, 1}, bad = {0, 2}, y = {0, 1}, out = {0.1, 1.5};
  EXPECT_THROW(roc_auc(s, one), InvalidArgument);
  EXPECT_THROW(roc_auc(s, bad), InvalidArgument);
  EXPECT_THROW(log_loss(out, y), InvalidArgument);
  const std::vector<double> nan = {NAN, 0.1};
  EXPECT_THROW(roc_auc(nan, y), InvalidArgument);
  EXPECT_THROW(lift_table(s, y, 3), InvalidArgument);
  const std::vector<double> three = {0, 1, 0};
  EXPECT_THROW(brier_score(s, three), InvalidArgument);
  // log-loss clips at machine epsilon rather than returning inf.
  const std::vector<double> p = {0.0, 1.0}, wrong = {1, 0};
  EXPECT_NEAR(log_loss(p, wrong), -std::log(std::numeric_limits<double>::epsilon()), 1e-9);
}
