// A synthetic transaction log in memory, fixed seed (std::mt19937_64), with the shape of
// scripts/gen_synthetic.py: rows / 10 customers, each arriving on a day uniform over the first 90 % of
// two years and buying that day; gamma-distributed purchase rates (shape 0.5), exponential lifetimes
// (mean one year, then silent churn); the other purchases shared among customers in proportion to
// rate x active days (an exact multinomial draw) on days uniform over each one's active window;
// lognormal amounts in cents. Rows are in day order and customer codes are numbered by first
// appearance, as CSV ingestion of such a log would number them.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::bench {

inline constexpr std::int64_t synthetic_first_day = 18993;  // 2022-01-01
inline constexpr std::int64_t synthetic_days = 730;

struct Synthetic {
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;  // days since 1970-01-01
  std::vector<double> amount;
  std::uint32_t n_customers = 0;

  std::size_t size() const noexcept { return customer.size(); }
  core::TransactionsView view() const {
    return core::TransactionsView{customer, time, amount, core::TimeUnit::Days, n_customers};
  }
};

/// Exactly `rows` transactions (rows >= 1) of max(1, rows / 10) customers.
inline Synthetic make_synthetic(std::size_t rows, std::uint64_t seed = 42) {
  const std::size_t n = std::max<std::size_t>(1, rows / 10);
  rows = std::max(rows, n);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> arrival(0, synthetic_days * 9 / 10 - 1);
  std::gamma_distribution<double> rate(0.5, 1.0);
  std::exponential_distribution<double> lifetime(1.0 / 365.0);
  std::vector<std::int64_t> birth(n), active(n);
  std::vector<double> weight(n);
  double total_weight = 0;
  for (std::size_t i = 0; i < n; ++i) {
    birth[i] = arrival(rng);
    const auto end = std::min<std::int64_t>(birth[i] + 1 + static_cast<std::int64_t>(lifetime(rng)), synthetic_days);
    active[i] = end - birth[i];
    weight[i] = rate(rng) * static_cast<double>(active[i]);
    total_weight += weight[i];
  }
  // purchases beyond the first: multinomial(rows - n, weight / total), drawn as successive binomials
  std::vector<std::size_t> extra(n, 0);
  std::size_t left = rows - n;
  double weight_left = total_weight;
  for (std::size_t i = 0; i < n && left > 0; ++i) {
    const double p = i + 1 == n ? 1.0 : std::clamp(weight[i] / weight_left, 0.0, 1.0);
    std::binomial_distribution<std::size_t> draw(left, p);
    extra[i] = draw(rng);
    left -= extra[i];
    weight_left -= weight[i];
  }
  // rows as (customer index, day offset), then a counting sort by day
  std::vector<std::uint32_t> who;
  std::vector<std::int32_t> when;
  who.reserve(rows);
  when.reserve(rows);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    who.push_back(static_cast<std::uint32_t>(i));
    when.push_back(static_cast<std::int32_t>(birth[i]));
    for (std::size_t k = 0; k < extra[i]; ++k) {
      who.push_back(static_cast<std::uint32_t>(i));
      when.push_back(static_cast<std::int32_t>(
          birth[i] + static_cast<std::int64_t>(unit(rng) * static_cast<double>(active[i]))));
    }
  }
  std::vector<std::size_t> start(synthetic_days + 1, 0);
  for (auto d : when) ++start[static_cast<std::size_t>(d) + 1];
  for (std::size_t d = 1; d < start.size(); ++d) start[d] += start[d - 1];
  Synthetic s;
  s.n_customers = static_cast<std::uint32_t>(n);
  s.customer.resize(rows);
  s.time.resize(rows);
  s.amount.resize(rows);
  std::vector<std::uint32_t> code(n, UINT32_MAX);
  std::uint32_t next_code = 0;
  std::vector<std::uint32_t> sorted(rows);
  for (std::size_t r = 0; r < rows; ++r) sorted[start[static_cast<std::size_t>(when[r])]++] = static_cast<std::uint32_t>(r);
  std::lognormal_distribution<double> spend(3.0, 0.8);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint32_t src = sorted[r];
    std::uint32_t& c = code[who[src]];
    if (c == UINT32_MAX) c = next_code++;
    s.customer[r] = c;
    s.time[r] = synthetic_first_day + when[src];
    s.amount[r] = std::max(0.01, std::round(spend(rng) * 100.0) / 100.0);
  }
  return s;
}

/// The synthetic log of `rows` rows, generated once per process and kept: benchmarks load their data
/// outside the timed loop.
inline const Synthetic& cached_synthetic(std::size_t rows) {
  static std::map<std::size_t, Synthetic> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, make_synthetic(rows)).first;
  return it->second;
}

/// The floor every per-customer computation is measured against: read each input column once (sum
/// of customer codes, of times and of amounts). Returned so the caller can DoNotOptimize it.
struct StreamSums {
  std::uint64_t customer = 0;
  std::int64_t time = 0;
  double amount = 0;
};
inline StreamSums stream_once(const core::TransactionsView& v) {
  // four independent amount sums, so the loop is bound by memory rather than by add latency
  StreamSums s;
  double a[4] = {0, 0, 0, 0};
  const std::size_t n = v.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (std::size_t k = 0; k < 4; ++k) {
      s.customer += v.customer[i + k];
      s.time += v.time[i + k];
      a[k] += v.amount[i + k];
    }
  }
  for (; i < n; ++i) {
    s.customer += v.customer[i];
    s.time += v.time[i];
    a[0] += v.amount[i];
  }
  s.amount = (a[0] + a[1]) + (a[2] + a[3]);
  return s;
}

/// Benchmark sizes: 1e3 .. 1e7 rows.
inline constexpr std::int64_t min_rows = 1000, max_rows = 10'000'000;

}  // namespace crmkit::bench
