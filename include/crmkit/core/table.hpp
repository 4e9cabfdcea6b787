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

/// Day number (days since 1970-01-01) of a time value; floors, so times before the epoch work (for
/// every int64, INT64_MIN included).
constexpr std::int64_t to_day(std::int64_t t, TimeUnit unit) noexcept {
  if (unit == TimeUnit::Days) return t;
  return t / seconds_per_day - (t % seconds_per_day < 0 ? 1 : 0);
}

/// The days a transaction may fall on: 0001-01-01 to 9999-12-31 (the dates crmkit reads and writes).
/// Outside them, durations and period counts would overflow; such a time is refused, not wrapped.
inline constexpr std::int64_t kMinDay = -719162;  // 0001-01-01
inline constexpr std::int64_t kMaxDay = 2932896;  // 9999-12-31

/// The largest amount (in magnitude) a transaction may have: 1e290, so that no sum of up to 2^32
/// amounts can overflow a double (each customer's spend stays finite).
inline constexpr double kMaxAmount = 1e290;

/// Codes must be dense: every pass keeps state for each code below n_customers, so n_customers may exceed
/// the number of rows by at most this many codes without a transaction (2^24, about 0.5 GB of state at
/// most; one stray code of 2^31 in a 3-row log asked for tens of GB and ran the host out of memory).
inline constexpr std::uint64_t kMaxUnusedCodes = std::uint64_t{1} << 24;

/// Throws InvalidArgument unless `day` (a day number, e.g. an observation end) lies in kMinDay..kMaxDay.
inline void check_day(const char* function, const char* argument, std::int64_t day) {
  if (day < kMinDay || day > kMaxDay)
    throw InvalidArgument(function, argument, std::to_string(day),
                          "must be a day number from -719162 to 2932896 (0001-01-01 to 9999-12-31)");
}

/// One transaction per row. Columns are caller-owned and must outlive every call that takes the view.
struct TransactionsView {
  std::span<const std::uint32_t> customer;  ///< dense codes, each < n_customers (< 2^32 - 1)
  std::span<const std::int64_t> time;       ///< in `time_unit`, on a day from kMinDay to kMaxDay
  std::span<const double> amount;           ///< may be empty: every amount is then 0; else |amount| <= kMaxAmount
  TimeUnit time_unit = TimeUnit::Days;
  std::uint32_t n_customers = 0;            ///< 0 = max code + 1, computed by validate()

  std::size_t size() const noexcept { return customer.size(); }

  /// Checks equal lengths, codes < n_customers, times on days kMinDay..kMaxDay and amounts finite and
  /// at most kMaxAmount in magnitude; fills n_customers when 0. Throws InvalidArgument naming the first
  /// offending row by its 0-based index.
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
    std::size_t max_at = 0;
    for (std::size_t i = 0; i < customer.size(); ++i) {
      if (customer[i] > max_code) {
        max_code = customer[i];
        max_at = i;
      }
    }
    if (v.n_customers == 0) {
      if (max_code == UINT32_MAX)
        throw InvalidArgument(function, "customer[" + std::to_string(max_at) + "]", std::to_string(max_code),
                              "a customer code must be below 4294967295 (2^32 - 1); codes count customers from 0");
      v.n_customers = customer.empty() ? 0 : max_code + 1;
      if (v.n_customers > customer.size() + kMaxUnusedCodes)
        throw InvalidArgument(function, "customer[" + std::to_string(max_at) + "]", std::to_string(max_code),
                              "codes must be dense (0 to n_customers - 1): this one leaves " +
                                  std::to_string(v.n_customers - customer.size()) + " or more codes without a "
                                  "transaction, more than 16777216; re-code the customers (e.g. numpy.unique(codes, "
                                  "return_inverse=True))");
    } else if (v.n_customers > customer.size() + kMaxUnusedCodes) {
      throw InvalidArgument(function, "n_customers", std::to_string(v.n_customers),
                            "codes must be dense: at most 16777216 more customers than the " +
                                std::to_string(customer.size()) + " rows");
    } else if (!customer.empty() && max_code >= v.n_customers) {
      for (std::size_t i = 0; i < customer.size(); ++i)
        if (customer[i] >= v.n_customers)
          throw InvalidArgument(function, "customer[" + std::to_string(i) + "]", std::to_string(customer[i]),
                                "must be < n_customers = " + std::to_string(v.n_customers));
    }
    for (std::size_t i = 0; i < time.size(); ++i) {
      const std::int64_t d = to_day(time[i], time_unit);
      if (d < kMinDay || d > kMaxDay)
        throw InvalidArgument(function, "time[" + std::to_string(i) + "]", std::to_string(time[i]),
                              std::string("must fall on a date from 0001-01-01 to 9999-12-31 (") +
                                  (time_unit == TimeUnit::Days ? "days -719162 to 2932896 since 1970-01-01"
                                                               : "seconds -62135596800 to 253402300799 since the epoch") +
                                  ")");
    }
    for (std::size_t i = 0; i < amount.size(); ++i) {
      const double a = amount[i];
      if (!(a <= kMaxAmount && a >= -kMaxAmount))  // NaN, infinities, and amounts whose sums could overflow
        throw InvalidArgument(function, "amount[" + std::to_string(i) + "]", number_text(a),
                              "must be finite and at most 1e290 in magnitude");
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
