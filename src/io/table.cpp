// Generic delimited tables (io/table.hpp): one pass splits the text into field offsets; typed accessors
// convert a column on demand and name the cell of any failure.
#include "crmkit/io/table.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "crmkit/core/error.hpp"
#include "text.hpp"

namespace crmkit::io {

namespace {

using namespace detail;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<double> to_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string alias_list(const std::vector<std::string_view>& aliases) {
  std::string out;
  for (std::size_t i = 0; i < aliases.size(); ++i) {
    if (i) out += i + 1 == aliases.size() ? " or " : ", ";
    out += aliases[i];
  }
  return out;
}

}  // namespace

std::optional<std::size_t> CsvTable::find(std::initializer_list<std::string_view> aliases) const {
  return find(std::vector<std::string>(aliases.begin(), aliases.end()));
}

std::optional<std::size_t> CsvTable::find(const std::vector<std::string>& aliases) const {
  // Aliases name one idea: two of them present is ambiguous, never "the first wins".
  std::optional<std::size_t> found;
  for (const auto& a : aliases)
    for (std::size_t c = 0; c < header_.size(); ++c) {
      if (!iequal(trim(header_[c]), trim(a))) continue;
      if (found && *found != c) {
        const std::size_t x = std::min(*found, c), y = std::max(*found, c);
        throw ParseError(source_, header_line_, static_cast<std::int64_t>(y + 1), "",
                         "one column of " + alias_list(std::vector<std::string_view>(aliases.begin(), aliases.end())) +
                             " (they name the same thing; drop or rename one)",
                         "\"" + shorten(header_[x]) + "\" at column " + std::to_string(x + 1) + " and \"" +
                             shorten(header_[y]) + "\" at column " + std::to_string(y + 1));
      }
      found = c;
    }
  return found;
}

std::size_t CsvTable::require(std::initializer_list<std::string_view> aliases, std::string_view what) const {
  return require(std::vector<std::string>(aliases.begin(), aliases.end()), what);
}

std::size_t CsvTable::require(const std::vector<std::string>& aliases, std::string_view what) const {
  if (auto c = find(aliases)) return *c;
  std::vector<std::string_view> v(aliases.begin(), aliases.end());
  std::string found = header_list(header_);
  if (rows() == 0) found += " (the only line: the file has no data rows)";
  throw ParseError(source_, header_line_, 0, "", std::string(what) + " (a column named " + alias_list(v) + ")", found);
}

std::string_view CsvTable::cell(std::size_t row, std::size_t col) const {
  if (row >= rows() || col >= cols())
    throw InvalidArgument("CsvTable::cell", "row, col", std::to_string(row) + ", " + std::to_string(col),
                          "must be < " + std::to_string(rows()) + ", " + std::to_string(cols()));
  const Field& f = fields_[row * cols() + col];
  const std::string& base = f.quoted ? unquoted_ : text_;
  return std::string_view(base.data() + f.offset, f.len);
}

std::int64_t CsvTable::line(std::size_t row) const {
  if (row >= rows())
    throw InvalidArgument("CsvTable::line", "row", std::to_string(row), "must be < " + std::to_string(rows()));
  return row_line_[row];
}

bool CsvTable::is_blank(std::size_t row, std::size_t col) const { return trim(cell(row, col)).empty(); }

void CsvTable::fail(std::size_t row, std::size_t col, std::string_view expected) const {
  throw ParseError(source_, line(row), static_cast<std::int64_t>(col + 1), col < cols() ? header_[col] : "",
                   std::string(expected), shorten(cell(row, col)));
}

std::vector<double> CsvTable::numbers(std::size_t col, Blank blank) const {
  std::vector<double> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::string_view s = cell(r, col);
    if (auto v = to_number(s)) {
      out[r] = *v;
    } else if (blank == Blank::NaN && trim(s).empty()) {
      out[r] = std::numeric_limits<double>::quiet_NaN();
    } else {
      fail(r, col, blank == Blank::NaN ? "a finite number or a blank" : "a finite number");
    }
  }
  return out;
}

std::vector<std::int64_t> CsvTable::integers(std::size_t col) const {
  std::vector<std::int64_t> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    const auto v = to_number(cell(r, col));
    if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.007199254740992e15) fail(r, col, "a whole number");
    out[r] = static_cast<std::int64_t>(*v);
  }
  return out;
}

std::vector<std::int64_t> CsvTable::days(std::size_t col, std::optional<DateFormat> format) const {
  std::vector<std::int64_t> out(rows());
  if (rows() == 0) return out;
  DateFormat fmt;
  if (format) {
    fmt = *format;
  } else {
    // The named format most of the first 100 cells match wins (as for transaction logs).
    std::size_t best_count = 0;
    bool found = false;
    const std::size_t n = std::min<std::size_t>(rows(), 100);
    for (auto k : {DateFormat::Kind::Yyyymmdd, DateFormat::Kind::IsoDate, DateFormat::Kind::IsoDateTime,
                   DateFormat::Kind::UnixSeconds}) {
      DateFormat f;
      f.kind = k;
      std::size_t count = 0;
      for (std::size_t r = 0; r < n; ++r) count += parse_date(trim(cell(r, col)), f).has_value();
      if (count > best_count) {
        best_count = count;
        fmt = f;
        found = true;
      }
    }
    if (!found) fail(0, col, "a date (YYYYMMDD, YYYY-MM-DD, ISO 8601 date-time or Unix seconds)");
  }
  const bool seconds = fmt.has_time();
  for (std::size_t r = 0; r < rows(); ++r) {
    const auto v = parse_date(trim(cell(r, col)), fmt);
    if (!v) fail(r, col, fmt.describe());
    // floor division to whole days
    out[r] = seconds ? (*v >= 0 ? *v / 86400 : -((-*v + 86399) / 86400)) : *v;
  }
  return out;
}

std::vector<std::int8_t> CsvTable::booleans(std::size_t col) const {
  std::vector<std::int8_t> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::string_view s = trim(cell(r, col));
    if (iequal(s, "1") || iequal(s, "true") || iequal(s, "yes") || iequal(s, "t") || iequal(s, "y")) {
      out[r] = 1;
    } else if (iequal(s, "0") || iequal(s, "false") || iequal(s, "no") || iequal(s, "f") || iequal(s, "n")) {
      out[r] = 0;
    } else {
      fail(r, col, "a boolean (0/1, true/false, yes/no)");
    }
  }
  return out;
}

std::vector<std::string> CsvTable::strings(std::size_t col) const {
  std::vector<std::string> out;
  out.reserve(rows());
  for (std::size_t r = 0; r < rows(); ++r) out.emplace_back(trim(cell(r, col)));
  return out;
}

std::vector<std::string> CsvTable::ids(std::size_t col) const {
  std::vector<std::string> out = strings(col);
  std::unordered_map<std::string_view, std::size_t> seen;
  seen.reserve(out.size());
  for (std::size_t r = 0; r < out.size(); ++r) {
    if (out[r].empty()) fail(r, col, "a non-empty id");
    const auto [it, fresh] = seen.emplace(out[r], r);
    if (!fresh)
      throw ParseError(source_, line(r), static_cast<std::int64_t>(col + 1), header_[col],
                       "each id on one row only",
                       "\"" + shorten(out[r]) + "\" on lines " + std::to_string(line(it->second)) + " and " +
                           std::to_string(line(r)));
  }
  return out;
}

std::vector<std::uint32_t> CsvTable::encode(std::size_t col, core::Dictionary& dict) const {
  std::vector<std::uint32_t> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::string_view s = trim(cell(r, col));
    if (s.empty()) fail(r, col, "a non-empty id");
    out[r] = dict.encode(s);
  }
  return out;
}

bool CsvTable::is_numeric(std::size_t col) const {
  bool any = false;
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::string_view s = cell(r, col);
    if (trim(s).empty()) continue;
    if (!to_number(s)) return false;
    any = true;
  }
  return any;
}

CsvTable parse_owned(std::string text, const TableReadOptions& options, std::string source);

CsvTable parse_table(std::string_view text, const TableReadOptions& options, std::string source) {
  return parse_owned(std::string(text), options, std::move(source));
}

CsvTable parse_owned(std::string text, const TableReadOptions& options, std::string source) {
  CsvTable t;
  t.source_ = std::move(source);
  t.text_ = std::move(text);
  if (options.encoding == Encoding::Latin1 && has_non_ascii(t.text_)) t.text_ = latin1_to_utf8(t.text_);
  std::string_view body = t.text_;
  std::size_t bom = 0;
  if (body.size() >= 3 && std::memcmp(body.data(), "\xEF\xBB\xBF", 3) == 0) bom = 3;
  body.remove_prefix(bom);
  check_line_ends(body, t.source_);

  std::vector<std::string_view> sample;
  {
    LineReader lr(body);
    Line l;
    while (sample.size() < 20 && lr.next(l))
      if (!detail::is_blank(l.text)) sample.push_back(l.text);
  }
  if (sample.empty()) throw ParseError(t.source_, 1, 0, "", "a header line", "an empty file");
  t.delimiter_ = options.delimiter == Delimiter::Auto ? detect_delimiter(sample) : static_cast<char>(options.delimiter);

  // Every cell may be written back out (ids, channels, names): the whole text must be UTF-8.
  if (const std::size_t bad = first_invalid_utf8(body); bad != std::string_view::npos)
    throw utf8_error(t.source_, body, bad, t.delimiter_, "",
                     "if the file is Latin-1, convert it (iconv -f latin1 -t utf-8) or read it with encoding latin-1");

  Splitter splitter(t.delimiter_);
  LineReader lines(body);
  Line line;
  std::vector<std::string_view> fields;
  auto bad_quote = [&](const Line& l) { return quote_error(t.source_, l.number, splitter.error()); };
  while (lines.next(line) && detail::is_blank(line.text)) {}
  if (!splitter.split(line.text, fields)) throw bad_quote(line);

  bool header = true;
  if (options.header) {
    header = *options.header;
  } else {
    header = !std::all_of(fields.begin(), fields.end(), [](std::string_view f) { return to_number(f).has_value(); });
  }
  const std::size_t n_cols = fields.size();
  t.header_.resize(n_cols);
  for (std::size_t c = 0; c < n_cols; ++c)
    t.header_[c] = header ? trim_copy(fields[c]) : std::to_string(c + 1);
  t.header_line_ = line.number;
  if (header) check_unique_names(t.header_, t.source_, line.number);

  // Offsets of fields: views into `body` (a substring of text_) or into the splitter's scratch.
  const char* const text_begin = t.text_.data();
  const char* const text_end = text_begin + t.text_.size();
  auto add_row = [&](const Line& l) {
    if (fields.size() != n_cols)
      throw ParseError(t.source_, l.number, static_cast<std::int64_t>(std::min(fields.size(), n_cols) + 1), "",
                       std::to_string(n_cols) + " fields (as the " + (header ? "header" : "first line") + ")",
                       std::to_string(fields.size()) + " fields in '" + shorten(l.text) + "'");
    t.row_line_.push_back(l.number);
    for (auto f : fields) {
      if (f.data() >= text_begin && f.data() + f.size() <= text_end && !f.empty()) {
        t.fields_.push_back({static_cast<std::uint64_t>(f.data() - text_begin), static_cast<std::uint32_t>(f.size()), false});
      } else if (f.empty()) {
        t.fields_.push_back({0, 0, false});
      } else {
        t.fields_.push_back({t.unquoted_.size(), static_cast<std::uint32_t>(f.size()), true});
        t.unquoted_.append(f);
      }
    }
  };
  if (!header) add_row(line);
  while (lines.next(line)) {
    if (detail::is_blank(line.text)) continue;
    if (!splitter.split(line.text, fields)) throw bad_quote(line);
    add_row(line);
  }
  return t;
}

CsvTable read_table(const std::string& path, const TableReadOptions& options) {
  return parse_owned(detail::read_file(path), options, path);
}

}  // namespace crmkit::io
