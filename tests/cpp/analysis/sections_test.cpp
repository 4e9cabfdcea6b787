// The report sections built on other models: the logistic churn model (cross-validated on the
// calibration summary), the Kano section (--survey) and service metrics (--interactions). Each is checked
// against the model's own API on the same data and against the hand-computed values of the test files
// (docs/models/kano.md and docs/models/service.md, "Worked examples").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <unistd.h>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "crmkit/analysis/analysis.hpp"
#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/survival.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/churn/validation.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/kano/kano.hpp"
#include "crmkit/service/metrics.hpp"
#include "crmkit/summary/summary.hpp"

namespace analysis = crmkit::analysis;
namespace churn = crmkit::churn;
using ::testing::HasSubstr;

namespace {

const std::string kData = CRMKIT_TEST_DATA;

const crmkit::core::TransactionTable& cdnow() {
  static const crmkit::core::TransactionTable t = [] {
    crmkit::io::ReadOptions ro;
    ro.customer = "customer_id";
    ro.date = "date";
    ro.amount = "dollar_value";
    return crmkit::io::read_transactions(kData + "/CDNOW_master.txt", ro);
  }();
  return t;
}

analysis::Inputs inputs() {
  analysis::Inputs in;
  in.transactions = cdnow().view();
  in.ids = &cdnow().ids;
  return in;
}

const std::int64_t kCalibrationEnd = crmkit::io::days_from_civil(1997, 9, 30);

// CDNOW with a calibration end, the Kano survey and the service interactions.
const analysis::Results& everything() {
  static const analysis::Results r = [] {
    analysis::Inputs in = inputs();
    in.survey_path = kData + "/kano_survey.csv";
    in.interactions_path = kData + "/service_interactions.csv";
    analysis::Options o;
    o.calibration_end = kCalibrationEnd;
    return analysis::analyze(in, o);
  }();
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::filesystem::path scratch(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("crmkit_sections_" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d / name;
}

}  // namespace

TEST(AnalysisChurnModel, IsTheLogisticFitOnTheCalibrationSummary) {
  const auto& r = everything();
  ASSERT_TRUE(r.churn_model);
  ASSERT_TRUE(r.holdout);
  const auto& m = *r.churn_model;
  crmkit::summary::SummaryOptions so;
  so.period = crmkit::summary::Period::Week;
  so.observation_end = r.as_of;
  const auto hs = crmkit::summary::summarize_holdout(cdnow().view(), kCalibrationEnd, so);
  const auto& cal = hs.calibration;
  Eigen::MatrixXd x(static_cast<Eigen::Index>(cal.size()), 4);
  std::vector<double> y(cal.size());
  for (std::size_t i = 0; i < cal.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    x(k, 0) = cal.frequency[i];
    x(k, 1) = cal.recency[i];
    x(k, 2) = cal.T[i];
    x(k, 3) = cal.monetary_value[i];
    y[i] = hs.frequency_holdout[i] == 0 ? 1 : 0;
  }
  churn::LogisticOptions lo;
  lo.standardize = true;
  const auto fit = churn::fit_logistic(x, y, lo);
  EXPECT_EQ(m.feature_names, (std::vector<std::string>{"frequency", "recency", "T", "monetary_value"}));
  ASSERT_EQ(m.coef.size(), 4u);
  for (Eigen::Index j = 0; j < 4; ++j) {
    EXPECT_NEAR(m.coef[static_cast<std::size_t>(j)], fit.coef(j), 1e-12 * (1 + std::abs(fit.coef(j))));
    EXPECT_NEAR(m.std_coef[static_cast<std::size_t>(j)], fit.coef(j) * fit.feature_scale(j), 1e-9);
  }
  EXPECT_NEAR(m.intercept, fit.intercept, 1e-12 * (1 + std::abs(fit.intercept)));
  EXPECT_TRUE(m.converged);
  EXPECT_EQ(m.folds, 5u);
  EXPECT_DOUBLE_EQ(m.horizon, hs.duration_holdout);
  // More repeat purchases and a more recent last purchase lower the risk of no holdout purchase.
  EXPECT_LT(m.coef[0], 0);
  EXPECT_LT(m.coef[1], 0);

  // The drawn score is the out-of-fold probability of 5-fold CV with seed 0; its curve-based AUC
  // (tie groups as one ROC step) equals churn::roc_auc (the Mann-Whitney count) on the same scores.
  const auto cv = churn::cross_validate(x, y, lo, 5, 0);
  ASSERT_EQ(r.holdout->churn_scores.size(), 3u);
  const auto& lg = r.holdout->churn_scores[2];
  EXPECT_EQ(lg.name, "logistic model");
  EXPECT_NEAR(lg.auc, churn::roc_auc(cv.probability, y), 1e-12);
  EXPECT_NEAR(m.auc, cv.pooled.auc, 1e-15);
  EXPECT_NEAR(m.brier, cv.pooled.brier, 1e-15);
  // It ranks the CDNOW holdout churners about as well as the fewest expected purchases (both ~0.8),
  // far better than 1 - P(alive).
  EXPECT_GT(lg.auc, 0.75);
  EXPECT_GT(lg.auc, r.holdout->churn_scores[0].auc);
  // Lift by decile: the deciles' mean is 1 and the riskiest decile is the best.
  ASSERT_EQ(lg.lift.size(), 10u);
  EXPECT_NEAR(std::accumulate(lg.lift.begin(), lg.lift.end(), 0.0) / 10, 1.0, 1e-9);
  EXPECT_EQ(std::max_element(lg.lift.begin(), lg.lift.end()) - lg.lift.begin(), 0);
  // Lift equals churn::lift_table's where the deciles split no tie group (top decile: 10% of rows).
  const auto table = churn::lift_table(cv.probability, y, 10);
  EXPECT_NEAR(lg.lift.front(), table.front().lift, 0.02);

  // churn_probability: the all-calibration model applied to the as-of summary, one per customer.
  const auto s = crmkit::summary::summarize(cdnow().view(), so);
  ASSERT_EQ(r.customers.churn_probability.size(), s.size());
  Eigen::MatrixXd xa(static_cast<Eigen::Index>(s.size()), 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    xa(k, 0) = s.frequency[i];
    xa(k, 1) = s.recency[i];
    xa(k, 2) = s.T[i];
    xa(k, 3) = s.monetary_value[i];
  }
  const Eigen::VectorXd p = fit.predict_proba(xa);
  for (std::size_t i = 0; i < s.size(); i += 97) EXPECT_NEAR(r.customers.churn_probability[i], p(static_cast<Eigen::Index>(i)), 1e-12);
  EXPECT_TRUE(std::all_of(r.customers.churn_probability.begin(), r.customers.churn_probability.end(),
                          [](double v) { return v >= 0 && v <= 1; }));

  const auto j = r.summary_json();
  EXPECT_EQ(j["churn_model"]["model"], "logistic_regression");
  EXPECT_EQ(j["churn_model"]["folds"], 5);
  EXPECT_NEAR(j["churn_model"]["auc"].get<double>(), m.auc, 1e-15);
  EXPECT_NEAR(j["holdout"]["churn_auc_logistic"].get<double>(), lg.auc, 1e-15);
}

TEST(AnalysisChurnModel, AbsentWithoutACalibrationEnd) {
  const auto r = analysis::analyze(inputs());
  EXPECT_FALSE(r.churn_model);
  EXPECT_TRUE(r.customers.churn_probability.empty());
  EXPECT_TRUE(r.summary_json()["churn_model"].is_null());
  EXPECT_TRUE(std::any_of(r.notes.begin(), r.notes.end(), [](const auto& n) {
    return n.section == "Churn model" && n.text.find("--calibration-end") != std::string::npos;
  }));
}

TEST(AnalysisKano, MatchesTheKanoAnalysisAndTheHandComputedSurvey) {
  const auto& r = everything();
  ASSERT_TRUE(r.kano);
  const auto survey = crmkit::kano::read_survey(kData + "/kano_survey.csv");
  crmkit::kano::KanoOptions ko;
  ko.invalid = crmkit::kano::InvalidPolicy::Skip;  // as the report: its "maybe" is skipped and counted
  const auto direct = crmkit::kano::analyze(survey.view(), ko, survey.inputs());
  const auto& k = r.kano->result;
  ASSERT_EQ(k.features.size(), 4u);
  for (std::size_t i = 0; i < k.features.size(); ++i) {
    EXPECT_EQ(k.features[i].feature, direct.features[i].feature);
    EXPECT_EQ(k.features[i].category, direct.features[i].category);
    EXPECT_EQ(k.features[i].priority, direct.features[i].priority);
  }
  // docs/models/kano.md, worked example: password_reset is must-be with Better 3/10 and Worse -8/10;
  // export_csv one-dimensional with 0.7 / -0.8; two bad rows of r11 skipped; r10 a straight-liner.
  const auto& pr = k.features[0];
  EXPECT_EQ(pr.feature, "password_reset");
  EXPECT_EQ(pr.category, crmkit::kano::Category::M);
  EXPECT_DOUBLE_EQ(pr.better, 0.3);
  EXPECT_DOUBLE_EQ(pr.worse, -0.8);
  EXPECT_EQ(pr.priority, 1);
  EXPECT_EQ(k.features[1].category, crmkit::kano::Category::O);
  EXPECT_DOUBLE_EQ(k.features[1].better, 0.7);
  EXPECT_EQ(k.quality.skipped_rows, 2);
  EXPECT_EQ(k.quality.straightliners, std::vector<std::string>{"r10"});

  const auto j = r.summary_json();
  ASSERT_TRUE(j["kano"].is_object());
  EXPECT_EQ(j["kano"]["features"][0]["feature"], "password_reset");
  EXPECT_EQ(j["kano"]["features"][0]["category"], "M");
  EXPECT_EQ(j["kano"]["features"][0]["priority"], 1);
  EXPECT_EQ(j["kano"]["skipped_rows"], 2);
  EXPECT_FALSE(std::any_of(r.notes.begin(), r.notes.end(), [](const auto& n) { return n.section == "Kano"; }));

  // kano.csv: one row per feature in priority order; kano.json: the Kano analysis' own JSON.
  std::ostringstream csv;
  analysis::write_kano_csv(*r.kano, csv);
  std::istringstream lines(csv.str());
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header,
            "feature,priority,category,n,A,O,M,I,R,Q,better,worse,category_strength,total_strength,fong_significant,"
            "functional_mean,dysfunctional_mean,importance_mean,benefit,cost,frequency,recommendation");
  EXPECT_EQ(first.rfind("password_reset,1,M,10,1,2,6,1,0,0,0.3,-0.8,0.4,0.9,1,1.3,3.2,", 0), 0u) << first;
}

TEST(AnalysisService, MatchesTheHandComputedInteractions) {
  const auto& r = everything();
  ASSERT_TRUE(r.service);
  const auto& sv = *r.service;
  ASSERT_TRUE(sv.metrics);
  EXPECT_FALSE(sv.nps);  // no score column in the file
  EXPECT_EQ(sv.by, "channel");
  EXPECT_EQ(sv.interactions, 16u);
  // docs/models/service.md: CSAT 10/15, FCR 10/15, SLA 11/15 overall; email CSAT 4/6, chat SLA 4/4.
  const auto& all = sv.metrics->overall;
  EXPECT_DOUBLE_EQ(all.csat.csat, 10.0 / 15);
  EXPECT_NEAR(all.ces.mean, 4.8, 1e-12);
  EXPECT_DOUBLE_EQ(all.fcr.estimate, 10.0 / 15);
  EXPECT_DOUBLE_EQ(all.sla.compliance, 11.0 / 15);
  ASSERT_EQ(sv.metrics->groups.size(), 3u);
  EXPECT_EQ(sv.metrics->groups[0].group, "email");
  EXPECT_DOUBLE_EQ(sv.metrics->groups[0].csat.csat, 4.0 / 6);
  EXPECT_EQ(sv.metrics->groups[2].group, "chat");
  EXPECT_DOUBLE_EQ(sv.metrics->groups[2].sla.compliance, 1.0);
  // Its customer ids (c01..c14) are not CDNOW's (00001..23570): 0 of 14 match.
  EXPECT_EQ(sv.customer_column, "customer");
  EXPECT_EQ(sv.customers, 14u);
  EXPECT_EQ(sv.matched_customers, 0u);
  EXPECT_EQ(sv.matched_interactions, 0u);
  const auto j = r.summary_json();
  EXPECT_EQ(j["service"]["by"], "channel");
  EXPECT_EQ(j["service"]["matched_customers"], 0);
  EXPECT_DOUBLE_EQ(j["service"]["overall"]["csat"].get<double>(), 10.0 / 15);
  EXPECT_EQ(j["service"]["groups"].size(), 3u);
  EXPECT_EQ(j["service"]["sla_tiers"][0]["tier"], "urgent");
  EXPECT_TRUE(j["service"]["nps"].is_null());
}

TEST(AnalysisService, NpsScoresAndMatchedCustomers) {
  // Three CDNOW customers (one twice) and one unknown id; NPS answers 10, 9, 7, 3, 10: promoters 3,
  // passives 1, detractors 1 of 5 -> NPS = 100 (3 - 1) / 5 = 40.
  const auto path = scratch("nps_interactions.csv");
  {
    std::ofstream f(path);
    f << "customer_id,time,channel,nps,csat\n"
         "00001,1997-02-01,email,10,5\n"
         "00002,1997-03-01,phone,9,4\n"
         "00001,1998-01-01,phone,7,3\n"
         "99999,1997-05-01,email,3,1\n"
         "23570,1998-06-30,chat,10,5\n";
  }
  analysis::Inputs in = inputs();
  in.interactions_path = path.string();
  const auto r = analysis::analyze(in);
  ASSERT_TRUE(r.service && r.service->nps && r.service->metrics);
  EXPECT_EQ(r.service->nps_column, "nps");
  EXPECT_EQ(r.service->nps->overall.n, 5);
  EXPECT_DOUBLE_EQ(r.service->nps->overall.score, 40.0);
  EXPECT_EQ(r.service->customers, 4u);          // 00001, 00002, 99999, 23570
  EXPECT_EQ(r.service->matched_customers, 3u);
  EXPECT_EQ(r.service->matched_interactions, 4u);
  EXPECT_DOUBLE_EQ(r.summary_json()["service"]["nps"]["score"].get<double>(), 40.0);
  // Interactions per customer (io::read_interactions sharing the log's dictionary).
  ASSERT_EQ(r.customers.interactions.size(), r.customers.size());
  EXPECT_EQ(r.id(0), "00001");
  EXPECT_EQ(r.customers.interactions[0], 2.0);
  EXPECT_EQ(r.customers.interactions[1], 1.0);
  EXPECT_EQ(r.id(r.customers.size() - 1), "23570");
  EXPECT_EQ(r.customers.interactions.back(), 1.0);
  EXPECT_EQ(std::accumulate(r.customers.interactions.begin(), r.customers.interactions.end(), 0.0), 4.0);
  const std::string html = analysis::render_report(r);
  EXPECT_THAT(html, HasSubstr("NPS is 40"));
  EXPECT_THAT(html, HasSubstr("3 of its 4 customers"));

  // A file with neither service nor NPS columns is a ParseError naming the file.
  const auto bad = scratch("no_metrics.csv");
  {
    std::ofstream f(bad);
    f << "customer_id,channel\n00001,email\n";
  }
  in.interactions_path = bad.string();
  try {
    analysis::analyze(in);
    FAIL() << "expected ParseError";
  } catch (const crmkit::ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr(bad.string()));
    EXPECT_THAT(e.what(), HasSubstr("csat"));
  }
  std::filesystem::remove_all(path.parent_path());
}

TEST(AnalysisSections, ReportAndFiles) {
  const auto& r = everything();
  const auto dir = scratch("out");
  const auto w = analysis::write_outputs(r, dir.string());
  ASSERT_FALSE(w.kano_json.empty());
  ASSERT_FALSE(w.kano_csv.empty());
  ASSERT_FALSE(w.service_json.empty());
  const auto kj = nlohmann::json::parse(slurp(w.kano_json));
  EXPECT_EQ(kj["features"].size(), 4u);
  EXPECT_TRUE(kj.contains("quality"));
  const auto sj = nlohmann::json::parse(slurp(w.service_json));
  EXPECT_TRUE(sj["metrics"].contains("overall"));
  EXPECT_TRUE(sj["nps"].is_null());
  const std::string csv = slurp(w.customers_csv);
  EXPECT_EQ(csv.substr(0, csv.find('\n')).substr(csv.find("clv,")), "clv,churn_probability,interactions");
  // No id of service_interactions.csv is a CDNOW customer: no counts.
  EXPECT_TRUE(r.customers.interactions.empty());
  const std::string html = slurp(w.report_html);
  for (const char* id : {"id=\"kano\"", "id=\"service\"", "id=\"churn\""}) EXPECT_THAT(html, HasSubstr(id));
  for (const char* q : {">Attractive<", ">One-dimensional<", ">Indifferent<", ">Must-be<"}) EXPECT_THAT(html, HasSubstr(q));
  EXPECT_THAT(html, HasSubstr("password_reset comes first: must-be"));
  EXPECT_THAT(html, HasSubstr("Straight-liners"));
  EXPECT_THAT(html, HasSubstr("0 of its 14 customers"));
  EXPECT_THAT(html, HasSubstr("logistic model (AUC 0."));
  // Without the optional inputs, no extra files.
  const auto plain = analysis::analyze(inputs());
  const auto w2 = analysis::write_outputs(plain, scratch("plain").string());
  EXPECT_TRUE(w2.kano_json.empty() && w2.kano_csv.empty() && w2.service_json.empty());
  EXPECT_FALSE(std::filesystem::exists(scratch("plain") / "kano.json"));
  std::filesystem::remove_all(dir.parent_path());
}

TEST(AnalysisRetention, KaplanMeierAndCohortsOfTheLog) {
  const auto& r = everything();
  ASSERT_TRUE(r.retention);
  const auto& rt = *r.retention;
  // The curve is churn::kaplan_meier of churn::durations_from_transactions (90 inactive days, weeks),
  // drawn from (0, 1).
  crmkit::churn::DurationOptions d;
  d.inactive_days = 90;
  d.has_observation_end = true;
  d.observation_end = r.as_of;
  d.period_days = 7;
  const auto dur = crmkit::churn::durations_from_transactions(cdnow().view(), d);
  crmkit::churn::SurvivalInput si;
  si.duration = dur.duration;
  si.event = dur.event;
  const auto km = crmkit::churn::kaplan_meier(si);
  ASSERT_EQ(km.curves.size(), 1u);
  ASSERT_EQ(rt.time.size(), km.curves[0].time.size() + 1);
  EXPECT_EQ(rt.time.front(), 0.0);
  EXPECT_EQ(rt.survival.front(), 1.0);
  for (std::size_t k = 0; k < km.curves[0].time.size(); ++k) {
    EXPECT_EQ(rt.time[k + 1], km.curves[0].time[k]);
    EXPECT_EQ(rt.survival[k + 1], km.curves[0].survival[k]);
  }
  EXPECT_EQ(rt.customers, 23570.0);
  EXPECT_TRUE(std::is_sorted(rt.survival.rbegin(), rt.survival.rend()));
  // Monthly cohorts: CDNOW's customers first bought in 1997-01..03; sizes sum to every customer and
  // the first offset is 100%.
  EXPECT_EQ(rt.cohort_label, (std::vector<std::string>{"1997-01", "1997-02", "1997-03"}));
  EXPECT_EQ(std::accumulate(rt.cohort_size.begin(), rt.cohort_size.end(), 0.0), 23570.0);
  ASSERT_EQ(rt.cohort_retention.size(), 3 * rt.n_offsets);
  for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(rt.cohort_retention[c * rt.n_offsets], 1.0);
  const auto j = r.summary_json();
  EXPECT_EQ(j["retention"]["cohorts"].size(), 3u);
  EXPECT_EQ(j["retention"]["inactive_days"], 90);
  const std::string html = analysis::render_report(r);
  EXPECT_THAT(html, HasSubstr("id=\"retention\""));
  EXPECT_THAT(html, HasSubstr("Kaplan-Meier survival of customers"));
}

TEST(AnalysisModelChoice, HoldoutErrorWithACalibrationEndElseLikelihood) {
  // Every candidate in the build is fitted; with a calibration end the lowest holdout MAE wins, without
  // one the highest log-likelihood (docs/report.md). summary.json marks the winner.
  auto check = [](const analysis::Results& r, const std::string& selection) {
    ASSERT_TRUE(r.transaction_model);
    if (r.candidates.size() < 2) {
      EXPECT_EQ(r.selection, "only");
      return;
    }
    EXPECT_EQ(r.selection, selection);
    const analysis::ModelCandidate* best = nullptr;
    for (const auto& c : r.candidates) {
      ASSERT_TRUE(c.ok) << c.key << ": " << c.error;
      if (!best || (selection == "holdout" ? c.holdout_mae < best->holdout_mae : c.log_likelihood > best->log_likelihood))
        best = &c;
    }
    EXPECT_EQ(r.transaction_model->key, best->key);
    const auto j = r.summary_json();
    int chosen = 0;
    for (const auto& c : j["transaction_model"]["candidates"]) {
      chosen += c["chosen"].get<bool>() ? 1 : 0;
      if (c["chosen"].get<bool>()) {
        EXPECT_EQ(c["model"], best->key);
      }
      EXPECT_TRUE(c["log_likelihood"].is_number());
      if (selection == "holdout") {
        EXPECT_TRUE(c["holdout_mae"].is_number());
      }
    }
    EXPECT_EQ(chosen, 1);
  };
  check(everything(), "holdout");
  check(analysis::analyze(inputs()), "likelihood");
}

// One zero-spend policy (issue 13, item 18): repeat buyers whose mean repeat spend is 0 are left out of
// the spend model's fit, as in `crmkit fit gg` and `crmkit clv`, and the report says how many.
TEST(AnalysisSpend, ZeroSpendRepeatBuyersAreLeftOutAndCounted) {
  const auto r = analysis::analyze(inputs());
  const auto s = crmkit::summary::summarize(cdnow().view(), [&] {
    crmkit::summary::SummaryOptions so;
    so.period = crmkit::summary::Period::Week;
    so.observation_end = r.as_of;
    return so;
  }());
  std::size_t zero = 0;
  for (std::size_t i = 0; i < s.size(); ++i) zero += s.frequency[i] > 0 && !(s.monetary_value[i] > 0) ? 1 : 0;
  ASSERT_GT(zero, 0u);  // CDNOW has repeat buyers whose repeat purchases all cost $0
  const auto note = std::find_if(r.notes.begin(), r.notes.end(), [](const auto& n) {
    return n.section == "Customer lifetime value" && n.text.find("mean repeat spend of 0") != std::string::npos;
  });
  ASSERT_NE(note, r.notes.end());
  EXPECT_THAT(note->text, HasSubstr(std::to_string(zero) + " repeat buyer"));
  ASSERT_TRUE(r.spend_model);
}
