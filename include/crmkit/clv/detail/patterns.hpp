// Internal: validation of (frequency, recency, T, weight) columns and their compression to distinct
// weighted patterns, laid out for the likelihood kernels of the repeat-purchase models (BG/NBD,
// MBG/NBD, Pareto/NBD). Not part of the public API.
//
// crmkit::summary::compress (src/summary/) gives counts only; the models also accept caller weights and
// need the groups of equal frequency and the distinct T / t_x values, so they compress here: usually by
// coding each column's values as integers in value order and radix-sorting integer pattern keys, else
// with a hash table (one pass, O(n)) and a sort of the distinct patterns.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace crmkit::clv::detail {

struct WeightedPatterns {
  // Distinct (x, t_x, T) patterns with positive total weight, in lexicographic order.
  std::vector<double> x, t_x, T, w;
  // Groups of equal x: group g covers patterns [group_begin[g], group_begin[g + 1]).
  std::vector<double> group_x, group_w;
  std::vector<std::uint32_t> group_begin;
  // Distinct T and t_x values, and each pattern's index into them.
  std::vector<double> unique_T, unique_tx;
  std::vector<std::uint32_t> T_index, tx_index;
  double total_weight = 0;

  std::size_t size() const noexcept { return x.size(); }
};

/// Throws InvalidArgument (naming `function`) unless the columns have equal length (weights may be
/// empty, meaning 1 each), every frequency is a finite non-negative integer, 0 <= recency <= T < inf,
/// every weight is finite and >= 0, and the total weight is positive.
void check_repeat_purchase_data(const char* function, std::span<const double> frequency,
                                std::span<const double> recency, std::span<const double> T,
                                std::span<const double> weights);

/// Compresses validated columns (zero-weight rows dropped). Usually by coding each column's values as
/// k / m (whole numbers, or fractions of one usual denominator such as days / 7) and a radix sort of
/// integer pattern keys; else by numbering the distinct values of each column. Same result as
/// compress_hashed.
WeightedPatterns compress_weighted(std::span<const double> frequency, std::span<const double> recency,
                                   std::span<const double> T, std::span<const double> weights);

/// check_repeat_purchase_data then compress_weighted, in one pass over the rows in the usual case: the
/// same errors (same messages, the same first failing row), the same patterns.
WeightedPatterns check_and_compress(const char* function, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<const double> weights);

/// The general path (hash table of patterns, then a sort); same result as compress_weighted.
WeightedPatterns compress_hashed(std::span<const double> frequency, std::span<const double> recency,
                                 std::span<const double> T, std::span<const double> weights);

/// A systematic sample of the customers: in pattern order, every `every`-th unit of weight (from the
/// middle of the first stride) is taken, and each pattern keeps the number of units taken from it as its
/// weight (patterns with none are dropped). Deterministic; the sorted order, the groups and the indices
/// into unique_T / unique_tx (copied whole) are kept. A warm start for fits on many patterns.
WeightedPatterns sample_customers(const WeightedPatterns& d, double every);

}  // namespace crmkit::clv::detail
