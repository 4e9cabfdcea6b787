#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/summary/summary.hpp"

using namespace crmkit;
using namespace crmkit::summary;
using testing::HasSubstr;

namespace {

const std::string kData = CRMKIT_TEST_DATA;

struct Published {
  double x, t_x, T, zbar;
};

std::map<int, Published> read_published() {
  std::ifstream f(kData + "/cdnow_customers_summary_with_transactions.csv");
  std::string line;
  std::getline(f, line);  // ID,x,t_x,T,zbar
  std::map<int, Published> out;
  while (std::getline(f, line)) {
    std::istringstream s(line);
    std::string tok[5];
    for (auto& t : tok) std::getline(s, t, ',');
    out[std::stoi(tok[0])] = Published{std::stod(tok[1]), std::stod(tok[2]), std::stod(tok[3]), std::stod(tok[4])};
  }
  return out;
}

core::TransactionsView view(const std::vector<std::uint32_t>& c, const std::vector<std::int64_t>& t,
                            const std::vector<double>& a, core::TimeUnit u = core::TimeUnit::Days) {
  return core::TransactionsView{c, t, a, u, 0};
}

}  // namespace

// Fader, Hardie & Lee (2005) CDNOW calibration summary: the 1/10 sample, weeks, calibration ending
// 1997-09-30. The published file prints two decimals, so t_x, T and zbar are compared to 0.005
// (half a unit in the last printed digit) and x exactly.
TEST(Summary, ReproducesPublishedCdnowSample) {
  io::ReadOptions o;
  o.customer = 2;
  o.date = 3;
  o.amount = 5;
  o.header = false;
  const auto table = io::read_transactions(kData + "/CDNOW_sample.txt", o);
  SummaryOptions so;
  so.period = Period::Week;
  so.observation_end = io::days_from_civil(1997, 9, 30);
  const auto s = summarize(table.view(), so);
  const auto pub = read_published();
  ASSERT_EQ(s.size(), pub.size());
  ASSERT_EQ(s.size(), 2357u);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const int id = std::stoi(table.ids.decode(s.customer[i]));
    const auto& p = pub.at(id);
    ASSERT_EQ(s.frequency[i], p.x) << "ID " << id;
    ASSERT_NEAR(s.recency[i], p.t_x, 0.005 + 1e-9) << "ID " << id;
    ASSERT_NEAR(s.T[i], p.T, 0.005 + 1e-9) << "ID " << id;
    ASSERT_NEAR(s.monetary_value[i], p.zbar, 0.005 + 1e-9) << "ID " << id;
  }
}

TEST(Summary, SameDayMergingAndOrder) {
  // customer 0: two purchases on day 10 (one purchase), then days 17 and 24, out of order
  // customer 1: one purchase on day 12; customer 2: only after the observation end
  const std::vector<std::uint32_t> c{0, 0, 1, 0, 0, 2};
  const std::vector<std::int64_t> t{24, 10, 12, 10, 17, 40};
  const std::vector<double> a{30, 5, 7, 5, 20, 99};
  SummaryOptions so;
  so.observation_end = 31;
  const auto s = summarize(view(c, t, a), so);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.customer[0], 0u);
  EXPECT_EQ(s.frequency[0], 2);
  EXPECT_EQ(s.recency[0], 14);
  EXPECT_EQ(s.T[0], 21);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 25);  // (20 + 30) / 2; the first day's 10 excluded
  EXPECT_EQ(s.n_transactions[0], 4u);
  EXPECT_DOUBLE_EQ(s.total_spend[0], 60);
  EXPECT_EQ(s.first_purchase[0], 10);
  EXPECT_EQ(s.last_purchase[0], 24);
  EXPECT_EQ(s.frequency[1], 0);
  EXPECT_EQ(s.monetary_value[1], 0);
  EXPECT_EQ(s.T[1], 19);
}

TEST(Summary, DefaultObservationEndAndPeriods) {
  const std::vector<std::uint32_t> c{0, 0};
  const std::vector<std::int64_t> t{0, 61};
  const std::vector<double> a{1, 2};
  auto s = summarize(view(c, t, a));
  EXPECT_EQ(s.observation_end, 61);
  EXPECT_EQ(s.T[0], 61);
  SummaryOptions so;
  so.period = Period::Month;
  s = summarize(view(c, t, a), so);
  EXPECT_DOUBLE_EQ(s.recency[0], 61 / 30.4375);
  EXPECT_EQ(parse_period("W"), Period::Week);
  EXPECT_EQ(parse_period("month"), Period::Month);
  EXPECT_THROW(parse_period("year"), InvalidArgument);
}

TEST(Summary, SecondsAreFlooredToDays) {
  const std::vector<std::uint32_t> c{0, 0, 0};
  const std::vector<std::int64_t> t{-1, 86400 * 3 + 5, 86400 * 3 + 7000};  // day -1, day 3 twice
  const std::vector<double> a{1, 2, 3};
  const auto s = summarize(view(c, t, a, core::TimeUnit::Seconds));
  EXPECT_EQ(s.first_purchase[0], -1);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_EQ(s.recency[0], 4);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 5);
}

TEST(Summary, NegativeAmountsReduceSpend) {
  const std::vector<std::uint32_t> c{0, 0, 0};
  const std::vector<std::int64_t> t{1, 2, 2};
  const std::vector<double> a{10, 8, -3};  // a return on day 2
  const auto s = summarize(view(c, t, a));
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 5);
  EXPECT_DOUBLE_EQ(s.total_spend[0], 15);
}

TEST(Summary, Holdout) {
  const std::vector<std::uint32_t> c{0, 0, 0, 0, 1, 2};
  const std::vector<std::int64_t> t{0, 5, 12, 12, 3, 11};
  const std::vector<double> a{1, 2, 3, 4, 5, 6};
  SummaryOptions so;
  so.observation_end = 20;
  const auto h = summarize_holdout(view(c, t, a), 10, so);
  ASSERT_EQ(h.size(), 2u);  // customer 2 starts in the holdout
  EXPECT_EQ(h.calibration.frequency[0], 1);
  EXPECT_EQ(h.calibration.T[0], 10);
  EXPECT_EQ(h.frequency_holdout[0], 1);
  EXPECT_DOUBLE_EQ(h.spend_holdout[0], 7);
  EXPECT_DOUBLE_EQ(h.monetary_holdout[0], 7);
  EXPECT_EQ(h.frequency_holdout[1], 0);
  EXPECT_DOUBLE_EQ(h.duration_holdout, 10);
  try {
    summarize_holdout(view(c, t, a), 20, so);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("calibration_end"));
  }
}

TEST(Summary, CompressRoundTrip) {
  std::mt19937_64 rng(42);
  std::vector<double> f(5000), r(5000), T(5000);
  for (std::size_t i = 0; i < f.size(); ++i) {
    f[i] = static_cast<double>(rng() % 5);
    r[i] = f[i] == 0 ? 0 : static_cast<double>(rng() % 10);
    T[i] = 10 + static_cast<double>(rng() % 3);
  }
  const auto p = compress(f, r, T);
  double w = 0;
  for (double x : p.weight) w += x;
  EXPECT_EQ(w, 5000);
  EXPECT_LT(p.size(), 5000u);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const auto k = p.index[i];
    ASSERT_EQ(p.frequency[k], f[i]);
    ASSERT_EQ(p.recency[k], r[i]);
    ASSERT_EQ(p.T[k], T[i]);
  }
  for (std::size_t k = 1; k < p.size(); ++k)
    ASSERT_TRUE(std::tie(p.frequency[k - 1], p.recency[k - 1], p.T[k - 1]) < std::tie(p.frequency[k], p.recency[k], p.T[k]));
  EXPECT_THROW(compress(f, r, std::vector<double>(3)), InvalidArgument);
}

TEST(Summary, MergeOfShardsEqualsUnion) {
  io::ReadOptions o;
  o.customer = 2;
  o.date = 3;
  o.amount = 5;
  const auto table = io::read_transactions(kData + "/CDNOW_sample.txt", o);
  SummaryOptions so;
  so.period = Period::Week;
  so.observation_end = io::days_from_civil(1997, 9, 30);
  const auto whole = summarize(table.view(), so);
  // shard by customer code parity, same dictionary
  std::vector<std::uint32_t> c[2];
  std::vector<std::int64_t> t[2];
  std::vector<double> a[2];
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto k = table.customer[i] % 2;
    c[k].push_back(table.customer[i]);
    t[k].push_back(table.time[i]);
    a[k].push_back(table.amount[i]);
  }
  const auto n = static_cast<std::uint32_t>(table.ids.size());
  const auto s0 = summarize(core::TransactionsView{c[0], t[0], a[0], core::TimeUnit::Days, n}, so);
  const auto s1 = summarize(core::TransactionsView{c[1], t[1], a[1], core::TimeUnit::Days, n}, so);
  const auto m = merge(s1, s0);
  EXPECT_EQ(m.customer, whole.customer);
  EXPECT_EQ(m.frequency, whole.frequency);
  EXPECT_EQ(m.recency, whole.recency);
  EXPECT_EQ(m.T, whole.T);
  EXPECT_EQ(m.monetary_value, whole.monetary_value);
  EXPECT_EQ(m.total_spend, whole.total_spend);
  EXPECT_THROW(merge(s0, s0), InvalidArgument);
  auto other = s1;
  other.observation_end += 1;
  EXPECT_THROW(merge(s0, other), InvalidArgument);
}

TEST(Summary, InvalidInput) {
  const std::vector<std::uint32_t> c{0, 1};
  const std::vector<std::int64_t> t{0};
  const std::vector<double> a{1, 2};
  try {
    summarize(view(c, t, a));
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("'time'"));
  }
  const std::vector<std::int64_t> t2{0, 1};
  const std::vector<double> bad{1, NAN};
  EXPECT_THROW(summarize(view(c, t2, bad)), InvalidArgument);
  EXPECT_THROW(summarize(core::TransactionsView{c, t2, a, core::TimeUnit::Days, 1}), InvalidArgument);
  EXPECT_THROW(summarize(view({}, {}, {})), InvalidArgument);
}
