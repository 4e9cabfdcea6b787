// Transaction tables: TransactionsView (caller-owned columns, zero-copy) and TransactionTable (owned
// columns, as produced by CSV ingestion, handing out the same view).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/core/ids.hpp"

namespace crmkit::core {

/// Resolution of a time column: whole days since 1970-01-01, or seconds since the Unix epoch (UTC).
enum class TimeUnit : std::uint8_t { Days = 0, Seconds = 1 };

inline constexpr std::int64_t seconds_per_day = 86400;

/// Day number (days since 1970-01-01) of a time value; floors, so times before the epoch work.
constexpr std::int64_t to_day(std::int64_t t, TimeUnit unit) noexcept {
  if (unit == TimeUnit::Days) return t;
  return t >= 0 ? t / seconds_per_day : -((-t + seconds_per_day - 1) / seconds_per_day);
}

/// One transaction per row. Columns are caller-owned and must outlive every call that takes the view.
struct TransactionsView {
  std::span<const std::uint32_t> customer;  ///< dense codes, each < n_customers
  std::span<const std::int64_t> time;       ///< in `time_unit`
  std::span<const double> amount;           ///< may be empty: every amount is then 0
  TimeUnit time_unit = TimeUnit::Days;
  std::uint32_t n_customers = 0;            ///< 0 = max code + 1, computed by validate()

  std::size_t size() const noexcept { return customer.size(); }

  /// Checks equal lengths, codes < n_customers and finite amounts; fills n_customers when 0.
  /// Throws InvalidArgument naming the first offending row.
  TransactionsView validated(const char* function) const {
    TransactionsView v = *this;
    if (time.size() != customer.size())
      throw InvalidArgument(function, "time", "length " + std::to_string(time.size()),
                            "must equal customer length " + std::to_string(customer.size()));
    if (!amount.empty() && amount.size() != customer.size())
      throw InvalidArgument(function, "amount", "length " + std::to_string(amount.size()),
                            "must equal customer length " + std::to_string(customer.size()) +
                                " (or be empty)");
    std::uint32_t max_code = 0;
    for (std::uint32_t c : customer) max_code = c > max_code ? c : max_code;
    if (v.n_customers == 0) {
      v.n_customers = customer.empty() ? 0 : max_code + 1;
    } else if (!customer.empty() && max_code >= v.n_customers) {
      throw InvalidArgument(function, "customer", "code " + std::to_string(max_code),
                            "must be < n_customers = " + std::to_string(v.n_customers));
    }
    for (std::size_t i = 0; i < amount.size(); ++i) {
      const double a = amount[i];
      if (!(a - a == 0.0))  // NaN or infinity
        throw InvalidArgument(function, "amount", "row " + std::to_string(i) + " = " + std::to_string(a),
                              "must be finite");
    }
    return v;
  }
};

/// A named numeric column carried beside the core three (e.g. quantity).
struct NamedColumn {
  std::string name;
  std::vector<double> values;
};

/// Owned transactions, e.g. from io::read_transactions. view() hands out a TransactionsView valid
/// while the table lives and is not modified.
struct TransactionTable {
  Dictionary ids;                      ///< code -> original customer id
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  std::vector<NamedColumn> extra;
  TimeUnit time_unit = TimeUnit::Days;

  std::size_t size() const noexcept { return customer.size(); }

  TransactionsView view() const noexcept {
    return TransactionsView{customer, time, amount, time_unit,
                            static_cast<std::uint32_t>(ids.size())};
  }
};

}  // namespace crmkit::core
