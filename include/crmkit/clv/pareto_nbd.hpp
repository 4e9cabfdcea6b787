// Pareto/NBD: the model of repeat buying of Schmittlein, Morrison & Colombo (1987), "Counting your
// customers: who are they and what will they do next?", Management Science 33(1), in the form of Fader &
// Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions".
//
// While active, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her lifetime is
// exponential with rate mu ~ Gamma(s, beta) (alpha and beta are rates in the time unit of the data).
// Data per customer: x = frequency (repeat purchases), t_x = recency, T = age, in one time unit;
// weights optional.
//
// Every function validates its input and throws crmkit::InvalidArgument on bad input (message names the
// function, the argument with its index and the rule). Outputs are finite for every valid input; a
// numerical failure (a series or quadrature that cannot reach double precision) surfaces as
// crmkit::NumericError naming the parameters. docs/models/pareto_nbd.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

struct ParetoNbdParams {
  double r = 1.0;      ///< shape of the purchase-rate gamma
  double alpha = 1.0;  ///< rate of the purchase-rate gamma, in 1 / time unit
  double s = 1.0;      ///< shape of the dropout-rate gamma
  double beta = 1.0;   ///< rate of the dropout-rate gamma, in 1 / time unit

  static constexpr std::size_t size = 4;
  static constexpr std::array<const char*, 4> names{"r", "alpha", "s", "beta"};
  std::array<double, 4> values() const noexcept { return {r, alpha, s, beta}; }
  static ParetoNbdParams from_values(std::span<const double> v);  ///< v.size() == 4, in names order
};

struct ParetoNbd {
  using Params = ParetoNbdParams;
  static constexpr const char* name = "pareto_nbd";

  /// Maximum-likelihood fit (core/fit_result.hpp for the objective, penalty and standard errors).
  /// `weights` empty means one customer per row; a row of weight k counts as k identical rows.
  static core::FitResult<Params> fit(std::span<const double> frequency, std::span<const double> recency,
                                     std::span<const double> T, std::span<const double> weights = {},
                                     const core::FitOptions& options = {});

  /// Total (weighted) log-likelihood. If `gradient` is non-empty (size 4) it receives dLL/d(r, alpha, s, beta).
  static double log_likelihood(const Params& params, std::span<const double> frequency,
                               std::span<const double> recency, std::span<const double> T,
                               std::span<const double> weights = {}, std::span<double> gradient = {});
};

/// Per-customer log-likelihood into out (same length as the inputs).
void log_likelihood(const ParetoNbdParams& params, std::span<const double> frequency,
                    std::span<const double> recency, std::span<const double> T, std::span<double> out);

/// P(alive at T | x, t_x, T) (Fader & Hardie 2005 note, section 5).
void p_alive(const ParetoNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out);

/// E[purchases in (T, T + t] | x, t_x, T] (Fader & Hardie 2005 note, section 6), t >= 0.
void conditional_expected_purchases(const ParetoNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out);

/// E[X(t)] for a new customer (Fader & Hardie 2005 note, section 4), for each t[i] >= 0.
void expected_purchases(const ParetoNbdParams& params, std::span<const double> t, std::span<double> out);

/// P(X(t) = n[i]) for a new customer, n[i] non-negative integers, t >= 0 (docs/models/pareto_nbd.md).
void probability_of_n_purchases(const ParetoNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out);

/// Discounted expected residual transactions with continuous discount rate delta > 0 per time unit
/// (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4), appendix).
void dert(const ParetoNbdParams& params, double delta, std::span<const double> frequency,
          std::span<const double> recency, std::span<const double> T, std::span<double> out);

/// Scalar conveniences.
double p_alive(const ParetoNbdParams& params, double x, double t_x, double T);
double conditional_expected_purchases(const ParetoNbdParams& params, double t, double x, double t_x, double T);
double expected_purchases(const ParetoNbdParams& params, double t);
double probability_of_n_purchases(const ParetoNbdParams& params, double t, double n);
double dert(const ParetoNbdParams& params, double delta, double x, double t_x, double T);

/// {"model": "pareto_nbd", "r": ..., "alpha": ..., "s": ..., "beta": ...}. from_json requires the four
/// numbers (finite, > 0) and, when present, "model" == "pareto_nbd"; throws InvalidArgument otherwise.
void to_json(nlohmann::json& j, const ParetoNbdParams& p);
void from_json(const nlohmann::json& j, ParetoNbdParams& p);

}  // namespace crmkit::clv
