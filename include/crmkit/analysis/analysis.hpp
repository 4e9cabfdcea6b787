// The end-to-end customer analysis behind `crmkit analyze`: from a transaction log to per-customer
// results (customers.csv), headline numbers (summary.json) and a self-contained HTML report
// (report.html). docs/report.md documents every output column and key; docs/concepts.md the choices.
//
// Steps (each reported to Options::progress):
//  1. customer summaries at the as-of day (period: weeks) and RFM values, scores and segments;
//  2. a transaction model: every available candidate (BG/NBD; Pareto/NBD when the build has it) is
//     fitted; with a calibration end the one with the lowest holdout error (mean absolute error of the
//     conditional expected purchases per customer in the holdout) is chosen, otherwise the one with
//     the highest log-likelihood — a converged fit before one that did not converge, either way; the
//     chosen model is then fitted to the whole period (progress names each candidate as it is fitted);
//  3. P(alive), expected purchases over the horizon, churn risk = 1 - P(alive);
//  4. Gamma-Gamma spend and CLV (lifetimes' period-by-period discounting);
//  5. with a calibration end: the holdout check (calibration vs holdout by frequency, cumulative
//     tracking) and churn evaluation of 1 - P(alive) against "no purchase in the holdout"
//     (ROC, gains, lift) — and of a second score, the fewest expected holdout purchases: BG/NBD gives
//     one-time buyers P(alive) = 1, so 1 - P(alive) ranks them safest although most of them never return;
//     and a logistic churn model on the calibration summary (ChurnModel), cross-validated;
//  6. with a survey: the Kano analysis (kano/kano.hpp); with an interaction table: service metrics by
//     channel and NPS when the file has scores (service/metrics.hpp), and how many of its customers
//     are in the transaction log.
// Inputs that are given but whose analysis this build does not have yet are listed in Results::notes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/core/ids.hpp"
#include "crmkit/core/table.hpp"
#include "crmkit/kano/kano.hpp"
#include "crmkit/service/metrics.hpp"
#include "crmkit/rfm/rfm.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::analysis {

struct Inputs {
  /// The transaction log (caller-owned columns; must outlive analyze()).
  core::TransactionsView transactions;
  /// Original customer ids by code (e.g. TransactionTable::ids); nullptr = the codes' decimal text.
  const core::Dictionary* ids = nullptr;
  std::string transactions_source;  ///< file name shown in the report
  std::string interactions_path;    ///< optional interaction table CSV
  std::string survey_path;          ///< optional Kano survey CSV
};

/// Progress callback: step (1-based) of steps, and what the step does.
using Progress = std::function<void(int step, int steps, std::string_view what)>;

struct Options {
  /// Observation end (inclusive day number). Default: the day of the last transaction.
  std::optional<std::int64_t> as_of{};
  /// Calibration end (inclusive day number, before as_of): enables the holdout checks.
  std::optional<std::int64_t> calibration_end{};
  summary::Period period = summary::Period::Week;  ///< time unit of the models
  int horizon_months = 12;       ///< horizon of expected purchases and CLV
  double discount_rate = 0.01;   ///< monthly, for CLV
  double margin = 1.0;           ///< profit margin applied to spend
  int rfm_bins = 5;
  std::string segments = "rf-grid";  ///< rf-grid | rfm-ranges (5 bins)
  double penalizer = 0.0;
  int top_customers = 10;        ///< rows of the top-customers table
  std::string title = "Customer analysis";
  Progress progress{};
};

/// One candidate transaction model and how it did.
struct ModelCandidate {
  std::string key, title;
  bool ok = false;               ///< fitted without error
  std::string error;             ///< the message when not ok
  double log_likelihood = 0;     ///< calibration fit when a calibration end is given
  bool converged = false;
  double holdout_mae = 0;        ///< NaN without a calibration end
  double holdout_predicted = 0;  ///< sum of predicted holdout purchases
  std::vector<std::string> param_names;
  std::vector<double> params;
};

struct FittedModel {
  std::string key, title;
  std::vector<std::string> param_names;
  std::vector<double> params;
  double log_likelihood = 0;
  bool converged = false;
  int iterations = 0;
};

/// Per-customer results, one row per customer with a purchase on or before as_of (ascending code).
struct CustomerResults {
  std::vector<std::uint32_t> customer;
  // RFM at as_of
  std::vector<double> rfm_recency, rfm_frequency, rfm_monetary;
  std::vector<std::uint8_t> r, f, m;
  std::vector<std::uint32_t> segment;  ///< index into Results::segment_names
  // summary (period units)
  std::vector<double> frequency, recency, T, monetary_value, total_spend;
  std::vector<std::int64_t> first_purchase, last_purchase;
  std::vector<std::uint32_t> n_transactions;
  // models (empty when the model is absent)
  std::vector<double> p_alive, expected_purchases, churn_risk, expected_spend, clv;
  /// Logistic churn model (with a calibration end): P(no purchase in the next holdout-length window),
  /// the calibration-fitted model applied to the summary at as_of. Empty without the model.
  std::vector<double> churn_probability;
  /// With an interaction table: the customer's interactions on or before as_of (io::read_interactions
  /// sharing the transaction log's dictionary). Empty without one.
  std::vector<double> interactions;

  std::size_t size() const noexcept { return customer.size(); }
};

struct Point {
  double x = 0, y = 0;
};

/// How well a churn score ranks the customers who did not buy in the holdout.
struct ChurnScore {
  std::string name;
  double auc = 0;            ///< ROC AUC, ties as one step (scikit-learn's roc_auc_score); NaN with one class
  std::vector<Point> roc;    ///< (false positive rate, true positive rate), at most ~200 points
  std::vector<Point> gains;  ///< (share of customers targeted, share of churners caught)
  std::vector<double> lift;  ///< by decile of risk (1 = riskiest 10%), ties spread evenly
};

/// Calibration / holdout results (present with a calibration end).
struct Holdout {
  std::int64_t calibration_end = 0;
  double duration = 0;  ///< holdout length in periods
  std::size_t customers = 0;
  /// Mean actual and predicted holdout purchases by calibration frequency 0..7, 8+.
  std::vector<std::string> frequency_labels;
  std::vector<double> actual_by_frequency, predicted_by_frequency;
  std::vector<double> customers_by_frequency;
  /// Cumulative repeat transactions by period since the start (whole period, model fitted on the
  /// calibration data).
  std::vector<double> tracking_t, tracking_actual, tracking_expected;
  double actual_total = 0, predicted_total = 0;
  /// Churn evaluation at the calibration end against "no purchase in the holdout".
  double churn_rate = 0;  ///< share of calibration customers without a holdout purchase
  /// [0]: 1 - P(alive); [1]: fewest expected holdout purchases; [2] (when fitted): the logistic churn
  /// model's out-of-fold probability.
  std::vector<ChurnScore> churn_scores;
};

/// The logistic churn model (with a calibration end): label 1 = no purchase in the holdout, features
/// = the calibration summary's frequency, recency, T and monetary_value (period units), standardised,
/// L2 with C = 1 (churn/logistic.hpp). Evaluated by stratified k-fold cross-validation over the
/// calibration customers (out-of-fold probabilities, so no customer is scored by a model that saw
/// it); the coefficients are those of the fit on all of them.
struct ChurnModel {
  std::vector<std::string> feature_names;
  std::vector<double> coef, std_coef;  ///< original scale; per standard deviation of the feature
  double intercept = 0;
  bool converged = false;
  int iterations = 0;
  std::size_t folds = 5;
  double horizon = 0;                  ///< label window (holdout length, periods)
  double auc = 0, pr_auc = 0, log_loss = 0, brier = 0;  ///< pooled out-of-fold
};

/// Retention: the Kaplan-Meier curve of customer lifetimes (a customer has churned after
/// `inactive_days` days without a purchase before as_of; churn/survival.hpp) and monthly cohort
/// retention (churn/cohorts.hpp), on the log up to as_of.
struct Retention {
  std::int64_t inactive_days = 90;
  double customers = 0, churned = 0;
  std::vector<double> time, survival, lower, upper;  ///< KM step curve (periods), from (0, 1)
  double median = 0;                                 ///< NaN = not reached
  std::vector<std::string> cohort_label;             ///< non-empty monthly cohorts
  std::vector<double> cohort_size;
  std::size_t n_offsets = 0;
  std::vector<double> cohort_retention;              ///< cohorts x offsets, NaN = unobserved
};

/// The Kano section (with a survey).
struct KanoSection {
  std::string source;
  kano::KanoResult result;
};

/// The service section (with an interaction table).
struct ServiceSection {
  std::string source;
  std::string by;  ///< the group column ("channel" when present, else "")
  std::optional<service::ServiceReport> metrics;  ///< absent when the file has only NPS scores
  std::optional<service::NpsReport> nps;          ///< when the file has an NPS score column
  std::string nps_column;
  std::size_t interactions = 0;
  /// Matching to the transaction log's customer ids ("" = no customer column in the file).
  std::string customer_column;
  std::size_t customers = 0, matched_customers = 0, matched_interactions = 0;
};

/// Cumulative tracking over the whole period (the model fitted on all of it), always present with a
/// model: x in periods since the first purchase in the data.
struct Tracking {
  std::vector<double> t, actual, expected;
};

struct Note {
  std::string section, text;
};

struct Results {
  std::string title, source;
  std::int64_t as_of = 0, first_day = 0;
  summary::Period period = summary::Period::Week;
  int horizon_months = 12;
  double discount_rate = 0.01, margin = 1.0;
  std::size_t n_transactions = 0, n_customers = 0;
  double revenue = 0;
  /// false: the log has no amounts (an event log): revenue, spend and value are left out, and
  /// summary.json says so with "amounts": false and null for those numbers.
  bool amounts = true;
  double repeat_customer_share = 0;
  double top20_revenue_share = 0;  ///< share of revenue from the top 20% of customers by spend

  CustomerResults customers;
  const core::Dictionary* ids = nullptr;  ///< from Inputs (may be null)

  std::vector<std::string> segment_names;
  std::vector<rfm::SegmentSummaryRow> segments;

  std::vector<ModelCandidate> candidates;
  std::string selection;  ///< "holdout", "likelihood" or "only"
  std::optional<FittedModel> transaction_model;
  std::optional<FittedModel> spend_model;
  double frequency_spend_correlation = 0;
  std::optional<Tracking> tracking;
  std::optional<Holdout> holdout;
  std::optional<ChurnModel> churn_model;
  std::optional<Retention> retention;
  std::optional<KanoSection> kano;
  std::optional<ServiceSection> service;

  /// Frequency x recency grids (T = the largest T) of P(alive) and expected purchases.
  std::vector<double> grid_frequency, grid_recency;
  std::vector<double> grid_p_alive, grid_expected;  ///< recency rows x frequency columns

  std::vector<Note> notes;  ///< sections omitted, and why

  /// Customer id text of row i.
  std::string id(std::size_t i) const;
  /// Headline numbers (docs/report.md lists the keys).
  nlohmann::ordered_json summary_json() const;
};

/// Runs the analysis. Throws InvalidArgument for bad options or an empty log, IoError / ParseError
/// for unreadable optional inputs.
Results analyze(const Inputs& inputs, const Options& options = {});

/// customers.csv: one row per customer (docs/report.md).
void write_customers_csv(const Results& results, std::ostream& out);
/// report.html: one self-contained file (inline CSS and SVG, no scripts, no network).
std::string render_report(const Results& results);

/// kano.csv: one row per feature in priority order (docs/report.md).
void write_kano_csv(const KanoSection& kano, std::ostream& out);

/// Writes customers.csv, summary.json and report.html into `directory` (created when missing), and
/// kano.json / kano.csv with a survey, service.json with an interaction table ("" in Written when not
/// written). Throws IoError when a file cannot be written.
struct Written {
  std::string customers_csv, summary_json, report_html;
  std::string kano_json, kano_csv, service_json;
};
Written write_outputs(const Results& results, const std::string& directory);

}  // namespace crmkit::analysis
