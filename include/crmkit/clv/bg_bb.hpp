// BG/BB: the beta-geometric / beta-Bernoulli model of discrete-time, non-contractual repeat behaviour
// (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time noncontractual setting",
// Marketing Science 29(6)).
//
// At each of n transaction opportunities an alive customer transacts with probability p ~ Beta(alpha,
// beta), and after each opportunity dies with probability theta ~ Beta(gamma, delta). Data per customer:
// x = frequency (transactions in n opportunities), t_x = recency (the opportunity of the last one, 0
// when x = 0), n = opportunities; weights optional. docs/models/bg_bb.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

/// The longest horizon in transaction opportunities the predictions sum over (conditional expected
/// transactions' `future`, expected_transactions' and probability_of_n_purchases' n): 10,000. More is an
/// InvalidArgument naming the argument and the limit (the work grows with it).
inline constexpr double kMaxBgBbPeriods = 10'000;

struct BgBbParams {
  double alpha = 1.0;  ///< beta shape of the transaction probability p
  double beta = 1.0;   ///< beta shape of p
  double gamma = 1.0;  ///< beta shape of the dropout probability theta
  double delta = 1.0;  ///< beta shape of theta

  static constexpr std::size_t size = 4;
  static constexpr std::array<const char*, 4> names{"alpha", "beta", "gamma", "delta"};
  std::array<double, 4> values() const noexcept { return {alpha, beta, gamma, delta}; }
  static BgBbParams from_values(std::span<const double> v);
};

struct BgBb {
  using Params = BgBbParams;
  static constexpr const char* name = "bg_bb";

  /// Maximum-likelihood fit; x, t_x, n whole numbers with x <= t_x <= n, t_x >= 1 when x >= 1 and
  /// t_x = 0 when x = 0; weights optional.
  static core::FitResult<Params> fit(std::span<const double> frequency, std::span<const double> recency,
                                     std::span<const double> n_periods, std::span<const double> weights = {},
                                     const core::FitOptions& options = {});
  static double log_likelihood(const Params& params, std::span<const double> frequency,
                               std::span<const double> recency, std::span<const double> n_periods,
                               std::span<const double> weights = {}, std::span<double> gradient = {});
};

/// P(alive at opportunity n + 1 | x, t_x, n) (FHS 2010 eq. 11).
void p_alive(const BgBbParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> n_periods, std::span<double> out);
/// E[transactions in opportunities n + 1 .. n + future | x, t_x, n] (FHS 2010 eq. 13, summed over the
/// future opportunities so gamma = 1 needs no limit); future a whole number >= 0.
void conditional_expected_transactions(const BgBbParams& params, double future, std::span<const double> frequency,
                                       std::span<const double> recency, std::span<const double> n_periods,
                                       std::span<double> out);
/// E[X(n)] for a new customer over n whole opportunities.
double expected_transactions(const BgBbParams& params, double n);

/// P(X(n) = x[i]) for a new customer over n whole opportunities (FHS 2010: alive through n, or
/// dead after opportunity i = x .. n - 1), n a whole number >= 0, x[i] whole numbers >= 0 (0 for x > n).
void probability_of_n_purchases(const BgBbParams& params, double n, std::span<const double> x, std::span<double> out);
double probability_of_n_purchases(const BgBbParams& params, double n, double x);

/// Discounted expected residual transactions (FHS 2010 eq. 14) at discount rate d > 0 per opportunity:
///   DERT = sum_{k>=1} E[transaction at opportunity n + k | x, t_x, n] / (1 + d)^k
///        = B(alpha+x+1, beta+n-x)/B(alpha,beta) B(gamma, delta+n+1)/B(gamma,delta) / L
///          * 2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)) / (1 + d),
/// the first future opportunity discounted by one period. The 2F1 is E[1/(d + theta)] for theta ~
/// Beta(gamma, delta+n+1) times (1 + d): a positive series for d >= 1e-3, exp-sinh quadrature of the
/// integral below that (docs/models/bg_bb.md). As d -> 0 DERT tends to the expected number of all future
/// transactions, finite only when gamma > 1.
void dert(const BgBbParams& params, double discount_rate, std::span<const double> frequency,
          std::span<const double> recency, std::span<const double> n_periods, std::span<double> out);
double dert(const BgBbParams& params, double discount_rate, double x, double t_x, double n);

void to_json(nlohmann::json& j, const BgBbParams& p);
void from_json(const nlohmann::json& j, BgBbParams& p);

}  // namespace crmkit::clv
