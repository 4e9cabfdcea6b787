// Private to src/clv: the fitting driver every CLV model shares. Minimises
//     f(u) = -LL(exp(u)) / W + penalizer * sum_k u_k^2
// over u = log(theta) (core/fit_result.hpp), with data-driven starts and restarts, then fills FitResult
// (log-likelihood without the penalty, standard errors by the delta method).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "crmkit/core/error.hpp"
#include "crmkit/core/fit_result.hpp"
#include "crmkit/math/optimize.hpp"

namespace crmkit::clv::detail {

/// Smallest Hessian eigenvalue, relative to the largest, for a converged start to be accepted.
inline constexpr double kMinRelativeCurvature = 1e-9;

template <std::size_t K>
using LogLikFn = std::function<double(const std::array<double, K>& theta, std::array<double, K>* grad)>;

inline std::string format_params(const char* const* names, const double* v, std::size_t k) {
  std::string s;
  char buf[64];
  for (std::size_t i = 0; i < k; ++i) {
    std::snprintf(buf, sizeof buf, "%s%s = %.17g", i ? ", " : "", names[i], v[i]);
    s += buf;
  }
  return s;
}

/// Starts: options.initial_params (if any) first, then `data_start`, then `data_start` moved by each of
/// `offsets` on the log scale, capped at 1 + options.restarts starts in all.
template <class Params, std::size_t K = Params::size>
core::FitResult<Params> fit_log_params(const char* function, const LogLikFn<K>& loglik, double total_weight,
                                       std::size_t n_patterns, const std::array<double, K>& data_start,
                                       const std::vector<std::array<double, K>>& offsets,
                                       const core::FitOptions& options) {
  if (!(options.penalizer >= 0.0) || !std::isfinite(options.penalizer))
    throw InvalidArgument(function, "options.penalizer", std::to_string(options.penalizer), "must be finite and >= 0");
  if (options.max_iterations < 1)
    throw InvalidArgument(function, "options.max_iterations", std::to_string(options.max_iterations), "must be >= 1");
  if (!(options.tolerance > 0.0))
    throw InvalidArgument(function, "options.tolerance", std::to_string(options.tolerance), "must be > 0");
  if (options.restarts < 0)
    throw InvalidArgument(function, "options.restarts", std::to_string(options.restarts), "must be >= 0");

  std::vector<Eigen::VectorXd> starts;
  auto push = [&](const std::array<double, K>& theta, const std::array<double, K>* off) {
    Eigen::VectorXd u(static_cast<Eigen::Index>(K));
    for (std::size_t k = 0; k < K; ++k) u[static_cast<Eigen::Index>(k)] = std::log(theta[k]) + (off ? (*off)[k] : 0.0);
    starts.push_back(u);
  };
  if (options.initial_params) {
    const auto& ip = *options.initial_params;
    if (ip.size() != K)
      throw InvalidArgument(function, "options.initial_params", "size " + std::to_string(ip.size()),
                            "must hold " + std::to_string(K) + " values");
    std::array<double, K> th{};
    for (std::size_t k = 0; k < K; ++k) {
      if (!(ip[k] > 0.0) || !std::isfinite(ip[k]))
        throw InvalidArgument(function, std::string("options.initial_params[") + Params::names[k] + "]",
                              std::to_string(ip[k]), "must be finite and > 0");
      th[k] = ip[k];
    }
    push(th, nullptr);
  }
  push(data_start, nullptr);
  for (const auto& off : offsets) push(data_start, &off);
  starts.resize(std::min<std::size_t>(starts.size(), 1 + static_cast<std::size_t>(options.restarts)));

  const double inv_w = 1.0 / total_weight;
  const double pen = options.penalizer;
  math::Objective objective = [&](const Eigen::VectorXd& u, Eigen::VectorXd& g) -> double {
    std::array<double, K> theta{}, grad{};
    for (std::size_t k = 0; k < K; ++k) {
      theta[k] = std::exp(u[static_cast<Eigen::Index>(k)]);
      if (!(theta[k] > 0.0) || !std::isfinite(theta[k])) return std::numeric_limits<double>::infinity();
    }
    double ll;
    try {
      ll = loglik(theta, &grad);
    } catch (const std::exception&) {  // Boost.Math domain/overflow at an extreme trial point
      return std::numeric_limits<double>::infinity();
    }
    double f = -ll * inv_w;
    for (std::size_t k = 0; k < K; ++k) {
      const auto i = static_cast<Eigen::Index>(k);
      f += pen * u[i] * u[i];
      g[i] = -grad[k] * theta[k] * inv_w + 2.0 * pen * u[i];
    }
    return f;
  };

  math::MinimizeOptions mo;
  mo.max_iterations = options.max_iterations;
  mo.tolerance = options.tolerance;
  // A start is accepted when it converges to a point with a well-conditioned positive definite Hessian
  // (second-order condition). Converging on an asymptotic plateau (e.g. BG/NBD's a -> 0, b -> inf
  // limit, where the gradient vanishes but the Hessian is singular) moves on to the next start; the
  // best objective over all starts tried wins.
  math::MinimizeResult mr;
  Eigen::MatrixXd hess;
  bool have = false, accepted = false;
  int iterations = 0, tried = 0;
  for (const Eigen::VectorXd& x0 : starts) {
    math::MinimizeResult r = math::minimize(objective, x0, mo);
    iterations += r.iterations;
    ++tried;
    if (!std::isfinite(r.value)) continue;
    Eigen::MatrixXd h = math::hessian_from_gradient(objective, r.x);
    bool good = false;
    if (r.status == math::FitStatus::Converged && h.allFinite()) {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(h, Eigen::EigenvaluesOnly);
      const double lo = es.eigenvalues().minCoeff(), hi = es.eigenvalues().maxCoeff();
      good = lo > kMinRelativeCurvature * std::max(hi, 1e-300);
    }
    const bool better = !have || (r.status == math::FitStatus::Converged && mr.status != math::FitStatus::Converged) ||
                        ((r.status == math::FitStatus::Converged) == (mr.status == math::FitStatus::Converged) &&
                         r.value < mr.value);
    if (good || better) {
      mr = std::move(r);
      hess = std::move(h);
      have = true;
    }
    if (good) {
      accepted = true;
      break;
    }
  }
  (void)accepted;
  mr.iterations = iterations;
  mr.starts_tried = tried;
  if (!have) mr.value = std::numeric_limits<double>::infinity();

  core::FitResult<Params> res;
  res.iterations = mr.iterations;
  res.status = mr.status;
  res.gradient_norm = mr.gradient_norm();
  res.n_customers = total_weight;
  res.n_patterns = n_patterns;
  res.starts_tried = mr.starts_tried;
  if (!std::isfinite(mr.value)) {
    std::array<double, K> th{};
    for (std::size_t k = 0; k < K; ++k) th[k] = std::exp(starts.front()[static_cast<Eigen::Index>(k)]);
    throw NumericError(function, "the log-likelihood is not finite at any starting point (first start: " +
                                     format_params(Params::names.data(), th.data(), K) + ")");
  }
  std::array<double, K> theta{};
  for (std::size_t k = 0; k < K; ++k) theta[k] = std::exp(mr.x[static_cast<Eigen::Index>(k)]);
  res.params = Params::from_values(theta);
  res.log_likelihood = loglik(theta, nullptr);

  // Standard errors: observed information of the total objective in u, inverted, delta method.
  res.std_errors.assign(K, std::numeric_limits<double>::quiet_NaN());
  const Eigen::MatrixXd h = hess * total_weight;
  if (h.allFinite()) {
    Eigen::LLT<Eigen::MatrixXd> llt(h);
    if (llt.info() == Eigen::Success) {
      const Eigen::MatrixXd cov = llt.solve(Eigen::MatrixXd::Identity(h.rows(), h.cols()));
      for (std::size_t k = 0; k < K; ++k) {
        const auto i = static_cast<Eigen::Index>(k);
        res.std_errors[k] = theta[k] * std::sqrt(std::max(0.0, cov(i, i)));
      }
    }
  }
  return res;
}

}  // namespace crmkit::clv::detail
