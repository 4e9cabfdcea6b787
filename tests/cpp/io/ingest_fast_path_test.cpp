// The fast paths of ingestion give the same results as the plain definitions:
//  - the id dictionary (slots holding a tag and the first 8 bytes; ids of <= 8 bytes never compare the
//    stored string) against std::unordered_map, on ids of every length 0..20 over a tiny alphabet with
//    NUL bytes, so equal prefixes, equal lengths and zero padding all collide on purpose;
//  - the reader's deferred, prefetched encoding (ids encoded up to 16 rows after their row is parsed;
//    quoted ids drain the queue) against codes numbered by first appearance, with quotes, CRLF, a BOM,
//    blank lines, bad rows skipped in the middle of the queue, and errors past the 16th row;
//  - the memo of the last date text against parsing every date;
//  - read_transactions (memory-mapped file) against parse_transactions of the same bytes;
//  - the line fast path (comma, tab, semicolon) against the general path, for every kind of line it
//    hands over (below).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"

using namespace crmkit;
using namespace crmkit::io;
using testing::HasSubstr;

namespace {

// Codes by first appearance, the definition the dictionary must reproduce.
std::vector<std::uint32_t> reference_codes(const std::vector<std::string>& ids) {
  std::unordered_map<std::string, std::uint32_t> m;
  std::vector<std::uint32_t> out;
  for (const auto& s : ids) out.push_back(m.emplace(s, static_cast<std::uint32_t>(m.size())).first->second);
  return out;
}

std::string temp_path(const char* name) {
  std::string p = ::testing::TempDir();
  p += name;
  return p;
}

}  // namespace

TEST(IngestFastPath, DictionaryMatchesAHashMapOnCollidingIds) {
  std::mt19937_64 rng(7);
  const char alphabet[] = {'a', 'b', '\0', 'C'};
  std::vector<std::string> ids;
  for (int i = 0; i < 200000; ++i) {
    const std::size_t len = rng() % 21;  // 0..20: both sides of the 8-byte inline prefix
    std::string s(len, 'a');
    for (auto& c : s) c = alphabet[rng() % 4];
    ids.push_back(std::move(s));
  }
  // hand-made near misses: zero padding vs NUL bytes, equal 8-byte prefixes with different tails
  for (const char* base : {"C0000123", "C000012", "C00001234", "C0000123X", "C0000123Y"}) ids.emplace_back(base);
  ids.emplace_back(std::string("C000012\0", 8));
  ids.emplace_back(std::string("ab\0\0\0\0\0\0", 8));
  ids.emplace_back("ab");
  ids.emplace_back(std::string("ab\0", 3));
  const auto expected = reference_codes(ids);
  core::Dictionary d;
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(d.encode(ids[i]), expected[i]) << "row " << i;
  std::size_t distinct = 0;
  for (auto c : expected) distinct = std::max<std::size_t>(distinct, c + 1);
  EXPECT_EQ(d.size(), distinct);
  for (std::size_t i = 0; i < ids.size(); i += 3) {
    ASSERT_EQ(d.find(ids[i]), expected[i]);
    ASSERT_EQ(d.decode(expected[i]), ids[i]);
  }
  EXPECT_EQ(d.find(std::string("ab\0\0Z", 5)), core::Dictionary::npos);  // Z is not in the alphabet
  EXPECT_EQ(d.find("C0000123Z"), core::Dictionary::npos);
  // a copy and a reserved dictionary answer the same
  core::Dictionary copy = d;
  core::Dictionary reserved;
  reserved.reserve(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(reserved.encode(ids[i]), expected[i]);
  for (std::size_t i = 0; i < ids.size(); i += 5) ASSERT_EQ(copy.find(ids[i]), expected[i]);
}

TEST(IngestFastPath, DeferredEncodingKeepsFirstAppearanceOrder) {
  // 2,000 rows over 150 ids, some quoted (unescaped into the splitter's scratch, so encoded at once
  // after the queue drains), CRLF line ends, a BOM, blank lines.
  std::mt19937_64 rng(11);
  std::string text = "\xEF\xBB\xBF" "customer,date,amount\r\n";
  std::vector<std::string> ids;
  for (int i = 0; i < 2000; ++i) {
    std::string id = "id";
    id += std::to_string(rng() % 150);
    if (rng() % 9 == 0) id += ",x";  // a comma: must be quoted
    ids.push_back(id);
    const bool quote = id.find(',') != std::string::npos || rng() % 5 == 0;
    text += quote ? "\"" + id + "\"" : id;
    text += ",2020-01-";
    text += std::to_string(10 + static_cast<int>(rng() % 3));
    text += ",1.5\r\n";
    if (i % 97 == 0) text += "\r\n  \r\n";
  }
  ReadReport rep;
  const auto t = parse_transactions(text, {}, "q.csv", &rep);
  ASSERT_EQ(t.size(), ids.size());
  const auto expected = reference_codes(ids);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(t.customer[i], expected[i]) << "row " << i;
    ASSERT_EQ(t.ids.decode(t.customer[i]), ids[i]);
  }
  EXPECT_EQ(rep.rows_read, ids.size());
}

TEST(IngestFastPath, SkippedRowsInsideTheQueueLeaveNoTrace) {
  // Bad rows between good ones, after more than 16 good rows (the queue is full when they come):
  // a bad date right after the same good date text (the memo must not accept it), a ragged row, a
  // bad amount, an impossible date with the memoised prefix.
  std::string text = "customer,date,amount\n";
  std::vector<std::string> good;
  for (int i = 0; i < 40; ++i) {
    std::string id = "c";
    id += std::to_string(i % 23);
    good.push_back(id);
    text += id + ",2021-03-04,2\n";
    if (i == 20) text += "bad1,2021-03-04x,2\n";
    if (i == 25) text += "bad2,2021-03-04\n";
    if (i == 30) text += "bad3,2021-03-04,abc\n";
    if (i == 35) text += "bad4,2021-02-29,1\n";
  }
  ReadOptions o;
  o.skip_bad_rows = true;
  o.max_reported_errors = 10;
  ReadReport rep;
  const auto t = parse_transactions(text, o, "s.csv", &rep);
  EXPECT_EQ(rep.rows_skipped, 4u);
  ASSERT_EQ(t.size(), good.size());
  const auto expected = reference_codes(good);
  for (std::size_t i = 0; i < good.size(); ++i) ASSERT_EQ(t.customer[i], expected[i]);
  EXPECT_EQ(t.ids.size(), 23u);  // no bad id was encoded
  EXPECT_EQ(t.ids.find("bad1"), core::Dictionary::npos);
  ASSERT_EQ(rep.first_errors.size(), 4u);
  EXPECT_THAT(rep.first_errors[0], HasSubstr("s.csv:23:2: column 'date': expected a date as YYYY-MM-DD, found '2021-03-04x'"));
  EXPECT_THAT(rep.first_errors[1], HasSubstr("s.csv:29:"));
  EXPECT_THAT(rep.first_errors[1], HasSubstr("found '2 fields"));
  EXPECT_THAT(rep.first_errors[2], HasSubstr("s.csv:35:3: column 'amount': expected a number, found 'abc'"));
  EXPECT_THAT(rep.first_errors[3], HasSubstr("s.csv:41:2: column 'date': expected a date as YYYY-MM-DD, found '2021-02-29'"));
  for (std::size_t i = 0; i < t.size(); ++i) ASSERT_EQ(t.time[i], 18690);  // 2021-03-04 = day 18690
  // Without skipping, the first bad row is the error, past the queue's depth.
  try {
    parse_transactions(text, {}, "s.csv");
    FAIL() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 23);
    EXPECT_EQ(e.column(), 2);
    EXPECT_EQ(e.found(), "2021-03-04x");
  }
}

TEST(IngestFastPath, DateMemoAgreesWithParsingEveryDate) {
  // Runs of equal dates, alternations, and a date that differs only in its last byte.
  const std::vector<std::string> dates = {"20200101", "20200101", "20200102", "20200101", "20200111",
                                          "20200111", "20200110", "19991231", "19991231", "20000229"};
  std::string text;
  for (std::size_t i = 0; i < dates.size(); ++i) text += "x\t" + dates[i] + "\t1\n";
  ReadOptions o;
  o.customer = 1;
  o.date = 2;
  o.amount = 3;
  const auto t = parse_transactions(text, o, "m.txt");
  ASSERT_EQ(t.size(), dates.size());
  DateFormat f;
  f.kind = DateFormat::Kind::Yyyymmdd;
  for (std::size_t i = 0; i < dates.size(); ++i) EXPECT_EQ(t.time[i], *parse_date(dates[i], f)) << dates[i];
  // date-times longer than the memo's buffer are parsed every time
  const std::string long_dt = "2020-01-02T03:04:05.123456789012+01:00";
  const auto s = parse_transactions("customer,date,amount\na," + long_dt + ",1\nb," + long_dt + ",2\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.time[0], s.time[1]);
  EXPECT_EQ(s.time[0], 18263 * 86400LL + 2 * 3600 + 4 * 60 + 5);
}

TEST(IngestFastPath, MappedFileEqualsParsingTheText) {
  std::string text = "customer_id,date,amount\r\n";
  for (int i = 0; i < 5000; ++i) {
    text += "C";
    text += std::to_string(i * 7919 % 1234);
    text += ",2022-02-";
    text += std::to_string(10 + i % 19);
    text += ",";
    text += std::to_string(i % 100);
    text += ".25\r\n";
  }
  text += "C1,2022-03-01,1";  // no final line end: the mapping ends on the last byte
  const std::string path = temp_path("crmkit_ingest_fast_path.csv");
  {
    std::ofstream f(path, std::ios::binary);
    f << text;
  }
  const auto a = read_transactions(path);
  const auto b = parse_transactions(text, {}, path);
  ASSERT_EQ(a.size(), 5001u);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.amount, b.amount);
  EXPECT_EQ(a.ids.ids(), b.ids.ids());
  // an empty file read from disk gives the same error as empty text
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
  }
  try {
    read_transactions(path);
    FAIL() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_THAT(e.what(), HasSubstr("end of file"));
  }
  std::remove(path.c_str());
}

// ---- the line fast path -------------------------------------------------------------------------
//
// Lines split at a comma, tab or semicolon go through a fast path (a 64-byte scan for the delimiter,
// line ends and quotes; fields cut straight into the columns; plain decimals read without fast_float);
// every line it does not take as is goes to the general path. Asking for an extra column sends every
// line through the general path, so the same text read with and without an extra column compares the
// two line by line: columns, dictionary, report and error messages must be identical.

namespace {

// Concatenation built piecewise ("literal" + std::string trips GCC 12's -Wrestrict in Release).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return s;
}

struct Outcome {
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  std::vector<std::string> ids;
  std::size_t read = 0, skipped = 0;
  std::vector<std::string> errors;
  std::string error;  // the ParseError's message when the read failed
};

Outcome read_with(const std::string& text, ReadOptions o, bool general) {
  if (general) o.extra.push_back(o.amount.empty() ? ColumnRef("amount") : o.amount);
  Outcome out;
  try {
    ReadReport rep;
    const auto t = parse_transactions(text, o, "f.csv", &rep);
    out.customer = t.customer;
    out.time = t.time;
    out.amount = t.amount;
    out.ids = t.ids.ids();
    out.read = rep.rows_read;
    out.skipped = rep.rows_skipped;
    out.errors = rep.first_errors;
    if (general) {
      EXPECT_EQ(t.extra.size(), 1u);
      if (!t.extra.empty()) {
        EXPECT_EQ(t.extra[0].values, t.amount);
      }
    }
  } catch (const ParseError& e) {
    out.error = e.what();
  }
  return out;
}

// Both paths, with and without skipping bad rows; returns the fast path's outcome (skipping).
Outcome expect_paths_agree(const std::string& text, ReadOptions o = {}) {
  Outcome last;
  for (bool skip : {false, true}) {
    o.skip_bad_rows = skip;
    o.max_reported_errors = 50;
    const Outcome fast = read_with(text, o, false), general = read_with(text, o, true);
    EXPECT_EQ(fast.error, general.error) << "skip " << skip;
    EXPECT_EQ(fast.customer, general.customer);
    EXPECT_EQ(fast.time, general.time);
    EXPECT_EQ(fast.ids, general.ids);
    EXPECT_EQ(fast.read, general.read);
    EXPECT_EQ(fast.skipped, general.skipped);
    EXPECT_EQ(fast.errors, general.errors);
    EXPECT_EQ(fast.amount.size(), general.amount.size());
    for (std::size_t i = 0; i < std::min(fast.amount.size(), general.amount.size()); ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(fast.amount[i]), std::bit_cast<std::uint64_t>(general.amount[i]))
          << "row " << i << ": " << fast.amount[i] << " vs " << general.amount[i];
    last = fast;
  }
  return last;
}

}  // namespace

TEST(IngestFastPath, EveryFallbackAgreesWithTheGeneralPath) {
  // Good lines around each kind of line the fast path hands over.
  const std::vector<std::string> odd = {
      "\"q1\",2020-01-02,3.5",          // quoted id
      "\"q,2\",2020-01-02,3.5",         // quoted id with the delimiter
      "x\"y,2020-01-02,1",              // a quote inside an unquoted field: plain text for both
      "a,\"2020-01-03\",2",             // quoted date
      "a,2020-01-03,\"4.25\"",          // quoted amount
      "\"unterminated,2020-01-03,1",    // error: no closing quote
      "\"q1\"x,2020-01-02,3.5",         // error: text after the closing quote
      "a,2020-01-03,\"4\"5",            // error: text after the closing quote of the amount
      "a,2020-01-03,1,extra",           // one field too many
      "a,2020-01-03",                   // one field too few
      "a,2020-01-03,1,",                // trailing delimiter: ragged
      ",2020-01-03,1",                  // empty id
      "a,2020-13-03,1",                 // impossible date
      "a,20200103,1",                   // another format
      "a, 2020-01-03,1",                // blank before the date
      "a,2020-01-03,abc",               // not a number
      "a,2020-01-03,nan",               // not finite
      "a,2020-01-03,-inf",
      "a,2020-01-03, 7 ",               // blanks around a number (accepted)
      "a,2020-01-03,+5",                // a plus sign (accepted)
      "a,2020-01-03,1e3",               // an exponent (accepted)
      "a,2020-01-03,.5",                // no integer digits
      "a,2020-01-03,5.",                // no fraction digits
      "a,2020-01-03,-",                 // a lone minus
      "a,2020-01-03,12345678901234567.5",  // more than 15 digits
      "a,2020-01-03,0.1000000000000000055511151231257827",  // long fraction
      "a,2020-01-03,1\rx",              // a CR inside the last field
      "   ",                            // blank line
      "",                               // empty line
      "\t",                             // blank line (a tab)
  };
  for (std::size_t k = 0; k < odd.size(); ++k) {
    std::string text = "customer,date,amount\n";
    for (int i = 0; i < 30; ++i) text += cat("c", std::to_string(i % 7), ",2020-01-0", std::to_string(1 + i % 3), ",1.25\n");
    text += cat(odd[k], "\n");
    for (int i = 0; i < 30; ++i) text += cat("d", std::to_string(i % 5), ",2020-01-04,-2.5\r\n");
    SCOPED_TRACE(cat("line: ", odd[k]));
    expect_paths_agree(text);
  }
  // An id that is not UTF-8 is an error on both paths, skipping or not (the encoding is the file's).
  {
    std::string text = "customer,date,amount\n";
    for (int i = 0; i < 30; ++i) text += cat("c", std::to_string(i % 7), ",2020-01-02,1.25\n");
    text += "caf\xE9,2020-01-02,3.5\n";
    for (int i = 0; i < 30; ++i) text += cat("d", std::to_string(i % 5), ",2020-01-04,-2.5\n");
    EXPECT_THAT(expect_paths_agree(text).error, testing::HasSubstr("f.csv:32:1: column 'customer': expected UTF-8"));
  }
  // All of them in one file, with CRLF, and the ragged and bad rows skipped.
  std::string all = "customer,date,amount\r\n";
  for (std::size_t k = 0; k < odd.size(); ++k) all += cat("e", std::to_string(k), ",2020-02-01,1\r\n", odd[k], "\r\n");
  const Outcome o = expect_paths_agree(all);
  EXPECT_EQ(o.read + o.skipped, odd.size() * 2 - 3);  // the three blank lines are neither
  EXPECT_GT(o.skipped, 10u);
}

TEST(IngestFastPath, ErrorsAfterFastLinesNameTheirLine) {
  std::string text = "customer;date;amount\n";
  for (int i = 0; i < 1000; ++i) {
    text += cat("c", std::to_string(i), ";2021-06-01;", std::to_string(i), ".5\n");
    if (i % 100 == 0) text += "\n";
  }
  text += "bad;2021-06-01;12x\n";  // line 1 + 1000 + 10 blank + 1
  try {
    parse_transactions(text, {}, "semi.csv");
    FAIL() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 1012);
    EXPECT_EQ(e.column(), 3);
    EXPECT_THAT(e.what(), HasSubstr("semi.csv:1012:3: column 'amount': expected a number, found '12x'"));
  }
  expect_paths_agree(text);
}

TEST(IngestFastPath, PlainDecimalsReadExactlyAsFastFloat) {
  // Decimals of 1..17 digits (15 is the fast path's limit), fractions of 0..8 digits, signs, leading
  // zeros; every value must be the same double as the general path's fast_float gives.
  std::mt19937_64 rng(5);
  std::string text = "customer,date,amount\n";
  for (int i = 0; i < 20000; ++i) {
    std::string num;
    if (rng() % 4 == 0) num += '-';
    const int int_digits = 1 + static_cast<int>(rng() % 12);
    const int frac_digits = static_cast<int>(rng() % 9);
    for (int d = 0; d < int_digits; ++d) num += static_cast<char>('0' + (d == 0 && rng() % 3 ? 0 : rng() % 10));
    if (frac_digits) {
      num += '.';
      for (int d = 0; d < frac_digits; ++d) num += static_cast<char>('0' + rng() % 10);
    }
    text += cat("c", std::to_string(i % 300), ",2020-03-04,", num, "\n");
  }
  const Outcome o = expect_paths_agree(text);
  EXPECT_EQ(o.read, 20000u);
  // and against the standard library's correctly rounded reading, for a few hand-picked ones
  const auto t = parse_transactions(
      "customer,date,amount\na,2020-01-01,0.1\na,2020-01-01,-0.00\na,2020-01-01,999999999999999\n"
      "a,2020-01-01,0.000000000000001\na,2020-01-01,123456.789012345\n");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.amount[0], 0.1);
  EXPECT_TRUE(std::signbit(t.amount[1]));
  EXPECT_EQ(t.amount[2], 999999999999999.0);
  EXPECT_EQ(t.amount[3], 1e-15);
  EXPECT_EQ(t.amount[4], 123456.789012345);
}

TEST(IngestFastPath, BufferEndsAtEveryOffsetOfTheScanBlock) {
  // The scan reads 64-byte blocks and copies the last partial one: end the text at every offset of a
  // block, with and without a final line end, with a CR as the very last byte.
  for (std::size_t pad = 0; pad < 130; ++pad) {
    std::string text = "customer,date,amount\n";
    text += cat("id", std::string(pad, 'x'), ",2020-01-01,1.5\n");
    text += "z,2020-01-02,2";
    for (const char* tail : {"", "\n", "\r\n", "\r"}) {
      SCOPED_TRACE(cat("pad ", std::to_string(pad), " tail ", std::to_string(std::strlen(tail))));
      const Outcome o = expect_paths_agree(cat(text, tail));
      ASSERT_EQ(o.read, 2u);
      EXPECT_EQ(o.time[1], 18263);  // 2020-01-02
      EXPECT_EQ(o.amount[1], 2.0);
      EXPECT_EQ(o.ids[0], cat("id", std::string(pad, 'x')));
    }
  }
}

TEST(IngestFastPath, ColumnsGrowPastAShortEstimate) {
  // The row count is estimated from the first lines' length: long first lines, then many short ones,
  // so the columns have to grow several times while ids wait in the encoding queue.
  std::string text = "customer\tdate\tamount\tnote\n";
  for (int i = 0; i < 20; ++i) text += cat("long", std::to_string(i), "\t2019-12-31\t1\t", std::string(200, 'n'), "\n");
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(cat("long", std::to_string(i)));
  for (int i = 0; i < 50000; ++i) {
    ids.push_back(std::to_string(i % 997));
    text += cat(ids.back(), "\t2020-01-01\t2\t\n");
  }
  ReadReport rep;
  const auto t = parse_transactions(text, {}, "g.tsv", &rep);
  ASSERT_EQ(t.size(), ids.size());
  EXPECT_EQ(rep.delimiter, '\t');
  const auto expected = reference_codes(ids);
  for (std::size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(t.customer[i], expected[i]) << "row " << i;
  EXPECT_EQ(t.time.front(), 18261);
  EXPECT_EQ(t.time.back(), 18262);
  EXPECT_EQ(t.amount.back(), 2.0);
  EXPECT_EQ(t.customer.size(), t.amount.size());
  expect_paths_agree(text);
}

TEST(IngestFastPath, NoAmountColumnAndColumnsInAnyOrder) {
  std::string text = "amount,when,x,who\n";
  for (int i = 0; i < 100; ++i)
    text += cat(std::to_string(i), ".75,2020-05-0", std::to_string(1 + i % 9), ",,u", std::to_string(i % 13), "\n");
  ReadOptions o;
  o.customer = "who";
  o.date = "when";
  o.amount = "amount";
  const Outcome a = expect_paths_agree(text, o);
  ASSERT_EQ(a.read, 100u);
  EXPECT_EQ(a.amount[3], 3.75);
  EXPECT_EQ(a.ids[0], "u0");
  // without an amount column (require_amount = false): no amount column comes back
  std::string no_amount = "who,when\n";
  for (int i = 0; i < 100; ++i) no_amount += cat("u", std::to_string(i % 13), ",2020-05-01\n");
  ReadOptions n;
  n.customer = "who";
  n.date = "when";
  n.require_amount = false;
  const auto t = parse_transactions(no_amount, n);
  EXPECT_EQ(t.size(), 100u);
  EXPECT_TRUE(t.amount.empty());
  EXPECT_EQ(t.ids.size(), 13u);
}

TEST(IngestFastPath, WhitespaceSeparatedLinesAgreeWithTheGeneralPath) {
  // CDNOW's layout (leading blanks, runs of blanks, CRLF) and every irregular line next to it.
  const std::vector<std::string> odd = {
      " 00009 19970105\t 2   3.50 ",       // tabs and trailing blanks
      "00010 19970105 1 4",                // no leading blank
      "\"00 11\" 19970105 1 4.5",          // quoted id with a blank
      "00012 \"19970105\" 1 4.5",          // quoted date
      "00013 19970105 1 \"4.5",            // unterminated quote
      "00014 19970105 1",                  // too few fields
      "00015 19970105 1 2 3",              // too many
      "00016 19970230 1 2",                // impossible date
      "00017 19970105 1 x2",               // bad amount
      "00018 19970105 1 inf",              // not finite
      "  \t ",                             // blank
      "00019 19970105 1 2\r",              // a CR left over before the CRLF
      "00020 19970105 1 2 \r",             // a blank, then the CR
  };
  for (std::size_t k = 0; k <= odd.size(); ++k) {
    std::string text = " customer_id  date number_of_cds  dollar_value\r\n";
    for (int i = 0; i < 40; ++i) text += cat(" 0000", std::to_string(i % 8), " 1997010", std::to_string(1 + i % 4), "  1   11.77\r\n");
    if (k < odd.size()) text += cat(odd[k], "\r\n");
    for (int i = 0; i < 40; ++i) text += cat(" 0000", std::to_string(i % 3), " 19970108  2   0.5\r\n");
    SCOPED_TRACE(k < odd.size() ? cat("line: ", odd[k]) : std::string("no odd line"));
    ReadOptions o;
    o.amount = "dollar_value";
    const Outcome out = expect_paths_agree(text, o);
    EXPECT_GE(out.read, 80u);
  }
  // the bundled CDNOW master file: same table both ways
  ReadOptions o;
  o.amount = "dollar_value";
  const std::string path = cat(CRMKIT_TEST_DATA, "/CDNOW_master.txt");
  std::ifstream f(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_GT(text.size(), 1000000u);
  const Outcome cdnow = expect_paths_agree(text, o);
  EXPECT_EQ(cdnow.read, 69659u);
  EXPECT_EQ(cdnow.ids.size(), 23570u);
}
