#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "crmkit/core/error.hpp"
#include "crmkit/io/table.hpp"

using namespace crmkit;
using namespace crmkit::io;
using testing::HasSubstr;

namespace {

const std::string kData = CRMKIT_TEST_DATA;

template <class F>
std::string parse_error(F&& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ParseError";
  return "";
}

}  // namespace

TEST(Table, ReadsTypedColumns) {
  const auto t = parse_table(
      "id,frequency,when,flag,name\n"
      "a,2,1997-01-01,yes,\"Smith, J\"\n"
      "\n"
      "b, 3 ,1997-01-03,False,\"say \"\"hi\"\"\"\n",
      {}, "s.csv");
  ASSERT_EQ(t.rows(), 2u);
  ASSERT_EQ(t.cols(), 5u);
  EXPECT_EQ(t.delimiter(), ',');
  EXPECT_EQ(t.line(1), 4);
  EXPECT_EQ(t.find({"FREQUENCY"}), 1u);
  EXPECT_EQ(t.find({"x", "frequency"}), 1u);
  EXPECT_FALSE(t.find({"x"}).has_value());
  EXPECT_EQ(t.numbers(1), (std::vector<double>{2, 3}));
  EXPECT_EQ(t.integers(1), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(t.days(2), (std::vector<std::int64_t>{9862, 9864}));
  EXPECT_EQ(t.booleans(3), (std::vector<std::int8_t>{1, 0}));
  EXPECT_EQ(t.strings(4), (std::vector<std::string>{"Smith, J", "say \"hi\""}));
  EXPECT_TRUE(t.is_numeric(1));
  EXPECT_FALSE(t.is_numeric(0));
  core::Dictionary d;
  d.encode("b");
  EXPECT_EQ(t.encode(0, d), (std::vector<std::uint32_t>{1, 0}));
}

TEST(Table, DetectsDelimitersAndHeaderlessFiles) {
  const auto tabs = parse_table("a\tb\n1\t2\n");
  EXPECT_EQ(tabs.delimiter(), '\t');
  const auto semi = parse_table("a;b\r\n1,5;2\r\n");
  EXPECT_EQ(semi.delimiter(), ';');
  EXPECT_EQ(semi.cell(0, 0), "1,5");
  const auto ws = parse_table("1  2\n3 4\n", {Delimiter::Auto, std::nullopt});
  EXPECT_EQ(ws.rows(), 2u);
  EXPECT_EQ(ws.header(), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(ws.numbers(1), (std::vector<double>{2, 4}));
  const auto named = parse_table("x y\n1 2\n", {Delimiter::Auto, std::nullopt});
  EXPECT_EQ(named.rows(), 1u);
}

TEST(Table, BlankPolicy) {
  const auto t = parse_table("a,b\n1,\n2,3\n", {}, "f.csv");
  const auto v = t.numbers(1, Blank::NaN);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 3);
  EXPECT_TRUE(t.is_blank(0, 1));
  EXPECT_THAT(parse_error([&] { (void)t.numbers(1); }),
              HasSubstr("f.csv:2:2: column 'b': expected a finite number, found ''"));
}

TEST(Table, ErrorsNameFileLineColumnAndText) {
  const auto t = parse_table("id,x,d,f\nA,1.5,1997-13-01,maybe\nB,nan,1997-01-02,1\n", {}, "g.csv");
  EXPECT_THAT(parse_error([&] { (void)t.integers(1); }), HasSubstr("g.csv:2:2: column 'x': expected a whole number, found '1.5'"));
  EXPECT_THAT(parse_error([&] { (void)t.numbers(1); }), HasSubstr("g.csv:3:2: column 'x': expected a finite number, found 'nan'"));
  EXPECT_THAT(parse_error([&] { (void)t.days(2); }), HasSubstr("g.csv:2:3: column 'd'"));
  EXPECT_THAT(parse_error([&] { (void)t.booleans(3); }), HasSubstr("g.csv:2:4: column 'f': expected a boolean"));
  EXPECT_THAT(parse_error([&] { (void)t.require({"frequency", "x_bar"}, "the frequency column"); }),
              HasSubstr("g.csv:1: expected the frequency column (a column named frequency or x_bar), found 'header: id, x, d, f'"));
  EXPECT_THAT(parse_error([&] { parse_table("a,b\n1,2\n3\n", {}, "r.csv"); }),
              HasSubstr("r.csv:3:2: expected 2 fields (as the header), found '1 fields in '3''"));
  EXPECT_THAT(parse_error([&] { parse_table("a,b\n\"1,2\n", {}, "q.csv"); }), HasSubstr("q.csv:2:1: expected a closing quote"));
  EXPECT_THAT(parse_error([&] { parse_table("\n  \n", {}, "e.csv"); }), HasSubstr("e.csv:1: expected a header line"));
  const auto ids = parse_table("id\n \n", {Delimiter::Comma, true}, "i.csv");
  EXPECT_EQ(ids.rows(), 0u);  // a blank line is not a row
}

TEST(Table, FilesAndIoErrors) {
  const auto t = read_table(kData + "/cdnow_customers_summary.csv");
  EXPECT_EQ(t.rows(), 2357u);
  const auto x = t.require({"frequency", "x"}, "frequency");
  double total = 0;
  for (double v : t.numbers(x)) total += v;
  EXPECT_GT(total, 0);
  EXPECT_THROW(read_table(kData + "/no_such_file.csv"), IoError);
  EXPECT_THROW(read_table(kData), IoError);
}
