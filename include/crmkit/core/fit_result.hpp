// What every model's fit() takes (FitOptions) and returns (FitResult<Params>).
//
// Objective (the one scaling shared by all models, docs/numerics.md):
//     minimise   -LL(theta) / W  +  penalizer * sum_k (log theta_k)^2
// over u = log(theta), where W is the total weight (number of customers) and theta are the model's
// positive parameters. The penalty is per customer, so it does not fade as data are replicated, and it
// shrinks every parameter towards 1 on the log scale.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/math/optimize.hpp"

namespace crmkit::core {

using math::FitStatus;
using math::fit_status_name;

struct FitOptions {
  double penalizer = 0.0;      ///< L2 penalty on log-parameters, per customer (see above); >= 0
  int max_iterations = 1000;   ///< in total, over all starts (and warm-start fits) of one fit
  double tolerance = 1e-8;     ///< on the gradient norm of the per-customer objective w.r.t. log-parameters
  /// Starting parameters on the natural scale, in the model's Params order; default: data-driven.
  std::optional<std::vector<double>> initial_params{};
  int restarts = 4;            ///< further starts tried when a start does not converge
};

template <class Params>
struct FitResult {
  Params params{};                  ///< the estimates
  double log_likelihood = 0;        ///< total (weighted) log-likelihood at params, without the penalty
  int iterations = 0;               ///< summed over the starts tried (never above options.max_iterations)
  FitStatus status = FitStatus::LineSearchFailed;
  double gradient_norm = 0;         ///< of the per-customer objective w.r.t. log-parameters
  /// Standard errors on the natural scale, in Params order: sqrt of the diagonal of the inverse of the
  /// observed information (Hessian of the total penalised negative log-likelihood in log-parameters),
  /// mapped by the delta method (se(theta_k) = theta_k * se(log theta_k)). NaN when the Hessian is not
  /// positive definite.
  std::vector<double> std_errors{};
  double n_customers = 0;           ///< total weight W
  std::size_t n_patterns = 0;       ///< distinct (x, t_x, T) patterns the likelihood was evaluated on
  int starts_tried = 0;
  /// Empty for an interior optimum. Otherwise the limiting model the likelihood's supremum lies on, the
  /// parameters being that limit's (status Converged when the limit's own fit converged): "nbd" for
  /// Pareto/NBD's no-dropout limit (s = 0: purchases NBD with r, alpha; docs/models/pareto_nbd.md).
  std::string limit{};

  bool converged() const noexcept { return status == FitStatus::Converged; }
};

}  // namespace crmkit::core
