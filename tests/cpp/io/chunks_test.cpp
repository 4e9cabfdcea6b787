// Issue 14, item 1: the transaction reader parses its rows in chunks of whole lines on several threads.
// Whatever the chunk size and the thread count, the table (codes in order of first appearance, times,
// amounts, extra columns, ids), the report (rows read and skipped, the first errors, orders folded, days
// dropped) and the error of a bad input (its message, line and column) are those of one pass over the
// whole input. Checked on random messy logs: quoted ids with escaped quotes and delimiters, CRLF, blank
// lines, bad rows skipped or fatal, ids that are not UTF-8, receipt lines with an order column, extra
// columns, whitespace-separated files, files without a header.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"
#include "crmkit/io/csv.hpp"

using namespace crmkit;
using namespace crmkit::io;

namespace {

// "<prefix><n>", appended piecewise: GCC 12 warns falsely (-Wrestrict, PR 105329) on "c" + to_string(n).
std::string tag(const char* prefix, long long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

// Restores the default thread count when a test ends, however it ends.
struct Threads {
  explicit Threads(int n) { set_max_threads(n); }
  ~Threads() { set_max_threads(0); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
};

struct Outcome {
  std::optional<core::TransactionTable> table;
  ReadReport report;
  std::string error;  // the exception's type and message, when one was thrown
};

Outcome read(const std::string& text, ReadOptions opt, std::size_t chunk_bytes, int threads) {
  const Threads t(threads);
  opt.chunk_bytes = chunk_bytes;
  Outcome o;
  try {
    o.table = parse_transactions(text, opt, "log.csv", &o.report);
  } catch (const ParseError& e) {
    o.error = std::string("ParseError: ") + e.what();
  } catch (const Error& e) {
    o.error = std::string("Error: ") + e.what();
  }
  return o;
}

void expect_same(const Outcome& want, const Outcome& got, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(want.error, got.error);
  if (!want.error.empty()) return;
  const auto& a = *want.table;
  const auto& b = *got.table;
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.amount, b.amount);  // bitwise: the same doubles from the same text
  EXPECT_EQ(a.ids.ids(), b.ids.ids());
  EXPECT_EQ(a.time_unit, b.time_unit);
  ASSERT_EQ(a.extra.size(), b.extra.size());
  for (std::size_t k = 0; k < a.extra.size(); ++k) {
    EXPECT_EQ(a.extra[k].name, b.extra[k].name);
    EXPECT_EQ(a.extra[k].values, b.extra[k].values);
  }
  const ReadReport &p = want.report, &q = got.report;
  EXPECT_EQ(p.rows_read, q.rows_read);
  EXPECT_EQ(p.rows_skipped, q.rows_skipped);
  EXPECT_EQ(p.first_errors, q.first_errors);
  EXPECT_EQ(p.transactions, q.transactions);
  EXPECT_EQ(p.orders, q.orders);
  EXPECT_EQ(p.lines_folded, q.lines_folded);
  EXPECT_EQ(p.zero_amount_days_dropped, q.zero_amount_days_dropped);
  EXPECT_EQ(p.zero_amount_rows_dropped, q.zero_amount_rows_dropped);
  EXPECT_EQ(p.customers_dropped, q.customers_dropped);
  EXPECT_EQ(p.header, q.header);
  EXPECT_EQ(p.delimiter, q.delimiter);
}

struct Shape {
  bool header = true;
  bool whitespace = false;
  bool orders = false;  // an order column; each order's lines on one customer and one day
  bool extra = false;   // a quantity column
  int bad_per_mille = 0;      // rows that are bad (bad date, bad amount, ragged, empty id, bad quote)
  bool non_utf8_id = false;   // one id of invalid UTF-8 somewhere
  bool crlf = false;
};

// A random log of `rows` rows over `customers` customers.
std::string messy_log(std::mt19937_64& rng, std::size_t rows, int customers, const Shape& s) {
  const char d = s.whitespace ? ' ' : ',';
  const std::string eol = s.crlf ? "\r\n" : "\n";
  std::string out;
  if (s.header) {
    out += "customer";
    out += d;
    out += "date";
    out += d;
    out += "amount";
    if (s.orders) (out += d) += "order";
    if (s.extra) (out += d) += "qty";
    out += eol;
  }
  std::uniform_int_distribution<int> cust(0, customers - 1), day(1, 28), cents(0, 99999), kind(0, 999);
  const std::size_t utf8_row = s.non_utf8_id ? rows / 2 + static_cast<std::size_t>(kind(rng)) % (rows / 3 + 1) : rows;
  int order = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    if (kind(rng) < 15) out += eol;  // a blank line
    const int c = cust(rng);
    std::string id = tag("c", c);
    if (!s.whitespace && c % 7 == 0) id = tag("\"c", c) + ",x\"\"y\"";  // quoted, escaped quote
    if (r == utf8_row) id = "bad\xC3(";
    const int dd = day(rng);
    std::string date = "2024-02-" + std::string(dd < 10 ? "0" : "") + std::to_string(dd);
    std::string amount = tag("", cents(rng) / 100) + tag(".", cents(rng) % 100);
    std::string extra = std::to_string(kind(rng) % 5);
    bool ragged = false;
    if (kind(rng) < s.bad_per_mille) {
      switch (kind(rng) % 6) {
        case 0: date = "2024-13-45"; break;
        case 1: amount = "12x"; break;
        case 2: ragged = true; break;
        case 3: id = ""; break;
        case 4: if (!s.whitespace) id = "\"open"; else amount = "nan"; break;
        default: amount = "1e400"; break;
      }
    }
    out += id;
    out += d;
    out += date;
    out += d;
    out += amount;
    if (s.orders) {
      // an order of one to three consecutive lines, all of this line's customer and day
      out += d;
      out += tag("o", order);
      if (kind(rng) < 600) ++order;
    }
    if (s.extra) (out += d) += extra;
    if (ragged) (out += d) += "extra";
    out += eol;
    if (s.orders && kind(rng) < 400) {  // the same order again, same customer and day
      out += id;
      out += d;
      out += date;
      out += d;
      out += "0.5";
      (out += d) += tag("o", order);
      if (s.extra) (out += d) += "1";
      out += eol;
      ++order;
    }
  }
  return out;
}

void check_shape(const Shape& shape, bool skip, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t rows : std::initializer_list<std::size_t>{0, 1, 5, 40, 700, 3000}) {
    const std::string log = messy_log(rng, rows, 150, shape);
    ReadOptions opt;
    opt.skip_bad_rows = skip;
    opt.max_reported_errors = 7;
    if (!shape.header) {
      opt.customer = 1;
      opt.date = 2;
      opt.amount = 3;
    }
    if (shape.orders) opt.order = shape.header ? ColumnRef("order") : ColumnRef(4);
    if (shape.extra) opt.extra = {shape.header ? ColumnRef("qty") : ColumnRef(shape.orders ? 5 : 4)};
    if (shape.whitespace) opt.delimiter = Delimiter::Whitespace;
    const Outcome one = read(log, opt, std::size_t{1} << 40, 1);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{17}, std::size_t{100},
                              std::size_t{4096}, std::size_t{0}})
      for (int threads : {1, 2, 3})
        expect_same(one, read(log, opt, chunk, threads),
                    tag("rows ", static_cast<long long>(rows)) + tag(", chunks of ", static_cast<long long>(chunk)) +
                        tag(" bytes, threads ", threads));
  }
}

}  // namespace

TEST(IngestChunks, CleanLogsAreTheSameForAnyChunkingAndThreads) {
  check_shape(Shape{}, false, 1);
  Shape crlf;
  crlf.crlf = true;
  check_shape(crlf, false, 2);
}

TEST(IngestChunks, BadRowsSkippedGiveTheSameCountsAndFirstErrors) {
  Shape s;
  s.bad_per_mille = 40;
  check_shape(s, true, 3);
  s.crlf = true;
  check_shape(s, true, 4);
}

TEST(IngestChunks, TheFirstBadRowIsTheErrorWhateverTheChunks) {
  Shape s;
  s.bad_per_mille = 3;
  check_shape(s, false, 5);
}

TEST(IngestChunks, AnIdThatIsNotUtf8IsReportedAtItsLine) {
  Shape s;
  s.non_utf8_id = true;
  check_shape(s, false, 6);
  check_shape(s, true, 7);
  s.bad_per_mille = 20;  // bad rows around it: the first in line order wins
  check_shape(s, false, 8);
}

TEST(IngestChunks, OrdersAndExtraColumnsFoldTheSame) {
  Shape s;
  s.orders = true;
  s.extra = true;
  check_shape(s, false, 9);
  s.bad_per_mille = 30;
  check_shape(s, true, 10);
}

TEST(IngestChunks, WhitespaceSeparatedAndHeaderlessLogs) {
  Shape s;
  s.whitespace = true;
  s.header = false;
  check_shape(s, false, 11);
  s.bad_per_mille = 30;
  check_shape(s, true, 12);
  Shape comma;
  comma.header = false;
  check_shape(comma, false, 13);
}

TEST(IngestChunks, ZeroAmountDaysDroppedTheSame) {
  std::mt19937_64 rng(14);
  std::string log = "customer,date,amount\n";
  std::uniform_int_distribution<int> c(0, 60), d(10, 28), a(0, 3);
  for (int r = 0; r < 2000; ++r)
    log += tag("c", c(rng)) + tag(",2024-03-", d(rng)) + tag(",", a(rng) == 0 ? 0 : 5) + "\n";
  ReadOptions opt;
  opt.zero_amount_days = ZeroAmountDays::Drop;
  const Outcome one = read(log, opt, std::size_t{1} << 40, 1);
  ASSERT_TRUE(one.table.has_value());
  EXPECT_GT(one.report.zero_amount_rows_dropped, 0u);
  for (std::size_t chunk : {std::size_t{5}, std::size_t{333}, std::size_t{0}})
    for (int threads : {1, 2})
      expect_same(one, read(log, opt, chunk, threads), tag("chunks of ", static_cast<long long>(chunk)));
}

// The line numbers of errors count the lines of every chunk before: an error in the last chunk names
// its line in the file.
TEST(IngestChunks, ErrorLineNumbersCountFromTheStartOfTheFile) {
  std::string log = "customer,date,amount\n";
  for (int r = 0; r < 500; ++r) log += tag("c", r % 13) + ",2024-01-02,1\n";
  log += "\n\n";
  log += "c1,2024-01-02,oops\n";  // line 504
  const Outcome o = read(log, ReadOptions{}, 64, 2);
  EXPECT_THAT(o.error, testing::HasSubstr("log.csv:504:3: column 'amount': expected a number, found 'oops'"));
}
