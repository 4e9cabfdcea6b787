// Shared pieces of the crmkit CLI: transaction options, output writing (csv / json / table).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "crmkit/core/table.hpp"
#include "crmkit/io/csv.hpp"

namespace crmkit::cli {

/// Exit codes: 0 ok, 1 data error (bad input file, no result), 2 usage error.
inline constexpr int kExitData = 1;
inline constexpr int kExitUsage = 2;

struct TransactionArgs {
  std::string path;
  std::string customer_col, date_col, amount_col, date_format, delimiter = "auto";
  bool no_header = false, header = false, skip_bad_rows = false;

  void add_to(CLI::App& app);
  /// Reads the file (or stdin for "-"); reports skipped rows on stderr.
  core::TransactionTable read(bool quiet = false) const;
};

struct OutputArgs {
  std::string format = "csv";
  std::string output;  // empty = stdout
  void add_to(CLI::App& app, bool table_default = false);
};

/// A column of output: doubles, integers or strings.
struct Column {
  std::string name;
  std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::string>> values;
  int table_decimals = 2;  ///< for the table format only; csv/json use shortest round-trip
  bool percent = false;    ///< table format: print as a percentage
};

/// Writes the columns as CSV (header + rows), JSON (an array of row objects) or an aligned table.
void write_table(const std::vector<Column>& cols, const OutputArgs& out);

/// Parses a date option (YYYY-MM-DD or YYYYMMDD) into days; throws InvalidArgument naming the flag.
std::int64_t parse_date_flag(const std::string& text, const char* flag);

}  // namespace crmkit::cli
