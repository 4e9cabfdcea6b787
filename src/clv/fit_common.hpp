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
/// options.max_iterations bounds the iterations summed over all starts, including `iterations_used`
/// (what the caller already spent, e.g. on a Newton fast path; at least one iteration is left for this
/// driver): each start gets what the earlier ones left, and no start begins once the budget is spent.
/// The result's `iterations` is that total.
template <class Params, std::size_t K = Params::size>
core::FitResult<Params> fit_log_params(const char* function, const LogLikFn<K>& loglik, double total_weight,
                                       std::size_t n_patterns, const std::array<double, K>& data_start,
                                       const std::vector<std::array<double, K>>& offsets,
                                       const core::FitOptions& options, int iterations_used = 0) {
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
  const int budget = std::max(1, options.max_iterations - std::max(0, iterations_used));
  int iterations = 0, tried = 0;
  for (const Eigen::VectorXd& x0 : starts) {
    if (tried > 0 && iterations >= budget) break;
    mo.max_iterations = budget - iterations;
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
  mr.iterations = iterations + std::max(0, iterations_used);
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


// ---- Newton on an analytic Hessian ---------------------------------------------------------------------
//
// For models whose likelihood kernel returns value, gradient and Hessian from one pass (BG/NBD,
// Pareto/NBD). Minimises the same objective f(u) = -LL(exp u) / W + penalizer |u|^2 by Newton steps with
// Levenberg damping (when the Hessian is not positive definite), a step cap of 4 on the log scale and
// Armijo backtracking. A fit costs about 5-10 passes where L-BFGS with finite-difference Hessians (the
// shared driver above) costs ~100. Accepted on the shared driver's rule (gradient norm <= tolerance and a
// well-conditioned positive definite Hessian) plus a negligible Newton step (interior); otherwise the
// caller falls back to fit_log_params.

/// An interior minimum of f: the Hessian (in u) is well-conditioned positive definite (the shared
/// driver's rule) and the Newton step from here is negligible (|H^-1 g| <= 1e-3 on the log scale). On a
/// plateau towards a boundary (e.g. BG/NBD's a, b -> inf with a / (a + b) fixed on data with little
/// repeat buying) gradient and curvature both fade like 1 / a, so the gradient test alone passes while
/// the Newton step stays of order one: that is the case this rejects.
template <int K>
bool interior(const Eigen::Matrix<double, K, K>& h, const Eigen::Matrix<double, K, 1>& g) {
  if (!h.allFinite() || !g.allFinite()) return false;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, K, K>> es(h, Eigen::EigenvaluesOnly);
  const double lo = es.eigenvalues().minCoeff(), hi = es.eigenvalues().maxCoeff();
  if (!(lo > kMinRelativeCurvature * std::max(hi, 1e-300))) return false;
  Eigen::LLT<Eigen::Matrix<double, K, K>> llt(h);
  if (llt.info() != Eigen::Success) return false;
  return llt.solve(g).cwiseAbs().maxCoeff() <= 1e-3;
}

template <int K>
struct NewtonFit {
  bool ok = false;
  double log_likelihood = 0;  // at u, without the penalty
  std::array<double, K> u{};
  Eigen::Matrix<double, K, K> hess = Eigen::Matrix<double, K, K>::Zero();  // of f, in u
  Eigen::Matrix<double, K, 1> grad = Eigen::Matrix<double, K, 1>::Zero();  // of f, in u
  double gradient_norm = 0;
  int iterations = 0;
};

/// `loglik(theta, grad_u, hess_u)` returns LL(theta) and, when grad_u is not null, writes its gradient
/// (K) and Hessian (K x K, row-major) with respect to u = log theta. Exceptions and non-finite values
/// mark a trial point as unusable. `give_up()`, asked after every iteration, ends the attempt (not ok):
/// a model's way to hand a start that runs into its expensive regions to the shared driver.
struct NeverGiveUp {
  bool operator()() const noexcept { return false; }
};
template <int K, class LogLikU, class GiveUp = NeverGiveUp>
NewtonFit<K> newton_fit(LogLikU&& loglik, double total_weight, const std::array<double, K>& u0, double penalizer,
                        double tolerance, int max_iterations, GiveUp&& give_up = {}) {
  using Vec = Eigen::Matrix<double, K, 1>;
  using Mat = Eigen::Matrix<double, K, K>;
  constexpr double inf = std::numeric_limits<double>::infinity();
  const double inv_w = 1.0 / total_weight;
  auto theta_of = [](const Vec& u, std::array<double, K>& th) {
    for (int k = 0; k < K; ++k) {
      th[static_cast<std::size_t>(k)] = std::exp(u[k]);
      if (!(th[static_cast<std::size_t>(k)] > 0.0) || !std::isfinite(th[static_cast<std::size_t>(k)])) return false;
    }
    return true;
  };
  auto value = [&](const Vec& u) {
    std::array<double, K> th{};
    if (!theta_of(u, th)) return inf;
    try {
      const double v = -loglik(th, nullptr, nullptr) * inv_w + penalizer * u.squaredNorm();
      return std::isfinite(v) ? v : inf;
    } catch (const std::exception&) {
      return inf;
    }
  };
  auto full = [&](const Vec& u, Vec& g, Mat& h) {
    std::array<double, K> th{};
    if (!theta_of(u, th)) return inf;
    double gr[K], he[K * K];
    double v;
    try {
      v = -loglik(th, gr, he) * inv_w + penalizer * u.squaredNorm();
    } catch (const std::exception&) {
      return inf;
    }
    for (int i = 0; i < K; ++i) {
      g[i] = -gr[i] * inv_w + 2.0 * penalizer * u[i];
      for (int j = 0; j < K; ++j) h(i, j) = -he[K * i + j] * inv_w + (i == j ? 2.0 * penalizer : 0.0);
    }
    return (std::isfinite(v) && g.allFinite() && h.allFinite()) ? v : inf;
  };

  NewtonFit<K> res;
  Vec u, g;
  for (int k = 0; k < K; ++k) u[k] = u0[static_cast<std::size_t>(k)];
  Mat h;
  double f = full(u, g, h);
  if (!std::isfinite(f)) return res;
  for (int it = 0; it < max_iterations; ++it) {
    if (g.norm() <= tolerance) break;
    // Levenberg damping until positive definite with a descent direction.
    Vec step = -g;
    const double scale = std::max(1e-12, h.diagonal().cwiseAbs().maxCoeff());
    for (double lambda = 0.0; lambda <= 1e8 * scale; lambda = (lambda == 0.0 ? 1e-8 * scale : lambda * 10.0)) {
      Eigen::LLT<Mat> llt(h + lambda * Mat::Identity());
      if (llt.info() != Eigen::Success) continue;
      const Vec st = -llt.solve(g);
      if (st.allFinite() && g.dot(st) < 0) {
        step = st;
        break;
      }
    }
    const double cap = step.cwiseAbs().maxCoeff();
    if (cap > 4.0) step *= 4.0 / cap;
    const double slope = g.dot(step);
    bool accepted = false, stalled = false;
    // The full step is tried with value, gradient and Hessian in one pass (it is almost always taken);
    // shorter steps with the value alone.
    for (double t = 1.0; t > 1e-10; t *= 0.5) {
      const Vec ut = u + t * step;
      Vec gt;
      Mat ht;
      const double ft = t == 1.0 ? full(ut, gt, ht) : value(ut);
      if (!std::isfinite(ft)) continue;
      // Near the optimum the decrease falls below rounding: accept a full step that keeps f within a few
      // ulp and reduces the gradient.
      const bool armijo = ft <= f + 1e-4 * t * slope;
      const bool flat = t == 1.0 && ft <= f + 8.0 * std::numeric_limits<double>::epsilon() * std::fabs(f) &&
                        gt.norm() < g.norm();
      if (armijo || flat) {
        if (t != 1.0 && !std::isfinite(full(ut, gt, ht))) continue;
        stalled = t != 1.0 && f - ft <= 8.0 * std::numeric_limits<double>::epsilon() * std::fabs(f);
        u = ut;
        f = ft;
        g = gt;
        h = ht;
        accepted = true;
        break;
      }
    }
    ++res.iterations;
    if (!accepted || give_up()) break;
    // Stalled at rounding: the line search had to shorten the step and the value did not move beyond a
    // few ulp. Further iterations only repeat that (the NBD limit's fit on full CDNOW spent 50 of them,
    // 340 ms, at a gradient of 1.9e-8 against a tolerance of 1e-8); the result is what it is now.
    if (stalled) break;
  }
  res.gradient_norm = g.norm();
  res.hess = h;
  res.grad = g;
  for (int k = 0; k < K; ++k) res.u[static_cast<std::size_t>(k)] = u[k];
  res.ok = res.gradient_norm <= tolerance && interior<K>(h, g);
  res.log_likelihood = -(f - penalizer * u.squaredNorm()) * total_weight;
  return res;
}

/// FitResult of an accepted Newton fit: status Converged, one start, standard errors from the analytic
/// observed information in u (inverted, delta method), as fit_log_params reports them.
/// (`status` other than Converged: the result of an attempt that was not accepted, e.g. when the
/// iteration budget ran out.)
template <class Params, int K = static_cast<int>(Params::size)>
core::FitResult<Params> newton_result(const NewtonFit<K>& nf, double total_weight, std::size_t n_patterns,
                                      core::FitStatus status = core::FitStatus::Converged) {
  core::FitResult<Params> res;
  std::array<double, static_cast<std::size_t>(K)> theta{};
  for (std::size_t k = 0; k < theta.size(); ++k) theta[k] = std::exp(nf.u[k]);
  res.params = Params::from_values(theta);
  res.iterations = nf.iterations;
  res.status = status;
  res.gradient_norm = nf.gradient_norm;
  res.n_customers = total_weight;
  res.n_patterns = n_patterns;
  res.starts_tried = 1;
  res.log_likelihood = nf.log_likelihood;
  res.std_errors.assign(theta.size(), std::numeric_limits<double>::quiet_NaN());
  const Eigen::Matrix<double, K, K> info = nf.hess * total_weight;
  Eigen::LLT<Eigen::Matrix<double, K, K>> llt(info);
  if (llt.info() == Eigen::Success) {
    const Eigen::Matrix<double, K, K> cov = llt.solve(Eigen::Matrix<double, K, K>::Identity());
    for (std::size_t k = 0; k < theta.size(); ++k) {
      const auto i = static_cast<Eigen::Index>(k);
      res.std_errors[k] = theta[k] * std::sqrt(std::max(0.0, cov(i, i)));
    }
  }
  return res;
}

/// fit_log_params' list of starts on the log scale (options.initial_params first, then data_start, then
/// data_start moved by each offset, capped at 1 + options.restarts), or an empty list when the options
/// would be rejected there (the caller then lets fit_log_params throw its error).
template <std::size_t K>
std::vector<std::array<double, K>> log_starts(const core::FitOptions& options, const std::array<double, K>& data_start,
                                              const std::vector<std::array<double, K>>& offsets) {
  std::vector<std::array<double, K>> out;
  if (!(options.penalizer >= 0.0) || !std::isfinite(options.penalizer) || options.max_iterations < 1 ||
      !(options.tolerance > 0.0) || options.restarts < 0)
    return out;
  std::array<double, K> u{};
  if (options.initial_params) {
    const auto& ip = *options.initial_params;
    if (ip.size() != K) return out;
    for (std::size_t k = 0; k < K; ++k) {
      if (!(ip[k] > 0.0) || !std::isfinite(ip[k])) return out;
      u[k] = std::log(ip[k]);
    }
    out.push_back(u);
  }
  for (std::size_t k = 0; k < K; ++k) u[k] = std::log(data_start[k]);
  out.push_back(u);
  for (const auto& off : offsets) {
    for (std::size_t k = 0; k < K; ++k) u[k] = std::log(data_start[k]) + off[k];
    out.push_back(u);
  }
  out.resize(std::min<std::size_t>(out.size(), 1 + static_cast<std::size_t>(options.restarts)));
  return out;
}

}  // namespace crmkit::clv::detail
