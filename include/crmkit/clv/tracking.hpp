// Tracking a cohort's repeat transactions against a model: expected cumulative and incremental repeat
// transactions (Fader, Hardie & Lee 2005, "Counting your customers the easy way", section 4 and Figure 2;
// Fader, Hardie & Lee 2005, "Implementing the BG/NBD model for customer base analysis in Excel", section 4),
// for every continuous-time repeat-purchase model (BG/NBD, MBG/NBD, Pareto/NBD), and the actual counts
// from a transaction log beside them.
//
// A customer whose first purchase was at time s_i has made, in expectation, E[X(t - s_i)] repeat
// purchases by time t, where E[X(.)] is the model's unconditional expectation for a new customer. The
// cohort's expected cumulative repeat transactions at t is the (weighted) sum over customers with
// s_i < t. Customers are grouped by distinct first-purchase time and E[X] is evaluated once per distinct
// age t[j] - s_i, so the cost is O(#distinct first purchases x #t), whatever the number of customers.
//
// Every function validates its input and throws crmkit::InvalidArgument on bad input (message names the
// function, the argument with its index and the rule). Outputs are finite for every valid input.
// docs/models/bg_nbd.md#tracking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crmkit/clv/mbg_nbd.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/clv/pareto_nbd.hpp"
#include "crmkit/core/table.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::clv {

/// out[j] = sum_i weights[i] E[X(t[j] - first_purchase[i])] over the customers with first_purchase[i] < t[j]
/// (first purchases and t on one clock, in the model's time unit; weights empty = 1 each, else finite
/// and >= 0; t finite, any order). The BG/NBD overload is declared in clv/bg_nbd.hpp.
void expected_cumulative_transactions(const MbgNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights = {});
void expected_cumulative_transactions(const ParetoNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights = {});

/// The same per period: out[j] = cumulative(t[j]) - cumulative(t[j-1]), cumulative(t[-1]) = 0;
/// t non-decreasing.
void expected_incremental_transactions(const MbgNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights = {});
void expected_incremental_transactions(const ParetoNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights = {});

/// Through the type-erased model: bgnbd, mbgnbd and pnbd; InvalidArgument naming the model for the others
/// (gg and sbg predict no transactions; bgbb counts discrete opportunities, not time).
void expected_cumulative_transactions(const Model& model, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights = {});
void expected_incremental_transactions(const Model& model, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights = {});

/// The most periods one tracking table holds (options.periods, or the complete periods up to the
/// observation end): 20,000 days is 54 years. More is an InvalidArgument naming the observation end (a
/// stray date such as 9999-12-31 would otherwise ask for millions of rows).
inline constexpr std::size_t kMaxTrackingPeriods = 20'000;

/// How a transaction log is cut into tracking periods.
struct TrackingOptions {
  /// The model's time unit and the length of a tracking period (day = 1, week = 7, month = 30.4375 days).
  summary::Period period = summary::Period::Day;
  /// Customers whose first purchase is on or before this day (inclusive, days since 1970-01-01) form the
  /// cohort, as in `summary::summarize_holdout`; default: every customer with a purchase by the
  /// observation end. Must be before the observation end.
  std::optional<std::int64_t> calibration_end{};
  /// Last day observed, inclusive; later transactions are ignored. Default: the last transaction's day.
  std::optional<std::int64_t> observation_end{};
  /// Number of periods to report (<= kMaxTrackingPeriods); 0 = the complete periods up to the observation
  /// end (at most kMaxTrackingPeriods of them, else InvalidArgument). Periods that end
  /// after the observation end get NaN actual values (nothing observed) and their predictions.
  std::size_t periods = 0;
};

/// One row per period k = 1..n. Period k covers the days start + [(k-1) L, k L) (L = period length in
/// days; whole days, so a month period holds 30 or 31 days) and ends on day date[k-1]. At that day a
/// customer whose first purchase was on day f is (date - f) / L periods old (the summary's T), and the
/// actual counts are the cohort's repeat purchase days (same-day purchases merged, first purchase day
/// excluded: the summary's frequency) on or before it.
struct Tracking {
  std::vector<std::int64_t> period;           ///< 1..n
  std::vector<std::int64_t> date;             ///< last day of each period (days since 1970-01-01)
  std::vector<double> t;                      ///< (date - start) / L: the tracking clock in model units
  std::vector<double> actual_cumulative;      ///< NaN after the observation end
  std::vector<double> predicted_cumulative;   ///< empty from repeat_transactions()
  std::vector<double> actual_incremental;     ///< NaN after the observation end
  std::vector<double> predicted_incremental;  ///< empty from repeat_transactions()
  std::int64_t start = 0;                     ///< first day of period 1: the cohort's earliest first purchase
  std::int64_t observation_end = 0;
  std::optional<std::int64_t> calibration_end{};
  std::size_t calibration_periods = 0;  ///< periods that end on or before the calibration end (0 without one)
  std::size_t customers = 0;            ///< cohort size
  summary::Period unit = summary::Period::Day;
  /// The cohort grouped by first purchase: distinct days since `start` (ascending) and customer counts.
  std::vector<double> first_purchase_offset, first_purchase_count;

  std::size_t size() const noexcept { return period.size(); }
};

/// The actual side only: periods, dates and the cohort's actual repeat transactions (no model).
/// InvalidArgument for inconsistent columns, an empty log, a calibration end not before the observation
/// end, a cohort without customers, or less than one complete period when options.periods is 0.
Tracking repeat_transactions(const core::TransactionsView& tx, const TrackingOptions& options = {});

/// Actual and predicted (cumulative and incremental) repeat transactions of the cohort in one table;
/// `model` must be bgnbd, mbgnbd or pnbd, fitted in options.period units.
Tracking track(const Model& model, const core::TransactionsView& tx, const TrackingOptions& options = {});

}  // namespace crmkit::clv
