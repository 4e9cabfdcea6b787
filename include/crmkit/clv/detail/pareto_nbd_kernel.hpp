// Internal: the Pareto/NBD likelihood kernel with its analytic second derivatives, as the Newton fit uses
// it (src/clv/pareto_nbd.cpp); declared here so that tests can check it against finite differences.
// Not part of the public API.
#pragma once

#include <span>

#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/clv/pareto_nbd.hpp"

namespace crmkit::clv::detail {

/// Total log-likelihood of compressed patterns at `params`, its gradient (4) and Hessian (4 x 4,
/// row-major) with respect to u = log(r, alpha, s, beta). Throws NumericError when a series or
/// quadrature fails.
double pareto_nbd_loglik_u(const ParetoNbdParams& params, const WeightedPatterns& patterns, std::span<double, 4> gradient,
                           std::span<double, 16> hessian);

}  // namespace crmkit::clv::detail
