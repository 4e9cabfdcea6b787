#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>
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
  auto expect_invalid = [](auto&& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "no exception; expected " << needle;
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), HasSubstr(needle));
    }
  };
  expect_invalid([&] { summarize(view(c, t, a)); }, "summarize: argument 'time' = length 1: must equal customer length 2");
  const std::vector<std::int64_t> t2{0, 1};
  const std::vector<double> bad{1, NAN};
  expect_invalid([&] { summarize(view(c, t2, bad)); }, "'amount[1]' = nan");
  expect_invalid([&] { summarize(view(c, t2, std::vector<double>{1})); }, "(or be empty)");
  expect_invalid([&] { summarize(core::TransactionsView{c, t2, a, core::TimeUnit::Days, 1}); },
                 "must be < n_customers = 1");
  expect_invalid([&] { summarize(view({}, {}, {})); }, "needs at least one transaction");
  expect_invalid([&] { summarize_holdout(view(c, t2, a), 1, {}); }, "must be before the observation end (1970-01-02)");
  expect_invalid([&] { parse_period("year"); }, "must be day, week or month");
}

// ---- a direct reference: std::map per customer and day, the definitions read literally -------------

namespace {

struct RefRow {
  double x, t_x, T, zbar, spend;
  std::int64_t first, last;
  std::uint32_t rows;
  double x_h = 0, spend_h = 0;
};

std::map<std::uint32_t, RefRow> reference(const std::vector<std::uint32_t>& c, const std::vector<std::int64_t>& t,
                                          const std::vector<double>& a, core::TimeUnit u, std::int64_t cal_end,
                                          std::int64_t obs_end, double len) {
  std::map<std::uint32_t, std::map<std::int64_t, double>> cal, hold;
  std::map<std::uint32_t, std::uint32_t> rows;
  std::map<std::uint32_t, double> spend;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const std::int64_t d = core::to_day(t[i], u);
    if (d <= cal_end) {
      cal[c[i]][d] += a[i];
      ++rows[c[i]];
      spend[c[i]] += a[i];
    } else if (d <= obs_end) {
      hold[c[i]][d] += a[i];
    }
  }
  std::map<std::uint32_t, RefRow> out;
  for (const auto& [cust, days] : cal) {
    RefRow r{};
    r.first = days.begin()->first;
    r.last = days.rbegin()->first;
    r.x = static_cast<double>(days.size() - 1);
    r.t_x = static_cast<double>(r.last - r.first) / len;
    r.T = static_cast<double>(cal_end - r.first) / len;
    double rep = 0;
    for (auto it = std::next(days.begin()); it != days.end(); ++it) rep += it->second;
    r.zbar = r.x > 0 ? rep / r.x : 0;
    r.rows = rows[cust];
    r.spend = spend[cust];
    if (hold.count(cust)) {
      r.x_h = static_cast<double>(hold[cust].size());
      for (const auto& [d, v] : hold[cust]) r.spend_h += v;
    }
    out[cust] = r;
  }
  return out;
}

struct RandomLog {
  std::vector<std::uint32_t> c;
  std::vector<std::int64_t> t;
  std::vector<double> a;
};

// `sorted`: rows in time order (the streaming path); otherwise shuffled (the regrouping path).
RandomLog random_log(std::uint64_t seed, std::size_t n, std::uint32_t customers, bool sorted, core::TimeUnit u) {
  std::mt19937_64 rng(seed);
  RandomLog g;
  for (std::size_t i = 0; i < n; ++i) {
    g.c.push_back(static_cast<std::uint32_t>(rng() % customers));
    const std::int64_t day = -20 + static_cast<std::int64_t>(rng() % 120);
    g.t.push_back(u == core::TimeUnit::Days ? day : day * 86400 + static_cast<std::int64_t>(rng() % 86400));
    g.a.push_back(static_cast<double>(static_cast<int>(rng() % 20000) - 2000) / 100.0);  // some returns
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (sorted)
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return g.t[x] < g.t[y]; });
  else
    std::shuffle(order.begin(), order.end(), rng);
  RandomLog o;
  for (auto i : order) {
    o.c.push_back(g.c[i]);
    o.t.push_back(g.t[i]);
    o.a.push_back(g.a[i]);
  }
  return o;
}

}  // namespace

TEST(Summary, MatchesDirectReferenceOnRandomLogs) {
  for (bool sorted : {true, false}) {
    for (auto u : {core::TimeUnit::Days, core::TimeUnit::Seconds}) {
      for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const auto g = random_log(seed, 3000, 400, sorted, u);
        const core::TransactionsView v{g.c, g.t, g.a, u, 0};
        SummaryOptions so;
        so.period = Period::Week;
        so.observation_end = 60;
        const auto s = summarize(v, so);
        const auto ref = reference(g.c, g.t, g.a, u, 60, 60, 7.0);
        ASSERT_EQ(s.size(), ref.size());
        std::size_t i = 0;
        for (const auto& [cust, r] : ref) {
          ASSERT_EQ(s.customer[i], cust);
          EXPECT_EQ(s.frequency[i], r.x);
          EXPECT_EQ(s.recency[i], r.t_x);
          EXPECT_EQ(s.T[i], r.T);
          EXPECT_NEAR(s.monetary_value[i], r.zbar, 1e-9);
          EXPECT_NEAR(s.total_spend[i], r.spend, 1e-9);
          EXPECT_EQ(s.first_purchase[i], r.first);
          EXPECT_EQ(s.last_purchase[i], r.last);
          EXPECT_EQ(s.n_transactions[i], r.rows);
          ++i;
        }
        // holdout: calibration to day 30, holdout (30, 60]
        const auto h = summarize_holdout(v, 30, so);
        const auto href = reference(g.c, g.t, g.a, u, 30, 60, 7.0);
        ASSERT_EQ(h.size(), href.size());
        i = 0;
        for (const auto& [cust, r] : href) {
          ASSERT_EQ(h.calibration.customer[i], cust);
          EXPECT_EQ(h.calibration.frequency[i], r.x);
          EXPECT_EQ(h.calibration.T[i], r.T);
          EXPECT_NEAR(h.calibration.monetary_value[i], r.zbar, 1e-9);
          EXPECT_EQ(h.frequency_holdout[i], r.x_h);
          EXPECT_NEAR(h.spend_holdout[i], r.spend_h, 1e-9);
          EXPECT_NEAR(h.monetary_holdout[i], r.x_h > 0 ? r.spend_h / r.x_h : 0.0, 1e-9);
          ++i;
        }
        EXPECT_DOUBLE_EQ(h.duration_holdout, 30.0 / 7.0);
      }
    }
  }
}

TEST(Summary, OrderOfRowsDoesNotMatter) {
  // The same rows, in time order and shuffled, give bit-identical summaries: amounts are always summed
  // in (day, row) order.
  const auto g = random_log(9, 5000, 300, true, core::TimeUnit::Days);
  std::mt19937_64 rng(3);
  RandomLog sh;
  std::map<std::pair<std::uint32_t, std::int64_t>, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < g.c.size(); ++i) groups[{g.c[i], g.t[i]}].push_back(i);
  // emit the groups in a random order, each group's rows in original order
  std::vector<std::pair<std::uint32_t, std::int64_t>> keys;
  for (const auto& kv : groups) keys.push_back(kv.first);
  std::shuffle(keys.begin(), keys.end(), rng);
  for (const auto& k : keys)
    for (auto i : groups[k]) {
      sh.c.push_back(g.c[i]);
      sh.t.push_back(g.t[i]);
      sh.a.push_back(g.a[i]);
    }
  const auto a = summarize(view(g.c, g.t, g.a));
  const auto b = summarize(view(sh.c, sh.t, sh.a));
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.frequency, b.frequency);
  EXPECT_EQ(a.recency, b.recency);
  EXPECT_EQ(a.monetary_value, b.monetary_value);
  EXPECT_EQ(a.total_spend, b.total_spend);
  EXPECT_EQ(a.n_transactions, b.n_transactions);
}

TEST(Summary, EmptyInputWithExplicitEndAndNoCustomerInRange) {
  SummaryOptions so;
  so.observation_end = 100;
  const auto s = summarize(view({}, {}, {}), so);
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.observation_end, 100);
  // every transaction after the end: no customers
  const std::vector<std::uint32_t> c{0, 1};
  const std::vector<std::int64_t> t{200, 300};
  const std::vector<double> a{1, 2};
  EXPECT_EQ(summarize(view(c, t, a), so).size(), 0u);
  // no amounts: every amount is 0
  const auto z = summarize(view(c, t, {}));
  EXPECT_EQ(z.size(), 2u);
  EXPECT_EQ(z.total_spend[1], 0.0);
}

TEST(Summary, VeryWideTimeSpanUsesWideRecords) {
  // the widest span of valid days, 0001-01-01 to 9999-12-31, keeps the definitions exact
  const std::vector<std::uint32_t> c{0, 0, 1, 0};
  const std::vector<std::int64_t> t{core::kMinDay, core::kMaxDay, 7, core::kMaxDay};
  const std::vector<double> a{1, 2, 3, 4};
  const auto s = summarize(view(c, t, a));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.first_purchase[0], core::kMinDay);
  EXPECT_EQ(s.last_purchase[0], core::kMaxDay);
  EXPECT_EQ(s.frequency[0], 1);
  EXPECT_EQ(s.monetary_value[0], 6);
  EXPECT_EQ(s.T[1], core::kMaxDay - 7);
  // days beyond them (3e9 days apart gave recency = T = -1 in the wide path) are refused (issue 13)
  const std::vector<std::int64_t> wide{-1'500'000'000, 1'500'000'000, 7, 1'500'000'000};
  try {
    summarize(view(c, wide, a));
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("'time[0]' = -1500000000: must fall on a date from 0001-01-01 to 9999-12-31"));
  }
}

TEST(Summary, CompressEdgeCases) {
  // -0 and +0 are one pattern; NaN is rejected with the row
  const std::vector<double> f{0.0, -0.0, 1.0}, r{0, 0, 2}, T{5, 5, 5};
  const auto p = compress(f, r, T);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.weight[0], 2);
  EXPECT_EQ(p.index, (std::vector<std::uint32_t>{0, 0, 1}));
  const std::vector<double> nan{0.0, NAN, 1.0};
  try {
    compress(f, nan, T);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("row 1"));
  }
  const auto e = compress(std::vector<double>{}, std::vector<double>{}, std::vector<double>{});
  EXPECT_EQ(e.size(), 0u);
  EXPECT_TRUE(e.index.empty());
}

TEST(Summary, CompressCdnowSample) {
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
  const auto p = compress(s);
  std::set<std::tuple<double, double, double>> distinct;
  for (std::size_t i = 0; i < s.size(); ++i) distinct.emplace(s.frequency[i], s.recency[i], s.T[i]);
  EXPECT_EQ(p.size(), distinct.size());
  EXPECT_EQ(std::accumulate(p.weight.begin(), p.weight.end(), 0.0), 2357.0);
  for (std::size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(p.frequency[p.index[i]], s.frequency[i]);
    ASSERT_EQ(p.recency[p.index[i]], s.recency[i]);
    ASSERT_EQ(p.T[p.index[i]], s.T[i]);
  }
}

TEST(Summary, MergeErrorsNameTheProblem) {
  const std::vector<std::uint32_t> c{0, 1};
  const std::vector<std::int64_t> t{1, 2};
  const std::vector<double> a{1, 2};
  SummaryOptions so;
  so.observation_end = 10;
  const auto s = summarize(view(c, t, a), so);
  auto expect_invalid = [](auto&& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "no exception; expected " << needle;
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), HasSubstr(needle));
    }
  };
  expect_invalid([&] { merge(s, s); }, "customer' = 0: is in both shards");
  auto w = s;
  w.period = Period::Week;
  expect_invalid([&] { merge(s, w); }, "'b.period' = week: must equal a.period = day");
  auto e = s;
  e.observation_end = 11;
  expect_invalid([&] { merge(s, e); }, "'b.observation_end' = 11: must equal a.observation_end = 10");
  auto broken = s;
  broken.T.pop_back();
  CustomerSummary empty;
  empty.observation_end = 10;
  expect_invalid([&] { merge(broken, empty); }, "one row per customer");
  // merging with an empty shard is the identity
  const auto m = merge(empty, s);
  EXPECT_EQ(m.customer, s.customer);
  EXPECT_EQ(m.total_spend, s.total_spend);
}
