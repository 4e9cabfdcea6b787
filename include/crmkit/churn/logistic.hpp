// Regularised logistic regression for churn (docs/models/logistic.md).
//
// Objective, exactly scikit-learn's LogisticRegression (solvers lbfgs/saga; the intercept is never
// penalised), with s_i = sample weight x class weight, z_i = x_i.w + b, y_i in {0, 1}:
//     none:        sum_i s_i l_i
//     l2:          0.5 ||w||^2 + C sum_i s_i l_i
//     l1:          ||w||_1 + C sum_i s_i l_i
//     elasticnet:  0.5 (1 - l1_ratio) ||w||^2 + l1_ratio ||w||_1 + C sum_i s_i l_i
// where l_i = log(1 + exp(z_i)) - y_i z_i. With `standardize`, the columns are centred and divided by
// their (population) standard deviation before the fit, as in a StandardScaler + LogisticRegression
// pipeline, so the penalty is on the standardised coefficients; coefficients are always reported on
// the original scale.
//
// Solver: (proximal) Newton. Each iteration makes one pass over the data for the gradient and the
// weighted Gram matrix X'DX (blocked, symmetric rank-k updates), then solves the Newton system
// (none, l2) or the l1 / elastic-net quadratic subproblem by cyclic coordinate descent, with a
// backtracking line search on the true objective (Lee, Sun & Saunders 2014). Converged when the Newton
// step computed from the full-data gradient has its largest component below tolerance * (1 + largest
// |coefficient|) (that last step is then taken). Large problems use a subsampled Hessian
// (LogisticOptions::hessian_subsample; Byrd, Chin, Neveitt & Nocedal 2011) with the exact gradient.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include "crmkit/churn/features.hpp"
#include "crmkit/math/optimize.hpp"

namespace crmkit::churn {

enum class Penalty : std::uint8_t { None, L2, L1, ElasticNet };

/// "none", "l2", "l1", "elasticnet"; parse_penalty throws InvalidArgument for anything else.
const char* penalty_name(Penalty p) noexcept;
Penalty parse_penalty(std::string_view text);

struct LogisticOptions {
  Penalty penalty = Penalty::L2;
  double C = 1.0;                ///< inverse regularisation strength, > 0 (ignored for none)
  double l1_ratio = 0.5;         ///< elastic-net mixing in [0, 1]
  bool fit_intercept = true;
  bool standardize = false;
  /// Class weights: empty = none; {"balanced"} semantics via class_weight_balanced; else weight of
  /// class 0 and class 1.
  bool class_weight_balanced = false;
  std::optional<std::array<double, 2>> class_weight{};
  int max_iterations = 100;      ///< Newton iterations
  double tolerance = 1e-8;       ///< on the step (see above)
  /// Problems of at least 4x this many rows take their Newton Hessian from a deterministic subsample of
  /// about this many rows (32 or more evenly spaced runs of up to 256 consecutive rows), after a warm
  /// start fitted on it (first on every eighth run); the gradient and objective stay the full data's, so
  /// the solution is the same. 0 = always the exact Hessian.
  std::int64_t hessian_subsample = 65536;
};

struct LogisticModel {
  std::vector<std::string> feature_names;
  Eigen::VectorXd coef;          ///< original scale
  double intercept = 0;
  /// Unpenalised fits: sqrt(diag(inverse Fisher information)) on the original scale (the sample
  /// weights act as frequency weights). NaN for penalised fits or a singular information matrix.
  Eigen::VectorXd std_errors;
  double intercept_std_error = 0;
  /// Training means and population standard deviations of the features (1 for a constant column),
  /// used for standardisation and for the drivers of a score.
  Eigen::VectorXd feature_mean, feature_scale;
  LogisticOptions options;
  std::optional<FeatureEncoding> encoding;  ///< set when fitted on a FeatureTable

  // Fit diagnostics
  int iterations = 0;
  math::FitStatus status = math::FitStatus::Converged;
  double log_likelihood = 0;     ///< sum_i s_i log p(y_i), without the penalty
  double objective = 0;          ///< the penalised objective above at the solution
  double n_samples = 0;          ///< sum of sample weights (before class weights)

  std::size_t n_features() const noexcept { return static_cast<std::size_t>(coef.size()); }
  Eigen::VectorXd odds_ratios() const { return coef.array().exp().matrix(); }

  /// z = X w + b, and P(y = 1) = 1 / (1 + exp(-z)). X has n_features() columns.
  Eigen::VectorXd decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x) const;
  Eigen::VectorXd predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x) const;
  /// Into caller spans (length = rows).
  void decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const;
  void predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const;
};

/// Fits the model. X: n x p (column-major), y: 0/1 (n), sample_weight: empty or n non-negative.
/// `names` empty gives x0, x1, ... Throws InvalidArgument for mismatched sizes, labels not 0/1, a single
/// class, non-finite X or bad options. Non-convergence is reported in status.
LogisticModel fit_logistic(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const double> y,
                           const LogisticOptions& options = {}, std::vector<std::string> names = {},
                           std::span<const double> sample_weight = {});
/// Fits on a feature table (its label, names and encoding).
LogisticModel fit_logistic(const FeatureTable& table, const LogisticOptions& options = {},
                           std::span<const double> sample_weight = {});

/// Numerically stable logistic function and its log-loss.
double sigmoid(double z) noexcept;

/// {"model": "logistic_regression", "feature_names", "coef", "intercept", "std_errors",
///  "intercept_std_error", "odds_ratios", "feature_mean", "feature_scale", "options", "fit", "encoding"?}.
/// NaN is written as null. from_json throws InvalidArgument for a missing or malformed key.
void to_json(nlohmann::json& j, const LogisticModel& m);
void from_json(const nlohmann::json& j, LogisticModel& m);

}  // namespace crmkit::churn
