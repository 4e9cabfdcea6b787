// Cohort retention on a hand-built log (every cell counted by hand below), order independence, weeks and
// quarters, and CDNOW's first monthly cohort (1997-01: 7,846 customers; the full matrix is compared with
// a pandas groupby in tests/python/test_survival.py; pandas 1.5 on the same file gives the three cohort
// sizes 7846, 8476, 7248).
#include "crmkit/churn/cohorts.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/date.hpp"

using namespace crmkit;
using namespace crmkit::churn;

namespace {

std::int64_t day(int y, unsigned m, unsigned d) { return io::days_from_civil(y, m, d); }

// a: Jan 5 (10), Jan 20 (5), Feb 3 (7), Apr 1 (3); b: Jan 31 (20), Mar 15 (4);
// c: Feb 10 (8), Feb 11 (2), Mar 1 (6); d: Mar 31 (1) -- all 2020.
struct Log {
  std::vector<std::uint32_t> customer = {0, 0, 1, 0, 2, 2, 2, 1, 3, 0};
  std::vector<std::int64_t> time = {day(2020, 1, 5),  day(2020, 1, 20), day(2020, 1, 31), day(2020, 2, 3),
                                    day(2020, 2, 10), day(2020, 2, 11), day(2020, 3, 1),  day(2020, 3, 15),
                                    day(2020, 3, 31), day(2020, 4, 1)};
  std::vector<double> amount = {10, 5, 20, 7, 8, 2, 6, 4, 1, 3};
  core::TransactionsView view() const { return {customer, time, amount, core::TimeUnit::Days, 0}; }
};

}  // namespace

TEST(Cohorts, HandBuiltMonthlyMatrix) {
  const Log log;
  const CohortTable t = cohort_retention(log.view());
  ASSERT_EQ(t.n_cohorts, 4u);
  ASSERT_EQ(t.n_offsets, 4u);
  EXPECT_EQ(t.cohort_label, (std::vector<std::string>{"2020-01", "2020-02", "2020-03", "2020-04"}));
  EXPECT_EQ(t.cohort_start[1], day(2020, 2, 1));
  EXPECT_EQ(t.size, (std::vector<std::int64_t>{2, 1, 1, 0}));
  // Jan {a, b}: Feb a, Mar b, Apr a;  Feb {c}: Mar c;  Mar {d}: none
  EXPECT_EQ(t.active, (std::vector<std::int64_t>{2, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(t.revenue, (std::vector<double>{35, 7, 4, 3, 10, 6, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(t.observed, (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(t.at(t.retention, 0, 0), 1.0);
  EXPECT_EQ(t.at(t.retention, 0, 1), 0.5);
  EXPECT_EQ(t.at(t.retention, 1, 2), 0.0);  // observed, nobody came back
  EXPECT_TRUE(std::isnan(t.at(t.retention, 1, 3)));  // after the log ends
  EXPECT_TRUE(std::isnan(t.at(t.retention, 3, 0)));  // empty cohort
  // revenue is conserved
  EXPECT_EQ(std::accumulate(t.revenue.begin(), t.revenue.end(), 0.0), 66.0);
}

TEST(Cohorts, RowOrderDoesNotMatter) {
  const Log log;
  const CohortTable ref = cohort_retention(log.view());
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 10; ++rep) {
    Log s = log;
    std::vector<std::size_t> idx(s.customer.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::shuffle(idx.begin(), idx.end(), rng);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      s.customer[i] = log.customer[idx[i]];
      s.time[i] = log.time[idx[i]];
      s.amount[i] = log.amount[idx[i]];
    }
    const CohortTable t = cohort_retention(s.view());
    EXPECT_EQ(t.active, ref.active);
    EXPECT_EQ(t.revenue, ref.revenue);
    EXPECT_EQ(t.size, ref.size);
  }
}

TEST(Cohorts, QuartersWeeksAndSeconds) {
  const Log log;
  const CohortTable q = cohort_retention(log.view(), CohortPeriod::Quarter);
  ASSERT_EQ(q.n_cohorts, 2u);
  EXPECT_EQ(q.cohort_label, (std::vector<std::string>{"2020-Q1", "2020-Q2"}));
  EXPECT_EQ(q.size, (std::vector<std::int64_t>{4, 0}));
  EXPECT_EQ(q.active, (std::vector<std::int64_t>{4, 1, 0, 0}));  // only a buys in Q2
  EXPECT_EQ(q.revenue, (std::vector<double>{63, 3, 0, 0}));

  const CohortTable w = cohort_retention(log.view(), CohortPeriod::Week);
  // 2020-01-05 is a Sunday: its week starts Monday 2019-12-30; 2020-04-01 (Wed) is in the week of Mar 30
  EXPECT_EQ(w.cohort_label.front(), "2019-12-30");
  EXPECT_EQ(w.cohort_label.back(), "2020-03-30");
  EXPECT_EQ(w.cohort_start.front(), day(2019, 12, 30));
  EXPECT_EQ(w.n_cohorts, static_cast<std::size_t>((day(2020, 3, 30) - day(2019, 12, 30)) / 7 + 1));
  EXPECT_EQ(std::accumulate(w.size.begin(), w.size.end(), std::int64_t{0}), 4);

  // the same log in Unix seconds (times of day) gives the same months
  Log s = log;
  for (auto& t : s.time) t = t * 86400 + 43210;
  core::TransactionsView v = s.view();
  v.time_unit = core::TimeUnit::Seconds;
  EXPECT_EQ(cohort_retention(v).active, cohort_retention(log.view()).active);
  EXPECT_EQ(parse_cohort_period("quarter"), CohortPeriod::Quarter);
  EXPECT_STREQ(cohort_period_name(CohortPeriod::Week), "week");
  EXPECT_THROW(parse_cohort_period("fortnight"), InvalidArgument);
}

TEST(Cohorts, BadInput) {
  core::TransactionsView empty;
  EXPECT_THROW(cohort_retention(empty), InvalidArgument);
  const std::vector<std::uint32_t> c = {0, 1};
  const std::vector<std::int64_t> t = {0, 100000};  // 274 years: 3,287 months, 1,096 quarters
  core::TransactionsView wide{c, t, {}, core::TimeUnit::Days, 0};
  try {
    cohort_retention(wide);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("at most 2000 "));
  }
  EXPECT_NO_THROW(cohort_retention(wide, CohortPeriod::Quarter));
}

TEST(Cohorts, CdnowFirstCohort) {
  const core::TransactionTable tx = io::read_transactions(CRMKIT_TEST_DATA "/CDNOW_master.txt");
  const CohortTable t = cohort_retention(tx.view());
  // CDNOW: first purchases in 1997-01 .. 1997-03, log to 1998-06 -> 18 months
  ASSERT_EQ(t.n_cohorts, 18u);
  EXPECT_EQ(t.size[0], 7846);
  EXPECT_EQ(t.size[0] + t.size[1] + t.size[2], 23570);
  for (std::size_t c = 3; c < t.n_cohorts; ++c) EXPECT_EQ(t.size[c], 0);
  double total = 0;
  for (double r : t.revenue) total += r;
  double expect = 0;
  for (double a : tx.amount) expect += a;
  EXPECT_NEAR(total, expect, 1e-6 * expect);
}
