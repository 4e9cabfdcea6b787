// crmkit::Error and its kinds. Every error crmkit throws derives from crmkit::Error, and the C ABI maps
// each kind to its own status code (see crmkit.h).
#pragma once

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace crmkit {

/// Longest piece of input text that an error message quotes; longer text is cut (its size is given).
inline constexpr std::size_t kMaxQuotedBytes = 120;

/// The length of the well-formed UTF-8 sequence that starts at byte `i` of `s` with a byte >= 0x80 (2, 3
/// or 4), or 0 when it is not one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF
/// or cut short by the end of `s`).
inline std::size_t utf8_sequence_at(std::string_view s, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3;
  else if (c >= 0xF0 && c <= 0xF4) n = 4;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
    return 0;
  return n;
}

/// `s` as an error message shows it: control bytes escaped (`\0`, `\t`, `\r`, `\n`, `\xNN`), bytes that
/// are not UTF-8 escaped as `\xNN` (a NUL cannot cut a message short, and messages stay UTF-8), and cut
/// after about `max` bytes, at a character boundary, with "… (N bytes)".
inline std::string quoted_text(std::string_view s, std::size_t max = kMaxQuotedBytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= max) {
      out += "\xE2\x80\xA6 (" + std::to_string(s.size()) + " bytes)";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (const std::size_t n = c >= 0x80 ? utf8_sequence_at(s, i) : 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case 0: out += "\\0"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      default:
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
  }
  return out;
}

/// A number as messages show it: the shortest text that reads back to the same double ("0.999999999999",
/// not "1.000000"; "1e+300", not 300 digits).
inline std::string number_text(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

/// Base of every exception thrown by crmkit.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A caller broke a documented precondition: "function: argument 'x' = value: rule" (Stan's shape).
class InvalidArgument : public Error {
 public:
  InvalidArgument(std::string function, std::string argument, std::string value, std::string rule)
      : Error(function + ": argument '" + argument + "' = " + quoted_text(value) + ": " + rule),
        function_(std::move(function)),
        argument_(std::move(argument)),
        value_(quoted_text(value)),
        rule_(std::move(rule)) {}

  const std::string& function() const noexcept { return function_; }
  const std::string& argument() const noexcept { return argument_; }
  const std::string& value() const noexcept { return value_; }
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string function_, argument_, value_, rule_;
};

/// Input text could not be read: "file:line:column: column 'name': expected X, found 'Y'".
/// line and column are 1-based; 0 means "not applicable" (e.g. an empty file has no line).
class ParseError : public Error {
 public:
  ParseError(std::string file, std::int64_t line, std::int64_t column, std::string column_name,
             std::string expected, std::string found)
      : Error(format(file, line, column, column_name, expected, found)),
        file_(std::move(file)),
        line_(line),
        column_(column),
        column_name_(std::move(column_name)),
        expected_(std::move(expected)),
        found_(std::move(found)) {}

  const std::string& file() const noexcept { return file_; }
  std::int64_t line() const noexcept { return line_; }
  std::int64_t column() const noexcept { return column_; }
  const std::string& column_name() const noexcept { return column_name_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& found() const noexcept { return found_; }

  static std::string format(const std::string& file, std::int64_t line, std::int64_t column,
                            const std::string& column_name, const std::string& expected,
                            const std::string& found) {
    std::string m = file;
    // Appended piecewise: GCC 12 warns falsely (-Wrestrict, PR 105329) on ":" + std::to_string(...).
    if (line > 0) {
      m += ':';
      m += std::to_string(line);
    }
    if (column > 0) {
      m += ':';
      m += std::to_string(column);
    }
    m += ": ";
    if (!column_name.empty()) m += "column '" + printable(column_name, 80) + "': ";
    m += "expected " + expected + ", found '" + printable(found, 1000) + "'";
    return m;
  }

  /// `s` made safe to print, cut after about `max` bytes: quoted_text().
  static std::string printable(std::string_view s, std::size_t max) { return quoted_text(s, max); }

 private:
  std::string file_;
  std::int64_t line_, column_;
  std::string column_name_, expected_, found_;
};

/// A file could not be opened or read at all (missing, unreadable, a directory).
class IoError : public Error {
 public:
  IoError(std::string path, const std::string& reason)
      : Error(path + ": " + reason), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// A computation could not produce a finite, meaningful value (model name and parameter values in
/// the message).
class NumericError : public Error {
 public:
  NumericError(std::string model, const std::string& detail)
      : Error(model + ": " + detail), model_(std::move(model)) {}
  const std::string& model() const noexcept { return model_; }

 private:
  std::string model_;
};

}  // namespace crmkit

#ifndef NDEBUG
#include <cassert>
#define CRMKIT_ASSERT(cond) assert(cond)
#else
#define CRMKIT_ASSERT(cond) ((void)0)
#endif
