// Churn indicators: hand-computed values on tests/data/indicator_*.csv (worked in
// docs/models/churn_indicators.md), no leakage, fill values, errors, and the CDNOW end-to-end check:
// indicators at 1997-09-30, label from the next 180 days, 5-fold cross-validated logistic AUC against
// BG/NBD P(alive) as a score on the same customers.
#include "crmkit/churn/indicators.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/churn/validation.hpp"
#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/interactions.hpp"
#include "crmkit/summary/summary.hpp"

using namespace crmkit;
using namespace crmkit::churn;
using testing::HasSubstr;

namespace {
const std::string kData = CRMKIT_TEST_DATA;

struct Small {
  core::TransactionTable tx = io::read_transactions(kData + "/indicator_transactions.csv");
  core::InteractionTable in = io::read_interactions(kData + "/indicator_interactions.csv", {}, &tx.ids);
};

IndicatorOptions small_options() {
  IndicatorOptions o;
  o.cutoff = io::days_from_civil(2020, 3, 31);
  o.horizon_days = 30;
  o.recent_days = 60;
  return o;
}

double at(const IndicatorTable& t, const char* name, std::size_t row) { return t.column(name)[row]; }
}  // namespace

TEST(ChurnIndicators, HandComputedPurchaseIndicators) {
  Small s;
  const auto t = churn_indicators(s.tx.view(), small_options());
  ASSERT_EQ(t.rows(), 2u);  // c first bought after the cutoff
  ASSERT_EQ(t.names.size(), 9u);
  EXPECT_EQ(s.tx.ids.decode(t.customer[0]), "a");
  // a: purchase days 2020-01-01, 01-11 (two rows, one day), 02-10; cutoff 2020-03-31.
  EXPECT_EQ(at(t, "recency_days", 0), 50);
  EXPECT_EQ(at(t, "frequency", 0), 2);
  EXPECT_DOUBLE_EQ(at(t, "monetary", 0), 65.0 / 3.0);
  EXPECT_EQ(at(t, "tenure_days", 0), 90);
  // 30 * 1/60 in (01-31, 03-31] minus 30 * 2/max(31, 60) over [01-01, 01-31].
  EXPECT_DOUBLE_EQ(at(t, "purchase_trend", 0), 0.5 - 1.0);
  EXPECT_DOUBLE_EQ(at(t, "gap_mean_days", 0), 20);  // gaps 10 and 30
  EXPECT_DOUBLE_EQ(at(t, "gap_sd_days", 0), 10);
  EXPECT_DOUBLE_EQ(at(t, "gap_ratio", 0), 2.5);
  EXPECT_DOUBLE_EQ(at(t, "gap_z", 0), 3);
  // b: one purchase on 2020-03-01: gap indicators and the trend take their fill value 0.
  EXPECT_EQ(at(t, "recency_days", 1), 30);
  EXPECT_EQ(at(t, "frequency", 1), 0);
  EXPECT_EQ(at(t, "monetary", 1), 100);
  EXPECT_EQ(at(t, "tenure_days", 1), 30);
  for (const char* n : {"purchase_trend", "gap_mean_days", "gap_sd_days", "gap_ratio", "gap_z"}) EXPECT_EQ(at(t, n, 1), 0) << n;
  // Labels: a bought on 2020-04-20 (inside (03-31, 04-30]); b's next purchase is 2020-06-01.
  EXPECT_EQ(t.churned, (std::vector<double>{0, 1}));
}

TEST(ChurnIndicators, HandComputedInteractionIndicators) {
  Small s;
  const auto iv = s.in.view();
  const auto t = churn_indicators(s.tx.view(), small_options(), &iv);
  ASSERT_EQ(t.names.size(), 17u);
  // a: interactions on 01-05 (CSAT 5), 03-01 (complaint, 3), 03-20 (complaint, 2); 04-02 is after the cutoff.
  EXPECT_EQ(at(t, "days_since_interaction", 0), 11);
  EXPECT_EQ(at(t, "interactions", 0), 3);
  EXPECT_EQ(at(t, "complaints", 0), 2);
  EXPECT_DOUBLE_EQ(at(t, "csat_mean", 0), 10.0 / 3.0);
  EXPECT_EQ(at(t, "csat_last", 0), 2);
  EXPECT_EQ(at(t, "low_csat_streak", 0), 2);
  EXPECT_DOUBLE_EQ(at(t, "fcr_share", 0), 0.5);           // known: 1 and 0
  EXPECT_DOUBLE_EQ(at(t, "response_minutes_mean", 0), 45);  // known: 30 and 60
  // b: no interaction: days since the data's first day (2020-01-01) + 1; every other value 0.
  EXPECT_EQ(at(t, "days_since_interaction", 1), 91);
  for (const char* n : {"interactions", "complaints", "csat_mean", "csat_last", "low_csat_streak", "fcr_share",
                        "response_minutes_mean"})
    EXPECT_EQ(at(t, n, 1), 0) << n;
}

TEST(ChurnIndicators, NoLeakageFromAfterTheCutoff) {
  // Changing or adding anything after the cutoff leaves every indicator unchanged (only labels move).
  Small s;
  const auto base = churn_indicators(s.tx.view(), small_options());
  auto tx2 = s.tx;
  for (std::size_t i = 0; i < tx2.size(); ++i)
    if (tx2.time[i] > small_options().cutoff) tx2.amount[i] *= 1000;
  tx2.customer.push_back(1);
  tx2.time.push_back(io::days_from_civil(2020, 4, 1));
  tx2.amount.push_back(5);
  const auto moved = churn_indicators(tx2.view(), small_options());
  EXPECT_EQ(moved.columns, base.columns);
  EXPECT_EQ(moved.churned, (std::vector<double>{0, 0}));  // b now buys on 04-01
}

TEST(ChurnIndicators, NoLabelForScoringAndFeatureTable) {
  Small s;
  auto o = small_options();
  o.horizon_days = 0;
  o.cutoff = io::days_from_civil(2020, 6, 1);  // the data's last day: fine without a label
  const auto t = churn_indicators(s.tx.view(), o);
  EXPECT_TRUE(t.churned.empty());
  EXPECT_EQ(t.rows(), 3u);
  const auto f = churn_indicators(s.tx.view(), small_options()).to_features(&s.tx.ids);
  EXPECT_EQ(f.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.names[0], "recency_days");
  EXPECT_EQ(f.x(0, 0), 50);
  EXPECT_EQ(f.label, (std::vector<double>{0, 1}));
  EXPECT_EQ(f.encoding.label, "churned");
  EXPECT_EQ(f.encoding.n_features(), 9u);
}

TEST(ChurnIndicators, Errors) {
  Small s;
  auto o = small_options();
  o.horizon_days = 90;  // 2020-06-29 is after the last transaction day 2020-06-01
  try {
    churn_indicators(s.tx.view(), o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("after the last transaction day 2020-06-01"));
  }
  o = small_options();
  o.cutoff = io::days_from_civil(2019, 1, 1);
  EXPECT_THROW(churn_indicators(s.tx.view(), o), InvalidArgument);
  o = small_options();
  o.recent_days = 0;
  EXPECT_THROW(churn_indicators(s.tx.view(), o), InvalidArgument);
  o = small_options();
  o.horizon_days = -1;
  EXPECT_THROW(churn_indicators(s.tx.view(), o), InvalidArgument);
  const auto t = churn_indicators(s.tx.view(), small_options());
  EXPECT_THROW((void)t.column("nope"), InvalidArgument);
}

// End to end on CDNOW (Fader & Hardie's 23,570-customer cohort, purchases to 1998-06-30). Cutoff
// 1997-09-30 (the calibration end of Fader, Hardie & Lee 2005), label: no purchase in the next 180 days
// (1997-10-01 .. 1998-03-29). Measured here (docs/models/churn_indicators.md#cdnow): churn share 0.7429;
// 5-fold cross-validated AUC of the standardised logistic model on the 9 purchase indicators 0.7706;
// BG/NBD fitted on the same history (weeks): AUC of 1 - P(alive) 0.3249 over all customers — below 0.5
// because BG/NBD puts P(alive) = 1 for every customer without a repeat purchase (FHL 2005 eq. 13 with
// x = 0), and those are most of the churners — 0.6949 over the 9,451 repeat buyers, and 0.7631 for the
// BG/NBD expected purchases in the 180 days (lower = riskier). Bounds: the logistic AUC in (0.75, 0.85)
// and at least the BG/NBD expectation's; P(alive) in (0.25, 0.45) overall and (0.65, 0.8) on repeat
// buyers; the expectation's in (0.72, 0.82).
TEST(ChurnIndicators, CdnowCrossValidatedAucAgainstPAlive) {
  io::ReadOptions ro;
  ro.customer = "customer_id";
  ro.date = "date";
  ro.amount = "dollar_value";
  const auto tx = io::read_transactions(kData + "/CDNOW_master.txt", ro);
  IndicatorOptions o;
  o.cutoff = io::days_from_civil(1997, 9, 30);
  o.horizon_days = 180;
  const auto t = churn_indicators(tx.view(), o);
  ASSERT_EQ(t.rows(), 23570u);  // every customer first bought in Q1 1997
  double churned = 0;
  for (double v : t.churned) churned += v;
  EXPECT_NEAR(churned / static_cast<double>(t.rows()), 0.7429, 5e-5);

  const auto f = t.to_features(&tx.ids);
  LogisticOptions lo;
  lo.standardize = true;
  const auto cv = cross_validate(f.x, f.label, lo, 5, 0);
  EXPECT_GT(cv.mean.auc, 0.75);
  EXPECT_LT(cv.mean.auc, 0.85);

  summary::SummaryOptions so;
  so.period = summary::Period::Week;
  so.observation_end = o.cutoff;
  const auto s = summary::summarize(tx.view(), so);
  ASSERT_EQ(s.customer, t.customer);  // the same customers in the same order
  const auto fit = clv::BgNbd::fit(s.frequency, s.recency, s.T);
  std::vector<double> alive(s.size()), expected(s.size());
  clv::p_alive(fit.params, s.frequency, s.recency, s.T, alive);
  clv::conditional_expected_purchases(fit.params, 180.0 / 7.0, s.frequency, s.recency, s.T, expected);
  std::vector<double> risk(s.size()), fewer(s.size()), risk_rep, label_rep;
  for (std::size_t i = 0; i < s.size(); ++i) {
    risk[i] = 1.0 - alive[i];
    fewer[i] = -expected[i];
    if (s.frequency[i] > 0) {
      risk_rep.push_back(risk[i]);
      label_rep.push_back(t.churned[i]);
    }
  }
  const double auc_alive = roc_auc(risk, t.churned);
  const double auc_alive_rep = roc_auc(risk_rep, label_rep);
  const double auc_expected = roc_auc(fewer, t.churned);
  EXPECT_EQ(risk_rep.size(), 9451u);
  EXPECT_GT(auc_alive, 0.25);
  EXPECT_LT(auc_alive, 0.45);
  EXPECT_GT(auc_alive_rep, 0.65);
  EXPECT_LT(auc_alive_rep, 0.8);
  EXPECT_GT(auc_expected, 0.72);
  EXPECT_LT(auc_expected, 0.82);
  EXPECT_GE(cv.mean.auc, auc_expected);
  std::printf("CDNOW 1997-09-30 + 180 d: logistic 5-fold AUC %.4f; BG/NBD 1 - P(alive) AUC %.4f (repeat buyers %.4f), "
              "expected purchases AUC %.4f\n",
              cv.mean.auc, auc_alive, auc_alive_rep, auc_expected);
}
