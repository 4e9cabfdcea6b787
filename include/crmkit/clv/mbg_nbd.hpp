// MBG/NBD: the modified beta-geometric / NBD model of Batislam, Denizel & Filiztekin (2007), "Empirical
// validation and comparison of models for customer base analysis", International Journal of Research in
// Marketing 24(3):201-209.
//
// As BG/NBD (clv/bg_nbd.hpp: purchases Poisson with lambda ~ Gamma(r, alpha), dropout with probability
// p ~ Beta(a, b) after each purchase), except that a customer may also drop out right after the first
// purchase (at time 0). So customers without repeat purchases are not surely alive: P(alive) < 1 for x = 0.
// Data per customer: x = frequency (repeat purchases), t_x = recency, T = age, in one time unit;
// weights optional.
//
// Every function validates its input and throws crmkit::InvalidArgument on bad input (message names the
// function, the argument with its index and the rule). Outputs are finite for every valid input.
// docs/models/mbg_nbd.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

struct MbgNbdParams {
  double r = 1.0;      ///< shape of the purchase-rate gamma
  double alpha = 1.0;  ///< rate of the purchase-rate gamma, in 1 / time unit
  double a = 1.0;      ///< beta shape of the dropout probability
  double b = 1.0;      ///< beta shape of the dropout probability

  static constexpr std::size_t size = 4;
  static constexpr std::array<const char*, 4> names{"r", "alpha", "a", "b"};
  std::array<double, 4> values() const noexcept { return {r, alpha, a, b}; }
  static MbgNbdParams from_values(std::span<const double> v);  ///< v.size() == 4, in names order
};

struct MbgNbd {
  using Params = MbgNbdParams;
  static constexpr const char* name = "mbg_nbd";

  /// Maximum-likelihood fit (core/fit_result.hpp for the objective, penalty and standard errors).
  static core::FitResult<Params> fit(std::span<const double> frequency, std::span<const double> recency,
                                     std::span<const double> T, std::span<const double> weights = {},
                                     const core::FitOptions& options = {});

  /// Total (weighted) log-likelihood. If `gradient` is non-empty (size 4) it receives dLL/d(r, alpha, a, b).
  static double log_likelihood(const Params& params, std::span<const double> frequency,
                               std::span<const double> recency, std::span<const double> T,
                               std::span<const double> weights = {}, std::span<double> gradient = {});
};

/// Per-customer log-likelihood into out (same length as the inputs).
void log_likelihood(const MbgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
                    std::span<const double> T, std::span<double> out);

/// P(alive at T | x, t_x, T) = 1 / (1 + a / (b + x) ((alpha + T) / (alpha + t_x))^(r + x)), for every x.
void p_alive(const MbgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out);

/// E[purchases in (T, T + t] | x, t_x, T], t >= 0.
void conditional_expected_purchases(const MbgNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out);

/// E[X(t)] for a new customer, for each t[i] >= 0.
void expected_purchases(const MbgNbdParams& params, std::span<const double> t, std::span<double> out);

/// P(X(t) = n[i]) for a new customer, n[i] non-negative integers, t >= 0.
void probability_of_n_purchases(const MbgNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out);

/// Scalar conveniences.
double p_alive(const MbgNbdParams& params, double x, double t_x, double T);
double conditional_expected_purchases(const MbgNbdParams& params, double t, double x, double t_x, double T);
double expected_purchases(const MbgNbdParams& params, double t);
double probability_of_n_purchases(const MbgNbdParams& params, double t, double n);

/// {"model": "mbg_nbd", "r": ..., "alpha": ..., "a": ..., "b": ...}; from_json as for BG/NBD.
void to_json(nlohmann::json& j, const MbgNbdParams& p);
void from_json(const nlohmann::json& j, MbgNbdParams& p);

}  // namespace crmkit::clv
