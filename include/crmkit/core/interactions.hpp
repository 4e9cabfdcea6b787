// Interaction tables: InteractionsView (caller-owned columns, zero-copy) and InteractionTable (owned
// columns, as produced by io::read_interactions, handing out the same view). docs/data-formats.md.
//
// One row per customer contact: customer code, time, channel and kind (dictionary-encoded), and the
// optional measurements CSAT (1..5), first-response time in minutes and resolved-on-first-contact.
// Customer codes index the same dictionary as a transaction table's when both are loaded together
// (io::read_interactions with the transaction table's dictionary), so churn indicators can join them.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/core/table.hpp"

namespace crmkit::core {

/// Columns over caller memory; every optional column may be empty (= not measured). Within a column,
/// NaN (csat, first_response_minutes) and -1 (resolved_first_contact) mark a row without a value.
struct InteractionsView {
  std::span<const std::uint32_t> customer;  ///< dense codes, each < n_customers
  std::span<const std::int64_t> time;       ///< in `time_unit`
  std::span<const std::uint32_t> channel;   ///< codes into channel_names (empty = no channel column)
  std::span<const std::uint32_t> kind;      ///< codes into kind_names (empty = no kind column)
  std::span<const double> csat;             ///< 1..5, NaN = no answer
  std::span<const double> first_response_minutes;        ///< >= 0, NaN = unknown
  std::span<const std::int8_t> resolved_first_contact;   ///< 1, 0, or -1 = unknown
  std::span<const std::string> channel_names;
  std::span<const std::string> kind_names;
  TimeUnit time_unit = TimeUnit::Days;
  std::uint32_t n_customers = 0;  ///< 0 = max code + 1, computed by validated()

  std::size_t size() const noexcept { return customer.size(); }

  /// Checks lengths (each optional column empty or as long as customer), codes against n_customers and
  /// the name lists, CSAT in 1..5 (or NaN), response times >= 0 (or NaN), flags in {-1, 0, 1}; fills
  /// n_customers when 0. Throws InvalidArgument naming the column and the first offending row.
  InteractionsView validated(const char* function) const {
    InteractionsView v = *this;
    const std::size_t n = customer.size();
    auto len = [&](std::size_t m, const char* name) {
      if (m != 0 && m != n)
        throw InvalidArgument(function, name, "length " + std::to_string(m),
                              "must equal customer length " + std::to_string(n) + " (or be empty)");
    };
    if (time.size() != n)
      throw InvalidArgument(function, "time", "length " + std::to_string(time.size()),
                            "must equal customer length " + std::to_string(n));
    len(channel.size(), "channel");
    len(kind.size(), "kind");
    len(csat.size(), "csat");
    len(first_response_minutes.size(), "first_response_minutes");
    len(resolved_first_contact.size(), "resolved_first_contact");
    std::uint32_t max_code = 0;
    for (std::uint32_t c : customer) max_code = c > max_code ? c : max_code;
    if (v.n_customers == 0) {
      v.n_customers = n == 0 ? 0 : max_code + 1;
    } else if (n > 0 && max_code >= v.n_customers) {
      throw InvalidArgument(function, "customer", "code " + std::to_string(max_code),
                            "must be < n_customers = " + std::to_string(v.n_customers));
    }
    auto codes = [&](std::span<const std::uint32_t> c, std::size_t names, const char* name) {
      for (std::size_t i = 0; i < c.size(); ++i)
        if (c[i] >= names) {
          std::string arg = name;
          arg += "[";
          arg += std::to_string(i);
          arg += "]";
          throw InvalidArgument(function, arg, std::to_string(c[i]),
                                "must be < the number of names, " + std::to_string(names));
        }
    };
    codes(channel, channel_names.size(), "channel");
    codes(kind, kind_names.size(), "kind");
    for (std::size_t i = 0; i < csat.size(); ++i) {
      const double s = csat[i];
      if (!std::isnan(s) && !(s >= 1.0 && s <= 5.0))
        throw InvalidArgument(function, "csat[" + std::to_string(i) + "]", std::to_string(s),
                              "must be in 1..5 or NaN (no answer)");
    }
    for (std::size_t i = 0; i < first_response_minutes.size(); ++i) {
      const double m = first_response_minutes[i];
      if (!std::isnan(m) && !(m >= 0.0 && m < INFINITY))
        throw InvalidArgument(function, "first_response_minutes[" + std::to_string(i) + "]", std::to_string(m),
                              "must be finite and >= 0, or NaN (unknown)");
    }
    for (std::size_t i = 0; i < resolved_first_contact.size(); ++i) {
      const int f = resolved_first_contact[i];
      if (f < -1 || f > 1)
        throw InvalidArgument(function, "resolved_first_contact[" + std::to_string(i) + "]", std::to_string(f),
                              "must be 1, 0 or -1 (unknown)");
    }
    return v;
  }
};

/// Owned interactions, e.g. from io::read_interactions. view() is valid while the table lives and is
/// not modified. When read with a shared dictionary, `ids` holds a copy of it after reading (the
/// transaction table's customers first, with the same codes, then customers seen only here).
struct InteractionTable {
  Dictionary ids;       ///< customer code -> id
  std::vector<std::string> channel_names, kind_names;
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<std::uint32_t> channel, kind;            ///< empty when the file has no such column
  std::vector<double> csat, first_response_minutes;    ///< empty when the file has no such column
  std::vector<std::int8_t> resolved_first_contact;     ///< empty when the file has no such column
  TimeUnit time_unit = TimeUnit::Days;

  std::size_t size() const noexcept { return customer.size(); }

  InteractionsView view() const noexcept {
    InteractionsView v;
    v.customer = customer;
    v.time = time;
    v.channel = channel;
    v.kind = kind;
    v.csat = csat;
    v.first_response_minutes = first_response_minutes;
    v.resolved_first_contact = resolved_first_contact;
    v.channel_names = channel_names;
    v.kind_names = kind_names;
    v.time_unit = time_unit;
    v.n_customers = static_cast<std::uint32_t>(ids.size());
    return v;
  }
};

}  // namespace crmkit::core
