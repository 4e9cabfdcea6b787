// DERT for BG/NBD and MBG/NBD (include/crmkit/clv/dert.hpp).
//
// No closed form is published for these models. Integration by parts turns the continuously discounted
// sum of future purchases into DERT = int_0^inf delta e^(-delta t) E(t) dt with E(t) the conditional
// expected purchases in (T, T + t]. For both models E(t) = P(alive | x, t_x, T) g(t; x, T): given alive,
// the future is the model's process with lambda ~ Gamma(r + x, alpha + T) and p ~ Beta(a, b + x) (BG/NBD)
// or Beta(a, b + x + 1) (MBG/NBD), whatever t_x. So g is read off the library's own conditional
// expectation at t_x = T, divided by P(alive | x, T, T) (at least (b + x - 1) / (a + b + x - 1) for
// BG/NBD with x > 0, 1 for x = 0, (b + x) / (a + b + x) for MBG/NBD: never small, so the division loses
// nothing), integrated once per distinct (x, T) with dert_from_expectation, and multiplied by each
// customer's P(alive).
//
// The same quantity is E_{lambda, p}[lambda / (delta + p lambda)] times P(alive) (the purchases of a
// customer with rates lambda and p lambda of buying and of dropping out, discounted); the tests check
// the quadrature against that form at 30 digits (mpmath) and against Pareto/NBD's closed form.
#include "crmkit/clv/dert.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "crmkit/clv/detail/patterns.hpp"
#include "params_common.hpp"

namespace crmkit::clv {

namespace {

template <class P>
void dert_repeat(const P& params, double delta, std::span<const double> x, std::span<const double> tx,
                 std::span<const double> T, std::span<double> out, const char* fn, const char* model) {
  detail::check_positive_params(fn, params);
  if (!(delta > 0.0) || !std::isfinite(delta))
    throw InvalidArgument(fn, "delta", detail::num(delta), "must be finite and > 0");
  detail::check_repeat_purchase_data(fn, x, tx, T, {});
  detail::check_out(fn, x.size(), out);
  std::vector<double> alive(x.size());
  p_alive(params, x, tx, T, alive);
  // Rows ordered by (x, T): one integral per distinct pair.
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    return x[i] < x[j] || (x[i] == x[j] && T[i] < T[j]);
  });
  detail::guarded(model, params, fn, [&] {
    std::size_t k = 0;
    while (k < order.size()) {
      const double xi = x[order[k]], Ti = T[order[k]];
      double d = 0;
      try {
        const double alive_at_T = p_alive(params, xi, Ti, Ti);
        auto g = [&](double t) { return conditional_expected_purchases(params, t, xi, Ti, Ti) / alive_at_T; };
        d = dert_from_expectation(g, delta, model);
      } catch (const NumericError& e) {
        // name the caller's customer (the first of this (x, T) group), not row 1 of the one-customer call
        std::string what = fn;
        what += ": customer row " + std::to_string(order[k] + 1) + " (frequency " + detail::num(xi) + ", T " +
                detail::num(Ti) + ") at " + detail::params_text(params) + ": " + e.what();
        throw NumericError(model, what);
      }
      for (; k < order.size() && x[order[k]] == xi && T[order[k]] == Ti; ++k) out[order[k]] = alive[order[k]] * d;
    }
    return 0;
  });
}

}  // namespace

void dert(const BgNbdParams& params, double delta, std::span<const double> frequency, std::span<const double> recency,
          std::span<const double> T, std::span<double> out) {
  dert_repeat(params, delta, frequency, recency, T, out, "bg_nbd dert", "bg_nbd");
}

void dert(const MbgNbdParams& params, double delta, std::span<const double> frequency, std::span<const double> recency,
          std::span<const double> T, std::span<double> out) {
  dert_repeat(params, delta, frequency, recency, T, out, "mbg_nbd dert", "mbg_nbd");
}

double dert(const BgNbdParams& params, double delta, double x, double t_x, double T) {
  double out = 0;
  dert(params, delta, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}

double dert(const MbgNbdParams& params, double delta, double x, double t_x, double T) {
  double out = 0;
  dert(params, delta, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}

}  // namespace crmkit::clv
