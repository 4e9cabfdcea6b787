// Per-customer sufficient statistics: the hub that RFM and every CLV model read.
//
// Conventions (those of the published CDNOW summaries, Fader, Hardie & Lee 2005, and of lifetimes):
//  - time is floored to whole days; all purchases on one day are one purchase (amounts summed);
//  - frequency  = number of distinct purchase days - 1 (repeat purchases);
//  - recency    = (last purchase day - first purchase day) / period;
//  - T          = (observation end day - first purchase day) / period;
//  - monetary_value = mean of the repeat purchase days' amounts (first day excluded); 0 when frequency = 0;
//  - transactions after the observation end day are ignored; customers whose first purchase is after
//    it do not appear.
// Period lengths: day = 1, week = 7, month = 365.25 / 12 = 30.4375 days.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::summary {

enum class Period : std::uint8_t { Day = 0, Week = 1, Month = 2 };

/// Length of a period in days (1, 7, 30.4375).
constexpr double period_days(Period p) noexcept {
  switch (p) {
    case Period::Day: return 1.0;
    case Period::Week: return 7.0;
    case Period::Month: return 365.25 / 12.0;
  }
  return 1.0;
}

/// "day", "week", "month" (also "D", "W", "M" as in lifetimes). Throws InvalidArgument otherwise.
Period parse_period(std::string_view text);
const char* period_name(Period p) noexcept;

struct SummaryOptions {
  Period period = Period::Day;
  /// Last day observed, inclusive, in days since 1970-01-01. Default: the last transaction's day.
  std::optional<std::int64_t> observation_end{};
};

/// Struct of arrays, one row per customer with a purchase on or before the observation end, in
/// ascending customer code.
struct CustomerSummary {
  std::vector<std::uint32_t> customer;  ///< codes into the transaction table's dictionary
  std::vector<double> frequency, recency, T, monetary_value;
  std::vector<std::int64_t> first_purchase, last_purchase;  ///< day numbers
  std::vector<std::uint32_t> n_transactions;                 ///< rows, before same-day merging
  std::vector<double> total_spend;                           ///< all rows' amounts
  Period period = Period::Day;
  std::int64_t observation_end = 0;  ///< day number

  std::size_t size() const noexcept { return customer.size(); }
};

/// Summary of all customers in `tx`. Throws InvalidArgument on inconsistent columns, and for an empty
/// table without an explicit observation end (with one, the summary is empty). Rows may be in any
/// order; amounts are summed in (day, row) order, so the result does not depend on it.
CustomerSummary summarize(const core::TransactionsView& tx, const SummaryOptions& options = {});

/// Calibration summary at `calibration_end` (inclusive) plus, for those customers, what happened in
/// the holdout (calibration_end, observation_end].
struct HoldoutSummary {
  CustomerSummary calibration;
  std::vector<double> frequency_holdout;  ///< distinct purchase days in the holdout
  std::vector<double> monetary_holdout;   ///< mean amount per holdout purchase day; 0 when none
  std::vector<double> spend_holdout;      ///< total amount in the holdout
  double duration_holdout = 0;            ///< (observation_end - calibration_end) / period

  std::size_t size() const noexcept { return calibration.size(); }
};

/// Throws InvalidArgument when calibration_end >= observation_end.
HoldoutSummary summarize_holdout(const core::TransactionsView& tx, std::int64_t calibration_end,
                                 const SummaryOptions& options = {});

/// Unique (frequency, recency, T) patterns with their counts as weights, in lexicographic order.
/// `index[i]` is the pattern of input row i, so per-pattern predictions scatter back to customers.
struct Patterns {
  std::vector<double> frequency, recency, T, weight;
  std::vector<std::uint32_t> index;

  std::size_t size() const noexcept { return frequency.size(); }
};

/// Throws InvalidArgument for columns of different lengths or NaN values; -0 and +0 are one value.
Patterns compress(std::span<const double> frequency, std::span<const double> recency,
                  std::span<const double> T);
inline Patterns compress(const CustomerSummary& s) { return compress(s.frequency, s.recency, s.T); }

/// Summary of the union of disjoint customer shards (codes in one shared dictionary), equal to
/// summarize() over the union's transactions when every shard used the same options and observation
/// end. Throws InvalidArgument when periods or observation ends differ, or a customer is in both.
CustomerSummary merge(const CustomerSummary& a, const CustomerSummary& b);

}  // namespace crmkit::summary
