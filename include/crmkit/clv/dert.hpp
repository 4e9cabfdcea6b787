// Discounted expected residual transactions (DERT) with continuous discounting, for the repeat-purchase
// models without a closed form in the literature (BG/NBD, MBG/NBD), and the generic integrator behind them.
//
// DERT(delta | x, t_x, T) = E[ sum over future purchases at times T + s of e^(-delta s) | x, t_x, T ]
//                         = int_0^inf e^(-delta t) dE(t) = int_0^inf delta e^(-delta t) E(t) dt
// with E(t) = E[purchases in (T, T + t] | x, t_x, T] (integration by parts; e^(-delta t) E(t) -> 0).
// delta > 0 is a continuous rate per time unit of the data (a monthly rate d maps to
// delta = ln(1 + d) / time units per month; docs/models/clv.md). DERT has no horizon.
//
// For BG/NBD and MBG/NBD, E(t) = P(alive | x, t_x, T) g(t; x, T), so the integral runs once per distinct
// (x, T) and each customer costs one P(alive). docs/models/bg_nbd.md, mbg_nbd.md (Pareto/NBD has its own
// closed form: clv/pareto_nbd.hpp).
//
// Every function validates its input and throws crmkit::InvalidArgument on bad input; outputs are finite
// for every valid input, or the call throws crmkit::NumericError (a quadrature that cannot reach its
// tolerance). DERT falls as delta grows; delta DERT -> P(alive) (r + x) / (alpha + T) (the current
// purchase rate) as delta -> inf; as delta -> 0 DERT -> P(alive) (a + b + x - 1) / (a - 1) for BG/NBD
// ((a + b + x) / (a - 1) for MBG/NBD), the expected number of all future purchases, when a > 1, and
// grows without bound when a <= 1.
#pragma once

#include <cmath>
#include <limits>
#include <span>
#include <string>

#include <boost/math/quadrature/exp_sinh.hpp>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/mbg_nbd.hpp"
#include "crmkit/core/error.hpp"

namespace crmkit::clv {

/// The generic integrator: int_0^inf delta e^(-delta t) expected(t) dt for a non-negative, non-decreasing
/// expected(t) with expected(0) = 0 that grows at most polynomially (the expected purchases in (T, T+t]),
/// computed as int_0^inf e^(-u) expected(u / delta) du by exp-sinh quadrature (Boost.Math, relative
/// tolerance 1e-12). Nodes with u > 60 (weight e^-60 < 1e-26) are not evaluated. Throws NumericError
/// naming `model` when the quadrature's error estimate exceeds 1e-6 of the result (the estimate cannot
/// fall below the noise of `expected` itself: ~1e-8 where BG/NBD's expectation takes its mixture
/// branch; at CDNOW-like parameters it is below 1e-12), and InvalidArgument unless delta is finite and > 0.
template <class F>
double dert_from_expectation(F&& expected, double delta, const char* model = "dert") {
  if (!(delta > 0.0) || !std::isfinite(delta))
    throw InvalidArgument("dert_from_expectation", "delta", std::to_string(delta), "must be finite and > 0");
  thread_local boost::math::quadrature::exp_sinh<double> integrator;
  auto f = [&](double u) -> double {
    if (!(u > 0.0) || u > 60.0) return 0.0;
    return std::exp(-u) * expected(u / delta);
  };
  double err = 0, l1 = 0;
  const double v = integrator.integrate(f, 0.0, std::numeric_limits<double>::infinity(), 1e-12, &err, &l1);
  if (!std::isfinite(v) || err > 1e-6 * std::fabs(v) + 1e-300) {
    std::string what = "dert: the quadrature over time did not converge (delta = ";
    what += std::to_string(delta);
    what += ")";
    throw NumericError(model, what);
  }
  return v;
}

/// BG/NBD DERT (see above) per customer into out (same length as the inputs); delta > 0.
void dert(const BgNbdParams& params, double delta, std::span<const double> frequency,
          std::span<const double> recency, std::span<const double> T, std::span<double> out);
/// MBG/NBD DERT per customer into out; delta > 0.
void dert(const MbgNbdParams& params, double delta, std::span<const double> frequency,
          std::span<const double> recency, std::span<const double> T, std::span<double> out);

/// Scalar conveniences.
double dert(const BgNbdParams& params, double delta, double x, double t_x, double T);
double dert(const MbgNbdParams& params, double delta, double x, double t_x, double T);

}  // namespace crmkit::clv
