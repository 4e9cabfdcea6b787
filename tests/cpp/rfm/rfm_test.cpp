#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
