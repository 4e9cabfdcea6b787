// Unconstrained minimisation with analytic gradients: L-BFGS (LBFGS++) to reach the basin, then
// safeguarded Newton steps on a Hessian obtained by central differences of the analytic gradient, which
// converge quadratically and give the tight gradient norms that standard errors need. Restarts from
// further starting points when a start fails.
//
// Models minimise a per-observation objective (mean negative log-likelihood plus penalty) over
// log-transformed positive parameters, so `tolerance` is scale-free (docs/numerics.md).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include <Eigen/Core>

namespace crmkit::math {

/// How a fit ended. Non-convergence is data, not an exception.
enum class FitStatus : std::uint8_t {
  Converged = 0,         ///< gradient norm <= tolerance
  MaxIterations = 1,     ///< the iteration budget ran out first
  LineSearchFailed = 2,  ///< no step could decrease the objective (or every start was non-finite)
  Boundary = 3,          ///< the gradient vanished on a plateau: the likelihood keeps rising towards a
                         ///< parameter boundary (no finite maximum); the parameters are where the search stopped
};

/// "converged", "max_iterations", "line_search_failed", "boundary".
const char* fit_status_name(FitStatus status) noexcept;

/// f(x, grad) returns the objective at x and writes its gradient into grad (already sized).
/// A non-finite return value marks x as unusable; the minimiser then steps back.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

struct MinimizeOptions {
  int max_iterations = 1000;  ///< L-BFGS iterations plus Newton steps; in minimize_multistart the total
                              ///< over all starts (each start gets what the earlier ones left)
  double tolerance = 1e-8;    ///< converged when the Euclidean norm of the gradient <= tolerance
  int memory = 8;             ///< L-BFGS correction pairs
  int newton_steps = 25;      ///< cap on the polishing Newton steps per start
};

struct MinimizeResult {
  Eigen::VectorXd x;         ///< best point found
  double value = 0;          ///< objective at x (+inf if no finite point was found)
  Eigen::VectorXd gradient;  ///< gradient at x
  int iterations = 0;        ///< L-BFGS iterations plus Newton steps, summed over the starts tried
  int starts_tried = 0;
  FitStatus status = FitStatus::LineSearchFailed;

  double gradient_norm() const { return gradient.size() ? gradient.norm() : 0.0; }
};

/// Minimises f from x0. Never throws for numerical trouble (exceptions thrown by f propagate).
MinimizeResult minimize(const Objective& f, const Eigen::VectorXd& x0, const MinimizeOptions& options = {});

/// Tries `starts` in order and stops at the first that converges, or when the iterations summed over the
/// starts reach options.max_iterations (later starts are then not tried); otherwise returns the best
/// (lowest finite objective) of those tried. `starts` must not be empty.
MinimizeResult minimize_multistart(const Objective& f, std::span<const Eigen::VectorXd> starts,
                                   const MinimizeOptions& options = {});

/// Hessian of f at x by central differences of its analytic gradient, step h_i = rel_step * max(1, |x_i|),
/// symmetrised. Entries are NaN if the gradient is not finite at some probe point.
Eigen::MatrixXd hessian_from_gradient(const Objective& f, const Eigen::VectorXd& x, double rel_step = 1e-5);

}  // namespace crmkit::math
