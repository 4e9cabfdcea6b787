// Special functions used by the models, as thin wrappers over Boost.Math with crmkit's policy
// (math/policy.hpp). Domain and pole errors throw (std::domain_error); models catch them at their
// boundary and rethrow crmkit::NumericError with the parameter values.
#pragma once

#include <cmath>
#include <limits>

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "crmkit/math/log_space.hpp"
#include "crmkit/math/policy.hpp"

namespace crmkit::math {

/// log|Gamma(x)|; throws std::domain_error at the poles x = 0, -1, -2, ...
inline double lgamma(double x) { return boost::math::lgamma(x, policy); }

/// psi(x) = d/dx log Gamma(x); throws at the poles.
inline double digamma(double x) { return boost::math::digamma(x, policy); }

/// psi'(x); throws at the poles.
inline double trigamma(double x) { return boost::math::trigamma(x, policy); }

/// log Gamma(x + n) - log Gamma(x) for x > 0, n >= 0 (log of the rising factorial (x)_n).
inline double log_rising_factorial(double x, double n) {
  if (n == 0.0) return 0.0;
  return lgamma(x + n) - lgamma(x);
}

/// log Gamma(s + x) - log Gamma(s) without the cancellation of the lgamma difference when s is large
/// (r, a, b up to 1e300 stay exact): Stirling for s >= 10, (s - 1/2) log1p(x/s) + x log(s + x) - x +
/// d(s + x) - d(s) with d the Stirling correction; the lgamma difference below.
inline double log_rising(double s, double x) {
  if (x == 0.0) return 0.0;
  if (s >= 10.0)
    return (s - 0.5) * std::log1p(x / s) + x * std::log(s + x) - x + detail::stirling_correction(s + x) -
           detail::stirling_correction(s);
  return lgamma(s + x) - lgamma(s);
}

/// Regularised incomplete beta I_z(a, b), a, b > 0, z in [0, 1].
inline double ibeta(double a, double b, double z) { return boost::math::ibeta(a, b, z, policy); }

/// 1 - I_z(a, b), computed without cancellation.
inline double ibetac(double a, double b, double z) { return boost::math::ibetac(a, b, z, policy); }

/// log I_z(a, b) given both z and 1 - z (= zc), choosing the tail that avoids cancellation:
/// I_z(a, b) = 1 - I_{1-z}(b, a). -inf when the probability underflows.
inline double log_ibeta(double a, double b, double z, double zc) {
  if (z <= 0.0) return -std::numeric_limits<double>::infinity();
  if (zc <= 0.0) return 0.0;
  const double v = (z <= 0.5) ? ibeta(a, b, z) : ibetac(b, a, zc);
  return v > 0.0 ? std::log(v) : -std::numeric_limits<double>::infinity();
}

}  // namespace crmkit::math
