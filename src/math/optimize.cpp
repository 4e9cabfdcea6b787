#include "crmkit/math/optimize.hpp"

#include <cmath>
#include <exception>
#include <limits>

#include <Eigen/Cholesky>
#include <LBFGS.h>

#include "crmkit/core/error.hpp"

namespace crmkit::math {

const char* fit_status_name(FitStatus status) noexcept {
  switch (status) {
    case FitStatus::Converged: return "converged";
    case FitStatus::MaxIterations: return "max_iterations";
    case FitStatus::LineSearchFailed: return "line_search_failed";
    case FitStatus::Boundary: return "boundary";
  }
  return "unknown";
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool all_finite(const Eigen::VectorXd& v) { return v.allFinite(); }

// Wraps the objective for LBFGS++: maps non-finite values to +inf (LBFGS++'s backtracking line search
// then shrinks the step) and remembers the best finite point seen, so that a line-search exception
// never loses progress.
struct Tracked {
  const Objective& f;
  Eigen::VectorXd best_x, best_g;
  double best_f = kInf;
  long evaluations = 0;

  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    ++evaluations;
    double v = f(x, g);
    if (!std::isfinite(v) || !all_finite(g)) {
      g.setZero();
      return kInf;
    }
    if (v < best_f) {
      best_f = v;
      best_x = x;
      best_g = g;
    }
    return v;
  }
};

}  // namespace

Eigen::MatrixXd hessian_from_gradient(const Objective& f, const Eigen::VectorXd& x, double rel_step) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd h(n, n);
  Eigen::VectorXd gp(n), gm(n), xp = x;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double step = rel_step * std::max(1.0, std::fabs(x[i]));
    xp[i] = x[i] + step;
    const double fp = f(xp, gp);
    xp[i] = x[i] - step;
    const double fm = f(xp, gm);
    xp[i] = x[i];
    if (!std::isfinite(fp) || !std::isfinite(fm) || !all_finite(gp) || !all_finite(gm)) {
      h.col(i).setConstant(std::numeric_limits<double>::quiet_NaN());
    } else {
      h.col(i) = (gp - gm) / (2.0 * step);
    }
  }
  return 0.5 * (h + h.transpose());
}

MinimizeResult minimize(const Objective& f, const Eigen::VectorXd& x0, const MinimizeOptions& options) {
  const Eigen::Index n = x0.size();
  MinimizeResult res;
  res.starts_tried = 1;
  res.x = x0;
  res.gradient = Eigen::VectorXd::Zero(n);
  res.value = kInf;

  Tracked tracked{f, x0, Eigen::VectorXd::Zero(n)};
  Eigen::VectorXd g(n);
  if (!std::isfinite(tracked(x0, g))) return res;  // unusable start

  // ---- phase 1: L-BFGS with a backtracking strong-Wolfe line search (robust to +inf trial points).
  LBFGSpp::LBFGSParam<double> param;
  param.m = options.memory;
  param.epsilon = options.tolerance;
  param.epsilon_rel = 0.0;
  param.max_iterations = std::max(1, options.max_iterations);
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  param.max_linesearch = 60;
  param.ftol = 1e-4;
  param.wolfe = 0.9;
  int lbfgs_iterations = 0;
  bool hit_max = false;
  {
    LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchBacktracking> solver(param);
    Eigen::VectorXd x = x0;
    double fx = 0;
    try {
      lbfgs_iterations = solver.minimize(tracked, x, fx);
      hit_max = lbfgs_iterations >= param.max_iterations;
    } catch (const std::exception&) {
      // Line search failure (often just the limit of double precision near the optimum): continue from
      // the best point with Newton steps. The iteration count of the failed run is not reported by
      // LBFGS++; count the evaluations instead as an upper bound.
      lbfgs_iterations = static_cast<int>(std::min<long>(tracked.evaluations, param.max_iterations));
    }
  }

  // ---- phase 2: safeguarded Newton polish from the best point.
  Eigen::VectorXd x = tracked.best_x;
  double fx = tracked.best_f;
  g = tracked.best_g;
  int newton = 0;
  bool stalled = false;
  const int budget = std::max(0, options.max_iterations - lbfgs_iterations);
  while (g.norm() > options.tolerance && newton < std::min(options.newton_steps, budget)) {
    Eigen::MatrixXd h = hessian_from_gradient(f, x);
    if (!h.allFinite()) {
      stalled = true;
      break;
    }
    // Levenberg damping until positive definite.
    Eigen::VectorXd step;
    const double scale = std::max(1e-12, h.diagonal().cwiseAbs().maxCoeff());
    for (double lambda = 0.0;; lambda = (lambda == 0.0 ? 1e-10 * scale : lambda * 10.0)) {
      Eigen::LLT<Eigen::MatrixXd> llt(h + lambda * Eigen::MatrixXd::Identity(n, n));
      if (llt.info() == Eigen::Success) {
        step = -llt.solve(g);
        if (step.allFinite() && g.dot(step) < 0) break;
      }
      if (lambda > 1e12 * scale) {
        step = -g;  // steepest descent as the last resort
        break;
      }
    }
    // Backtracking on the step length.
    const double slope = g.dot(step);
    Eigen::VectorXd xt(n), gt(n);
    bool accepted = false;
    for (double t = 1.0; t > 1e-10; t *= 0.5) {
      xt = x + t * step;
      const double ft = f(xt, gt);
      if (!std::isfinite(ft) || !all_finite(gt)) continue;
      const bool armijo = ft <= fx + 1e-4 * t * slope;
      // Near the optimum the decrease drops below rounding: accept a step that keeps f within a few
      // ulp and reduces the gradient.
      const bool flat = ft <= fx + 8.0 * std::numeric_limits<double>::epsilon() * std::fabs(fx) &&
                        gt.norm() < g.norm();
      if (armijo || flat) {
        x = xt;
        fx = ft;
        g = gt;
        accepted = true;
        break;
      }
    }
    ++newton;
    if (!accepted) {
      stalled = true;
      break;
    }
  }

  res.x = x;
  res.value = fx;
  res.gradient = g;
  res.iterations = lbfgs_iterations + newton;
  if (g.norm() <= options.tolerance) {
    res.status = FitStatus::Converged;
  } else if (!stalled && (hit_max || newton >= budget)) {
    res.status = FitStatus::MaxIterations;
  } else {
    res.status = FitStatus::LineSearchFailed;
  }
  return res;
}

MinimizeResult minimize_multistart(const Objective& f, std::span<const Eigen::VectorXd> starts,
                                   const MinimizeOptions& options) {
  CRMKIT_ASSERT(!starts.empty());
  MinimizeResult best;
  best.value = kInf;
  // options.max_iterations bounds the total over all starts: each start gets what the earlier ones left.
  const int budget = std::max(1, options.max_iterations);
  int iterations = 0, tried = 0;
  for (const Eigen::VectorXd& x0 : starts) {
    if (tried > 0 && iterations >= budget) break;
    MinimizeOptions o = options;
    o.max_iterations = budget - iterations;
    MinimizeResult r = minimize(f, x0, o);
    iterations += r.iterations;
    ++tried;
    const bool better = (r.status == FitStatus::Converged && best.status != FitStatus::Converged) ||
                        ((r.status == FitStatus::Converged) == (best.status == FitStatus::Converged) &&
                         r.value < best.value);
    if (tried == 1 || better) best = std::move(r);
    if (best.status == FitStatus::Converged) break;
  }
  best.iterations = iterations;
  best.starts_tried = tried;
  return best;
}

}  // namespace crmkit::math
