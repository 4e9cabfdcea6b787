// One fitted (or given) CLV model of any kind behind one value type, so the faces (C ABI, Python,
// CLI) and the report handle every model the same way: fit by name, parameters by name, predictions
// by name, JSON in one shape. The typed headers (clv/bg_nbd.hpp, clv/gamma_gamma.hpp, ...) stay the
// C++ API for code that knows its model.
//
// Model keys (the CLI's MODEL names): "bgnbd" (BG/NBD), "mbgnbd" (MBG/NBD), "pnbd" (Pareto/NBD), "bgbb"
// (BG/BB), "gg" (Gamma-Gamma) and "sbg" (shifted-beta-geometric); the typed names ("bg_nbd", "mbg_nbd",
// "pareto_nbd", "bg_bb", "gamma_gamma") are accepted too. Unknown keys are refused with the list of
// available ones.
//
// JSON (`crmkit fit` prints it; `crmkit predict` and `crmkit clv` read it):
//   {"model": "bgnbd", "params": {"r": .., "alpha": .., "a": .., "b": ..}, "log_likelihood": ..,
//    "converged": true, "iterations": .., "std_errors": {...}, "status": "converged",
//    "gradient_norm": .., "n_customers": .., "n_patterns": ..[, "n_zero_spend_skipped": .. (gg)]}
// plus "limit": "nbd" when the fit's optimum is a limiting model (Pareto/NBD without dropout).
// Only "model" and "params" are needed to load; the fit keys are kept when present.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/clv/bg_bb.hpp"
#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/gamma_gamma.hpp"
#include "crmkit/clv/mbg_nbd.hpp"
#include "crmkit/clv/pareto_nbd.hpp"
#include "crmkit/clv/sbg.hpp"
#include "crmkit/core/fit_result.hpp"

namespace crmkit::clv {

/// Named input columns; a model reads the ones it needs (empty = absent) and says which is missing.
///  bgnbd, mbgnbd, pnbd: frequency, recency, T (+ weights);  gg: frequency, monetary_value (+ weights);
///  bgbb: frequency, recency, n_periods (+ weights);
///  sbg: active (a cohort's counts at the start of periods 0..T), or periods + churned (+ weights).
///  sbg with cohort_size > 0: `active` holds survival as proportions or percentages of a cohort of
///   cohort_size customers (Sbg::fit_cohort_proportions); else `active` must be whole counts.
struct ModelData {
  std::span<const double> frequency{}, recency{}, T{}, monetary_value{}, weights{}, n_periods{};
  std::span<const double> periods{}, churned{}, active{};
  double cohort_size = 0;
};

/// What a fit reports (absent for a model made from given parameters).
struct FitInfo {
  bool fitted = false;
  double log_likelihood = 0;
  int iterations = 0;
  core::FitStatus status = core::FitStatus::Converged;
  double gradient_norm = 0;
  std::vector<double> std_errors;
  double n_customers = 0;
  std::size_t n_patterns = 0;
  /// gg only: the (weighted) repeat buyers with a mean spend of 0 left out of the fit (ZeroSpend::Skip).
  double n_zero_spend_skipped = 0;
  std::string limit;  ///< "" (interior optimum) or the limiting model, e.g. "nbd" (core::FitResult::limit)
  bool converged() const noexcept { return status == core::FitStatus::Converged; }
};

class Model {
 public:
  using Params = std::variant<BgNbdParams, GammaGammaParams, SbgParams, BgBbParams, ParetoNbdParams, MbgNbdParams>;

  /// The keys of the models this build can fit, e.g. {"bgnbd", "gg"}.
  static std::vector<std::string> available();
  /// Fits the model `key` (InvalidArgument for an unknown key or a missing column).
  static Model fit(std::string_view key, const ModelData& data, const core::FitOptions& options = {});
  /// The same, with the Gamma-Gamma fit's policy for repeat buyers whose mean spend is 0 (gamma_gamma.hpp;
  /// the other models ignore it). The plain fit skips them (ZeroSpend::Skip) and counts them in info().
  static Model fit(std::string_view key, const ModelData& data, const core::FitOptions& options, ZeroSpend zero_spend);
  /// A model from given parameters in the model's order (see param_names).
  static Model from_params(std::string_view key, std::span<const double> values);
  static Model from_json(const nlohmann::json& j);
  /// Keys in the documented order ("model" first).
  nlohmann::ordered_json to_json() const;

  /// "bgnbd", "gg", ...
  std::string key() const;
  /// Human name, e.g. "BG/NBD".
  std::string title() const;
  std::vector<std::string> param_names() const;
  std::vector<double> param_values() const;
  const FitInfo& info() const noexcept { return info_; }
  const Params& params() const noexcept { return params_; }
  /// True for transaction models (bgnbd, mbgnbd, pnbd, bgbb), false for spend (gg) and retention (sbg) models.
  bool predicts_purchases() const noexcept;

  /// The prediction names this model supports.
  std::vector<std::string> predictions() const;
  /// Writes prediction `what` for each row of `data` into out (out.size() rows):
  ///  transaction models: "p_alive"; "conditional_expected_purchases" in (T, T + horizon];
  ///   "expected_purchases" E[X(horizon)] of a new customer (the same value in every row);
  ///   "probability_of_n_purchases" P(X(horizon) = n) with n taken from `frequency`;
  ///   "dert": discounted expected residual transactions at continuous discount rate = horizon (> 0) per
  ///   time unit (pnbd: closed form; bgnbd, mbgnbd: clv/dert.hpp).
  ///  bgbb: "p_alive"; "conditional_expected_purchases" in the next `horizon` (whole) opportunities;
  ///   "expected_purchases" E[X(horizon)] of a new customer; "probability_of_n_purchases" P(X(horizon) = x)
  ///   with x taken from `frequency`; "dert" at discount rate = horizon (> 0) per opportunity.
  ///  gg: "conditional_expected_spend"; "expected_spend" (the population mean, in every row).
  ///  sbg: "survival", "retention_rate", "churn_probability" at t = `periods`; "expected_lifetime"
  ///   E[min(T, horizon)] (horizon 0: untruncated, +inf when alpha <= 1; same in every row); "derl" for
  ///   customers who survived `periods` periods, with discount rate = horizon (> 0).
  /// InvalidArgument listing the supported names for an unknown one.
  void predict(std::string_view what, double horizon, const ModelData& data, std::span<double> out) const;

 private:
  Model(Params p, FitInfo info) : params_(std::move(p)), info_(std::move(info)) {}
  Params params_;
  FitInfo info_;
};

/// The longest CLV horizon, in months (500 years, far past any discount's reach: 1.01^-6000 < 1e-25):
/// customer_lifetime_value refuses more (InvalidArgument naming "months"); its work grows with the horizon.
inline constexpr int kMaxClvMonths = 6000;

/// How customer_lifetime_value discounts (docs/models/clv.md).
enum class ClvMethod {
  Monthly,  ///< lifetimes' recipe: `months` whole months, each month's purchases discounted by (1 + d)^-i
  Dert,     ///< continuous discounting of all future purchases (DERT), no horizon
};

/// Customer lifetime value = margin * spend * discounted expected purchases, with spend the Gamma-Gamma
/// conditional expected spend of each customer and f = periods_per_month time units of the data per month
/// (30 for days, 4.345 for weeks, 1 for months; lifetimes' freq "D"/"W"/"M"), d the monthly discount rate.
///  Monthly (default; lifetimes' customer_lifetime_value):
///   CLV = margin * spend * sum_{i=1..months} (E[X(T, T + i f)] - E[X(T, T + (i-1) f)]) / (1 + d)^i
///  Dert: CLV = margin * spend * DERT(delta), delta = ln(1 + d) / f per time unit, so e^(-delta t) equals
///   (1 + d)^-i at the end of month i; every future purchase is discounted from its own time and there is
///   no horizon (months is ignored; d must be > 0).
/// `transactions` must be bgnbd, mbgnbd or pnbd, `spend` a Gamma-Gamma model. Writes one value per row.
struct ClvOptions {
  int months = 12;              ///< whole months, 1..kMaxClvMonths (Monthly only)
  double discount_rate = 0.01;  ///< per month, >= 0 (> 0 for Dert)
  double margin = 1.0;          ///< profit margin applied to spend, > 0
  double periods_per_month = 30;
  ClvMethod method = ClvMethod::Monthly;
};
void customer_lifetime_value(const Model& transactions, const Model& spend, const ModelData& data,
                             const ClvOptions& options, std::span<double> out);

}  // namespace crmkit::clv
