#include "crmkit/io/json.hpp"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>

#include "crmkit/core/error.hpp"

namespace crmkit::io {
namespace {

// 1-based line and column of byte offset `pos` in `text`.
std::pair<std::int64_t, std::int64_t> position(std::string_view text, std::size_t pos) {
  if (pos > text.size()) pos = text.size();
  std::int64_t line = 1, column = 1;
  for (std::size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// Scans the structure once (strings skipped) and throws at the first bracket that nests deeper than
// kMaxJsonDepth, before the parser builds anything.
void check_depth(std::string_view text, const std::string& source, const std::string& expected) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        const auto [line, column] = position(text, i);
        throw ParseError(source, line, column, "", expected,
                         "arrays or objects nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

}  // namespace

nlohmann::json parse_json_document(std::string_view text, const std::string& source, const std::string& expected) {
  check_depth(text, source, expected);
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, column] = position(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ...";
    // the position is ours, so keep only the reason.
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    if (const auto p = what.find(": "); what.rfind("parse error", 0) == 0 && p != std::string::npos) what = what.substr(p + 2);
    throw ParseError(source, line, column, "", expected, what);
  } catch (const nlohmann::json::out_of_range& e) {
    // Number overflow: "[json.exception.out_of_range.406] number overflow parsing '1e400'".
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw ParseError(source, 0, 0, "", expected + " whose numbers are finite doubles (magnitude below 1.8e308)", what);
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(source, 0, 0, "", expected, e.what());
  }
}

nlohmann::json read_json_file(const std::string& path, const std::string& expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path, "cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError(path, "read failed");
  return parse_json_document(ss.str(), path, expected);
}

}  // namespace crmkit::io
