// Customer-keyed summary state: the per-customer sufficient statistics behind a CustomerSummary, keyed
// by the original customer id, so that states computed in separate processes, or on separate days,
// combine exactly without a shared id dictionary.
//
// A state holds, per customer: the first and last purchase day, the distinct purchase days, the rows,
// and the running sums of all amounts and of the amounts after the first day, accumulated row by row
// in (day, row) order exactly as summarize() accumulates them. Its summary at any period is therefore
// bitwise the summary of the rows it holds:
//
//   State::from_transactions(tx, end).summary(p)  ==  summarize(tx, {p, end})
//   from_transactions(old).add(new)               ==  from_transactions(old rows, then new rows)
//   merge(a, b)                                   ==  from_transactions(a's rows, then b's rows)
//
// for customers in the order of their first appearance. A refresh adds the transactions of later days:
// for a customer the state already holds, a transaction before the customer's last purchase day cannot
// be added exactly (the sums would run in another order) and is an error naming the customer; a merge
// takes states of disjoint customers (a customer in both is an error). The observation end only moves
// forward: a refresh's end is the one given, else the later of the state's and the last new day; a
// merge's is the later of the two.
//
// The file format (docs/data-formats.md, "Summary state files") is versioned and checked: a header
// with magic, version and counts and a CRC-32 over the header and over the body; a truncated, corrupt
// or inconsistent file is a ParseError naming what was found.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/ids.hpp"
#include "crmkit/core/table.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::summary {

/// What building or refreshing a state did with its input rows.
struct StateReport {
  std::size_t rows_added = 0;      ///< rows now held (on or before the observation end)
  std::size_t rows_after_end = 0;  ///< rows after the observation end: left out, not held
  std::size_t customers_new = 0;   ///< customers the state did not hold before
};

class State {
 public:
  /// File format version written by save() and serialize(); load() reads versions 1..kVersion.
  static constexpr std::uint32_t kVersion = 1;

  /// An empty state observed up to `observation_end` (a day number).
  explicit State(std::int64_t observation_end = 0);

  /// The original id of a customer code of a TransactionsView (every id non-empty UTF-8, else the
  /// state refuses it: it is written to files and merged by).
  using IdOf = std::function<std::string(std::uint32_t)>;

  /// The state of the rows of `tx` on or before the observation end (given, else the last row's day).
  /// Throws InvalidArgument as summarize() does (an empty table needs an observation end).
  static State from_transactions(const core::TransactionTable& tx, std::optional<std::int64_t> observation_end = {},
                                 StateReport* report = nullptr);
  static State from_transactions(const core::TransactionsView& tx, const IdOf& id_of,
                                 std::optional<std::int64_t> observation_end = {}, StateReport* report = nullptr);

  /// Adds the rows of `tx` (a refresh): rows after the new observation end are left out and counted.
  /// The new end is `observation_end` when given (not before the state's: InvalidArgument), else the
  /// later of the state's and the last row's day. Throws InvalidArgument, leaving the state unchanged,
  /// for a row of a held customer dated before that customer's last purchase day.
  void add(const core::TransactionTable& tx, std::optional<std::int64_t> observation_end = {},
           StateReport* report = nullptr);
  void add(const core::TransactionsView& tx, const IdOf& id_of, std::optional<std::int64_t> observation_end = {},
           StateReport* report = nullptr);

  /// The union of two states of disjoint customers (a's customers first). Throws InvalidArgument naming
  /// a customer held by both.
  static State merge(const State& a, const State& b);

  /// The summary of the held rows at `period`, one row per customer in state order; its customer codes
  /// index ids().
  CustomerSummary summary(Period period = Period::Day) const;

  const core::Dictionary& ids() const noexcept { return ids_; }
  std::int64_t observation_end() const noexcept { return observation_end_; }
  std::size_t size() const noexcept { return first_.size(); }
  /// Rows held (the sum of every customer's rows).
  std::uint64_t rows() const noexcept { return rows_held_; }
  /// Whether the rows had amounts (false: built from an event log; every spend is 0 by definition).
  /// States of both kinds do not mix: a refresh or merge across them is an InvalidArgument.
  bool amounts() const noexcept { return amounts_; }

  /// The state as bytes in the file format, and back. deserialize() throws ParseError naming `source`.
  std::string serialize() const;
  static State deserialize(std::string_view bytes, std::string_view source = "<memory>");

  /// Writes the file (to a temporary file renamed into place, so a reader never sees half a state);
  /// throws IoError. load() throws IoError (cannot read) or ParseError (not a valid state file).
  void save(const std::string& path) const;
  static State load(const std::string& path);

  /// Equal ids in equal order, equal records (bitwise) and equal observation ends.
  friend bool operator==(const State& a, const State& b);

 private:
  void append(std::string_view id, std::int64_t first, std::int64_t last, std::uint32_t distinct, std::uint32_t rows,
              double total, double repeat);

  core::Dictionary ids_;  // customer id -> its row
  std::vector<std::int64_t> first_, last_;
  std::vector<std::uint32_t> distinct_, rows_;
  std::vector<double> total_, repeat_;
  std::int64_t observation_end_ = 0;
  std::uint64_t rows_held_ = 0;
  bool amounts_ = true;
};

}  // namespace crmkit::summary
