// Generic delimited tables: a CSV read once into memory, with typed column accessors that report the
// position of every bad cell. Used for every input that is not a transaction log: summary files,
// cohort counts, feature tables, surveys, interactions, scores. docs/data-formats.md.
//
//   io::CsvTable t = io::read_table("summary.csv");
//   const std::size_t x = t.require({"frequency", "x"}, "the frequency column");
//   std::vector<double> freq = t.numbers(x);   // ParseError "summary.csv:7:2: column 'frequency': ..."
//
// Cells are views into the table's own buffer (quoted fields are unescaped into a side buffer); the
// table owns all memory. Rows are the non-blank lines after the header; a row with a different number
// of fields than the header is a ParseError when the table is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/ids.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/date.hpp"

namespace crmkit::io {

struct TableReadOptions {
  Delimiter delimiter = Delimiter::Auto;  ///< Auto: tab, semicolon or comma if used consistently, else whitespace
  /// true: the first non-blank line names the columns (default). false: no header; columns are named
  /// "1", "2", ... by 1-based position. nullopt: a header unless every field of the first line is a number.
  std::optional<bool> header = true;
  /// Utf8: any byte sequence in the file that is not UTF-8 is a ParseError naming its line and field;
  /// Latin1: the text is transcoded to UTF-8 when read.
  Encoding encoding = Encoding::Utf8;
};

/// What a blank (empty or all-space) numeric cell becomes.
enum class Blank {
  Error,  ///< a ParseError naming the cell
  NaN,    ///< quiet NaN (the caller's missing-value policy decides)
};

class CsvTable {
 public:
  std::size_t rows() const noexcept { return row_line_.size(); }
  std::size_t cols() const noexcept { return header_.size(); }
  const std::vector<std::string>& header() const noexcept { return header_; }
  /// The file path (or the source name given to parse_table), used in every message.
  const std::string& source() const noexcept { return source_; }
  char delimiter() const noexcept { return delimiter_; }

  /// The column whose trimmed name equals one of the aliases, ignoring ASCII case. Two different
  /// columns matching (e.g. both "frequency" and "x") is a ParseError naming both: never the first wins.
  std::optional<std::size_t> find(std::initializer_list<std::string_view> aliases) const;
  std::optional<std::size_t> find(const std::vector<std::string>& aliases) const;
  /// As find(), or a ParseError "FILE:LINE: expected <what> (a column named a, b or c), found header: ...".
  std::size_t require(std::initializer_list<std::string_view> aliases, std::string_view what) const;
  std::size_t require(const std::vector<std::string>& aliases, std::string_view what) const;

  /// The cell's text (unquoted, not trimmed). row < rows(), col < cols().
  std::string_view cell(std::size_t row, std::size_t col) const;
  /// The 1-based physical line of a row (for messages).
  std::int64_t line(std::size_t row) const;

  /// Finite numbers (surrounding blanks and a leading '+' allowed). NaN/inf text is an error.
  std::vector<double> numbers(std::size_t col, Blank blank = Blank::Error) const;
  /// Whole numbers that fit in int64 ("3", "3.0" and "+3" accepted; "3.5" is an error).
  std::vector<std::int64_t> integers(std::size_t col) const;
  /// Days since 1970-01-01; the format is detected by majority over the first 100 cells unless given.
  /// Date-times are floored to their UTC day.
  std::vector<std::int64_t> days(std::size_t col, std::optional<DateFormat> format = {}) const;
  /// 1/0 from 1, 0, true, false, yes, no, t, f, y, n (ASCII case ignored, blanks trimmed).
  std::vector<std::int8_t> booleans(std::size_t col) const;
  /// Trimmed copies of the cells.
  std::vector<std::string> strings(std::size_t col) const;
  /// strings() of an id column that holds one row per id: an empty id or an id on two rows is a
  /// ParseError naming the id and both lines.
  std::vector<std::string> ids(std::size_t col) const;
  /// Dictionary codes of the trimmed cells (dict may already hold ids; codes then agree). Empty ids are
  /// an error.
  std::vector<std::uint32_t> encode(std::size_t col, core::Dictionary& dict) const;
  /// True when every non-blank cell parses as a finite number (and at least one does).
  bool is_numeric(std::size_t col) const;
  /// True when the cell is empty or only blanks.
  bool is_blank(std::size_t row, std::size_t col) const;

  /// Throws ParseError at FILE:LINE:COLUMN naming the column, what was expected and the cell's text.
  [[noreturn]] void fail(std::size_t row, std::size_t col, std::string_view expected) const;

 private:
  friend CsvTable parse_owned(std::string, const TableReadOptions&, std::string);

  std::string source_;
  std::string text_;     // the input (owned when read from a file or parse_table's copy)
  std::string unquoted_; // unescaped quoted fields
  char delimiter_ = ',';
  std::int64_t header_line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::int64_t> row_line_;
  // Field (row, col) is fields_[row * cols + col]: offset and length into text_, or into unquoted_
  // when the field was quoted.
  struct Field {
    std::uint64_t offset;
    std::uint32_t len;
    bool quoted;
  };
  std::vector<Field> fields_;
};

/// Internal: parse_table over text the table takes over (no copy).
CsvTable parse_owned(std::string text, const TableReadOptions& options, std::string source);

/// Reads a delimited file. IoError for a missing/unreadable file or a directory; ParseError for an
/// empty file, malformed quoting (no closing quote, text after it), a ragged row, a header naming a
/// column twice, CR-only line ends, or bytes that are not UTF-8 (unless options.encoding is Latin1).
CsvTable read_table(const std::string& path, const TableReadOptions& options = {});
/// The same over text in memory (copied); `source` names it in messages.
CsvTable parse_table(std::string_view text, const TableReadOptions& options = {}, std::string source = "<text>");

}  // namespace crmkit::io
