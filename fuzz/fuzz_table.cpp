// The generic table reader (io::parse_table, behind io::read_table: summaries, features, surveys,
// interactions, scores, cohort counts) and every typed column accessor over what it read.
//
// Input: byte 0 chooses the options — bits 0-2 delimiter (auto, comma, tab, semicolon, whitespace,
// auto...), bits 3-4 header (yes, no, detect, yes), bit 5 blank numbers as NaN (else an error),
// bit 6 a given date format (YYYY-MM-DD) instead of detection; the rest is the file's text.
// Checks: only crmkit errors; the table's shape is consistent; numbers() gives finite numbers (NaN only
// for blank cells under Blank::NaN); booleans are 0/1; encode() gives codes below the dictionary size.
#include <cstdint>
#include <string>

#include "crmkit/core/ids.hpp"
#include "crmkit/io/table.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t b0 = data[0];
  io::TableReadOptions o;
  switch (b0 & 7) {
    case 1: o.delimiter = io::Delimiter::Comma; break;
    case 2: o.delimiter = io::Delimiter::Tab; break;
    case 3: o.delimiter = io::Delimiter::Semicolon; break;
    case 4: o.delimiter = io::Delimiter::Whitespace; break;
    default: break;
  }
  switch ((b0 >> 3) & 3) {
    case 1: o.header = false; break;
    case 2: o.header = std::nullopt; break;
    default: o.header = true; break;
  }
  const bool blank_nan = (b0 >> 5) & 1;
  const bool given_format = (b0 >> 6) & 1;

  io::CsvTable t;
  if (!fuzz::expect_ok_or_error("parse_table", [&] { t = io::parse_table(fuzz::as_text(data + 1, size - 1), o, "fuzz.csv"); }))
    return 0;
  fuzz::require(t.header().size() == t.cols(), "header size != cols");
  for (std::size_t r = 0; r < t.rows(); ++r) {
    fuzz::require(t.line(r) >= 1, "row line < 1");
    for (std::size_t c = 0; c < t.cols(); ++c) (void)t.cell(r, c);
  }
  (void)t.find({"customer_id", "customer", "id"});
  fuzz::expect_ok_or_error("require", [&] { (void)t.require({"frequency", "x"}, "the frequency column"); });

  const std::size_t cols = std::min<std::size_t>(t.cols(), 8);
  core::Dictionary dict;
  for (std::size_t c = 0; c < cols; ++c) {
    fuzz::expect_ok_or_error("numbers", [&] {
      const auto v = t.numbers(c, blank_nan ? io::Blank::NaN : io::Blank::Error);
      fuzz::require(v.size() == t.rows(), "numbers(): wrong length");
      for (std::size_t r = 0; r < v.size(); ++r)
        if (!(blank_nan && std::isnan(v[r]) && t.is_blank(r, c))) fuzz::require_finite(v[r], "numbers", r);
    });
    fuzz::expect_ok_or_error("integers", [&] { fuzz::require(t.integers(c).size() == t.rows(), "integers(): wrong length"); });
    fuzz::expect_ok_or_error("days", [&] {
      std::optional<io::DateFormat> f;
      if (given_format) f = io::DateFormat{};
      fuzz::require(t.days(c, f).size() == t.rows(), "days(): wrong length");
    });
    fuzz::expect_ok_or_error("booleans", [&] {
      for (auto b : t.booleans(c)) fuzz::require(b == 0 || b == 1, "booleans(): not 0/1");
    });
    fuzz::expect_ok_or_error("strings", [&] { fuzz::require(t.strings(c).size() == t.rows(), "strings(): wrong length"); });
    fuzz::expect_ok_or_error("encode", [&] {
      for (auto code : t.encode(c, dict)) fuzz::require(code < dict.size(), "encode(): code >= dictionary size");
    });
    (void)t.is_numeric(c);
  }
  return 0;
}
