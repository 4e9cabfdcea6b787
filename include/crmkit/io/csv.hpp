// Delimited-text ingestion of transaction logs into a TransactionTable.
//
// Delimiters: comma, tab, semicolon or runs of whitespace, detected from the first lines unless given.
// Quoted fields ("a, b" with "" as an escaped quote; nothing but blanks between the closing quote and
// the next delimiter), CRLF or LF line ends (a file of CR-only line ends is refused), an optional header
// (detected: a first row whose date field does not parse as a date is a header). Columns are chosen by
// name (header, case-insensitive) or by 1-based index. Numbers are parsed with fast_float.
//
// Errors are ParseError with file, 1-based line and column, the column's name, what was expected and
// the text found; IoError for a file that cannot be opened. With skip_bad_rows the bad rows are
// counted and the first few reported in ReadReport instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/table.hpp"
#include "crmkit/io/date.hpp"

namespace crmkit::io {

/// A column chosen by header name or by 1-based position.
struct ColumnRef {
  std::string name;  ///< used when index == 0
  int index = 0;     ///< 1-based; 0 = by name

  ColumnRef() = default;
  ColumnRef(const char* n) : name(n) {}  // NOLINT(google-explicit-constructor)
  ColumnRef(std::string n) : name(std::move(n)) {}  // NOLINT(google-explicit-constructor)
  ColumnRef(int i) : index(i) {}  // NOLINT(google-explicit-constructor)

  /// "3" -> index 3, anything else -> name.
  static ColumnRef parse(std::string_view text);
  bool empty() const noexcept { return index == 0 && name.empty(); }
  std::string describe() const;  ///< "column 3" or "column 'date'"
};

enum class Delimiter : char {
  Auto = 0,
  Comma = ',',
  Tab = '\t',
  Semicolon = ';',
  Whitespace = ' ',  ///< runs of spaces and tabs; leading and trailing blanks ignored
};

/// The text encoding of an input file. Ids and names must be valid UTF-8 (they are written back out,
/// e.g. into JSON); Latin1 transcodes every byte 0x80..0xFF to UTF-8 as the file is read.
enum class Encoding {
  Utf8,    ///< the default: a byte sequence that is not UTF-8 in an id or a header is a ParseError
  Latin1,  ///< ISO 8859-1
};

/// "utf-8" / "utf8" -> Utf8, "latin-1" / "latin1" / "iso-8859-1" -> Latin1 (ASCII case ignored);
/// anything else is an InvalidArgument naming the accepted words.
Encoding parse_encoding(std::string_view word);

/// What a day on which every one of a customer's transactions has amount 0 is (a free sample, a fully
/// discounted basket, a voided receipt). Keep: a purchase like any other, as lifetimes counts it (it
/// adds to frequency and recency and 0 to spend). Drop: not a purchase; its rows are removed before
/// anything is computed, and counted (ReadReport). A day with any non-zero amount is always kept whole.
enum class ZeroAmountDays {
  Keep,
  Drop,
};

/// "keep" -> Keep, "drop" -> Drop; anything else is an InvalidArgument naming the accepted words.
ZeroAmountDays parse_zero_amount_days(std::string_view word);

struct ReadOptions {
  /// Empty refs are resolved from the header by common names (case-insensitive):
  /// customer: customer_id, customer, customerid, client_id, user_id, id;
  /// date: date, datetime, timestamp, time, order_date, invoicedate, purchase_date, transaction_date;
  /// amount: amount, value, monetary, monetary_value, revenue, sales, spend, total, price, dollar_value.
  /// Files without a header need indices.
  ColumnRef customer{}, date{}, amount{};
  std::vector<ColumnRef> extra;       ///< further numeric columns to keep (e.g. quantity)
  bool require_amount = true;         ///< false: a missing amount column gives amounts of 0
  /// true: the log has no amounts (an event log): no amount column is read, even one named like one, and
  /// the table's amount column is empty. Contradicts a given `amount` (InvalidArgument).
  bool no_amount = false;
  std::optional<bool> header;         ///< nullopt = detect
  Delimiter delimiter = Delimiter::Auto;
  std::optional<DateFormat> date_format;  ///< nullopt = detect from the first rows
  bool skip_bad_rows = false;         ///< default: the first bad row is an error
  std::size_t max_reported_errors = 5;
  Encoding encoding = Encoding::Utf8;  ///< Utf8: ids that are not UTF-8 are an error; Latin1: transcoded
  /// An order (receipt, basket, invoice) column, for logs of receipt lines: the lines that share an
  /// order id are one purchase, folded into one transaction where the order's first line was. Its time
  /// is the earliest line's, its amount (and each extra column) the lines' sum. An order whose lines
  /// name two customers, or fall on two days, is a ParseError naming both lines; an empty order id is
  /// a bad row. Empty: every row is a purchase. Orders are read on the general (slower) row path.
  ColumnRef order{};
  /// Days whose amounts are all 0: kept as purchases (the default) or dropped (see ZeroAmountDays);
  /// Drop needs amounts. Applied after orders are folded.
  ZeroAmountDays zero_amount_days = ZeroAmountDays::Keep;
  /// The data rows are parsed in chunks of whole lines on up to max_threads() threads. 0 (the
  /// default): one chunk per thread, at least 4 MiB each, so small inputs take one thread; n > 0:
  /// chunks of about n bytes (for tests and tuning). The result, the report and any error are the same
  /// for every value and every thread count.
  std::size_t chunk_bytes = 0;
};

struct ReadReport {
  std::size_t rows_read = 0;       ///< data rows kept
  std::size_t rows_skipped = 0;    ///< bad rows skipped (skip_bad_rows only)
  std::vector<std::string> first_errors;  ///< messages of the first skipped rows
  char delimiter = ',';            ///< as used (' ' for whitespace)
  bool header = false;             ///< as used
  DateFormat date_format{};        ///< as used
  std::size_t bytes = 0;           ///< input size
  /// Rows of the table returned: rows_read, less lines_folded and zero_amount_rows_dropped.
  std::size_t transactions = 0;
  std::size_t orders = 0;          ///< distinct order ids (order column only)
  std::size_t lines_folded = 0;    ///< lines merged into an earlier line of their order
  std::size_t zero_amount_days_dropped = 0;   ///< customer-days dropped (ZeroAmountDays::Drop)
  std::size_t zero_amount_rows_dropped = 0;   ///< the transactions on them
  std::size_t customers_dropped = 0;          ///< customers left with no transaction by the drop
};

/// Reads a file. Throws IoError (cannot open), ParseError (bad content), InvalidArgument (bad options).
core::TransactionTable read_transactions(const std::string& path, const ReadOptions& options = {},
                                         ReadReport* report = nullptr);

/// Reads text already in memory; `source` names it in error messages.
core::TransactionTable parse_transactions(std::string_view text, const ReadOptions& options = {},
                                          std::string_view source = "<memory>",
                                          ReadReport* report = nullptr);

}  // namespace crmkit::io
