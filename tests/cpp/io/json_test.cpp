// io::parse_json_document: the one reader of JSON documents (model files, *_from_json). Issue 13.
#include "crmkit/io/json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crmkit/core/error.hpp"

using crmkit::ParseError;
using crmkit::io::parse_json_document;
using testing::HasSubstr;

namespace {

std::string message_of(const std::string& text) {
  try {
    parse_json_document(text, "m.json", "a model");
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(JsonDocument, ReadsAnOrdinaryDocument) {
  const auto j = parse_json_document(R"({"model": "bgnbd", "params": {"r": 0.24, "a": [1, [2, {"x": "]]"}]]}})",
                                     "m.json", "a model");
  EXPECT_DOUBLE_EQ(j["params"]["r"].get<double>(), 0.24);
  EXPECT_EQ(j["params"]["a"][1][1]["x"].get<std::string>(), "]]");  // brackets in strings do not nest
}

TEST(JsonDocument, DeepNestingIsRefusedBeforeParsing) {
  // '[' * 100000 + ']' * 100000 crashed every model loader (stack overflow) before.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(message_of(deep), HasSubstr("m.json:1:65: expected a model, found 'arrays or objects nested more than 64"));
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 70; ++i) s += "{\"a\":";
    s += "1";
    for (int i = 0; i < 70; ++i) s += "}";
    return s;
  }();
  EXPECT_THAT(message_of(objects), HasSubstr("nested more than 64 levels"));
  // 64 levels are allowed
  EXPECT_NO_THROW(parse_json_document(std::string(64, '[') + std::string(64, ']'), "m.json", "a model"));
}

TEST(JsonDocument, NumbersBeyondADoubleAreParseErrors) {
  const std::string m = message_of(R"({"r": 1e400})");
  EXPECT_THAT(m, HasSubstr("m.json: expected a model whose numbers are finite doubles"));
  EXPECT_THAT(m, HasSubstr("1e400"));
}

TEST(JsonDocument, SyntaxErrorsArePositioned) {
  EXPECT_THAT(message_of("{\n  \"r\": 1,\n  oops\n}"), HasSubstr("m.json:3:3: expected a model, found '"));
  EXPECT_THAT(message_of(""), HasSubstr("m.json:1:1: expected a model"));
}

TEST(JsonDocument, MissingFileIsAnIoError) {
  EXPECT_THROW(crmkit::io::read_json_file("/nonexistent/dir/m.json", "a model"), crmkit::IoError);
}
