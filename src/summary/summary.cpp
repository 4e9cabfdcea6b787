// Customer summaries: one counting pass groups rows by customer code (O(n), no hashing), then each
// customer's few rows are ordered by day (usually already in order) and merged by day.
#include "crmkit/summary/summary.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>

#include "crmkit/core/error.hpp"

namespace crmkit::summary {

Period parse_period(std::string_view text) {
  if (text == "day" || text == "D" || text == "d" || text == "days") return Period::Day;
  if (text == "week" || text == "W" || text == "w" || text == "weeks") return Period::Week;
  if (text == "month" || text == "M" || text == "m" || text == "months") return Period::Month;
  throw InvalidArgument("parse_period", "period", "'" + std::string(text) + "'", "must be day, week or month");
}

const char* period_name(Period p) noexcept {
  switch (p) {
    case Period::Day: return "day";
    case Period::Week: return "week";
    case Period::Month: return "month";
  }
  return "day";
}

namespace {

struct DayAmount {
  std::int64_t day;
  double amount;
  bool operator<(const DayAmount& o) const noexcept { return day < o.day; }
};

// Rows with lo < day <= hi, grouped by customer: entries[offset[c] .. offset[c+1]) sorted by day.
struct Grouped {
  std::vector<std::uint32_t> offset;  // n_customers + 1
  std::vector<DayAmount> entries;
  std::vector<std::uint32_t> rows;    // rows per customer before merging
};

Grouped group_by_customer(const core::TransactionsView& tx, std::int64_t lo, std::int64_t hi) {
  const std::size_t n = tx.size();
  const std::uint32_t nc = tx.n_customers;
  Grouped g;
  g.offset.assign(static_cast<std::size_t>(nc) + 1, 0);
  std::vector<std::int64_t> days(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
    days[i] = d;
    if (d > lo && d <= hi) ++g.offset[tx.customer[i] + 1];
  }
  for (std::uint32_t c = 0; c < nc; ++c) g.offset[c + 1] += g.offset[c];
  g.entries.resize(g.offset[nc]);
  g.rows.assign(nc, 0);
  std::vector<std::uint32_t> cursor(g.offset.begin(), g.offset.end() - 1);
  const bool has_amount = !tx.amount.empty();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t d = days[i];
    if (d > lo && d <= hi) {
      const std::uint32_t c = tx.customer[i];
      g.entries[cursor[c]++] = DayAmount{d, has_amount ? tx.amount[i] : 0.0};
      ++g.rows[c];
    }
  }
  for (std::uint32_t c = 0; c < nc; ++c) {
    auto b = g.entries.begin() + g.offset[c], e = g.entries.begin() + g.offset[c + 1];
    if (!std::is_sorted(b, e)) std::stable_sort(b, e);
  }
  return g;
}

std::int64_t last_day(const core::TransactionsView& tx) {
  if (tx.size() == 0) throw InvalidArgument("summarize", "tx", "0 rows", "needs at least one transaction");
  std::int64_t m = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < tx.size(); ++i) m = std::max(m, core::to_day(tx.time[i], tx.time_unit));
  return m;
}

CustomerSummary summarize_range(const core::TransactionsView& tx, std::int64_t end, Period period) {
  const Grouped g = group_by_customer(tx, std::numeric_limits<std::int64_t>::min(), end);
  const double len = period_days(period);
  CustomerSummary s;
  s.period = period;
  s.observation_end = end;
  std::size_t active = 0;
  for (std::uint32_t c = 0; c < tx.n_customers; ++c) active += g.offset[c + 1] > g.offset[c];
  s.customer.reserve(active);
  for (auto* v : {&s.frequency, &s.recency, &s.T, &s.monetary_value, &s.total_spend}) v->reserve(active);
  s.first_purchase.reserve(active);
  s.last_purchase.reserve(active);
  s.n_transactions.reserve(active);
  for (std::uint32_t c = 0; c < tx.n_customers; ++c) {
    const std::uint32_t b = g.offset[c], e = g.offset[c + 1];
    if (b == e) continue;
    const std::int64_t first = g.entries[b].day;
    const std::int64_t last = g.entries[e - 1].day;
    std::int64_t distinct = 0;
    double total = 0, repeat_total = 0;
    for (std::uint32_t k = b; k < e; ++k) {
      if (k == b || g.entries[k].day != g.entries[k - 1].day) ++distinct;
      total += g.entries[k].amount;
      if (g.entries[k].day != first) repeat_total += g.entries[k].amount;
    }
    const double freq = static_cast<double>(distinct - 1);
    s.customer.push_back(c);
    s.frequency.push_back(freq);
    s.recency.push_back(static_cast<double>(last - first) / len);
    s.T.push_back(static_cast<double>(end - first) / len);
    s.monetary_value.push_back(distinct > 1 ? repeat_total / freq : 0.0);
    s.first_purchase.push_back(first);
    s.last_purchase.push_back(last);
    s.n_transactions.push_back(g.rows[c]);
    s.total_spend.push_back(total);
  }
  return s;
}

}  // namespace

CustomerSummary summarize(const core::TransactionsView& tx_in, const SummaryOptions& options) {
  const core::TransactionsView tx = tx_in.validated("summarize");
  const std::int64_t end = options.observation_end ? *options.observation_end : last_day(tx);
  return summarize_range(tx, end, options.period);
}

HoldoutSummary summarize_holdout(const core::TransactionsView& tx_in, std::int64_t calibration_end,
                                 const SummaryOptions& options) {
  const core::TransactionsView tx = tx_in.validated("summarize_holdout");
  const std::int64_t end = options.observation_end ? *options.observation_end : last_day(tx);
  if (calibration_end >= end)
    throw InvalidArgument("summarize_holdout", "calibration_end", std::to_string(calibration_end),
                          "must be before the observation end (day " + std::to_string(end) + ")");
  HoldoutSummary h;
  h.calibration = summarize_range(tx, calibration_end, options.period);
  h.duration_holdout = static_cast<double>(end - calibration_end) / period_days(options.period);
  const Grouped g = group_by_customer(tx, calibration_end, end);
  const std::size_t n = h.calibration.size();
  h.frequency_holdout.assign(n, 0.0);
  h.monetary_holdout.assign(n, 0.0);
  h.spend_holdout.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t c = h.calibration.customer[i];
    const std::uint32_t b = g.offset[c], e = g.offset[c + 1];
    std::int64_t distinct = 0;
    double total = 0;
    for (std::uint32_t k = b; k < e; ++k) {
      if (k == b || g.entries[k].day != g.entries[k - 1].day) ++distinct;
      total += g.entries[k].amount;
    }
    h.frequency_holdout[i] = static_cast<double>(distinct);
    h.spend_holdout[i] = total;
    h.monetary_holdout[i] = distinct > 0 ? total / static_cast<double>(distinct) : 0.0;
  }
  return h;
}

Patterns compress(std::span<const double> frequency, std::span<const double> recency, std::span<const double> T) {
  const std::size_t n = frequency.size();
  if (recency.size() != n || T.size() != n)
    throw InvalidArgument("compress", "recency/T", "lengths " + std::to_string(recency.size()) + "/" +
                                                       std::to_string(T.size()),
                          "must equal frequency length " + std::to_string(n));
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::tie(frequency[a], recency[a], T[a]) < std::tie(frequency[b], recency[b], T[b]);
  });
  Patterns p;
  p.index.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = order[k];
    if (k == 0 || frequency[i] != p.frequency.back() || recency[i] != p.recency.back() || T[i] != p.T.back()) {
      p.frequency.push_back(frequency[i]);
      p.recency.push_back(recency[i]);
      p.T.push_back(T[i]);
      p.weight.push_back(0.0);
    }
    p.weight.back() += 1.0;
    p.index[i] = static_cast<std::uint32_t>(p.frequency.size() - 1);
  }
  return p;
}

CustomerSummary merge(const CustomerSummary& a, const CustomerSummary& b) {
  if (a.period != b.period)
    throw InvalidArgument("merge", "b.period", period_name(b.period), std::string("must equal a.period = ") + period_name(a.period));
  if (a.observation_end != b.observation_end)
    throw InvalidArgument("merge", "b.observation_end", std::to_string(b.observation_end),
                          "must equal a.observation_end = " + std::to_string(a.observation_end));
  CustomerSummary m;
  m.period = a.period;
  m.observation_end = a.observation_end;
  std::size_t i = 0, j = 0;
  auto take = [&m](const CustomerSummary& s, std::size_t k) {
    m.customer.push_back(s.customer[k]);
    m.frequency.push_back(s.frequency[k]);
    m.recency.push_back(s.recency[k]);
    m.T.push_back(s.T[k]);
    m.monetary_value.push_back(s.monetary_value[k]);
    m.first_purchase.push_back(s.first_purchase[k]);
    m.last_purchase.push_back(s.last_purchase[k]);
    m.n_transactions.push_back(s.n_transactions[k]);
    m.total_spend.push_back(s.total_spend[k]);
  };
  while (i < a.size() || j < b.size()) {
    if (j >= b.size() || (i < a.size() && a.customer[i] < b.customer[j])) {
      take(a, i++);
    } else if (i >= a.size() || b.customer[j] < a.customer[i]) {
      take(b, j++);
    } else {
      throw InvalidArgument("merge", "customer", std::to_string(a.customer[i]),
                            "is in both shards; shards must hold disjoint customers");
    }
  }
  return m;
}

}  // namespace crmkit::summary
