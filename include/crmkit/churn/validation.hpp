// Validation of churn models and the early-warning list (docs/models/logistic.md#validation).
//
// Stratified k-fold: the row indices of each class are shuffled by a Fisher-Yates shuffle driven by
// std::mt19937_64(seed) (uniform integers by rejection, so the folds are the same on every platform),
// the shuffled class-0 rows are followed by the shuffled class-1 rows, and the t-th row of that list
// goes to fold t mod k. Every fold then holds each class's rows to within one, and folds differ in
// size by at most one. (scikit-learn's StratifiedKFold allocates differently; the folds are not the
// same rows, the property is.)
//
// Drivers of a score: contribution_j = coef_j (x_j - mean_j), i.e. the standardised coefficient times
// the standardised value (coef_j sd_j) ((x_j - mean_j) / sd_j) with the training mean and sd; they sum
// to the decision function minus its value at the mean customer. The drivers of a row are its
// features with the largest positive contributions (those that raise the risk), largest first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"

namespace crmkit::churn {

/// Fold (0..k-1) of each row; 2 <= k <= the smaller class count.
std::vector<std::uint32_t> stratified_folds(std::span<const double> label, std::size_t k, std::uint64_t seed = 0);

struct CrossValidation {
  std::vector<std::uint32_t> fold;   ///< fold of each row
  std::vector<double> probability;   ///< out-of-fold P(churn) of each row
  std::vector<Metrics> folds;        ///< metrics of each fold's held-out rows
  Metrics mean;                      ///< mean over folds (scikit-learn's cross_val_score convention)
  Metrics pooled;                    ///< metrics of all out-of-fold predictions together
};

/// k-fold cross-validation of fit_logistic with stratified_folds(label, k, seed).
CrossValidation cross_validate(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const double> label,
                               const LogisticOptions& options, std::size_t k, std::uint64_t seed = 0);

/// Rows with time < cutoff train, the rest test (both in input order).
struct TimeSplit {
  std::vector<std::size_t> train, test;
};
TimeSplit time_split(std::span<const std::int64_t> time, std::int64_t cutoff);

struct Driver {
  std::size_t feature = 0;  ///< column index
  double contribution = 0;  ///< coef (x - mean)
};

/// The n largest positive contributions of one row (fewer when fewer are positive).
std::vector<Driver> drivers(const LogisticModel& model, std::span<const double> row, std::size_t n = 3);

struct WarningRow {
  std::size_t row = 0;
  double risk = 0;              ///< P(churn)
  std::vector<Driver> drivers;
};

/// The top_k rows by risk (descending, ties by row order), each with its n_drivers drivers.
std::vector<WarningRow> early_warning(const LogisticModel& model, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                      std::size_t top_k, std::size_t n_drivers = 3);

}  // namespace crmkit::churn
