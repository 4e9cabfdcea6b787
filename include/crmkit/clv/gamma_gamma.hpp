// Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using iso-value
// curves for customer base analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of
// monetary value").
//
// A customer's transaction values z are Gamma(p, nu); across customers nu ~ Gamma(q, gamma). Given x
// repeat transactions with mean value m_x, the likelihood is
//     f(m_x | x) = Gamma(px + q) / (Gamma(px) Gamma(q)) gamma^q m_x^(px-1) x^(px) / (gamma + x m_x)^(px+q)
// and the expected mean spend is E[M | x, m_x] = p (gamma + x m_x) / (px + q - 1), which is finite only
// for q > 1 (the population mean p gamma / (q - 1) is infinite otherwise): predictions with q <= 1 are
// a NumericError, never a negative or infinite value. The model assumes spend and frequency are
// independent: check with frequency_spend_correlation. docs/models/gamma_gamma.md.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

struct GammaGammaParams {
  double p = 1.0;      ///< shape of the transaction-value gamma
  double q = 1.0;      ///< shape of the heterogeneity in nu
  double gamma = 1.0;  ///< scale of the heterogeneity in nu, in units of money

  static constexpr std::size_t size = 3;
  static constexpr std::array<const char*, 3> names{"p", "q", "gamma"};
  std::array<double, 3> values() const noexcept { return {p, q, gamma}; }
  static GammaGammaParams from_values(std::span<const double> v);  ///< v.size() == 3, in names order
};

/// What the fit does with a repeat buyer (x > 0) whose mean spend m_x is 0 (only free items): Skip leaves
/// the customer out of the fit and counts it (GammaGamma::fit's zero_spend_skipped, the model JSON's
/// "n_zero_spend_skipped", a warning line from the CLI); Error refuses the data naming the customer row.
/// Predictions accept m_x = 0 under either policy (shrunk from 0 towards the population mean).
enum class ZeroSpend { Skip, Error };

struct GammaGamma {
  using Params = GammaGammaParams;
  static constexpr const char* name = "gamma_gamma";

  /// Maximum-likelihood fit on (frequency x, mean spend m_x) per customer. Rows with x == 0 carry no
  /// spend information and are ignored (as are zero weights); rows with x > 0 need m_x >= 0, and those
  /// with m_x = 0 are skipped (their total weight into *zero_spend_skipped when given) or, with
  /// ZeroSpend::Error, refused (InvalidArgument naming the customer row, 1-based).
  static core::FitResult<Params> fit(std::span<const double> frequency, std::span<const double> monetary_value,
                                     std::span<const double> weights = {}, const core::FitOptions& options = {},
                                     ZeroSpend zero_spend = ZeroSpend::Skip, double* zero_spend_skipped = nullptr);

  /// Total (weighted) log-likelihood over the rows with x > 0 and m_x > 0; gradient (size 3) dLL/d(p, q, gamma).
  static double log_likelihood(const Params& params, std::span<const double> frequency,
                               std::span<const double> monetary_value, std::span<const double> weights = {},
                               std::span<double> gradient = {});
};

/// E[M | x, m_x]: x > 0 shrinks m_x (>= 0) towards the population mean; x == 0 gives the population
/// mean. NumericError when q <= 1.
void conditional_expected_spend(const GammaGammaParams& params, std::span<const double> frequency,
                                std::span<const double> monetary_value, std::span<double> out);
double conditional_expected_spend(const GammaGammaParams& params, double frequency, double monetary_value);

/// Population mean spend per transaction p gamma / (q - 1); NumericError when q <= 1.
double expected_spend(const GammaGammaParams& params);

/// Pearson correlation of frequency and mean spend over the rows with x > 0 (weighted). The model
/// assumes independence; |r| above ~0.3 is a warning sign. NaN when fewer than two rows or no spread.
double frequency_spend_correlation(std::span<const double> frequency, std::span<const double> monetary_value,
                                   std::span<const double> weights = {});

/// {"model": "gamma_gamma", "p": ..., "q": ..., "gamma": ...}; from_json requires the three numbers.
void to_json(nlohmann::json& j, const GammaGammaParams& p);
void from_json(const nlohmann::json& j, GammaGammaParams& p);

}  // namespace crmkit::clv
