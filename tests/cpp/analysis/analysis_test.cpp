// The analysis pipeline on CDNOW: its numbers agree with the models' own results, and its outputs are
// complete and self-contained (include/crmkit/analysis/analysis.hpp).
#include "crmkit/analysis/analysis.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <unistd.h>
#include <string>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/gamma_gamma.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/summary.hpp"

namespace analysis = crmkit::analysis;
namespace clv = crmkit::clv;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

const crmkit::core::TransactionTable& cdnow() {
  static const crmkit::core::TransactionTable t = [] {
    crmkit::io::ReadOptions ro;
    ro.customer = "customer_id";
    ro.date = "date";
    ro.amount = "dollar_value";
    return crmkit::io::read_transactions(std::string(CRMKIT_TEST_DATA) + "/CDNOW_master.txt", ro);
  }();
  return t;
}

analysis::Inputs inputs() {
  analysis::Inputs in;
  in.transactions = cdnow().view();
  in.ids = &cdnow().ids;
  in.transactions_source = "CDNOW_master.txt";
  return in;
}

// 1997-09-30: the end of the 39-week calibration period of Fader, Hardie & Lee (2005).
const std::int64_t kCalibrationEnd = crmkit::io::days_from_civil(1997, 9, 30);

const analysis::Results& full() {
  static const analysis::Results r = analysis::analyze(inputs());
  return r;
}
const analysis::Results& holdout() {
  static const analysis::Results r = [] {
    analysis::Options o;
    o.calibration_end = kCalibrationEnd;
    return analysis::analyze(inputs(), o);
  }();
  return r;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST(Analysis, HeadlineNumbersOfCdnow) {
  const auto& r = full();
  // The CDNOW master log: 69,659 transactions of 23,570 customers, 1997-01-01 .. 1998-06-30.
  EXPECT_EQ(r.n_customers, 23570u);
  EXPECT_EQ(r.n_transactions, 69659u);
  EXPECT_EQ(r.as_of, crmkit::io::days_from_civil(1998, 6, 30));
  double revenue = 0;
  for (double a : cdnow().amount) revenue += a;
  EXPECT_NEAR(r.revenue, revenue, 1e-6 * revenue);
  std::size_t seg_customers = 0;
  double seg_share = 0;
  for (const auto& s : r.segments) {
    seg_customers += s.customers;
    seg_share += s.revenue_share;
  }
  EXPECT_EQ(seg_customers, r.n_customers);
  EXPECT_NEAR(seg_share, 1.0, 1e-12);
  // Top-20% share by brute force.
  std::vector<double> spend = r.customers.total_spend;
  std::sort(spend.rbegin(), spend.rend());
  const auto k = static_cast<std::size_t>(std::ceil(0.2 * static_cast<double>(spend.size())));
  EXPECT_NEAR(r.top20_revenue_share, std::accumulate(spend.begin(), spend.begin() + static_cast<long>(k), 0.0) / revenue, 1e-12);
  EXPECT_GT(r.top20_revenue_share, 0.5);
}

TEST(Analysis, TransactionModelIsTheModelsOwnFit) {
  const auto& r = full();
  ASSERT_TRUE(r.transaction_model);
  // The chosen model is one of the fitted candidates (BG/NBD; Pareto/NBD too when the build has it).
  EXPECT_TRUE(std::any_of(r.candidates.begin(), r.candidates.end(),
                          [&](const auto& c) { return c.ok && c.key == r.transaction_model->key; }));
  // Fit BG/NBD directly on the weekly summary: the same parameters and log-likelihood.
  crmkit::summary::SummaryOptions so;
  so.period = crmkit::summary::Period::Week;
  const auto s = crmkit::summary::summarize(cdnow().view(), so);
  const auto fit = clv::BgNbd::fit(s.frequency, s.recency, s.T);
  if (r.transaction_model->key == "bgnbd") {
    const auto v = fit.params.values();
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(r.transaction_model->params[i], v[i], 1e-6 * v[i]) << i;
    EXPECT_NEAR(r.transaction_model->log_likelihood, fit.log_likelihood, 1e-6 * std::abs(fit.log_likelihood));
    // Per-customer P(alive) and expected purchases equal the model's functions.
    const double horizon = 12 * 4.345;
    for (std::size_t i = 0; i < s.size(); i += 997) {
      EXPECT_NEAR(r.customers.p_alive[i], clv::p_alive(fit.params, s.frequency[i], s.recency[i], s.T[i]), 1e-6);
      EXPECT_NEAR(r.customers.expected_purchases[i],
                  clv::conditional_expected_purchases(fit.params, horizon, s.frequency[i], s.recency[i], s.T[i]), 1e-5);
      EXPECT_DOUBLE_EQ(r.customers.churn_risk[i], 1 - r.customers.p_alive[i]);
    }
  }
}

TEST(Analysis, ClvEqualsTheLibrarysCustomerLifetimeValue) {
  const auto& r = full();
  ASSERT_TRUE(r.spend_model);
  ASSERT_EQ(r.customers.clv.size(), r.n_customers);
  const auto& c = r.customers;
  clv::ModelData d;
  d.frequency = c.frequency;
  d.recency = c.recency;
  d.T = c.T;
  d.monetary_value = c.monetary_value;
  const auto tm = clv::Model::from_params(r.transaction_model->key, r.transaction_model->params);
  const auto gg = clv::Model::from_params("gg", r.spend_model->params);
  std::vector<double> expect(c.size());
  clv::ClvOptions co;
  co.months = 12;
  co.discount_rate = 0.01;
  co.periods_per_month = 4.345;
  clv::customer_lifetime_value(tm, gg, d, co, expect);
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_NEAR(c.clv[i], expect[i], 1e-9 * std::max(1.0, expect[i])) << i;
  // The spend model is the library's own Gamma-Gamma fit on the repeat buyers.
  std::vector<double> w(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) w[i] = c.frequency[i] > 0 && c.monetary_value[i] > 0 ? 1.0 : 0.0;
  const auto ggfit = clv::GammaGamma::fit(c.frequency, c.monetary_value, w);
  const auto v = ggfit.params.values();
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(r.spend_model->params[i], v[i], 1e-6 * v[i]);
}

TEST(Analysis, HoldoutChecksAgreeWithTheHoldoutSummary) {
  const auto& r = holdout();
  ASSERT_TRUE(r.holdout);
  const auto& h = *r.holdout;
  crmkit::summary::SummaryOptions so;
  so.period = crmkit::summary::Period::Week;
  so.observation_end = r.as_of;
  const auto hs = crmkit::summary::summarize_holdout(cdnow().view(), kCalibrationEnd, so);
  EXPECT_EQ(h.customers, hs.size());
  EXPECT_DOUBLE_EQ(h.duration, hs.duration_holdout);
  EXPECT_DOUBLE_EQ(h.actual_total, std::accumulate(hs.frequency_holdout.begin(), hs.frequency_holdout.end(), 0.0));
  // Predicted holdout purchases of the calibration fit.
  const auto fit = clv::BgNbd::fit(hs.calibration.frequency, hs.calibration.recency, hs.calibration.T);
  double predicted = 0, churned = 0;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    predicted += clv::conditional_expected_purchases(fit.params, hs.duration_holdout, hs.calibration.frequency[i],
                                                     hs.calibration.recency[i], hs.calibration.T[i]);
    churned += hs.frequency_holdout[i] == 0 ? 1 : 0;
  }
  if (r.transaction_model->key == "bgnbd") {
    EXPECT_NEAR(h.predicted_total, predicted, 1e-6 * predicted);
  }
  EXPECT_NEAR(h.churn_rate, churned / static_cast<double>(hs.size()), 1e-12);
  // Cumulative tracking ends at the total of calibration and holdout repeat purchases.
  const double cal_repeat = std::accumulate(hs.calibration.frequency.begin(), hs.calibration.frequency.end(), 0.0);
  ASSERT_FALSE(h.tracking_actual.empty());
  EXPECT_DOUBLE_EQ(h.tracking_actual.back(), cal_repeat + h.actual_total);
  EXPECT_TRUE(std::is_sorted(h.tracking_actual.begin(), h.tracking_actual.end()));
  EXPECT_TRUE(std::is_sorted(h.tracking_expected.begin(), h.tracking_expected.end()));
  // The model tracks its own calibration period closely (within 5% at the calibration end).
  const double cal_t = static_cast<double>(kCalibrationEnd - r.first_day + 1) / 7.0;
  const auto k = static_cast<std::size_t>(std::lower_bound(h.tracking_t.begin(), h.tracking_t.end(), cal_t) - h.tracking_t.begin());
  EXPECT_NEAR(h.tracking_expected[k] / h.tracking_actual[k], 1.0, 0.05);
  // Churn scores: AUC in [0, 1], ROC from (0,0) to (1,1), lift averaging 1 over the deciles.
  ASSERT_EQ(h.churn_scores.size(), 3u);  // 1 - P(alive), fewest expected purchases, logistic model
  for (const auto& cs : h.churn_scores) {
    EXPECT_GE(cs.auc, 0.0);
    EXPECT_LE(cs.auc, 1.0);
    EXPECT_DOUBLE_EQ(cs.roc.front().x, 0.0);
    EXPECT_DOUBLE_EQ(cs.roc.back().x, 1.0);
    EXPECT_DOUBLE_EQ(cs.roc.back().y, 1.0);
    ASSERT_EQ(cs.lift.size(), 10u);
    EXPECT_NEAR(std::accumulate(cs.lift.begin(), cs.lift.end(), 0.0) / 10, 1.0, 1e-9);
  }
  // Few expected purchases predict no holdout purchase better than 1 - P(alive) (one-time buyers).
  EXPECT_GT(h.churn_scores[1].auc, 0.7);
  EXPECT_GT(h.churn_scores[1].auc, h.churn_scores[0].auc);
}

TEST(Analysis, AucMatchesPairwiseCountingWithTies) {
  // The first 600 CDNOW customers: AUC of "fewest expected purchases" checked by counting concordant
  // pairs (ties count 1/2, as scikit-learn's roc_auc_score).
  std::vector<std::uint32_t> cust;
  std::vector<std::int64_t> day;
  std::vector<double> amt;
  const auto& t = cdnow();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t.customer[i] < 600) {
      cust.push_back(t.customer[i]);
      day.push_back(t.time[i]);
      amt.push_back(t.amount[i]);
    }
  analysis::Inputs in;
  in.transactions = {cust, day, amt};
  analysis::Options o;
  o.calibration_end = kCalibrationEnd;
  const auto r = analysis::analyze(in, o);
  ASSERT_TRUE(r.holdout);
  // Recompute from the per-customer calibration predictions via the model's parameters.
  crmkit::summary::SummaryOptions so;
  so.period = crmkit::summary::Period::Week;
  so.observation_end = r.as_of;
  const auto hs = crmkit::summary::summarize_holdout(in.transactions, *o.calibration_end, so);
  // The calibration fit of the chosen model.
  const auto chosen = std::find_if(r.candidates.begin(), r.candidates.end(),
                                   [&](const auto& c) { return c.key == r.transaction_model->key; });
  ASSERT_NE(chosen, r.candidates.end());
  ASSERT_TRUE(chosen->converged);
  const auto& cand = *chosen;
  const auto m = clv::Model::from_params(cand.key, cand.params);
  clv::ModelData d;
  d.frequency = hs.calibration.frequency;
  d.recency = hs.calibration.recency;
  d.T = hs.calibration.T;
  std::vector<double> e(hs.size());
  m.predict("conditional_expected_purchases", hs.duration_holdout, d, e);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < hs.size(); ++i)
    for (std::size_t j = 0; j < hs.size(); ++j) {
      const bool pi = hs.frequency_holdout[i] == 0, pj = hs.frequency_holdout[j] == 0;
      if (!pi || pj) continue;  // i churned, j did not
      den += 1;
      num += -e[i] > -e[j] ? 1.0 : -e[i] == -e[j] ? 0.5 : 0.0;
    }
  EXPECT_NEAR(r.holdout->churn_scores[1].auc, num / den, 1e-12);
}

TEST(Analysis, OutputsAreCompleteAndSelfContained) {
  const auto& r = holdout();
  const auto dir = std::filesystem::temp_directory_path() / ("crmkit_analysis_test_" + std::to_string(::getpid()));
  const auto w = analysis::write_outputs(r, dir.string());
  std::ifstream csv(w.customers_csv);
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header,
            "customer_id,rfm_recency,rfm_frequency,rfm_monetary,r_score,f_score,m_score,rfm_cell,segment,frequency,"
            "recency,T,monetary_value,total_spend,n_transactions,first_purchase,last_purchase,p_alive,churn_risk,"
            "expected_purchases,expected_spend,clv,churn_probability,interactions");
  std::size_t rows = 0;
  while (std::getline(csv, line)) {
    ++rows;
    if (rows == 1) {
      EXPECT_EQ(std::count(line.begin(), line.end(), ','), std::count(header.begin(), header.end(), ','));
    }
  }
  EXPECT_EQ(rows, r.n_customers);
  std::ifstream js(w.summary_json);
  const auto j = nlohmann::json::parse(js);
  for (const char* key : {"customers", "transactions", "revenue", "top20_revenue_share", "segments", "transaction_model",
                          "spend_model", "p_alive_mean", "expected_purchases_total", "clv_total", "holdout", "notes"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["customers"], 23570);
  EXPECT_EQ(j["calibration_end"], "1997-09-30");
  std::ifstream hf(w.report_html);
  std::stringstream ss;
  ss << hf.rdbuf();
  const std::string html = ss.str();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_EQ(count(html, "<svg"), count(html, "</svg>"));
  EXPECT_EQ(count(html, "<section"), count(html, "</section>"));
  EXPECT_GE(count(html, "<svg"), 8u);  // segments, 2 heatmaps, holdout bars, tracking, CLV, ROC, gains, lift
  for (const char* id : {"id=\"segments\"", "id=\"model\"", "id=\"holdout\"", "id=\"clv\"", "id=\"churn\"", "id=\"notes\""})
    EXPECT_THAT(html, HasSubstr(id));
  EXPECT_THAT(html, HasSubstr("The top 20% of customers by spend bring"));
  std::filesystem::remove_all(dir);
}

TEST(Analysis, ProgressAndNotes) {
  std::vector<int> steps;
  analysis::Options o;
  o.progress = [&](int step, int total, std::string_view what) {
    steps.push_back(step);
    EXPECT_EQ(total, 6);
    EXPECT_FALSE(what.empty());
  };
  analysis::Inputs in = inputs();
  const auto r = analysis::analyze(in, o);
  // a long step reports progress inside it too (the model fits, issue 13): the same step again
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  EXPECT_EQ(steps, (std::vector<int>{1, 2, 3, 4, 5, 6}));
  auto has_note = [&](const std::string& section) {
    return std::any_of(r.notes.begin(), r.notes.end(), [&](const auto& n) { return n.section == section; });
  };
  EXPECT_TRUE(has_note("Holdout checks"));
  EXPECT_TRUE(has_note("Kano"));
}

TEST(Analysis, BadInputIsRejected) {
  analysis::Inputs in = inputs();
  analysis::Options o;
  o.calibration_end = crmkit::io::days_from_civil(1999, 1, 1);  // after the as-of day
  EXPECT_THROW(analysis::analyze(in, o), crmkit::InvalidArgument);
  o = {};
  o.horizon_months = 0;
  EXPECT_THROW(analysis::analyze(in, o), crmkit::InvalidArgument);
  o = {};
  o.as_of = crmkit::io::days_from_civil(1990, 1, 1);
  EXPECT_THROW(analysis::analyze(in, o), crmkit::InvalidArgument);
  analysis::Inputs empty;
  EXPECT_THROW(analysis::analyze(empty, {}), crmkit::InvalidArgument);
  in.survey_path = "/nonexistent/survey.csv";
  try {
    analysis::analyze(in, {});
    FAIL() << "expected IoError";
  } catch (const crmkit::IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/survey.csv"));
  }
}
