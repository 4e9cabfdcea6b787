#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/rfm/rfm.hpp"

using namespace crmkit;
using namespace crmkit::rfm;
using testing::HasSubstr;

namespace {
const std::string kData = CRMKIT_TEST_DATA;

core::TransactionTable cdnow() {
  io::ReadOptions o;
  o.customer = "customer_id";
  o.date = "date";
  o.amount = "dollar_value";
  return io::read_transactions(kData + "/CDNOW_master.txt", o);
}

std::vector<std::uint8_t> scores(const std::vector<double>& v, int bins, TieMethod t) {
  std::vector<std::uint8_t> out(v.size());
  score(v, bins, t, {}, out);
  return out;
}
}  // namespace

// Expected values computed independently with pandas 1.5 (Debian's python3-pandas):
//   df = pd.read_csv("CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})
//   as_of = date.max() + 1 day; g = groupby(customer_id).agg(last=max date, frequency=size, monetary=sum)
//   r = 6 - (pd.qcut(g.recency.rank(method="first"), 5, labels=False) + 1); f, m likewise unreversed
TEST(Rfm, CdnowMatchesPandas) {
  const auto table = cdnow();
  const auto t = compute(table.view());
  ASSERT_EQ(t.size(), 23570u);
  EXPECT_EQ(t.as_of, io::days_from_civil(1998, 7, 1));
  std::map<std::string, std::size_t> row;
  for (std::size_t i = 0; i < t.size(); ++i) row[table.ids.decode(t.customer[i])] = i;
  const auto a = row.at("00002");
  EXPECT_EQ(t.recency[a], 535);
  EXPECT_EQ(t.frequency[a], 2);
  EXPECT_NEAR(t.monetary[a], 89.0, 1e-9);
  EXPECT_EQ(t.r[a], 1);
  EXPECT_EQ(t.f[a], 3);
  EXPECT_EQ(t.m[a], 4);
  const auto b = row.at("23570");
  EXPECT_EQ(t.recency[b], 462);
  EXPECT_EQ(t.r[b], 3);
  EXPECT_EQ(t.f[b], 4);
  EXPECT_EQ(t.m[b], 4);
  std::array<int, 6> rc{};
  for (auto s : t.r) ++rc[s];
  for (int s = 1; s <= 5; ++s) EXPECT_EQ(rc[static_cast<std::size_t>(s)], 4714) << s;

  const auto seg = Segmentation::rf_grid();
  const auto idx = assign(t, seg);
  const auto sum = segment_summary(t, idx, seg);
  std::map<std::string, std::size_t> counts;
  double share = 0, rshare = 0;
  for (const auto& r : sum) {
    counts[r.segment] = r.customers;
    share += r.customer_share;
    rshare += r.revenue_share;
  }
  EXPECT_EQ(counts["Champions"], 4427u);
  EXPECT_EQ(counts["Loyal Customers"], 4806u);
  EXPECT_EQ(counts["Hibernating"], 8567u);
  EXPECT_EQ(counts["Need Attention"], 2867u);
  EXPECT_EQ(counts["Potential Loyalists"], 1181u);
  EXPECT_EQ(counts["About to Sleep"], 861u);
  EXPECT_EQ(counts["At Risk"], 844u);
  EXPECT_EQ(counts["Can't Lose Them"], 17u);
  EXPECT_EQ(counts["Other"], 0u);
  EXPECT_NEAR(share, 1.0, 1e-12);
  EXPECT_NEAR(rshare, 1.0, 1e-12);
}

TEST(Rfm, RankFirstEqualsQcutOfRanks) {
  // pd.qcut(pd.Series([5,1,1,1,2,9,9,3,1,1]).rank(method="first"), 5, labels=False) + 1
  //   -> [4, 1, 1, 2, 3, 5, 5, 4, 2, 3]
  const std::vector<double> v{5, 1, 1, 1, 2, 9, 9, 3, 1, 1};
  EXPECT_EQ(scores(v, 5, TieMethod::RankFirst), (std::vector<std::uint8_t>{4, 1, 1, 2, 3, 5, 5, 4, 2, 3}));
  EXPECT_EQ(scores({7}, 5, TieMethod::RankFirst), (std::vector<std::uint8_t>{1}));
}

TEST(Rfm, ValueQuantileSharesScoresAndNeverLeavesGaps) {
  // np.quantile(v, [.2, .4, .6, .8]) = [1, 1, 2.4, 5.8]; score = 1 + #{q < v}:
  // 1 -> 1 (scores 2 and 3 collapse), 2 -> 3, 3 and 5 -> 4, 9 -> 5
  const std::vector<double> v{5, 1, 1, 1, 2, 9, 9, 3, 1, 1};
  EXPECT_EQ(scores(v, 5, TieMethod::ValueQuantile), (std::vector<std::uint8_t>{4, 1, 1, 1, 3, 5, 5, 4, 1, 1}));
  const std::vector<double> same(10, 3.0);
  for (auto s : scores(same, 5, TieMethod::ValueQuantile)) EXPECT_EQ(s, 1);
}

TEST(Rfm, BetterValueNeverGetsWorseScore) {
  std::mt19937_64 rng(7);
  for (auto ties : {TieMethod::RankFirst, TieMethod::ValueQuantile}) {
    for (int bins : {2, 3, 5, 10}) {
      std::vector<double> v(997);
      for (auto& x : v) x = static_cast<double>(rng() % 40);
      const auto s = scores(v, bins, ties);
      for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = 0; j < v.size(); j += 7) {
          if (v[i] > v[j]) {
            ASSERT_GE(s[i], s[j]);
          }
          ASSERT_GE(s[i], 1);
          ASSERT_LE(s[i], bins);
        }
    }
  }
}

TEST(Rfm, RecencyIsReversedAndCutsApply) {
  // three customers: last purchases on days 9, 5, 1; as_of 10
  const std::vector<std::uint32_t> c{0, 1, 2, 2};
  const std::vector<std::int64_t> t{9, 5, 1, 0};
  const std::vector<double> a{10, 20, 30, 40};
  RfmOptions o;
  o.as_of = 10;
  o.bins = 3;
  o.recency_cuts = {2, 6};
  o.monetary_cuts = {15, 50};
  o.frequency_cuts = {1, 2};
  const auto t3 = compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0}, o);
  EXPECT_EQ(t3.recency, (std::vector<double>{1, 5, 9}));
  EXPECT_EQ(t3.r, (std::vector<std::uint8_t>{3, 2, 1}));
  EXPECT_EQ(t3.m, (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(t3.f, (std::vector<std::uint8_t>{1, 1, 2}));
  o.monetary = MonetaryKind::Mean;
  o.monetary_cuts.clear();
  EXPECT_DOUBLE_EQ(compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0}, o).monetary[2], 35);
  // transactions after as_of are ignored
  o.as_of = 4;
  const auto early = compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0}, o);
  EXPECT_EQ(early.size(), 1u);
}

TEST(Rfm, BadOptions) {
  const std::vector<std::uint32_t> c{0};
  const std::vector<std::int64_t> t{0};
  const std::vector<double> a{1};
  const core::TransactionsView v{c, t, a, core::TimeUnit::Days, 0};
  RfmOptions o;
  o.bins = 1;
  EXPECT_THROW(compute(v, o), InvalidArgument);
  o.bins = 3;
  o.recency_cuts = {5, 2};
  try {
    compute(v, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("ascending"));
  }
  o.recency_cuts = {1};
  EXPECT_THROW(compute(v, o), InvalidArgument);
}

TEST(Segments, RfGridCoversEveryCell) {
  const auto g = Segmentation::rf_grid();
  const auto names = g.names();
  EXPECT_EQ(names.size(), 11u);  // 10 + fallback
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f) EXPECT_NE(names[g.classify(r, f, 1)], "Other") << r << f;
  EXPECT_EQ(names[g.classify(5, 5, 1)], "Champions");
  EXPECT_EQ(names[g.classify(1, 5, 1)], "Can't Lose Them");
  EXPECT_EQ(names[g.classify(5, 1, 1)], "New Customers");
  const auto rr = Segmentation::rfm_ranges();
  const auto rn = rr.names();
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f)
      for (int m = 1; m <= 5; ++m) EXPECT_NE(rn[rr.classify(r, f, m)], "Other") << r << f << m;
  EXPECT_THROW(Segmentation::preset("nope"), InvalidArgument);
}

TEST(Segments, RulesFileFirstMatchWins) {
  const auto s = Segmentation::parse("segment,r,f,m\n# comment\nTop,5,*,*\nGood,4-5,3-5,*\nRest,*,*,*\n", "rules.csv");
  const auto n = s.names();
  EXPECT_EQ(n[s.classify(5, 5, 5)], "Top");
  EXPECT_EQ(n[s.classify(4, 4, 1)], "Good");
  EXPECT_EQ(n[s.classify(1, 1, 1)], "Rest");
}

TEST(Segments, RulesFileErrors) {
  auto expect_parse = [](const std::string& text, const std::string& needle) {
    try {
      Segmentation::parse(text, "rules.csv");
      ADD_FAILURE() << text;
    } catch (const ParseError& e) {
      EXPECT_THAT(e.what(), HasSubstr(needle)) << text;
    }
  };
  expect_parse("name,r,f,m\nA,1,1,1\n", "rules.csv:1:1");
  expect_parse("segment,r,f,m\nA,1-7,1,1\n", "rules.csv:2:2: column 'r'");
  expect_parse("segment,r,f,m\nA,1,x,1\n", "found 'x'");
  expect_parse("segment,r,f,m\nA,1,1\n", "rules.csv:2");
  expect_parse("segment,r,f,m\n", "at least one rule");
  EXPECT_THROW(Segmentation::load(kData + "/missing_rules.csv"), IoError);
}

TEST(Segments, BinsMustMatch) {
  const std::vector<std::uint32_t> c{0, 1};
  const std::vector<std::int64_t> t{0, 1};
  const std::vector<double> a{1, 2};
  RfmOptions o;
  o.bins = 3;
  const auto t3 = compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0}, o);
  try {
    assign(t3, Segmentation::rf_grid());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("1..5"));
  }
}

// ---- more checks ------------------------------------------------------------------------------------

namespace {

// References read off the definitions: a full stable sort (rank-first) and a full sort with numpy's
// linear interpolation (value-quantile).
std::vector<std::uint8_t> reference_rank_first(const std::vector<double>& v, int bins) {
  const std::size_t n = v.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<std::uint8_t> out(n, 1);
  for (std::size_t k = 1; k <= n; ++k) {
    if (n == 1) break;
    const std::uint64_t num = static_cast<std::uint64_t>(bins) * (k - 1), den = n - 1;
    out[order[k - 1]] = static_cast<std::uint8_t>(std::max<std::uint64_t>(1, (num + den - 1) / den));
  }
  return out;
}

std::vector<std::uint8_t> reference_value_quantile(const std::vector<double>& v, int bins) {
  std::vector<double> s(v);
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  std::vector<double> q;
  for (int i = 1; i < bins; ++i) {
    const std::uint64_t num = static_cast<std::uint64_t>(n - 1) * static_cast<std::uint64_t>(i);
    const std::size_t lo = num / static_cast<std::uint64_t>(bins);
    const double t = static_cast<double>(num % static_cast<std::uint64_t>(bins)) / bins;
    if (t == 0) {
      q.push_back(s[lo]);
    } else {
      const double a = s[lo], b = s[lo + 1], d = b - a;
      q.push_back(t >= 0.5 ? b - d * (1 - t) : a + d * t);
    }
  }
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(1 + (std::lower_bound(q.begin(), q.end(), v[i]) - q.begin()));
  return out;
}

}  // namespace

TEST(Rfm, ScoresEqualPandasOnFractionalValues) {
  // x = pd.Series([2.5, 0.1, 7.25, 2.5, 2.5, 9.0, 0.1, 3.0, 2.5, 4.75, 7.25, 0.0, 2.5, 1.0, 6.0, 2.5,
  //                5.5, 0.1, 8.0, 2.5, 3.0, 2.5, 1.5])
  // (pd.qcut(x.rank(method="first"), 4, labels=False) + 1).tolist()
  // q = np.quantile(x, [.25, .5, .75]) = [2, 2.5, 5.125]; (1 + np.searchsorted(q, x, side="left")).tolist()
  const std::vector<double> x{2.5, 0.1, 7.25, 2.5, 2.5, 9.0, 0.1, 3.0, 2.5, 4.75, 7.25, 0.0,
                              2.5, 1.0, 6.0,  2.5, 5.5, 0.1, 8.0, 2.5, 3.0, 2.5,  1.5};
  EXPECT_EQ(scores(x, 4, TieMethod::RankFirst),
            (std::vector<std::uint8_t>{2, 1, 4, 2, 2, 4, 1, 3, 2, 3, 4, 1, 2, 1, 4, 2, 4, 1, 4, 3, 3, 3, 1}));
  EXPECT_EQ(scores(x, 4, TieMethod::ValueQuantile),
            (std::vector<std::uint8_t>{2, 1, 4, 2, 2, 4, 1, 3, 2, 3, 4, 1, 2, 1, 4, 2, 4, 1, 4, 2, 3, 2, 1}));
}

TEST(Rfm, ScoresEqualReferenceOnEveryPath) {
  // integers in a small range (counting path), fractional values with many ties and large n (the
  // order-statistics path), few distinct values (collapsed bins), and a single value
  std::mt19937_64 rng(11);
  for (int bins : {2, 3, 5, 7, 10, 100}) {
    for (std::size_t n : {1u, 2u, 9u, 100u, 5000u, 20000u}) {
      std::vector<double> ints(n), cents(n), few(n), wide(n);
      for (std::size_t i = 0; i < n; ++i) {
        ints[i] = static_cast<double>(rng() % 50);
        cents[i] = static_cast<double>(rng() % 700) / 100.0 + 1.0;
        few[i] = (rng() % 10 == 0) ? 2.5 : 1.5;
        wide[i] = std::ldexp(static_cast<double>(rng() % 1000) - 500.0, static_cast<int>(rng() % 40));
      }
      for (const auto* v : {&ints, &cents, &few, &wide}) {
        ASSERT_EQ(scores(*v, bins, TieMethod::RankFirst), reference_rank_first(*v, bins)) << bins << " " << n;
        ASSERT_EQ(scores(*v, bins, TieMethod::ValueQuantile), reference_value_quantile(*v, bins)) << bins << " " << n;
      }
    }
  }
}

TEST(Rfm, ComputeScoresAreMonotoneOnEveryAxis) {
  // A better value never gets a worse score: lower recency, higher frequency, higher monetary.
  std::mt19937_64 rng(5);
  std::vector<std::uint32_t> c;
  std::vector<std::int64_t> t;
  std::vector<double> a;
  for (int i = 0; i < 60000; ++i) {
    c.push_back(static_cast<std::uint32_t>(rng() % 8000));
    t.push_back(static_cast<std::int64_t>(rng() % 365));
    a.push_back(static_cast<double>(rng() % 10000) / 100.0);
  }
  const core::TransactionsView v{c, t, a, core::TimeUnit::Days, 0};
  for (auto ties : {TieMethod::RankFirst, TieMethod::ValueQuantile}) {
    for (int bins : {3, 5, 10}) {
      RfmOptions o;
      o.ties = ties;
      o.bins = bins;
      const auto r = compute(v, o);
      std::vector<std::size_t> order(r.size());
      for (std::size_t i = 0; i < r.size(); ++i) order[i] = i;
      auto check = [&](const std::vector<double>& val, const std::vector<std::uint8_t>& sc, bool lower_is_better) {
        std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return val[x] < val[y]; });
        for (std::size_t k = 1; k < order.size(); ++k) {
          const auto p = order[k - 1], q = order[k];
          ASSERT_GE(sc[p], 1);
          ASSERT_LE(sc[p], bins);
          if (val[p] < val[q]) {
            if (lower_is_better) ASSERT_GE(sc[p], sc[q]);
            else ASSERT_LE(sc[p], sc[q]);
          }
        }
      };
      check(r.recency, r.r, true);
      check(r.frequency, r.f, false);
      check(r.monetary, r.m, false);
    }
  }
}

// More CDNOW values, again from pandas (same frame `g` as above):
//   g.loc["00001"], g.loc["12345"]  -> recency 546 / 502, frequency 1, monetary 11.77 / 15.36
//   seg = the rf-grid applied to (r, f); (g.monetary.groupby(seg).sum() / g.monetary.sum())["Champions"]
//     -> 0.525767;  g.recency[seg == "Champions"].mean() -> 59.846397
//   value quantiles: q = np.quantile(g.monetary, [.2, .4, .6, .8]) = [15.36, 31.35, 59.924, 133.95];
//     np.bincount(1 + np.searchsorted(q, g.monetary, side="left"))[1:] -> [4817, 4615, 4710, 4715, 4713]
//   recency: q = [142, 433, 486, 513], r = 6 - (1 + searchsorted) -> counts [4539, 4748, 4844, 4720, 4719]
TEST(Rfm, CdnowMoreValuesFromPandas) {
  const auto table = cdnow();
  const auto t = compute(table.view());
  std::map<std::string, std::size_t> row;
  for (std::size_t i = 0; i < t.size(); ++i) row[table.ids.decode(t.customer[i])] = i;
  const auto a = row.at("00001"), b = row.at("12345");
  EXPECT_EQ(t.recency[a], 546);
  EXPECT_EQ(t.recency[b], 502);
  EXPECT_NEAR(t.monetary[b], 15.36, 1e-9);
  EXPECT_EQ(t.r[a], 1);
  EXPECT_EQ(t.f[a], 1);
  EXPECT_EQ(t.m[a], 1);
  EXPECT_EQ(t.r[b], 2);
  EXPECT_EQ(t.f[b], 2);
  EXPECT_EQ(t.m[b], 1);
  const auto seg = Segmentation::rf_grid();
  const auto idx = assign(t, seg);
  const auto sum = segment_summary(t, idx, seg);
  const auto names = seg.names();
  ASSERT_EQ(sum.size(), names.size());
  for (std::size_t k = 0; k < sum.size(); ++k) EXPECT_EQ(sum[k].segment, names[k]);
  EXPECT_EQ(sum[0].segment, "Champions");
  EXPECT_NEAR(sum[0].revenue_share, 0.525767, 5e-7);
  EXPECT_NEAR(sum[0].mean_recency, 59.846397, 5e-7);
  EXPECT_EQ(sum[0].mean_r, 5);
  for (const auto& r : sum)
    if (r.segment == "New Customers" || r.segment == "Promising" || r.segment == "Other") {
      EXPECT_EQ(r.customers, 0u);  // empty segments are listed, with zeros
      EXPECT_EQ(r.mean_recency, 0);
    }

  RfmOptions o;
  o.ties = TieMethod::ValueQuantile;
  const auto q = compute(table.view(), o);
  std::array<int, 6> mc{}, rc{};
  for (auto s : q.m) ++mc[s];
  for (auto s : q.r) ++rc[s];
  EXPECT_EQ(mc, (std::array<int, 6>{0, 4817, 4615, 4710, 4715, 4713}));
  EXPECT_EQ(rc, (std::array<int, 6>{0, 4539, 4748, 4844, 4720, 4719}));
}

TEST(Rfm, SecondsAndDefaultAsOf) {
  // seconds are floored to days (also before 1970); as_of defaults to the day after the last one
  const std::vector<std::uint32_t> c{0, 1, 1};
  const std::vector<std::int64_t> t{-1, 86400 * 2 + 5, 86400 * 2 + 86399};
  const std::vector<double> a{10, -4, 6};  // a return: monetary is the net total
  const auto r = compute(core::TransactionsView{c, t, a, core::TimeUnit::Seconds, 0});
  EXPECT_EQ(r.as_of, 3);
  EXPECT_EQ(r.recency, (std::vector<double>{4, 1}));
  EXPECT_EQ(r.frequency, (std::vector<double>{1, 2}));
  EXPECT_EQ(r.monetary, (std::vector<double>{10, 2}));
  EXPECT_EQ(r.total_spend, (std::vector<double>{10, 2}));
}

TEST(Rfm, ErrorsNameTheProblem) {
  const std::vector<std::uint32_t> c{0};
  const std::vector<std::int64_t> t{5};
  const std::vector<double> a{1};
  const core::TransactionsView v{c, t, a, core::TimeUnit::Days, 0};
  auto expect_invalid = [](auto&& f, const std::string& needle) {
    try {
      f();
      ADD_FAILURE() << "no exception; expected " << needle;
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), HasSubstr(needle));
    }
  };
  RfmOptions o;
  o.as_of = 4;
  expect_invalid([&] { compute(v, o); }, "'as_of' = 1970-01-05: no transaction on or before it");
  o = {};
  o.bins = 101;
  expect_invalid([&] { compute(v, o); }, "'bins' = 101: must be in 2..100");
  o = {};
  o.frequency_cuts = {1, 2};
  expect_invalid([&] { compute(v, o); }, "'frequency_cuts' = 2 cut points: needs bins - 1 = 4 cut points");
  expect_invalid([&] { compute(core::TransactionsView{}); }, "needs at least one transaction");
  std::vector<std::uint8_t> out(2);
  expect_invalid([&] { score(std::vector<double>{1, NAN}, 5, TieMethod::RankFirst, {}, out); },
                 "'values[1]' = nan: must be finite");
  expect_invalid([&] { score(std::vector<double>{1}, 5, TieMethod::RankFirst, {}, out); }, "'out' = length 2");
}

TEST(Segments, SummaryMeansAndShares) {
  // four customers; scores on 1..2 with a two-rule segmentation
  const std::vector<std::uint32_t> c{0, 1, 1, 2, 3};
  const std::vector<std::int64_t> t{1, 2, 9, 9, 3};
  const std::vector<double> a{10, 20, 30, 40, 0};
  RfmOptions o;
  o.bins = 2;
  o.as_of = 10;
  const auto r = compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0}, o);
  // recency {9, 1, 1, 7}, frequency {1, 2, 1, 1}, monetary {10, 50, 40, 0}
  const auto seg = Segmentation::parse("segment,r,f,m\nRecent,2,*,*\nEmpty,1,2,2\n", "two.csv", 2);
  const auto idx = assign(r, seg);
  EXPECT_EQ(idx, (std::vector<std::uint32_t>{2, 0, 0, 2}));  // names: Recent, Empty, Other
  const auto s = segment_summary(r, idx, seg);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].segment, "Recent");
  EXPECT_EQ(s[0].customers, 2u);
  EXPECT_DOUBLE_EQ(s[0].customer_share, 0.5);
  EXPECT_DOUBLE_EQ(s[0].revenue, 90);
  EXPECT_DOUBLE_EQ(s[0].revenue_share, 0.9);
  EXPECT_DOUBLE_EQ(s[0].mean_recency, 1);
  EXPECT_DOUBLE_EQ(s[0].mean_frequency, 1.5);
  EXPECT_DOUBLE_EQ(s[0].mean_monetary, 45);
  EXPECT_DOUBLE_EQ(s[0].mean_r, 2);
  EXPECT_EQ(s[1].segment, "Empty");
  EXPECT_EQ(s[1].customers, 0u);
  EXPECT_EQ(s[2].segment, "Other");
  EXPECT_DOUBLE_EQ(s[2].revenue_share, 0.1);
  double share = 0;
  for (const auto& x : s) share += x.customer_share;
  EXPECT_DOUBLE_EQ(share, 1.0);
  try {
    segment_summary(r, std::vector<std::uint32_t>{0}, seg);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("must equal the table's 4 rows"));
  }
}

TEST(Segments, NamesWithRepeatsAndExplicitFallback) {
  // a name used by two rules appears once; a rule named like the fallback shares its index
  const auto s = Segmentation::parse("segment,r,f,m\nA,5,*,*\nB,4,*,*\nA,3,*,*\nOther,2,*,*\n", "r.csv");
  EXPECT_EQ(s.names(), (std::vector<std::string>{"A", "B", "Other"}));
  EXPECT_EQ(s.classify(3, 1, 1), 0u);
  EXPECT_EQ(s.classify(4, 1, 1), 1u);
  EXPECT_EQ(s.classify(2, 1, 1), 2u);
  EXPECT_EQ(s.classify(1, 1, 1), 2u);
  // rules for ten bins
  const auto ten = Segmentation::parse("segment,r,f,m\nTop,9-10,10,*\n", "ten.csv", 10);
  EXPECT_EQ(ten.bins, 10);
  EXPECT_EQ(ten.names()[ten.classify(10, 10, 3)], "Top");
  EXPECT_EQ(Segmentation::preset("rfm-ranges").names().back(), "Other");
}

TEST(Segments, EmptyRangeIsAnError) {
  try {
    Segmentation::parse("segment,r,f,m\nA,5,,*\n", "rules.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 3);
    EXPECT_THAT(e.what(), HasSubstr("column 'f': expected a score range 'a-b', 'a' or '*' within 1..5, found ''"));
  }
  try {
    Segmentation::load(kData + "/missing_rules.csv");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing_rules.csv: cannot open"));
  }
}

TEST(Rfm, ComputeScoresEqualScoreOfItsValues) {
  // compute() counts its histograms while it collects the values and scores from them; the scores
  // must be exactly score() of the values it returns, for every option, above and below the size
  // where monetary values switch from a sort to the histogram (4,096 customers), with an as-of day
  // that leaves customers out, and with one customer buying on a huge number of days.
  std::mt19937_64 rng(23);
  for (std::size_t customers : {1u, 7u, 3000u, 9000u}) {
    std::vector<std::uint32_t> c;
    std::vector<std::int64_t> t;
    std::vector<double> a;
    for (std::size_t i = 0; i < customers * 6; ++i) {
      c.push_back(static_cast<std::uint32_t>(i < customers ? i : rng() % customers));
      t.push_back(18000 + static_cast<std::int64_t>(rng() % 400));
      a.push_back(static_cast<double>(rng() % 5000) / 100.0 - 5.0);
    }
    for (int i = 0; i < 3000; ++i) {  // a heavy buyer: frequency far above the others
      c.push_back(0);
      t.push_back(18000 + i % 400);
      a.push_back(1.0);
    }
    const core::TransactionsView v{c, t, a, core::TimeUnit::Days, 0};
    for (auto ties : {TieMethod::RankFirst, TieMethod::ValueQuantile}) {
      for (int bins : {2, 5, 9}) {
        for (int variant = 0; variant < 4; ++variant) {
          RfmOptions o;
          o.ties = ties;
          o.bins = bins;
          if (variant == 1) o.monetary = MonetaryKind::Mean;
          if (variant == 2) o.as_of = 18200;  // later rows ignored, some customers left out
          if (variant == 3) {
            for (int k = 1; k < bins; ++k) o.frequency_cuts.push_back(3.0 * k);
          }
          SCOPED_TRACE(testing::Message() << customers << " customers, bins " << bins << ", variant " << variant);
          const RfmTable r = compute(v, o);
          ASSERT_GT(r.size(), 0u);
          std::vector<std::uint8_t> rs(r.size()), fs(r.size()), ms(r.size());
          score(r.recency, bins, ties, {}, rs);
          for (auto& s : rs) s = static_cast<std::uint8_t>(bins + 1 - s);
          score(r.frequency, bins, ties, o.frequency_cuts, fs);
          score(r.monetary, bins, ties, {}, ms);
          EXPECT_EQ(r.r, rs);
          EXPECT_EQ(r.f, fs);
          EXPECT_EQ(r.m, ms);
        }
      }
    }
  }
}

TEST(Rfm, MonetaryOverflowingToInfinityIsAnError) {
  // Finite amounts whose total overflows: the monetary value is infinite and cannot be scored.
  const std::vector<std::uint32_t> c{0, 0, 1, 2, 3, 4, 5};
  const std::vector<std::int64_t> t{1, 2, 3, 4, 5, 6, 7};
  const std::vector<double> a{1.5e308, 1.5e308, 1, 2, 3, 4, 5};
  try {
    compute(core::TransactionsView{c, t, a, core::TimeUnit::Days, 0});
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("must be finite"));
  }
}
