// BG/NBD: the beta-geometric / negative binomial distribution model of repeat buying
// (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science 24(2)).
//
// While active, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) (alpha is a rate
// in the time unit of the data); after each purchase she becomes inactive with probability p ~ Beta(a, b).
// Data per customer: x = frequency (repeat purchases), t_x = recency (time of the last purchase since
// the first), T = age (time since the first purchase), all in one time unit; weights optional.
//
// Every function validates its input and throws crmkit::InvalidArgument on bad input (message names the
// function, the argument with its index and the rule). Outputs are finite for every valid input; a
// Boost.Math failure would surface as crmkit::NumericError naming the parameters. docs/models/bg_nbd.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

struct BgNbdParams {
  double r = 1.0;      ///< shape of the purchase-rate gamma
  double alpha = 1.0;  ///< rate (inverse scale) of the purchase-rate gamma, in 1 / time unit
  double a = 1.0;      ///< beta shape of the dropout probability
  double b = 1.0;      ///< beta shape of the dropout probability

  static constexpr std::size_t size = 4;
  static constexpr std::array<const char*, 4> names{"r", "alpha", "a", "b"};
  std::array<double, 4> values() const noexcept { return {r, alpha, a, b}; }
  static BgNbdParams from_values(std::span<const double> v);  ///< v.size() == 4, in names order
};

struct BgNbd {
  using Params = BgNbdParams;
  static constexpr const char* name = "bg_nbd";

  /// Maximum-likelihood fit (core/fit_result.hpp for the objective, penalty and standard errors).
  /// `weights` empty means one customer per row; a row of weight k counts as k identical rows.
  static core::FitResult<Params> fit(std::span<const double> frequency, std::span<const double> recency,
                                     std::span<const double> T, std::span<const double> weights = {},
                                     const core::FitOptions& options = {});

  /// Total (weighted) log-likelihood. If `gradient` is non-empty (size 4) it receives dLL/d(r, alpha, a, b).
  static double log_likelihood(const Params& params, std::span<const double> frequency,
                               std::span<const double> recency, std::span<const double> T,
                               std::span<const double> weights = {}, std::span<double> gradient = {});
};

/// Per-customer log-likelihood into out (same length as the inputs).
void log_likelihood(const BgNbdParams& params, std::span<const double> frequency,
                    std::span<const double> recency, std::span<const double> T, std::span<double> out);

/// P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
void p_alive(const BgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out);

/// E[purchases in (T, T + t] | x, t_x, T] (FHL 2005 eq. 10), t >= 0.
void conditional_expected_purchases(const BgNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out);

/// E[X(t)] for a new customer (FHL 2005 eq. 9), for each t[i] >= 0.
void expected_purchases(const BgNbdParams& params, std::span<const double> t, std::span<double> out);

/// P(X(t) = n[i]) for a new customer (FHL 2005 eq. 8), n[i] non-negative integers, t >= 0.
void probability_of_n_purchases(const BgNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out);

/// The period-by-period discounted expected purchases of lifetimes' customer_lifetime_value, per customer:
///   sum_i discounts[i] * (E[Y(horizons[i]) | x, t_x, T] - E[Y(horizons[i-1]) | x, t_x, T]),  horizons[-1] = 0,
/// horizons non-decreasing, finite and >= 0, discounts finite (same length). Equal (to rounding) to calling
/// conditional_expected_purchases once per horizon, but E factorises into a function of (x, T) times
/// P(alive), so the series run once per distinct (x, T) and each customer costs one P(alive).
void discounted_expected_purchases(const BgNbdParams& params, std::span<const double> horizons,
                                   std::span<const double> discounts, std::span<const double> frequency,
                                   std::span<const double> recency, std::span<const double> T, std::span<double> out);

/// Tracking a cohort (FHL 2005 section 4, their Figure 2): the expected cumulative number of repeat
/// transactions by time t[j] of customers whose first purchases were at first_purchase[i] (same clock and
/// unit as t, e.g. weeks since the cohort's start): sum_i weights[i] E[X(t[j] - first_purchase[i])] over
/// the customers with first_purchase[i] < t[j]. weights empty = 1 each. Evaluated once per distinct
/// first-purchase time.
void expected_cumulative_transactions(const BgNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights = {});

/// The same, per period: out[j] = cumulative(t[j]) - cumulative(t[j-1]), cumulative(t[-1]) = 0; t non-decreasing.
void expected_incremental_transactions(const BgNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights = {});

/// Scalar conveniences.
double p_alive(const BgNbdParams& params, double x, double t_x, double T);
double conditional_expected_purchases(const BgNbdParams& params, double t, double x, double t_x, double T);
double expected_purchases(const BgNbdParams& params, double t);
double probability_of_n_purchases(const BgNbdParams& params, double t, double n);

/// {"model": "bg_nbd", "r": ..., "alpha": ..., "a": ..., "b": ...}. from_json requires the four numbers
/// (finite, > 0) and, when present, "model" == "bg_nbd"; throws InvalidArgument otherwise.
void to_json(nlohmann::json& j, const BgNbdParams& p);
void from_json(const nlohmann::json& j, BgNbdParams& p);

}  // namespace crmkit::clv
