#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"

using namespace crmkit;
using namespace crmkit::io;
using testing::HasSubstr;

namespace {

const std::string kData = CRMKIT_TEST_DATA;

// Runs f, expects a ParseError, returns it.
template <class F>
ParseError parse_error(F&& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e;
  }
  ADD_FAILURE() << "no ParseError";
  return ParseError("", 0, 0, "", "", "");
}

}  // namespace

TEST(Csv, CdnowMasterWhitespaceWithHeader) {
  ReadOptions o;
  o.customer = "customer_id";
  o.date = "date";
  o.amount = "dollar_value";
  o.extra = {"number_of_cds"};
  ReadReport rep;
  const auto t = read_transactions(kData + "/CDNOW_master.txt", o, &rep);
  EXPECT_EQ(t.size(), 69659u);
  EXPECT_EQ(t.ids.size(), 23570u);
  EXPECT_EQ(rep.rows_read, 69659u);
  EXPECT_EQ(rep.delimiter, ' ');
  EXPECT_TRUE(rep.header);
  EXPECT_EQ(rep.date_format.kind, DateFormat::Kind::Yyyymmdd);
  EXPECT_EQ(t.time_unit, core::TimeUnit::Days);
  EXPECT_EQ(t.ids.decode(0), "00001");
  EXPECT_EQ(t.time[0], days_from_civil(1997, 1, 1));
  EXPECT_DOUBLE_EQ(t.amount[0], 11.77);
  EXPECT_DOUBLE_EQ(t.amount[2], 77.00);
  ASSERT_EQ(t.extra.size(), 1u);
  EXPECT_EQ(t.extra[0].name, "number_of_cds");
  EXPECT_DOUBLE_EQ(t.extra[0].values[2], 5);
  EXPECT_EQ(t.ids.decode(t.customer.back()), "23570");
}

TEST(Csv, CdnowMasterByCommonNamesNeedsAmountName) {
  // dollar_value is one of the common amount names, customer_id and date too.
  const auto t = read_transactions(kData + "/CDNOW_master.txt");
  EXPECT_EQ(t.size(), 69659u);
}

TEST(Csv, CdnowSampleWithoutHeaderByIndex) {
  ReadOptions o;
  o.customer = 2;
  o.date = 3;
  o.amount = 5;
  ReadReport rep;
  const auto t = read_transactions(kData + "/CDNOW_sample.txt", o, &rep);
  EXPECT_FALSE(rep.header);  // detected: the first row's date field is a date
  EXPECT_EQ(t.size(), 6919u);
  EXPECT_EQ(t.ids.size(), 2357u);
  EXPECT_EQ(t.ids.decode(0), "0001");  // zeros kept
  EXPECT_DOUBLE_EQ(t.amount[0], 29.33);
}

TEST(Csv, DelimitersQuotesAndLineEnds) {
  const std::string comma = "customer,date,amount\r\n\"a, inc\",2020-01-02,1.5\r\nb,2020-01-03,-2\r\n\"say \"\"hi\"\"\",2020-01-04,3";
  ReadReport rep;
  auto t = parse_transactions(comma, {}, "mem", &rep);
  EXPECT_EQ(rep.delimiter, ',');
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.ids.decode(0), "a, inc");
  EXPECT_EQ(t.ids.decode(2), "say \"hi\"");
  EXPECT_DOUBLE_EQ(t.amount[1], -2.0);  // returns are accepted
  t = parse_transactions("customer;date;amount\nx;2020-01-02;1\n", {}, "mem", &rep);
  EXPECT_EQ(rep.delimiter, ';');
  t = parse_transactions("customer\tdate\tamount\nx\t2020-01-02\t1\n\ny\t2020-01-02\t2\n", {}, "mem", &rep);
  EXPECT_EQ(rep.delimiter, '\t');
  EXPECT_EQ(t.size(), 2u);  // blank lines are skipped
}

TEST(Csv, DateTimesAreStoredInSeconds) {
  const auto t = parse_transactions("customer,date,amount\nx,2020-01-02T03:04:05Z,1\n");
  EXPECT_EQ(t.time_unit, core::TimeUnit::Seconds);
  EXPECT_EQ(t.time[0], days_from_civil(2020, 1, 2) * 86400 + 3 * 3600 + 4 * 60 + 5);
}

TEST(Csv, ExplicitDatePattern) {
  ReadOptions o;
  o.date_format = DateFormat::from_spec("%d/%m/%Y");
  const auto t = parse_transactions("customer,date,amount\nx,31/12/2020,1\n", o);
  EXPECT_EQ(t.time[0], days_from_civil(2020, 12, 31));
}

TEST(Csv, HeaderOnlyGivesAnEmptyTable) {
  const auto t = parse_transactions("customer,date,amount\n");
  EXPECT_EQ(t.size(), 0u);
}

TEST(Csv, MissingFileIsAnIoError) {
  try {
    read_transactions(kData + "/no_such_file.csv");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no_such_file.csv"));
  }
}

TEST(Csv, DirectoryIsAnIoError) {
  try {
    read_transactions(kData);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is a directory"));
  }
}

TEST(Ids, DictionaryEncodesDenselyAndGrows) {
  core::Dictionary d;
  auto id = [](int i) {
    std::string s(1, 'C');  // (not "C" + to_string: GCC 12 -O2 warns falsely on it, -Wrestrict)
    s += std::to_string(i);
    return s;
  };
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(d.encode(id(i)), static_cast<std::uint32_t>(i));
  for (int i = 0; i < 100000; i += 7) ASSERT_EQ(d.encode(id(i)), static_cast<std::uint32_t>(i));
  EXPECT_EQ(d.size(), 100000u);
  EXPECT_EQ(d.find("C99999"), 99999u);
  EXPECT_EQ(d.find("nope"), core::Dictionary::npos);
  EXPECT_EQ(d.decode(42), "C42");
  EXPECT_EQ(d.encode(""), 100000u);  // the empty string is an id like any other here
  EXPECT_THROW(d.decode(200000), InvalidArgument);
}

TEST(Csv, EmptyFile) {
  const auto e = parse_error([] { parse_transactions("", {}, "empty.csv"); });
  EXPECT_EQ(e.file(), "empty.csv");
  EXPECT_THAT(e.what(), HasSubstr("end of file"));
}

TEST(Csv, MissingColumnListsTheHeader) {
  ReadOptions o;
  o.amount = "revenue";
  const auto e = parse_error([&] { parse_transactions("customer,date,price_x\nx,2020-01-02,1\n", o, "h.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("h.csv:1"));
  EXPECT_THAT(e.what(), HasSubstr("'revenue'"));
  EXPECT_THAT(e.what(), HasSubstr("customer, date, price_x"));
}

TEST(Csv, RaggedRow) {
  const auto e = parse_error([] { parse_transactions("customer,date,amount\nx,2020-01-02,1\ny,2020-01-03\n", {}, "r.csv"); });
  EXPECT_EQ(e.line(), 3);
  EXPECT_THAT(e.what(), HasSubstr("r.csv:3:"));
  EXPECT_THAT(e.what(), HasSubstr("expected 3 fields"));
  EXPECT_THAT(e.what(), HasSubstr("found '2 fields"));
}

TEST(Csv, BadDateNamesLineColumnAndText) {
  const auto e = parse_error([] {
    parse_transactions("customer,date,amount\nx,2020-01-02,1\ny,2020-02-30,1\n", {}, "d.csv");
  });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 2);
  EXPECT_EQ(e.column_name(), "date");
  EXPECT_EQ(e.found(), "2020-02-30");
  EXPECT_THAT(e.what(), HasSubstr("d.csv:3:2: column 'date': expected a date as YYYY-MM-DD, found '2020-02-30'"));
}

TEST(Csv, UndetectableDate) {
  const auto e = parse_error([] { parse_transactions("customer,date,amount\nx,yesterday,1\n", {}, "u.csv"); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 2);
  EXPECT_THAT(e.what(), HasSubstr("yesterday"));
}

TEST(Csv, BadAndNonFiniteAmounts) {
  auto e = parse_error([] { parse_transactions("customer,date,amount\nx,2020-01-02,12,5\n", {}, "a.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("a.csv:2"));  // ragged: 4 fields
  e = parse_error([] { parse_transactions("customer,date,amount\nx,2020-01-02,abc\n", {}, "a.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("a.csv:2:3: column 'amount': expected a number, found 'abc'"));
  e = parse_error([] { parse_transactions("customer,date,amount\nx,2020-01-02,nan\n", {}, "a.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("expected a finite number (at most 1e290 in magnitude), found 'nan'"));
  e = parse_error([] { parse_transactions("customer,date,amount\nx,2020-01-02,inf\n", {}, "a.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("expected a finite number (at most 1e290 in magnitude), found 'inf'"));
}

TEST(Csv, EmptyCustomerAndUnterminatedQuote) {
  auto e = parse_error([] { parse_transactions("customer,date,amount\n,2020-01-02,1\n", {}, "c.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("c.csv:2:1: column 'customer': expected a customer id"));
  e = parse_error([] { parse_transactions("customer,date,amount\n\"x,2020-01-02,1\n", {}, "q.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("q.csv:2"));
  EXPECT_THAT(e.what(), HasSubstr("closing quote"));
}

TEST(Csv, SkipBadRowsCountsAndReports) {
  ReadOptions o;
  o.skip_bad_rows = true;
  o.max_reported_errors = 2;
  ReadReport rep;
  const auto t = parse_transactions(
      "customer,date,amount\nx,2020-01-02,1\ny,2020-13-01,1\nz,2020-01-03,nan\nw,2020-01-04\nv,2020-01-05,2\n", o,
      "s.csv", &rep);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(rep.rows_read, 2u);
  EXPECT_EQ(rep.rows_skipped, 3u);
  ASSERT_EQ(rep.first_errors.size(), 2u);
  EXPECT_THAT(rep.first_errors[0], HasSubstr("s.csv:3:2"));
  EXPECT_THAT(rep.first_errors[1], HasSubstr("s.csv:4:3"));
  // skipped rows leave no trace in the dictionary
  EXPECT_EQ(t.ids.size(), 2u);
}

TEST(Csv, IndexOutOfRangeAndNamesWithoutHeader) {
  ReadOptions o;
  o.customer = 1;
  o.date = 2;
  o.amount = 9;
  auto e = parse_error([&] { parse_transactions("x,2020-01-02,1\n", o, "i.csv"); });
  EXPECT_THAT(e.what(), HasSubstr("index 9"));
  ReadOptions n;
  n.header = false;
  n.customer = "customer";
  EXPECT_THROW(parse_transactions("x,2020-01-02,1\n", n), InvalidArgument);
}

TEST(ColumnRef, Parse) {
  EXPECT_EQ(ColumnRef::parse("3").index, 3);
  EXPECT_EQ(ColumnRef::parse("date").name, "date");
  EXPECT_THROW(ColumnRef::parse("0"), InvalidArgument);
}
