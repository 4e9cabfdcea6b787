// rfm::compute on tables large enough for its threaded passes (>= 2^17 customer codes: the collection
// pass over ranges of codes, and the three axes scored as tasks): the result must be bitwise the same
// on 1 and on 2 threads, and equal to a straightforward computation (per customer count, last day and
// spend added in row order, then score() of the values). 2.2M rows also cover the accumulation's
// far-ahead prefetches and the monetary scores' bucket table on many customers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "crmkit/core/parallel.hpp"
#include "crmkit/rfm/rfm.hpp"

using namespace crmkit;
using namespace crmkit::rfm;

namespace {

struct Log {
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  std::uint32_t n_customers = 0;
  core::TimeUnit unit = core::TimeUnit::Days;
  core::TransactionsView view() const { return core::TransactionsView{customer, time, amount, unit, n_customers}; }
};

// 2.2M rows over codes [0, 300000) of 400,000 (the rest unused), days over ~2 years in random order
// (some before the first row's day), amounts in quarters with many ties and a few negative ones.
Log make_log(core::TimeUnit unit, std::uint64_t seed) {
  Log g;
  g.unit = unit;
  g.n_customers = 400000;
  std::mt19937_64 rng(seed);
  const std::size_t n = 2200000;
  g.customer.resize(n);
  g.time.resize(n);
  g.amount.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    // skewed: low codes buy more often
    const std::uint64_t r = rng();
    g.customer[i] = static_cast<std::uint32_t>((r % 2 == 0 ? (r >> 8) % 30000 : (r >> 8) % 300000));
    const std::int64_t day = 19000 + static_cast<std::int64_t>((r >> 40) % 730);
    g.time[i] = unit == core::TimeUnit::Days ? day : day * 86400 + static_cast<std::int64_t>(rng() % 86400);
    g.amount[i] = static_cast<double>(static_cast<std::int64_t>(rng() % 2000) - 40) / 4.0;
  }
  return g;
}

RfmTable reference(const Log& g, const RfmOptions& o) {
  const std::size_t nc = g.n_customers;
  std::vector<double> spend(nc, 0.0);
  std::vector<std::int64_t> last(nc, std::numeric_limits<std::int64_t>::min());
  std::vector<std::uint32_t> count(nc, 0);
  std::int64_t max_day = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < g.customer.size(); ++i) max_day = std::max(max_day, core::to_day(g.time[i], g.unit));
  const std::int64_t as_of = o.as_of ? *o.as_of : max_day + 1;
  for (std::size_t i = 0; i < g.customer.size(); ++i) {
    const std::int64_t d = core::to_day(g.time[i], g.unit);
    if (d > as_of) continue;
    const auto c = g.customer[i];
    ++count[c];
    last[c] = std::max(last[c], d);
    spend[c] += g.amount[i];
  }
  RfmTable t;
  t.bins = o.bins;
  t.as_of = as_of;
  for (std::uint32_t c = 0; c < nc; ++c) {
    if (count[c] == 0) continue;
    t.customer.push_back(c);
    t.recency.push_back(static_cast<double>(as_of - last[c]));
    t.frequency.push_back(count[c]);
    t.monetary.push_back(o.monetary == MonetaryKind::Mean ? spend[c] / count[c] : spend[c]);
    t.total_spend.push_back(spend[c]);
  }
  t.r.resize(t.size());
  t.f.resize(t.size());
  t.m.resize(t.size());
  score(t.recency, o.bins, o.ties, o.recency_cuts, t.r);
  for (auto& s : t.r) s = static_cast<std::uint8_t>(o.bins + 1 - s);
  score(t.frequency, o.bins, o.ties, o.frequency_cuts, t.f);
  score(t.monetary, o.bins, o.ties, o.monetary_cuts, t.m);
  return t;
}

template <class T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

void expect_same(const RfmTable& a, const RfmTable& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.as_of, b.as_of);
  EXPECT_EQ(a.bins, b.bins);
  EXPECT_TRUE(bitwise_equal(a.customer, b.customer));
  EXPECT_TRUE(bitwise_equal(a.recency, b.recency));
  EXPECT_TRUE(bitwise_equal(a.frequency, b.frequency));
  EXPECT_TRUE(bitwise_equal(a.monetary, b.monetary));
  EXPECT_TRUE(bitwise_equal(a.total_spend, b.total_spend));
  EXPECT_TRUE(bitwise_equal(a.r, b.r));
  EXPECT_TRUE(bitwise_equal(a.f, b.f));
  EXPECT_TRUE(bitwise_equal(a.m, b.m));
}

struct ThreadLimit {
  explicit ThreadLimit(int n) { set_max_threads(n); }
  ~ThreadLimit() { set_max_threads(0); }
  ThreadLimit(const ThreadLimit&) = delete;
  ThreadLimit& operator=(const ThreadLimit&) = delete;
};

}  // namespace

TEST(RfmLarge, OneAndTwoThreadsEqualTheStraightforwardComputation) {
  const Log g = make_log(core::TimeUnit::Days, 31);
  for (int variant = 0; variant < 3; ++variant) {
    RfmOptions o;
    if (variant == 1) o.as_of = 19000 + 365;  // half the rows ignored, some customers left out
    if (variant == 2) {
      o.ties = TieMethod::ValueQuantile;
      o.monetary = MonetaryKind::Mean;
      o.bins = 7;
    }
    SCOPED_TRACE(variant);
    const RfmTable ref = reference(g, o);
    ASSERT_GT(ref.size(), 250000u);
    ASSERT_LT(ref.size(), 300001u);  // unused codes are absent
    RfmTable one, two;
    {
      const ThreadLimit limit(1);
      one = compute(g.view(), o);
    }
    {
      const ThreadLimit limit(2);
      two = compute(g.view(), o);
    }
    expect_same(one, ref);
    expect_same(two, ref);
  }
}

TEST(RfmLarge, SecondsOnTwoThreads) {
  const Log g = make_log(core::TimeUnit::Seconds, 37);
  RfmOptions o;
  o.as_of = 19000 + 500;
  const RfmTable ref = reference(g, o);
  const ThreadLimit limit(2);
  expect_same(compute(g.view(), o), ref);
}

TEST(RfmLarge, BadRowsAreNamedOnTwoThreads) {
  Log g = make_log(core::TimeUnit::Days, 41);
  const ThreadLimit limit(2);
  g.amount[1234567] = std::numeric_limits<double>::quiet_NaN();
  try {
    compute(g.view());
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("amount[1234567]"), std::string::npos) << e.what();
  }
  g.amount[1234567] = 1.0;
  g.customer[2000001] = 400000;
  try {
    compute(g.view());
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("400000"), std::string::npos) << e.what();
  }
}

TEST(RfmLarge, WideSpanOnTwoThreads) {
  // the widest span of valid days, 0001-01-01 to 9999-12-31: same values as the straightforward pass
  Log g = make_log(core::TimeUnit::Days, 43);
  g.time[5] = core::kMaxDay;
  g.time[6] = core::kMinDay;
  RfmOptions o;
  o.as_of = core::kMaxDay;
  const RfmTable ref = reference(g, o);
  const ThreadLimit limit(2);
  expect_same(compute(g.view(), o), ref);
  // days beyond them (2^40: durations would overflow) are refused, naming the row (issue 13)
  g.time[5] = std::int64_t{1} << 40;
  try {
    compute(g.view(), o);
    FAIL() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'time[5]' = 1099511627776: must fall on a date from 0001-01-01 to 9999-12-31"),
              std::string::npos)
        << e.what();
  }
  o.as_of = std::int64_t{1} << 41;
  g.time[5] = core::kMaxDay;
  EXPECT_THROW(compute(g.view(), o), InvalidArgument);
}

TEST(RfmLarge, LargeLogsSumEachHalfOfTheRowsThenAddThem) {
  // From 2^21 rows (and two rows per customer code) the rows are accumulated in two halves, each into
  // its own records, merged in order: spend = (sum over the first half) + (sum over the second half).
  // With amounts in cents (not exact in binary) that is the definition the result must equal bitwise,
  // on 1 and on 2 threads; it stays within rounding of the plain row-order sum.
  Log g = make_log(core::TimeUnit::Days, 47);
  std::mt19937_64 rng(5);
  for (auto& a : g.amount) a = static_cast<double>(static_cast<std::int64_t>(rng() % 100000) - 1000) / 100.0;
  const std::size_t n = g.customer.size(), half = n / 2;
  ASSERT_GE(n, std::size_t{1} << 21);
  std::vector<double> first(g.n_customers, 0.0), second(g.n_customers, 0.0), plain(g.n_customers, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    (i < half ? first : second)[g.customer[i]] += g.amount[i];
    plain[g.customer[i]] += g.amount[i];
  }
  RfmTable one, two;
  {
    const ThreadLimit limit(1);
    one = compute(g.view());
  }
  {
    const ThreadLimit limit(2);
    two = compute(g.view());
  }
  expect_same(one, two);
  std::size_t differs_from_plain = 0;
  for (std::size_t k = 0; k < one.size(); ++k) {
    const std::uint32_t c = one.customer[k];
    ASSERT_EQ(one.total_spend[k], first[c] + second[c]) << "customer " << c;
    EXPECT_NEAR(one.total_spend[k], plain[c], 1e-9 * std::max(1.0, std::abs(plain[c])));
    differs_from_plain += one.total_spend[k] != plain[c];
  }
  EXPECT_GT(differs_from_plain, 0u);  // the split is really taken (cents round differently)
}
