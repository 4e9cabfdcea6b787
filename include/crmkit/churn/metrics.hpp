// Evaluation metrics for binary churn scores (docs/models/metrics.md), defined as scikit-learn
// defines them so the numbers agree:
// - roc_auc: the area under the ROC curve with tied scores forming one diagonal step, i.e. the
//   Mann-Whitney statistic  (sum over positives of #negatives scored lower + 1/2 #negatives tied) / (P N)
//   (roc_auc_score). Computed exactly in counts after radix-sorting the scores of each class: O(n).
// - roc_curve: every distinct threshold (roc_curve with drop_intermediate=False), from (0, 0) at
//   threshold +inf; a row is predicted positive when score >= threshold.
// - average_precision (PR AUC): sum over distinct thresholds, from the highest, of
//   (R_k - R_{k-1}) P_k (average_precision_score; the step-wise sum, not a trapezoid).
// - log_loss: mean of -(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps], eps = 2^-52
//   (log_loss with eps="auto" for float64).
// - brier: mean of (p - y)^2 (brier_score_loss).
// - lift_table: rows sorted by score descending (ties in input order) and cut into `bins` groups of
//   floor(b n / bins) .. floor((b + 1) n / bins) - 1; lift = group churn rate / overall rate, gains =
//   cumulative share of all churners captured.
// - calibration_table: `bins` equal-width bins of [0, 1]; bin b holds (b/k, (b+1)/k], bin 0 also 0
//   (calibration_curve(strategy="uniform"), which drops the empty bins this table keeps).
// - confusion: predicted positive when score >= threshold.
// Labels are 0/1 doubles; scores must be finite (probabilities in [0, 1] where stated). Bad input
// throws InvalidArgument; metrics that need both classes (roc_auc, average_precision) throw when one
// is absent, as scikit-learn does.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace crmkit::churn {

double roc_auc(std::span<const double> score, std::span<const double> label);
double average_precision(std::span<const double> score, std::span<const double> label);
double log_loss(std::span<const double> probability, std::span<const double> label);
double brier_score(std::span<const double> probability, std::span<const double> label);

struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;  ///< thresholds[0] = +inf
};
RocCurve roc_curve(std::span<const double> score, std::span<const double> label);

/// auc, pr_auc (average precision), log_loss, brier of probabilities.
struct Metrics {
  double auc = 0, pr_auc = 0, log_loss = 0, brier = 0;
};
Metrics evaluate(std::span<const double> probability, std::span<const double> label);

struct LiftRow {
  std::size_t bin = 0;         ///< 1 = highest scores
  std::size_t count = 0;
  double positives = 0;
  double rate = 0;             ///< positives / count
  double lift = 0;             ///< rate / overall rate
  double cumulative_gain = 0;  ///< share of all positives in bins 1..bin
  double cumulative_lift = 0;  ///< cumulative rate / overall rate
  double min_score = 0, max_score = 0;
};
std::vector<LiftRow> lift_table(std::span<const double> score, std::span<const double> label, std::size_t bins = 10);

struct CalibrationRow {
  double lower = 0, upper = 0;   ///< bin edges
  std::size_t count = 0;
  double mean_predicted = 0;     ///< NaN for an empty bin
  double observed = 0;           ///< fraction of positives; NaN for an empty bin
};
std::vector<CalibrationRow> calibration_table(std::span<const double> probability, std::span<const double> label,
                                              std::size_t bins = 10);

struct Confusion {
  double tp = 0, fp = 0, tn = 0, fn = 0;
  double precision = 0;  ///< tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's zero_division=0)
  double recall = 0;     ///< tp / (tp + fn); 0 without positives
  double accuracy = 0;
  double f1 = 0;         ///< 2 P R / (P + R); 0 when both are 0
};
Confusion confusion(std::span<const double> score, std::span<const double> label, double threshold = 0.5);

}  // namespace crmkit::churn
