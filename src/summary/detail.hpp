// Internal to summary/: the one formula that turns a customer's accumulated record into its summary
// row (used by summarize() and by State::summary(), so both give the same bits), and summarize() with
// the raw per-customer sums that a State keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crmkit/core/table.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::summary::detail {

struct RowValues {
  double frequency, recency, T, monetary;
};

/// A customer's frequency, recency, T and monetary value from its first and last purchase day, distinct
/// purchase days, the sum of its amounts after the first day, the period's length in days and the
/// observation end.
inline RowValues row_values(std::int64_t first, std::int64_t last, std::uint32_t distinct, double repeat, double len,
                            std::int64_t observation_end) noexcept {
  const double freq = static_cast<double>(distinct - 1);
  return RowValues{freq, static_cast<double>(last - first) / len, static_cast<double>(observation_end - first) / len,
                   distinct > 1 ? repeat / freq : 0.0};
}

/// summarize(tx, {Period::Day, observation_end}), also giving each row's distinct purchase days and the
/// sum of its amounts after the first day (the values the summary's frequency and monetary value come
/// from), accumulated exactly as summarize() accumulates them.
CustomerSummary summarize_with_sums(const core::TransactionsView& tx, std::optional<std::int64_t> observation_end,
                                    std::vector<std::uint32_t>& distinct, std::vector<double>& repeat);

}  // namespace crmkit::summary::detail
