// Shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to project
// customer retention", Journal of Interactive Marketing 21(1)).
//
// Each period a customer churns with probability theta; theta ~ Beta(alpha, beta) across customers.
// T = the period in which she churns (T >= 1):
//     P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),    S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)
//     retention rate r(t) = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)   (rises with t)
// Data: a cohort's counts of customers active at the start of periods 0..T (n_0 the cohort size), or
// individual records (periods survived t_i, churned 0/1) with weights: a churned record with t_i = t
// contributes log P(T = t), a censored one log S(t_i). docs/models/sbg.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

/// The longest horizon in periods a curve or a truncated lifetime is computed for (expected_lifetime with
/// a horizon; the CLI's predict --horizon): 10,000 periods (833 years of months). More is InvalidArgument.
inline constexpr double kMaxSbgPeriods = 10'000;

struct SbgParams {
  double alpha = 1.0;  ///< beta shape of the churn probability
  double beta = 1.0;   ///< beta shape of the churn probability

  static constexpr std::size_t size = 2;
  static constexpr std::array<const char*, 2> names{"alpha", "beta"};
  std::array<double, 2> values() const noexcept { return {alpha, beta}; }
  static SbgParams from_values(std::span<const double> v);  ///< v.size() == 2
};

struct Sbg {
  using Params = SbgParams;
  static constexpr const char* name = "sbg";

  /// Fit on individual records: periods survived (whole, >= 1 when churned, >= 0 when censored) and
  /// churned flags (0 or 1), weights optional.
  static core::FitResult<Params> fit(std::span<const double> periods, std::span<const double> churned,
                                     std::span<const double> weights = {}, const core::FitOptions& options = {});
  /// Fit on a cohort: active[t] customers active at the start of period t (t = 0..T): whole numbers
  /// (counts of customers, not percentages: InvalidArgument naming the period otherwise), non-increasing,
  /// active[0] > 0, at least two counts.
  static core::FitResult<Params> fit_cohort(std::span<const double> active, const core::FitOptions& options = {});
  /// The same from survival given as proportions or percentages of the cohort (1, 0.631, ... or 100,
  /// 63.1, ...; non-increasing, the first > 0) and the cohort's size in customers: the counts are
  /// cohort_size * surviving[t] / surviving[0] (so the standard errors reflect cohort_size customers).
  static core::FitResult<Params> fit_cohort_proportions(std::span<const double> surviving, double cohort_size,
                                                        const core::FitOptions& options = {});

  /// Total (weighted) log-likelihood of individual records; gradient (size 2) dLL/d(alpha, beta).
  static double log_likelihood(const Params& params, std::span<const double> periods,
                               std::span<const double> churned, std::span<const double> weights = {},
                               std::span<double> gradient = {});
};

/// S(t) = P(T > t) for each t[i] >= 0 (whole numbers).
void survival(const SbgParams& params, std::span<const double> t, std::span<double> out);
/// r(t) = P(T > t | T > t - 1) for each t[i] >= 1; r(0) = 1 (period 0 is the start: nobody has churned).
void retention_rate(const SbgParams& params, std::span<const double> t, std::span<double> out);
/// P(T = t) for each t[i] >= 1; P(T = 0) = 0 (customers churn in period 1 at the earliest).
void churn_probability(const SbgParams& params, std::span<const double> t, std::span<double> out);
double survival(const SbgParams& params, double t);
double retention_rate(const SbgParams& params, double t);

/// E[T] = (alpha + beta - 1) / (alpha - 1); +infinity when alpha <= 1 (heavy tail: use the truncated
/// form or DERL).
double expected_lifetime(const SbgParams& params);
/// E[min(T, horizon)] = sum_{t=0}^{horizon-1} S(t), horizon a whole number in 0..kMaxSbgPeriods.
double expected_lifetime(const SbgParams& params, double horizon);

/// Discounted expected residual lifetime of a customer alive at the start of period n + 1 (she has
/// survived n >= 0 periods and pays for period n + 1 now): sum_{k>=0} P(T > n + k | T > n) / (1 + d)^k
/// = 2F1(1, beta + n; alpha + beta + n; 1 / (1 + d)), for a discount rate d > 0 per period. Multiply by
/// the margin per period for the residual value (Fader & Hardie 2010, "Customer-base valuation in a
/// contractual setting: the perils of ignoring heterogeneity", Marketing Science 29(1); the relation to
/// their indexing is in docs/models/sbg.md). Summed as its series, whose terms fall geometrically.
double derl(const SbgParams& params, double discount_rate, double n);

void to_json(nlohmann::json& j, const SbgParams& p);
void from_json(const nlohmann::json& j, SbgParams& p);

}  // namespace crmkit::clv
