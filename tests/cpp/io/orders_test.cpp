// Issue 13, item 17: logs of receipt lines. An order column folds the lines of one order into one
// purchase (so RFM's frequency counts orders, not lines); days whose amounts are all 0 are kept as
// purchases or dropped, and counted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/rfm/rfm.hpp"
#include "crmkit/summary/summary.hpp"

using namespace crmkit;
using namespace crmkit::io;
using testing::HasSubstr;

namespace {

// Five receipt lines in four orders: o1 has two lines (10 + 5), o3 is a second order on o1's day, o4 is
// a free order (amount 0) on another day.
const char* const kLines =
    "customer,date,order,amount,qty\n"
    "a,2024-01-01,o1,10,1\n"
    "a,2024-01-01,o1,5,2\n"
    "b,2024-01-02,o2,3,1\n"
    "a,2024-01-01,o3,7,1\n"
    "a,2024-01-05,o4,0,1\n";

template <class E, class F>
E thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  ADD_FAILURE() << "nothing thrown";
  throw std::logic_error("unreachable");
}

}  // namespace

TEST(Orders, LinesOfOneOrderAreOnePurchaseAtTheFirstLine) {
  ReadOptions o;
  o.order = "order";
  o.extra = {"qty"};
  ReadReport rep;
  const auto t = parse_transactions(kLines, o, "lines.csv", &rep);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.ids.size(), 2u);
  EXPECT_EQ(t.customer, (std::vector<std::uint32_t>{0, 1, 0, 0}));
  EXPECT_EQ(t.amount, (std::vector<double>{15, 3, 7, 0}));
  EXPECT_EQ(t.extra[0].values, (std::vector<double>{3, 1, 1, 1}));  // extra columns are summed too
  EXPECT_EQ(rep.rows_read, 5u);
  EXPECT_EQ(rep.orders, 4u);
  EXPECT_EQ(rep.lines_folded, 1u);
  EXPECT_EQ(rep.transactions, 4u);

  // RFM counts purchases: 3 orders for a (4 lines without the order column).
  const auto r = rfm::compute(t.view());
  EXPECT_EQ(r.frequency[0], 3.0);
  EXPECT_EQ(r.monetary[0], 22.0);  // total spend is the same either way
  const auto lines = parse_transactions(kLines, {}, "lines.csv");
  EXPECT_EQ(rfm::compute(lines.view()).frequency[0], 4.0);
  // The BTYD summary counts days either way (o1 and o3 share a day): 1 repeat day for a.
  EXPECT_EQ(summary::summarize(t.view()).frequency[0], 1.0);
  EXPECT_EQ(summary::summarize(lines.view()).frequency[0], 1.0);
}

TEST(Orders, TimeIsTheEarliestLinesWithSeconds) {
  ReadOptions o;
  o.order = 3;
  const auto t = parse_transactions(
      "customer,datetime,order,amount\n"
      "a,2024-01-01T10:00:05,x,1\n"
      "a,2024-01-01T10:00:01,x,2\n",
      o);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.time_unit, core::TimeUnit::Seconds);
  EXPECT_EQ(t.time[0] % 86400, 10 * 3600 + 1);
  EXPECT_EQ(t.amount[0], 3.0);
}

TEST(Orders, AnOrderOnTwoCustomersOrTwoDaysIsRefusedWithBothLines) {
  ReadOptions o;
  o.order = "order";
  auto e = thrown<ParseError>([&] {
    (void)parse_transactions("customer,date,order,amount\na,2024-01-01,o1,1\nb,2024-01-01,o1,2\n", o, "f.csv");
  });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 1);
  EXPECT_THAT(e.expected(), HasSubstr("order 'o1' on line 2"));
  EXPECT_THAT(e.found(), HasSubstr("b"));
  e = thrown<ParseError>([&] {
    (void)parse_transactions("customer,date,order,amount\na,2024-01-01,o1,1\na,2024-01-02,o1,2\n", o, "f.csv");
  });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 2);
  EXPECT_THAT(e.expected(), HasSubstr("2024-01-01"));
  EXPECT_THAT(e.found(), HasSubstr("2024-01-02"));
}

TEST(Orders, AnEmptyOrderIdIsABadRow) {
  ReadOptions o;
  o.order = "order";
  const std::string text = "customer,date,order,amount\na,2024-01-01,,1\na,2024-01-02,o2,2\n";
  const auto e = thrown<ParseError>([&] { (void)parse_transactions(text, o, "f.csv"); });
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 3);
  o.skip_bad_rows = true;
  ReadReport rep;
  const auto t = parse_transactions(text, o, "f.csv", &rep);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(rep.rows_skipped, 1u);
}

TEST(Orders, BadOrderColumnChoicesAreRefused) {
  ReadOptions o;
  o.order = "invoice";
  const auto e = thrown<ParseError>([&] { (void)parse_transactions(kLines, o, "f.csv"); });
  EXPECT_THAT(e.expected(), HasSubstr("--order-col"));
  o.order = "customer";
  EXPECT_THROW((void)parse_transactions(kLines, o, "f.csv"), InvalidArgument);
}

TEST(ZeroAmountDays, KeptByDefaultDroppedOnRequestAndCounted) {
  const std::string text =
      "customer,date,amount\n"
      "a,2024-01-01,0\n"
      "a,2024-01-01,0\n"
      "a,2024-01-02,5\n"
      "b,2024-01-03,0\n"
      "a,2024-01-04,0\n"
      "a,2024-01-04,2\n"
      "c,2024-01-04,1\n";
  ReadReport rep;
  auto t = parse_transactions(text, {}, "z.csv", &rep);
  EXPECT_EQ(t.size(), 7u);
  EXPECT_EQ(rep.zero_amount_rows_dropped, 0u);
  ReadOptions o;
  o.zero_amount_days = ZeroAmountDays::Drop;
  t = parse_transactions(text, o, "z.csv", &rep);
  ASSERT_EQ(t.size(), 4u);  // a's 01-01 (two rows) and b's 01-03 go; a's 01-04 has a non-zero amount: kept whole
  EXPECT_EQ(rep.zero_amount_days_dropped, 2u);
  EXPECT_EQ(rep.zero_amount_rows_dropped, 3u);
  EXPECT_EQ(rep.customers_dropped, 1u);
  EXPECT_EQ(rep.transactions, 4u);
  // b had nothing else: the codes are renumbered densely, in first-appearance order
  ASSERT_EQ(t.ids.size(), 2u);
  EXPECT_EQ(t.ids.decode(0), "a");
  EXPECT_EQ(t.ids.decode(1), "c");
  EXPECT_EQ(t.customer, (std::vector<std::uint32_t>{0, 0, 0, 1}));
  EXPECT_EQ(t.amount, (std::vector<double>{5, 0, 2, 1}));
}

TEST(ZeroAmountDays, DropNeedsAmountsAndTheWordsAreChecked) {
  ReadOptions o;
  o.zero_amount_days = ZeroAmountDays::Drop;
  o.no_amount = true;
  EXPECT_THROW((void)parse_transactions(kLines, o, "f.csv"), InvalidArgument);
  EXPECT_EQ(parse_zero_amount_days("drop"), ZeroAmountDays::Drop);
  EXPECT_EQ(parse_zero_amount_days("keep"), ZeroAmountDays::Keep);
  const auto e = thrown<InvalidArgument>([] { (void)parse_zero_amount_days("skip"); });
  EXPECT_THAT(std::string(e.what()), HasSubstr("keep or drop"));
}

TEST(ZeroAmountDays, AppliesToOrdersAfterFolding) {
  // o1 = 5 + (-5): its lines sum to 0 on a day with nothing else, so it is a zero-amount day
  ReadOptions o;
  o.order = "order";
  o.zero_amount_days = ZeroAmountDays::Drop;
  ReadReport rep;
  const auto t = parse_transactions(
      "customer,date,order,amount\na,2024-01-01,o1,5\na,2024-01-01,o1,-5\na,2024-01-02,o2,4\n", o, "f.csv", &rep);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.amount[0], 4.0);
  EXPECT_EQ(rep.lines_folded, 1u);
  EXPECT_EQ(rep.zero_amount_rows_dropped, 1u);
}

TEST(ZeroAmountDays, DropWithoutAnAmountColumnIsRefused) {
  ReadOptions o;
  o.require_amount = false;
  o.zero_amount_days = ZeroAmountDays::Drop;
  const auto e = thrown<InvalidArgument>([&] { (void)parse_transactions("customer,date\na,2024-01-01\n", o, "f.csv"); });
  EXPECT_THAT(std::string(e.what()), HasSubstr("needs an amount column"));
}
