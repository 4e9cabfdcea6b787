// Churn indicators at a cutoff date: per-customer behavioural features from the transactions (and
// optionally the interactions) observed up to the cutoff, and the churn label from the window after it.
// docs/models/churn_indicators.md defines every column and its fill value.
//
//   churn::IndicatorOptions o;
//   o.cutoff = io::parse_date_arg("1997-09-30", "example", "cutoff");
//   o.horizon_days = 180;
//   churn::IndicatorTable t = churn::churn_indicators(tx.view(), o, &interactions.view());
//   churn::FeatureTable f = t.to_features(&tx.ids);      // ready for fit_logistic / cross_validate
//
// No leakage: the cutoff day c is the last day observed (inclusive, as summary's calibration end).
// Every indicator reads only rows whose day is <= c; the label reads only days in (c, c + horizon].
// One row per customer with a purchase on or before c, in ascending customer code. Every value is
// finite: where an indicator is undefined (one purchase, no interaction, no CSAT answer) it takes the
// documented fill value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/churn/features.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/core/interactions.hpp"
#include "crmkit/core/table.hpp"

namespace crmkit::churn {

struct IndicatorOptions {
  std::int64_t cutoff = 0;         ///< day number (days since 1970-01-01) of the last day observed
  std::int64_t horizon_days = 180; ///< label window (cutoff, cutoff + horizon]; 0 = no label (scoring)
  std::int64_t recent_days = 90;   ///< the trend's recent window (cutoff - recent, cutoff]; >= 1
  double low_csat = 4;             ///< an answer below this is a low CSAT (for low_csat_streak)
  /// Interaction kinds counted as complaints (ASCII case ignored).
  std::vector<std::string> complaint_kinds{"complaint"};
};

/// The transaction indicators, in column order.
inline constexpr const char* kPurchaseIndicators[] = {
    "recency_days", "frequency", "monetary", "tenure_days", "purchase_trend",
    "gap_mean_days", "gap_sd_days", "gap_ratio", "gap_z"};
/// The interaction indicators, in column order (present only when interactions are given).
inline constexpr const char* kInteractionIndicators[] = {
    "days_since_interaction", "interactions", "complaints", "csat_mean", "csat_last",
    "low_csat_streak", "fcr_share", "response_minutes_mean"};

struct IndicatorTable {
  std::vector<std::uint32_t> customer;     ///< codes (the transaction table's dictionary)
  std::vector<std::string> names;          ///< indicator names, in column order
  std::vector<std::vector<double>> columns;///< one per name, rows() values each
  std::vector<double> churned;             ///< 0/1 per row; empty when horizon_days = 0
  std::int64_t cutoff = 0, horizon_days = 0;

  std::size_t rows() const noexcept { return customer.size(); }
  /// The column of that name; InvalidArgument when absent.
  std::span<const double> column(std::string_view name) const;
  /// A feature table for fit_logistic / cross_validate: ids from `ids` (decimal codes when null),
  /// feature names = names, label = churned (when present), and an all-numeric encoding with id column
  /// "customer_id" and label "churned", so a model fitted on it scores a CSV written by
  /// `crmkit churn features`.
  FeatureTable to_features(const core::Dictionary* ids = nullptr) const;
};

/// The indicators of every customer with a purchase on or before options.cutoff. `interactions` (may be
/// null) must use the same customer codes as `tx` (io::read_interactions with the transaction table's
/// dictionary). Throws InvalidArgument for bad options, inconsistent columns, no purchase on or before
/// the cutoff, or (horizon_days > 0) a label window ending after the last transaction day.
IndicatorTable churn_indicators(const core::TransactionsView& tx, const IndicatorOptions& options,
                                const core::InteractionsView* interactions = nullptr);

}  // namespace crmkit::churn
