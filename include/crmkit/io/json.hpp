// JSON documents read from text (model files, the C ABI's *_from_json): one reader for every loader, so
// every face gets the same limits and the same errors.
//
//   nlohmann::json j = io::parse_json_document(text, "model.json", "a JSON model file");
//
// Refused with a ParseError (file:line:column, what was expected, what was found):
// - text that is not JSON (nlohmann's message, positioned by line and column);
// - nesting deeper than kMaxJsonDepth (crmkit's documents are a few levels deep; a deeply nested document
//   would otherwise exhaust the stack when it is destroyed or printed);
// - numbers that do not fit a double (`1e400`): not JSON crmkit can hold, named with their text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace crmkit::io {

/// The deepest nesting of arrays and objects a document may have.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Parses `text` as one JSON document. `source` names it in errors (a path, or e.g. "<json>"), and
/// `expected` says what it should have been ("a JSON model file as written by `crmkit fit`").
nlohmann::json parse_json_document(std::string_view text, const std::string& source, const std::string& expected);

/// Reads the file at `path` and parses it as above (IoError when it cannot be read).
nlohmann::json read_json_file(const std::string& path, const std::string& expected);

}  // namespace crmkit::io
