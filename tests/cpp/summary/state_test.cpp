// Issue 14, item 2: customer-keyed summary states. A state's summary is bitwise the summary of the rows
// it holds; yesterday's state plus today's rows is bitwise today's state recomputed from scratch; shards
// of customers merge to the state of the union; the file format round-trips and refuses every corrupt,
// truncated or inconsistent file with a ParseError.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/state.hpp"
#include "crmkit/summary/summary.hpp"

using namespace crmkit;
using namespace crmkit::summary;
using testing::HasSubstr;

namespace {

std::string tag(const char* prefix, long long n) {
  std::string s = prefix;
  s += std::to_string(n);
  return s;
}

// A log of `rows` rows: customers c0..c{customers-1}, days from `first_day` on, amounts with cents that
// do not add up exactly in binary (so any change in summation order shows in the last bits), rows of a
// customer often out of day order and several on one day.
std::string log_text(std::mt19937_64& rng, int rows, int customers, std::int64_t first_day, int days) {
  std::uniform_int_distribution<int> c(0, customers - 1), d(0, days - 1), cents(1, 99999);
  std::string out = "customer,date,amount\n";
  for (int r = 0; r < rows; ++r) {
    out += tag("c", c(rng)) + "," + io::format_date(first_day + d(rng)) + "," + tag("", cents(rng) / 100) +
           tag(".", 10 + cents(rng) % 90) + "\n";
  }
  return out;
}

core::TransactionTable parse(const std::string& text) { return io::parse_transactions(text); }

// The summary of a state and the summary of a table, compared customer by customer (found by id),
// bitwise.
void expect_same_summary(const State& st, const core::TransactionTable& tx, std::int64_t end, Period period) {
  const CustomerSummary want = summarize(tx.view(), SummaryOptions{period, end});
  const CustomerSummary got = st.summary(period);
  ASSERT_EQ(want.size(), got.size());
  EXPECT_EQ(want.observation_end, got.observation_end);
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  for (std::size_t w = 0; w < want.size(); ++w) {
    SCOPED_TRACE(tx.ids.decode(want.customer[w]));
    const std::uint32_t code = st.ids().find(tx.ids.decode(want.customer[w]));
    ASSERT_NE(code, core::Dictionary::npos);
    const std::size_t i = w, g = code;
    ASSERT_EQ(got.customer[g], code);
    EXPECT_EQ(bits(want.frequency[i]), bits(got.frequency[g]));
    EXPECT_EQ(bits(want.recency[i]), bits(got.recency[g]));
    EXPECT_EQ(bits(want.T[i]), bits(got.T[g]));
    EXPECT_EQ(bits(want.monetary_value[i]), bits(got.monetary_value[g]));
    EXPECT_EQ(bits(want.total_spend[i]), bits(got.total_spend[g]));
    EXPECT_EQ(want.first_purchase[i], got.first_purchase[g]);
    EXPECT_EQ(want.last_purchase[i], got.last_purchase[g]);
    EXPECT_EQ(want.n_transactions[i], got.n_transactions[g]);
  }
}

template <class E, class F>
std::string thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "nothing thrown";
  return "";
}

constexpr std::int64_t kJan1 = 19723;  // 2024-01-01

}  // namespace

TEST(SummaryState, SummaryOfAStateIsTheSummaryOfItsRows) {
  std::mt19937_64 rng(1);
  const auto tx = parse(log_text(rng, 5000, 300, kJan1, 200));
  for (auto end : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{kJan1 + 120}}) {
    StateReport rep;
    const State st = State::from_transactions(tx, end, &rep);
    const std::int64_t e = end ? *end : st.observation_end();
    EXPECT_EQ(rep.rows_added + rep.rows_after_end, tx.size());
    EXPECT_EQ(st.rows(), rep.rows_added);
    for (Period p : {Period::Day, Period::Week, Period::Month}) expect_same_summary(st, tx, e, p);
  }
}

// The daily refresh: yesterday's state plus today's rows is today's state, bitwise, for every day of a
// log cut into days (rows of a day may be in any order; customers appear for the first time on any day).
TEST(SummaryState, YesterdaysStatePlusTodaysRowsIsTodaysState) {
  std::mt19937_64 rng(2);
  const std::string text = log_text(rng, 6000, 400, kJan1, 60);
  const auto all = parse(text);
  // the rows of each day, in file order
  std::vector<std::string> day_text(60, "customer,date,amount\n");
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::string date = line.substr(line.find(',') + 1, 10);
    day_text[static_cast<std::size_t>(*io::parse_date(date, io::DateFormat{}) - kJan1)] += line + "\n";
  }
  std::string so_far = "customer,date,amount\n";
  State st = State::from_transactions(parse(day_text[0]));
  so_far += day_text[0].substr(21);
  for (int d = 1; d < 60; ++d) {
    StateReport rep;
    const auto today = parse(day_text[static_cast<std::size_t>(d)]);
    st.add(today, std::nullopt, &rep);
    EXPECT_EQ(rep.rows_added, today.size());
    so_far += day_text[static_cast<std::size_t>(d)].substr(21);
    const auto scratch = parse(so_far);
    EXPECT_EQ(st, State::from_transactions(scratch)) << "day " << d;
    if (d % 15 == 0) expect_same_summary(st, scratch, st.observation_end(), Period::Week);
  }
  // the log in day order, read at once: the same state; the log as written (rows out of day order,
  // so customers first appear in another order): the same summary for every customer
  EXPECT_EQ(st, State::from_transactions(parse(so_far)));
  expect_same_summary(st, all, st.observation_end(), Period::Day);
}

TEST(SummaryState, RowsOnTheLastDayAgainAreAddedExactly) {
  State st = State::from_transactions(parse("customer,date,amount\na,2024-01-01,0.1\na,2024-01-03,0.2\n"));
  st.add(parse("customer,date,amount\na,2024-01-03,0.7\nb,2023-12-30,1.1\na,2024-01-04,0.3\n"));
  const auto scratch = parse(
      "customer,date,amount\na,2024-01-01,0.1\na,2024-01-03,0.2\na,2024-01-03,0.7\nb,2023-12-30,1.1\n"
      "a,2024-01-04,0.3\n");
  EXPECT_EQ(st, State::from_transactions(scratch));
  const CustomerSummary s = st.summary();
  EXPECT_EQ(s.frequency[0], 2.0);  // days 01, 03, 04
  EXPECT_EQ(s.n_transactions[0], 4u);
}

TEST(SummaryState, ARowBeforeACustomersLastDayIsRefusedAndChangesNothing) {
  State st = State::from_transactions(parse("customer,date,amount\na,2024-01-01,1\na,2024-01-05,2\nb,2024-01-02,3\n"));
  const State before = st;
  const std::string msg = thrown<InvalidArgument>(
      [&] { st.add(parse("customer,date,amount\nc,2024-01-06,1\na,2024-01-04,9\n")); });
  EXPECT_THAT(msg, HasSubstr("customer 'a'"));
  EXPECT_THAT(msg, HasSubstr("2024-01-04"));
  EXPECT_THAT(msg, HasSubstr("2024-01-05"));
  EXPECT_EQ(st, before);
}

TEST(SummaryState, TheObservationEndOnlyMovesForward) {
  State st = State::from_transactions(parse("customer,date,amount\na,2024-01-01,1\n"), kJan1 + 10);
  EXPECT_THAT(thrown<InvalidArgument>([&] { st.add(parse("customer,date,amount\nb,2024-01-02,1\n"), kJan1 + 5); }),
              HasSubstr("must not be before the state's observation end (2024-01-11)"));
  StateReport rep;
  st.add(parse("customer,date,amount\nb,2024-01-02,1\nb,2024-01-20,1\n"), kJan1 + 12, &rep);
  EXPECT_EQ(rep.rows_added, 1u);
  EXPECT_EQ(rep.rows_after_end, 1u);
  EXPECT_EQ(rep.customers_new, 1u);
  EXPECT_EQ(st.observation_end(), kJan1 + 12);
  // no end given: the later of the state's and the last new row's
  st.add(parse("customer,date,amount\nc,2024-01-02,1\n"));
  EXPECT_EQ(st.observation_end(), kJan1 + 12);
  st.add(parse("customer,date,amount\nc,2024-02-01,1\n"));
  EXPECT_EQ(st.observation_end(), kJan1 + 31);
}

TEST(SummaryState, ShardsOfCustomersMergeToTheStateOfTheUnion) {
  std::mt19937_64 rng(3);
  const std::string text = log_text(rng, 4000, 300, kJan1, 90);
  // shard by customer number parity, keeping file order within each shard
  std::string even = "customer,date,amount\n", odd = even;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const int c = std::stoi(line.substr(1, line.find(',') - 1));
    (c % 2 ? odd : even) += line + "\n";
  }
  const std::int64_t end = kJan1 + 89;
  const State a = State::from_transactions(parse(even), end), b = State::from_transactions(parse(odd), end);
  const State m = State::merge(a, b);
  EXPECT_EQ(m, State::from_transactions(parse(even + odd.substr(21)), end));
  EXPECT_EQ(m.size(), a.size() + b.size());
  EXPECT_THAT(thrown<InvalidArgument>([&] { (void)State::merge(a, a); }), HasSubstr("in both states"));
  // different ends: the later one, as the union's summary would have
  const State early = State::from_transactions(parse(odd), end - 30);
  EXPECT_EQ(State::merge(a, early).observation_end(), end);
}

TEST(SummaryState, FilesRoundTripAndAreChecked) {
  std::mt19937_64 rng(4);
  const State st = State::from_transactions(parse(log_text(rng, 3000, 200, kJan1, 100)));
  const std::string bytes = st.serialize();
  EXPECT_EQ(State::deserialize(bytes), st);
  EXPECT_EQ(State::deserialize(State(kJan1).serialize()), State(kJan1));  // empty
  const auto path = std::filesystem::temp_directory_path() / "crmkit_state_test.state";
  st.save(path.string());
  EXPECT_EQ(State::load(path.string()), st);
  std::filesystem::remove(path);

  // every truncation is refused
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{63}, std::size_t{64},
                          bytes.size() / 2, bytes.size() - 1})
    EXPECT_THAT(thrown<ParseError>([&] { State::deserialize(bytes.substr(0, len), "s.state"); }), HasSubstr("s.state"))
        << len;
  // one flipped bit anywhere is caught (by a CRC, or the magic)
  for (std::size_t at = 0; at < bytes.size(); at += 97) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    EXPECT_THROW(State::deserialize(bad), ParseError) << at;
  }
  EXPECT_THAT(thrown<ParseError>([&] { State::deserialize("customer,date\n", "s.csv"); }),
              HasSubstr("s.csv: expected a crmkit summary state file"));
  std::string newer = bytes;
  newer[8] = 9;
  EXPECT_THAT(thrown<ParseError>([&] { State::deserialize(newer); }), HasSubstr("version 9 (written by a newer crmkit)"));
  EXPECT_THAT(thrown<IoError>([&] { State::load("/nonexistent/x.state"); }), HasSubstr("cannot open"));
}

// A day without sales: a table without rows (and so without an amount column) refreshes any state,
// changing nothing but, when given, the observation end.
TEST(SummaryState, ATableWithoutRowsFitsEitherKind) {
  State st = State::from_transactions(parse("customer,date,amount\na,2024-01-01,1.5\n"));
  const State before = st;
  core::TransactionTable none;
  st.add(none);
  EXPECT_EQ(st, before);
  st.add(none, kJan1 + 3);
  EXPECT_EQ(st.observation_end(), kJan1 + 3);
  EXPECT_TRUE(st.amounts());
}
