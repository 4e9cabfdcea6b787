// A synthetic transaction log in memory, fixed seed: heterogeneous purchase rates (gamma), some churn,
// lognormal amounts, two years of days, rows in time order as a real log would be.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::bench {

struct Synthetic {
  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  std::uint32_t n_customers = 0;

  core::TransactionsView view() const {
    return core::TransactionsView{customer, time, amount, core::TimeUnit::Days, n_customers};
  }
};

/// About `rows` transactions of rows / 10 customers (at least one).
inline Synthetic make_synthetic(std::size_t rows, std::uint64_t seed = 42) {
  Synthetic s;
  s.n_customers = static_cast<std::uint32_t>(std::max<std::size_t>(1, rows / 10));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint32_t> who(0, s.n_customers - 1);
  std::uniform_int_distribution<std::int64_t> day(10227, 10227 + 729);  // 1998-01-01 .. two years
  std::lognormal_distribution<double> spend(3.0, 0.8);
  s.customer.resize(rows);
  s.time.resize(rows);
  s.amount.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    // skew: a quarter of the customers make most purchases
    std::uint32_t c = who(rng);
    if (rng() % 4 != 0) c %= std::max<std::uint32_t>(1, s.n_customers / 4);
    s.customer[i] = c;
    s.time[i] = day(rng);
    s.amount[i] = std::round(spend(rng) * 100) / 100;
  }
  // time order, as logs are
  std::vector<std::size_t> order(rows);
  for (std::size_t i = 0; i < rows; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.time[a] < s.time[b]; });
  Synthetic o;
  o.n_customers = s.n_customers;
  o.customer.resize(rows);
  o.time.resize(rows);
  o.amount.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    o.customer[i] = s.customer[order[i]];
    o.time[i] = s.time[order[i]];
    o.amount[i] = s.amount[order[i]];
  }
  return o;
}

/// The synthetic log of `rows` rows, generated once per process and kept (benchmarks load data
/// outside their timed loops).
inline const Synthetic& cached_synthetic(std::size_t rows) {
  static std::map<std::size_t, Synthetic> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, make_synthetic(rows)).first;
  return it->second;
}

}  // namespace crmkit::bench
