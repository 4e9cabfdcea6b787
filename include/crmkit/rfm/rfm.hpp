// RFM: recency, frequency and monetary values per customer, quantile scores 1..n, and segments.
//
// Values at an as-of day (inclusive; transactions after it are ignored):
//   recency   = as_of - last purchase day, in days (0 = bought on the as-of day);
//   frequency = number of transactions (rows);
//   monetary  = total spend (or the mean per transaction, MonetaryKind::Mean).
// Scores: higher is better on every axis, so recency is scored reversed (recent = high).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::rfm {

enum class MonetaryKind : std::uint8_t { Total = 0, Mean = 1 };

/// How ties are scored.
///  - RankFirst: values are ranked, ties broken by customer order (code), and the ranks are cut
///    into n equal-count bins: pandas' qcut(x.rank(method="first"), n), with qcut's edges computed
///    exactly: rank k of N scores max(1, ceil(n (k-1) / (N-1))) (N = 1: 1). Bins stay balanced; equal
///    values may get adjacent scores. (pandas' floating-point edges can differ by one rank per edge
///    for some n, e.g. 6 or 7; never for n = 2, 3, 4, 5, 8, 10 — docs/models/rfm.md.)
///  - ValueQuantile: cut points are the values' i/n quantiles (linear interpolation, numpy's
///    default); a value gets 1 + the number of cut points strictly below it, so equal values share a
///    score and collapsed bins leave some scores unused (never missing).
enum class TieMethod : std::uint8_t { RankFirst = 0, ValueQuantile = 1 };

struct RfmOptions {
  /// Day number of the as-of date. Default: the day after the last transaction.
  std::optional<std::int64_t> as_of{};
  int bins = 5;  ///< scores 1..bins, 2 <= bins <= 100
  TieMethod ties = TieMethod::RankFirst;
  MonetaryKind monetary = MonetaryKind::Total;
  /// Custom cut points (ascending, bins-1 of them) per axis, on the raw values; when given they
  /// replace the quantiles for that axis. A value v scores 1 + #{c < v}; for recency the score is
  /// reversed: bins - #{c < v}.
  std::vector<double> recency_cuts{}, frequency_cuts{}, monetary_cuts{};
};

/// One row per customer with a transaction on or before as_of, in ascending customer code.
struct RfmTable {
  std::vector<std::uint32_t> customer;
  std::vector<double> recency, frequency, monetary;
  std::vector<double> total_spend;  ///< always the total, for revenue shares
  std::vector<std::uint8_t> r, f, m;
  int bins = 5;
  std::int64_t as_of = 0;

  std::size_t size() const noexcept { return customer.size(); }
};

/// Values and scores. Throws InvalidArgument for bad options (bins out of range, cut points not
/// ascending or of the wrong count).
RfmTable compute(const core::TransactionsView& tx, const RfmOptions& options = {});

/// Scores of `values` on 1..bins (higher value, higher score). Exposed for reuse and testing.
/// Throws InvalidArgument for non-finite values, `out` of another length, bad bins or cuts.
void score(std::span<const double> values, int bins, TieMethod ties, std::span<const double> cuts,
           std::span<std::uint8_t> out);

// ---- segments -------------------------------------------------------------------------------------

/// Inclusive score ranges; a rule matches when r, f and m all fall in their ranges.
struct SegmentRule {
  std::string name;
  int r_min = 1, r_max = 100, f_min = 1, f_max = 100, m_min = 1, m_max = 100;
};

/// Ordered rules, first match wins; customers matching none get `fallback`.
struct Segmentation {
  std::vector<SegmentRule> rules;
  std::string fallback = "Other";
  int bins = 5;  ///< the score scale the rules are written for

  /// Names in output order: the rules' names (first occurrence) then the fallback.
  std::vector<std::string> names() const;
  /// Index into names() of the segment of (r, f, m).
  std::size_t classify(int r, int f, int m) const noexcept;

  /// The common 10-segment R-F grid on 1..5 scores (Champions, Loyal Customers, Potential
  /// Loyalists, New Customers, Promising, Need Attention, About to Sleep, At Risk, Can't Lose Them,
  /// Hibernating); covers all 25 cells.
  static Segmentation rf_grid();
  /// A preset over all three axes (documented in docs/models/rfm.md).
  static Segmentation rfm_ranges();
  /// "rf-grid" or "rfm-ranges"; throws InvalidArgument for other names.
  static Segmentation preset(std::string_view name);
  /// Rules from CSV text with header `segment,r,f,m`; each range is `a-b`, `a` or `*`. A row whose
  /// three ranges are all `*` is a catch-all. `source` names the file in ParseErrors.
  static Segmentation parse(std::string_view text, std::string_view source = "<rules>", int bins = 5);
  static Segmentation load(const std::string& path, int bins = 5);
};

/// Segment index (into seg.names()) of each row. Throws InvalidArgument when seg.bins != t.bins.
std::vector<std::uint32_t> assign(const RfmTable& t, const Segmentation& seg);

struct SegmentSummaryRow {
  std::string segment;
  std::size_t customers = 0;
  double customer_share = 0, revenue = 0, revenue_share = 0;
  double mean_recency = 0, mean_frequency = 0, mean_monetary = 0;
  double mean_r = 0, mean_f = 0, mean_m = 0;
};

/// One row per segment name (in names() order, empty segments included with zeros).
/// Revenue shares use total spend; they are 0 when total revenue is 0.
std::vector<SegmentSummaryRow> segment_summary(const RfmTable& t, std::span<const std::uint32_t> segment,
                                               const Segmentation& seg);

}  // namespace crmkit::rfm
