// Stratified folds, cross-validation, time splits and the early-warning list.
#include "crmkit/churn/validation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crmkit/core/error.hpp"

using namespace crmkit;
using namespace crmkit::churn;

namespace {

FeatureTable data() {
  FeatureOptions o;
  o.id = "customer_id";
  o.label = "churned";
  return read_features(std::string(CRMKIT_TEST_DATA) + "/churn_customers.csv", o);
}

}  // namespace

TEST(ChurnValidation, StratifiedFoldsBalanceClassesAndAreSeeded) {
  const auto t = data();
  const auto f = stratified_folds(t.label, 5, 42);
  std::vector<double> pos(5, 0), all(5, 0);
  for (std::size_t i = 0; i < f.size(); ++i) {
    ASSERT_LT(f[i], 5u);
    all[f[i]] += 1;
    pos[f[i]] += t.label[i];
  }
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(all[static_cast<std::size_t>(k)], 48);  // 240 / 5
    EXPECT_GE(pos[static_cast<std::size_t>(k)], 17);   // 88 positives: 17 or 18 per fold
    EXPECT_LE(pos[static_cast<std::size_t>(k)], 18);
  }
  EXPECT_EQ(f, stratified_folds(t.label, 5, 42));
  EXPECT_NE(f, stratified_folds(t.label, 5, 43));
  EXPECT_THROW(stratified_folds(t.label, 1, 0), InvalidArgument);
  EXPECT_THROW(stratified_folds(t.label, 89, 0), InvalidArgument);
}

TEST(ChurnValidation, CrossValidatedMetricsAreOutOfFold) {
  const auto t = data();
  LogisticOptions o;
  o.standardize = true;
  const auto cv = cross_validate(t.x, t.label, o, 5, 1);
  ASSERT_EQ(cv.folds.size(), 5u);
  double mean_auc = 0;
  for (const auto& m : cv.folds) mean_auc += m.auc / 5;
  EXPECT_NEAR(cv.mean.auc, mean_auc, 1e-15);
  // Out-of-fold AUC is below the in-sample AUC but far above chance on this table.
  const auto full = fit_logistic(t, o);
  const Eigen::VectorXd p = full.predict_proba(t.x);
  const double in_sample = roc_auc(std::span<const double>(p.data(), t.rows()), t.label);
  EXPECT_GT(cv.pooled.auc, 0.7);
  EXPECT_LT(cv.pooled.auc, in_sample);
  EXPECT_GT(cv.mean.log_loss, 0);
  for (double v : cv.probability) EXPECT_TRUE(v > 0 && v < 1);
}

TEST(ChurnValidation, TimeSplit) {
  const std::vector<std::int64_t> t = {5, 1, 9, 3};
  const auto s = time_split(t, 4);
  EXPECT_EQ(s.train, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(s.test, (std::vector<std::size_t>{0, 2}));
}

TEST(ChurnValidation, EarlyWarningRanksByRiskWithDrivers) {
  const auto t = data();
  LogisticOptions o;
  o.penalty = Penalty::None;
  const auto m = fit_logistic(t, o);
  const auto list = early_warning(m, t.x, 10, 2);
  ASSERT_EQ(list.size(), 10u);
  const Eigen::VectorXd p = m.predict_proba(t.x);
  EXPECT_EQ(list[0].risk, p.maxCoeff());
  for (std::size_t k = 1; k < list.size(); ++k) EXPECT_GE(list[k - 1].risk, list[k].risk);
  for (const auto& w : list) {
    ASSERT_LE(w.drivers.size(), 2u);
    double prev = INFINITY;
    for (const auto& d : w.drivers) {
      EXPECT_GT(d.contribution, 0);
      EXPECT_LE(d.contribution, prev);
      prev = d.contribution;
      const auto j = static_cast<Eigen::Index>(d.feature);
      EXPECT_NEAR(d.contribution, m.coef[j] * (t.x(static_cast<Eigen::Index>(w.row), j) - m.feature_mean[j]), 1e-12);
    }
  }
  // Contributions sum to z - z(mean customer).
  std::vector<double> row(t.cols());
  for (std::size_t j = 0; j < t.cols(); ++j) row[j] = t.x(0, static_cast<Eigen::Index>(j));
  const auto all = drivers(m, row, 100);
  EXPECT_LE(all.size(), t.cols());
  EXPECT_EQ(early_warning(m, t.x, 1000, 1).size(), t.rows());
}
