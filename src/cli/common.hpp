// Shared pieces of the crmkit CLI: transaction options, date flags, and the output writer
// (csv / json / table). A subcommand reads its input with TransactionArgs, computes with the library,
// fills an OutputTable with columns and hands it to write_output().
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/core/table.hpp"
#include "crmkit/io/csv.hpp"

namespace crmkit::cli {

/// Exit codes: 0 ok, 1 data error (bad input file, unwritable output), 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitData = 1;
inline constexpr int kExitUsage = 2;

/// A usage error found after parsing (a flag's value is wrong): exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// The common transaction-input flags: --transactions, column choice, date format, header, delimiter,
/// --encoding, --skip-bad-rows, --order-col, --zero-amount-days.
struct TransactionArgs {
  std::string path;
  std::string customer_col, date_col, amount_col, date_format, delimiter = "auto", encoding = "utf-8";
  std::string order_col;                ///< --order-col: the lines of one order are one purchase
  std::string zero_amount_days = "keep";  ///< --zero-amount-days keep|drop
  bool no_header = false, header = false, skip_bad_rows = false;
  bool no_amount = false;  ///< --no-amount: an event log without amounts (only where allow_no_amount)

  /// Registers the flags; `allow_no_amount` adds --no-amount, for commands that work on frequency and
  /// recency alone (summary, track, analyze, survival, cohorts, churn features); `required`: whether
  /// --transactions must be given (not where a saved state can stand in for the log: summary).
  void add_to(CLI::App& app, bool allow_no_amount = false, bool required = true);
  /// The reader options these flags describe. Throws UsageError for bad values.
  io::ReadOptions options() const;
  /// Reads the file (or stdin for "-"); reports skipped rows on stderr. Throws IoError / ParseError
  /// (exit 1), UsageError (exit 2), Error when no transaction is left (exit 1) unless `allow_empty`
  /// (a day without sales added to a summary state).
  core::TransactionTable read(bool allow_empty = false) const;
};

/// --format and -o/--output.
struct OutputArgs {
  std::string format = "csv";
  std::string output;  ///< empty or "-" = stdout
  void add_to(CLI::App& app);
};

/// How the table format shows a numeric column (csv and json always print shortest round-trip).
struct Style {
  int decimals = 2;      ///< digits after the point for doubles
  bool percent = false;  ///< value * 100 with a '%' sign
  bool grouped = false;  ///< thousands separators (1,234,567.89)
  const char* nan_text = "nan";  ///< how NaN shows (e.g. "-" for "no value")
};

/// Column-oriented output: each column is a span over data that either the table owns (added as a
/// vector) or that outlives the table (added as a span). Integers print as integers, doubles with the
/// shortest text that reads back to the same value (std::to_chars), strings verbatim (quoted in CSV
/// only when needed, escaped in JSON).
class OutputTable {
 public:
  using Values = std::variant<std::span<const double>, std::span<const std::int64_t>,
                              std::span<const std::uint32_t>, std::span<const std::uint8_t>,
                              std::span<const std::string_view>>;
  struct Column {
    std::string name;
    Values values;
    Style style;
  };

  /// Borrowed: `values` must outlive the table.
  template <class T>
  void add(std::string name, std::span<const T> values, Style style = {}) {
    check_rows(values.size(), name);
    columns_.push_back({std::move(name), Values(values), style});
  }
  template <class T>
  void add(std::string name, const std::vector<T>& values, Style style = {}) {
    add(std::move(name), std::span<const T>(values), style);
  }
  /// Owned: the table keeps the vector.
  template <class T>
  void add(std::string name, std::vector<T>&& values, Style style = {}) {
    auto keep = std::make_shared<std::vector<T>>(std::move(values));
    add(std::move(name), std::span<const T>(*keep), style);
    owned_.push_back(std::move(keep));
  }

  /// A row appended under the table format only (e.g. totals), one cell text per column; "" = blank.
  void set_table_footer(std::vector<std::string> cells) { footer_ = std::move(cells); }

  const std::vector<Column>& columns() const noexcept { return columns_; }
  const std::vector<std::string>& table_footer() const noexcept { return footer_; }
  std::size_t rows() const noexcept { return rows_; }

 private:
  void check_rows(std::size_t n, const std::string& name);

  std::vector<Column> columns_;
  std::vector<std::shared_ptr<const void>> owned_;
  std::vector<std::string> footer_;
  std::size_t rows_ = 0;
};

/// Writes the table as CSV (header + rows), JSON (an array of row objects) or an aligned text table,
/// to stdout or the --output file. Throws IoError when the file cannot be written.
void write_output(const OutputTable& table, const OutputArgs& out);

/// Text of a number for the table format under `style` (exposed for footers).
std::string format_number(double v, const Style& style);

/// Makes an empty value of every --*-col flag of `app` and its subcommands a usage error (an explicit
/// empty name would otherwise mean "the default column"). main() calls it once all flags are added.
void refuse_empty_column_flags(CLI::App& app);

/// Parses a date flag (YYYY-MM-DD or YYYYMMDD) into days since 1970-01-01; throws UsageError naming
/// the flag and the text.
std::int64_t parse_date_flag(const std::string& text, const char* flag);

/// Customer ids of `codes` as views into the table's dictionary (valid while `tx` lives).
std::vector<std::string_view> customer_ids(const core::TransactionTable& tx, std::span<const std::uint32_t> codes);

/// Moves `value` into storage that lives until the process ends and returns it. main() ends a
/// successful run with std::_Exit after flushing, so what is kept is never destroyed: freeing millions
/// of small allocations (the id dictionary of a large log) costs more than writing the output.
std::vector<std::shared_ptr<const void>>& kept_until_exit();
template <class T>
const T& keep_until_exit(T&& value) {
  auto p = std::make_shared<std::decay_t<T>>(std::forward<T>(value));
  kept_until_exit().push_back(p);
  return *p;
}

/// Writes "crmkit: warning: <message>" on stderr.
void warn(std::string_view message);

/// A parent subcommand shared by several files (e.g. `crmkit churn features|train|score`): returns the
/// existing one of that name or creates it (requiring one of its subcommands). Call from add functions.
CLI::App& subcommand_group(CLI::App& root, const std::string& name, const std::string& description);

}  // namespace crmkit::cli
