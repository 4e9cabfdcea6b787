// The fast paths of ingestion give the same results as the plain definitions:
//  - the id dictionary (slots holding a tag and the first 8 bytes; ids of <= 8 bytes never compare the
//    stored string) against std::unordered_map, on ids of every length 0..20 over a tiny alphabet with
//    NUL bytes, so equal prefixes, equal lengths and zero padding all collide on purpose;
//  - the reader's deferred, prefetched encoding (ids encoded up to 16 rows after their row is parsed;
//    quoted ids drain the queue) against codes numbered by first appearance, with quotes, CRLF, a BOM,
//    blank lines, bad rows skipped in the middle of the queue, and errors past the 16th row;
//  - the memo of the last date text against parsing every date;
//  - read_transactions (memory-mapped file) against parse_transactions of the same bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
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
