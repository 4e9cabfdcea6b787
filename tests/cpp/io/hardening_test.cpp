// Issue 13 (hardening), the readers' part: malformed quoting, ambiguous columns and ids, encodings, and
// messages in the user's terms. Each test names the hostile input it covers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/interactions.hpp"
#include "crmkit/io/table.hpp"

using namespace crmkit;
using namespace crmkit::io;
using testing::HasSubstr;
using testing::Not;

namespace {

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

template <class F>
std::string invalid_argument(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InvalidArgument";
  return "";
}

const std::string kHead = "customer,date,amount\n";

}  // namespace

// ---- text after a closing quote ---------------------------------------------------------------------

TEST(HardeningQuotes, TextAfterAClosingQuoteIsAnErrorInEveryField) {
  // "12"3 and "12"4 used to read as customer 12 and merge; "10"5 as 10; "2021-01-01"junk as a date.
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "\"12\"3,2021-01-01,5\n", {}, "f.csv"); }),
              HasSubstr("f.csv:2:1: expected a delimiter or the end of the line after the closing quote (\") of "
                        "the field, found '3'"));
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "12,2021-01-01,\"10\"5\n", {}, "f.csv"); }),
              HasSubstr("f.csv:2:3: expected a delimiter or the end of the line after the closing quote"));
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "12,\"2021-01-01\"junk,5\n", {}, "f.csv"); }),
              HasSubstr("f.csv:2:2: expected a delimiter or the end of the line after the closing quote (\") of "
                        "the field, found 'junk'"));
  // whitespace-delimited files too
  EXPECT_THAT(parse_error([] { parse_transactions("customer date amount\n\"12\"3 2021-01-01 5\n", {}, "w.txt"); }),
              HasSubstr("w.txt:2:1: expected a delimiter or the end of the line after the closing quote"));
  // a quoted header name
  EXPECT_THAT(parse_error([] { parse_transactions("\"customer\"x,date,amount\n1,2021-01-01,5\n", {}, "h.csv"); }),
              HasSubstr("h.csv:1:1: expected a delimiter"));
}

TEST(HardeningQuotes, BlanksAfterAClosingQuoteAndEscapedQuotesStillRead) {
  const auto t = parse_transactions(kHead + "\"12\" ,2021-01-01,5\n\"a\"\"b\",2021-01-02,\"6\"\t\n", {}, "f.csv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.ids.decode(0), "12");
  EXPECT_EQ(t.ids.decode(1), "a\"b");
  EXPECT_EQ(t.amount[1], 6.0);
}

TEST(HardeningQuotes, SkippedRowsWithTextAfterAQuoteDoNotMerge) {
  ReadOptions o;
  o.skip_bad_rows = true;
  ReadReport rep;
  const auto t = parse_transactions(kHead + "\"12\"3,2021-01-01,5\n\"12\"4,2021-01-01,5\n12,2021-01-02,1\n", o, "f.csv",
                                    &rep);
  EXPECT_EQ(rep.rows_skipped, 2u);
  EXPECT_EQ(rep.rows_read, 1u);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.amount[0], 1.0);
}

TEST(HardeningQuotes, UnterminatedQuoteAtTheEndOfTheFile) {
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "1,2021-01-01,5\n\"12,2021-01-01,5", {}, "f.csv"); }),
              HasSubstr("f.csv:3:1: expected a closing quote (\") on the same line"));
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "1,2021-01-01,\"5", {}, "f.csv"); }),
              HasSubstr("f.csv:2:3: expected a closing quote"));
  EXPECT_THAT(parse_error([] { parse_table("id,x\nA,1\n\"B,2", {}, "t.csv"); }),
              HasSubstr("t.csv:3:1: expected a closing quote"));
}

TEST(HardeningQuotes, ReadTableRefusesTextAfterAClosingQuote) {
  EXPECT_THAT(parse_error([] { parse_table("id,x\n\"a\"b,1\n", {}, "t.csv"); }),
              HasSubstr("t.csv:2:1: expected a delimiter or the end of the line after the closing quote (\") of the "
                        "field, found 'b'"));
  EXPECT_THAT(parse_error([] { parse_table("id,x\na,\"1\"0\n", {}, "t.csv"); }), HasSubstr("t.csv:2:2:"));
  EXPECT_THAT(parse_error([] { parse_table("id x\n\"a\"b 1\n", {Delimiter::Whitespace, true}, "t.txt"); }),
              HasSubstr("t.txt:2:1: expected a delimiter"));
  const auto t = parse_table("id,x\n\"a\" ,\"1\"\n", {}, "t.csv");
  EXPECT_EQ(t.cell(0, 0), "a");
  EXPECT_EQ(t.numbers(1)[0], 1.0);
}

// ---- ambiguity --------------------------------------------------------------------------------------

TEST(HardeningAmbiguity, DuplicateHeaderNamesAreRefusedNamingBothPositions) {
  EXPECT_THAT(parse_error([] { parse_transactions("customer,date,amount,Amount\n1,2021-01-01,5,6\n", {}, "d.csv"); }),
              HasSubstr("d.csv:1:4: expected each column named once in the header (rename one), found "
                        "'\"amount\" at column 3 and \"Amount\" at column 4'"));
  // also when the columns are chosen by index
  ReadOptions o;
  o.customer = 1;
  o.date = 2;
  o.amount = 3;
  o.header = true;
  EXPECT_THAT(parse_error([&] { parse_transactions("id,date,x,x\n1,2021-01-01,5,6\n", o, "d.csv"); }),
              HasSubstr("\"x\" at column 3 and \"x\" at column 4"));
  EXPECT_THAT(parse_error([] { parse_table("id,frequency, id \nA,1,B\n", {}, "s.csv"); }),
              HasSubstr("s.csv:1:3: expected each column named once in the header (rename one), found '\"id\" at "
                        "column 1 and \"id\" at column 3'"));
  // blank names (an unnamed index column) may repeat; no header means no names
  EXPECT_EQ(parse_table(",,id\n1,2,A\n", {}, "b.csv").cols(), 3u);
  EXPECT_EQ(parse_table("1,1\n2,2\n", {Delimiter::Auto, false}, "n.csv").rows(), 2u);
}

TEST(HardeningAmbiguity, TwoAliasesOfOneColumnAreRefused) {
  const auto t = parse_table("id,frequency,x,T\nA,1,2,3\n", {}, "s.csv");
  const std::string e = parse_error([&] { (void)t.find({"frequency", "x"}); });
  EXPECT_THAT(e, HasSubstr("s.csv:1:3: expected one column of frequency or x (they name the same thing; drop or "
                           "rename one), found '\"frequency\" at column 2 and \"x\" at column 3'"));
  EXPECT_EQ(parse_error([&] { (void)t.require({"frequency", "x"}, "a frequency column"); }), e);
  EXPECT_THAT(parse_error([&] { (void)t.require(std::vector<std::string>{"x", "frequency"}, "a frequency column"); }),
              HasSubstr("found '\"frequency\" at column 2 and \"x\" at column 3'"));
  // one column matching two spellings of an alias is not ambiguous
  EXPECT_EQ(t.find({"T", "t"}), std::optional<std::size_t>(3));
  // interactions go through the same lookup
  EXPECT_THAT(parse_error([] { parse_interactions("customer_id,date,kind,type\nA,2021-01-01,x,y\n", {}, nullptr, "i.csv"); }),
              HasSubstr("i.csv:1:4: expected one column of kind, type, category or interaction_type"));
}

TEST(HardeningAmbiguity, RepeatedIdsInAnIdColumnNameTheIdAndBothLines) {
  const auto t = parse_table("id,frequency\nA,1\nB,2\n\nA,3\n", {}, "s.csv");
  EXPECT_THAT(parse_error([&] { (void)t.ids(0); }),
              HasSubstr("s.csv:5:1: column 'id': expected each id on one row only, found '\"A\" on lines 2 and 5'"));
  EXPECT_THAT(parse_error([] { (void)parse_table("id,f\nA,1\n ,2\n", {}, "s.csv").ids(0); }),
              HasSubstr("s.csv:3:1: column 'id': expected a non-empty id"));
  EXPECT_EQ(parse_table("id,f\nA,1\n a ,2\n", {}, "s.csv").ids(0), (std::vector<std::string>{"A", "a"}));
}

TEST(HardeningAmbiguity, AnEmptyColumnNameIsNotTheDefault) {
  EXPECT_THAT(invalid_argument([] { (void)ColumnRef::parse(""); }),
              HasSubstr("argument 'column' = '': a header name or a 1-based index, not empty"));
}

// ---- encodings --------------------------------------------------------------------------------------

TEST(HardeningEncoding, ALatin1IdIsAnErrorNamingLineColumnAndBytes) {
  const std::string text = kHead + "A,2021-01-01,1\nJos\xE9,2021-01-02,2\n";
  const std::string e = parse_error([&] { parse_transactions(text, {}, "l.csv"); });
  EXPECT_THAT(e, HasSubstr("l.csv:3:1: column 'customer': expected UTF-8 text (if the file is Latin-1, read it with "
                           "--encoding latin-1 (encoding='latin-1')), found 'Jos\\xE9'"));
  // quoted ids (unescaped on the general path) too, and ids past the fast path's queue
  std::string many = kHead;
  for (int i = 0; i < 40; ++i) {
    // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string
    many += 'c';
    many += std::to_string(i);
    many += ",2021-01-01,1\n";
  }
  std::string bad_then_more = many;
  bad_then_more += "Jos\xE9,2021-01-02,2\n";
  bad_then_more += many.substr(kHead.size());
  EXPECT_THAT(parse_error([&] { parse_transactions(many + "\"Jos\xE9\",2021-01-02,2\n", {}, "q.csv"); }),
              HasSubstr("q.csv:42:1: column 'customer': expected UTF-8 text"));
  EXPECT_THAT(parse_error([&] { parse_transactions(bad_then_more, {}, "q.csv"); }),
              HasSubstr("q.csv:42:1: column 'customer': expected UTF-8 text"));
  // not skippable: the encoding is the file's, not a row's
  ReadOptions skip;
  skip.skip_bad_rows = true;
  EXPECT_THAT(parse_error([&] { parse_transactions(text, skip, "l.csv"); }), HasSubstr("l.csv:3:1"));
  // a header name
  EXPECT_THAT(parse_error([] { parse_transactions("customer,date,amount,Men\xFC\n1,2021-01-01,5,6\n", {}, "h.csv"); }),
              HasSubstr("h.csv:1:4: expected UTF-8 text"));
  // UTF-8 ids, including 4-byte sequences, are fine
  const auto t = parse_transactions(kHead + "Jos\xC3\xA9,2021-01-01,1\n\xF0\x9F\x98\x80,2021-01-01,1\n", {}, "u.csv");
  EXPECT_EQ(t.ids.decode(0), "Jos\xC3\xA9");
  // overlong and surrogate encodings are not UTF-8
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "\xC0\xAF,2021-01-01,1\n", {}, "o.csv"); }), HasSubstr("o.csv:2:1"));
  EXPECT_THAT(parse_error([] { parse_transactions(kHead + "\xED\xA0\x80,2021-01-01,1\n", {}, "o.csv"); }), HasSubstr("o.csv:2:1"));
}

TEST(HardeningEncoding, Latin1IsTranscodedAtIngest) {
  ReadOptions o;
  o.encoding = Encoding::Latin1;
  const auto t = parse_transactions("customer,date,amount,Men\xFC\nJos\xE9,2021-01-01,1,0\n\"M\xFCller\",2021-01-02,2,0\n", o,
                                    "l.csv");
  ASSERT_EQ(t.ids.size(), 2u);
  EXPECT_EQ(t.ids.decode(0), "Jos\xC3\xA9");
  EXPECT_EQ(t.ids.decode(1), "M\xC3\xBCller");
  EXPECT_EQ(t.amount[1], 2.0);
  TableReadOptions to;
  to.encoding = Encoding::Latin1;
  EXPECT_EQ(parse_table("id,x\nJos\xE9,1\n", to, "t.csv").cell(0, 0), "Jos\xC3\xA9");
}

TEST(HardeningEncoding, EncodingWords) {
  EXPECT_EQ(parse_encoding("utf-8"), Encoding::Utf8);
  EXPECT_EQ(parse_encoding("UTF8"), Encoding::Utf8);
  EXPECT_EQ(parse_encoding("latin-1"), Encoding::Latin1);
  EXPECT_EQ(parse_encoding("Latin1"), Encoding::Latin1);
  EXPECT_EQ(parse_encoding("ISO-8859-1"), Encoding::Latin1);
  EXPECT_THAT(invalid_argument([] { (void)parse_encoding("cp1252"); }),
              HasSubstr("argument 'encoding' = 'cp1252': must be utf-8 or latin-1"));
  EXPECT_THAT(invalid_argument([] { (void)parse_encoding(""); }), HasSubstr("must be utf-8 or latin-1"));
}

TEST(HardeningEncoding, ReadTableRefusesBytesThatAreNotUtf8) {
  EXPECT_THAT(parse_error([] { parse_table("id,channel\nA,t\xE9l\xE9phone\n", {}, "i.csv"); }),
              HasSubstr("i.csv:2:2: expected UTF-8 text (if the file is Latin-1, convert it (iconv -f latin1 -t "
                        "utf-8) or read it with encoding latin-1), found 't\\xE9l\\xE9phone'"));
  EXPECT_THAT(parse_error([] { parse_table("id x\nA \xE9t\xE9\n", {Delimiter::Whitespace, true}, "w.txt"); }),
              HasSubstr("w.txt:2:2: expected UTF-8 text"));
}

// ---- messages in the user's terms -------------------------------------------------------------------

TEST(HardeningMessages, CrOnlyLineEndsAreNamed) {
  const std::string mac = "customer,date,amount\r1,2021-01-01,5\r2,2021-01-02,6\r";
  EXPECT_THAT(parse_error([&] { parse_transactions(mac, {}, "mac.csv"); }),
              HasSubstr("mac.csv:1: expected lines ending in LF or CR LF, found 'lines ending in a lone CR"));
  EXPECT_THAT(parse_error([&] { parse_table(mac, {}, "mac.csv"); }), HasSubstr("lines ending in a lone CR"));
  // CR LF and a last line without an end still read
  EXPECT_EQ(parse_transactions("customer,date,amount\r\n1,2021-01-01,5\r\n2,2021-01-02,6", {}, "w.csv").size(), 2u);
}

TEST(HardeningMessages, AllMissingColumnsAtOnceWithTheirOptions) {
  const std::string e = parse_error([] { parse_transactions("cust,when,total_price\nA,2021-01-01,5\n", {}, "m.csv"); });
  EXPECT_THAT(e, HasSubstr("m.csv:1: expected a customer id column (named customer_id, customer, customerid, "
                           "client_id, user_id or id; or choose it with --customer-col (customer_col)), a date column"));
  EXPECT_THAT(e, HasSubstr("and an amount column (named amount, value,"));
  EXPECT_THAT(e, HasSubstr("--amount-col (amount_col)), found 'header: cust, when, total_price'"));
  EXPECT_THAT(e, Not(HasSubstr("no data rows")));
  ReadOptions o;
  o.amount = "price";
  EXPECT_THAT(parse_error([&] { parse_transactions("customer,date,total\nA,2021-01-01,5\n", o, "m.csv"); }),
              HasSubstr("m.csv:1: expected a column named 'price' (--amount-col (amount_col)), found 'header: customer, "
                        "date, total'"));
}

TEST(HardeningMessages, AHeaderWithoutRowsSaysSo) {
  EXPECT_THAT(parse_error([] { parse_transactions("cust,when,total\n\n", {}, "h.csv"); }),
              HasSubstr("found 'header: cust, when, total (the only line: the file has no data rows)'"));
  EXPECT_THAT(parse_error([] { (void)parse_table("id,x\n", {}, "h.csv").require({"frequency"}, "a frequency column"); }),
              HasSubstr("found 'header: id, x (the only line: the file has no data rows)'"));
  // with the columns present it is an empty table, as before
  EXPECT_EQ(parse_transactions(kHead, {}, "h.csv").size(), 0u);
}

TEST(HardeningMessages, GrammarOfGeneratedMessages) {
  ReadOptions o;
  o.customer = 1;
  o.date = 2;
  o.amount = 7;
  EXPECT_THAT(parse_error([&] { parse_transactions("1,2021-01-01,5\n", o, "g.csv"); }),
              HasSubstr("g.csv:1:7: expected an amount column at index 7, found 'only 3 fields'"));
}

TEST(HardeningMessages, LongValuesAreCutAndNulBytesEscaped) {
  const std::string huge(10u << 20, 'h');  // a 10 MB header name
  const std::string e = parse_error([&] { parse_transactions(huge + ",date,amount\nA,2021-01-01,1\n", {}, "big.csv"); });
  EXPECT_LT(e.size(), 2000u);
  EXPECT_THAT(e, HasSubstr("\xE2\x80\xA6 (10485760 bytes)"));
  const std::string cell(1u << 20, 'x');
  const std::string e2 = parse_error([&] { parse_transactions(kHead + "A,2021-01-01," + cell + "\n", {}, "big.csv"); });
  EXPECT_LT(e2.size(), 400u);
  EXPECT_THAT(e2, HasSubstr("big.csv:2:3: column 'amount': expected a number, found 'xxxx"));
  // a NUL byte shows escaped, and the message goes on after it
  const std::string nul = kHead + std::string("A,2021-01-01,1\0x\n", 17);
  const std::string e3 = parse_error([&] { parse_transactions(nul, {}, "nul.csv"); });
  EXPECT_EQ(e3.find('\0'), std::string::npos);
  EXPECT_THAT(e3, HasSubstr("found '1\\0x'"));
  EXPECT_THAT(parse_error([] { (void)parse_table(std::string("id,x\nA,\0\n", 9), {}, "t.csv").numbers(1); }),
              HasSubstr("found '\\0'"));
  // a value cut inside a multi-byte character stays UTF-8
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  const std::string cut = ParseError::printable(accents, 81);
  EXPECT_THAT(cut, HasSubstr("\xE2\x80\xA6 (200 bytes)"));
  EXPECT_EQ(cut.find("\\x"), std::string::npos);
  EXPECT_LT(cut.size(), 110u);
}
