#include "crmkit/clv/detail/patterns.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "crmkit/core/error.hpp"

namespace crmkit::clv::detail {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string at(const char* name, std::size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

std::uint64_t mix(std::uint64_t h) {  // splitmix64 finaliser
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

// +0.0 and -0.0 compare equal, so they must hash equal.
std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v + 0.0); }

}  // namespace

void check_repeat_purchase_data(const char* function, std::span<const double> frequency,
                                std::span<const double> recency, std::span<const double> T,
                                std::span<const double> weights) {
  const std::size_t n = frequency.size();
  if (recency.size() != n)
    throw InvalidArgument(function, "recency", "length " + std::to_string(recency.size()),
                          "must equal the length of frequency (" + std::to_string(n) + ")");
  if (T.size() != n)
    throw InvalidArgument(function, "T", "length " + std::to_string(T.size()),
                          "must equal the length of frequency (" + std::to_string(n) + ")");
  if (!weights.empty() && weights.size() != n)
    throw InvalidArgument(function, "weights", "length " + std::to_string(weights.size()),
                          "must be empty or equal the length of frequency (" + std::to_string(n) + ")");
  if (n == 0) throw InvalidArgument(function, "frequency", "length 0", "must hold at least one customer");
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = frequency[i], tx = recency[i], t = T[i];
    if (!(x >= 0.0) || !std::isfinite(x) || x != std::floor(x))
      throw InvalidArgument(function, at("frequency", i), num(x), "must be a finite non-negative integer");
    if (!std::isfinite(t) || !(t >= 0.0))
      throw InvalidArgument(function, at("T", i), num(t), "must be finite and >= 0");
    if (!(tx >= 0.0) || !(tx <= t))
      throw InvalidArgument(function, at("recency", i), num(tx),
                            "must satisfy 0 <= recency <= T (T = " + num(t) + ")");
    if (!weights.empty()) {
      const double w = weights[i];
      if (!std::isfinite(w) || !(w >= 0.0))
        throw InvalidArgument(function, at("weights", i), num(w), "must be finite and >= 0");
      total += w;
    }
  }
  if (!weights.empty() && !(total > 0.0))
    throw InvalidArgument(function, "weights", "sum " + num(total), "must be > 0");
}

WeightedPatterns compress_weighted(std::span<const double> frequency, std::span<const double> recency,
                                   std::span<const double> T, std::span<const double> weights) {
  const std::size_t n = frequency.size();
  // ---- one pass: open-addressing hash table of pattern ids, grown at load 1/2.
  std::vector<double> px, ptx, pT, pw;
  std::size_t cap = 1024;
  std::vector<std::uint32_t> table(cap, UINT32_MAX);
  auto slot_of = [&](double x, double tx, double t, const std::vector<std::uint32_t>& tab, std::size_t c) {
    std::uint64_t h = mix(bits(x) ^ mix(bits(tx) ^ mix(bits(t))));
    std::size_t s = h & (c - 1);
    while (tab[s] != UINT32_MAX) {
      const std::uint32_t id = tab[s];
      if (px[id] == x && ptx[id] == tx && pT[id] == t) return s;
      s = (s + 1) & (c - 1);
    }
    return s;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    if (w == 0.0) continue;
    const double x = frequency[i], tx = recency[i], t = T[i];
    const std::size_t s = slot_of(x, tx, t, table, cap);
    if (table[s] != UINT32_MAX) {
      pw[table[s]] += w;
      continue;
    }
    table[s] = static_cast<std::uint32_t>(px.size());
    px.push_back(x);
    ptx.push_back(tx);
    pT.push_back(t);
    pw.push_back(w);
    if (2 * px.size() > cap) {
      cap *= 4;
      std::vector<std::uint32_t> bigger(cap, UINT32_MAX);
      for (std::uint32_t id = 0; id < px.size(); ++id) bigger[slot_of(px[id], ptx[id], pT[id], bigger, cap)] = id;
      table.swap(bigger);
    }
  }

  // ---- sort the distinct patterns.
  const std::size_t m = px.size();
  std::vector<std::uint32_t> order(m);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (px[a] != px[b]) return px[a] < px[b];
    if (ptx[a] != ptx[b]) return ptx[a] < ptx[b];
    return pT[a] < pT[b];
  });
  WeightedPatterns p;
  p.x.resize(m);
  p.t_x.resize(m);
  p.T.resize(m);
  p.w.resize(m);
  for (std::size_t k = 0; k < m; ++k) {
    const std::uint32_t id = order[k];
    p.x[k] = px[id];
    p.t_x[k] = ptx[id];
    p.T[k] = pT[id];
    p.w[k] = pw[id];
  }
  // Sum in pattern order (deterministic whatever the input order).
  for (std::size_t k = 0; k < m; ++k) p.total_weight += p.w[k];

  for (std::size_t k = 0; k < m; ++k) {
    if (k == 0 || p.x[k] != p.x[k - 1]) {
      p.group_x.push_back(p.x[k]);
      p.group_w.push_back(0.0);
      p.group_begin.push_back(static_cast<std::uint32_t>(k));
    }
    p.group_w.back() += p.w[k];
  }
  p.group_begin.push_back(static_cast<std::uint32_t>(m));

  auto uniq = [m](const std::vector<double>& v, std::vector<double>& u, std::vector<std::uint32_t>& idx) {
    u = v;
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    idx.resize(m);
    for (std::size_t k = 0; k < m; ++k)
      idx[k] = static_cast<std::uint32_t>(std::lower_bound(u.begin(), u.end(), v[k]) - u.begin());
  };
  uniq(p.T, p.unique_T, p.T_index);
  uniq(p.t_x, p.unique_tx, p.tx_index);
  return p;
}

}  // namespace crmkit::clv::detail
