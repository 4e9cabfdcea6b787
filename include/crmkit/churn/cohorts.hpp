// Cohort retention matrices (docs/models/cohorts.md).
//
//   churn::CohortTable t = churn::cohort_retention(tx.view());       // monthly cohorts
//   t.at(t.active, c, k)   // customers of cohort c with a purchase k months after their first month
//
// Definitions, over every row of the log (times floored to UTC days):
// - period of a day: its calendar month (default), calendar quarter, or week (Monday to Sunday);
// - cohort of a customer: the period of their first purchase; periods are numbered from the first
//   cohort, cohorts are every period from the first to the last period of the log (a period without
//   new customers is a row of zeros with size 0);
// - offset k of a purchase: its period minus the customer's cohort period (0 = the first period);
// - active(c, k): customers of cohort c with at least one purchase in offset k; size(c) = active(c, 0);
// - retention(c, k) = active(c, k) / size(c);
// - revenue(c, k): the sum of the amounts of those purchases (every row, not merged by day);
// - observed(c, k) = 1 when cohort period + k <= the last period of the log. Unobserved cells hold 0
//   counts and revenue and NaN retention; retention of an empty cohort is NaN too.
// Matrices are row-major, cohorts x offsets, offsets 0 .. n_periods - 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::churn {

enum class CohortPeriod : std::uint8_t { Month = 0, Quarter = 1, Week = 2 };

/// "month", "quarter", "week". Throws InvalidArgument otherwise.
CohortPeriod parse_cohort_period(std::string_view text);
const char* cohort_period_name(CohortPeriod p) noexcept;

struct CohortTable {
  CohortPeriod period = CohortPeriod::Month;
  std::size_t n_cohorts = 0, n_offsets = 0;
  std::vector<std::int64_t> cohort_start;  ///< first day of each cohort's period (days since 1970-01-01)
  std::vector<std::string> cohort_label;   ///< "1997-01", "1997-Q1", or the Monday "1997-01-06"
  std::vector<std::int64_t> size;          ///< customers per cohort
  std::vector<std::int64_t> active;        ///< n_cohorts x n_offsets
  std::vector<double> retention;           ///< active / size; NaN where unobserved or size = 0
  std::vector<double> revenue;             ///< n_cohorts x n_offsets
  std::vector<std::uint8_t> observed;      ///< n_cohorts x n_offsets, 1 = inside the log's range

  template <class T>
  const T& at(const std::vector<T>& m, std::size_t cohort, std::size_t offset) const {
    return m[cohort * n_offsets + offset];
  }
};

/// Throws InvalidArgument for an empty log, an invalid view (TransactionsView::validated), or a log
/// spanning more than 2000 periods (the matrix would hold millions of cells).
CohortTable cohort_retention(const core::TransactionsView& tx, CohortPeriod period = CohortPeriod::Month);

/// JSON: {"period", "n_cohorts", "n_offsets", "cohorts": [{"cohort", "start" (YYYY-MM-DD), "size",
/// "active", "retention", "revenue"}]}, each array holding the observed offsets 0, 1, ... only;
/// retention of an empty cohort is null.
std::string to_json(const CohortTable& table);

}  // namespace crmkit::churn
