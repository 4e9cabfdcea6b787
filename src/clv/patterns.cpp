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
    // whole: by conversion below 2^53 (std::floor is a libm call on the baseline target), every finite
    // double from there up is whole
    if (!(x >= 0.0) || !(x < 0x1p53 ? static_cast<double>(static_cast<std::int64_t>(x)) == x : std::isfinite(x)))
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

// The general path: one pass with an open-addressing table of pattern ids, then a sort of the distinct
// patterns. Used when the dense path below does not apply.
WeightedPatterns compress_hashed(std::span<const double> frequency, std::span<const double> recency,
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

namespace {

// Distinct values of one column, numbered by first appearance: small non-negative integers (the usual
// case: counts, whole days) through a direct table; fractions k / m of one small denominator m (weekly
// values computed as days / 7, months as days / 30, ...) through a second direct table indexed by k,
// m chosen at the first fraction and a value taken there only when k / m reproduces it exactly (so the
// map stays one-to-one); anything else through an open-addressing hash.
class ValueIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  static constexpr double kDirectLimit = 1 << 22;

  std::uint32_t insert(double v) {
    if (whole(v)) return direct(direct_, static_cast<std::size_t>(v), v);
    if (scale_ == 0.0) scale_ = pick_scale(v);
    std::size_t k = 0;
    if (fraction(v, k)) return direct(fractions_, k, v);
    if (slots_.empty()) slots_.assign(1024, kNone);
    std::size_t s = slot(v);
    if (slots_[s] != kNone) return slots_[s];
    const std::uint32_t id = add(v);
    slots_[s] = id;
    ++hashed_;
    if (2 * hashed_ > slots_.size()) {
      std::vector<std::uint32_t> old(slots_.size() * 4, kNone);
      old.swap(slots_);
      for (std::uint32_t id2 = 0; id2 < values_.size(); ++id2)
        if (hashed(values_[id2])) slots_[slot(values_[id2])] = id2;
    }
    return id;
  }
  const std::vector<double>& values() const noexcept { return values_; }

 private:
  // 0 <= v < kDirectLimit and whole (integer conversions instead of floor / nearbyint, which are calls
  // into libm on the baseline x86-64 target).
  static bool whole(double v) {
    return v >= 0.0 && v < kDirectLimit && static_cast<double>(static_cast<std::int64_t>(v)) == v;
  }
  // v = k / m exactly, for the nearest whole k < kDirectLimit.
  static bool fraction_of(double v, double m, std::size_t& k) {
    const double y = v * m;
    if (!(y >= 0.0 && y < kDirectLimit)) return false;
    const auto kk = static_cast<std::int64_t>(y + 0.5);
    if (static_cast<double>(kk) / m != v) return false;
    k = static_cast<std::size_t>(kk);
    return true;
  }
  bool fraction(double v, std::size_t& k) const { return scale_ > 0.0 && fraction_of(v, scale_, k); }
  // The denominator of the first fraction seen, among the usual ones (-1 when none fits).
  static double pick_scale(double v) {
    std::size_t k = 0;
    for (const double m : {7.0, 2.0, 4.0, 3.0, 12.0, 24.0, 30.0, 52.0, 365.0})
      if (fraction_of(v, m, k)) return m;
    return -1.0;
  }
  std::uint32_t direct(std::vector<std::uint32_t>& table, std::size_t i, double v) {
    if (i >= table.size()) table.resize(std::max(i + 1, 2 * table.size()), kNone);
    if (table[i] == kNone) table[i] = add(v);
    return table[i];
  }
  // True for the values that went through the hash (the inverse of insert's direct tests).
  bool hashed(double u) const {
    std::size_t k = 0;
    return !whole(u) && !fraction(u, k);
  }
  std::uint32_t add(double v) {
    values_.push_back(v);
    return static_cast<std::uint32_t>(values_.size() - 1);
  }
  std::size_t slot(double v) const {
    std::size_t s = mix(bits(v)) & (slots_.size() - 1);
    while (slots_[s] != kNone && values_[slots_[s]] != v) s = (s + 1) & (slots_.size() - 1);
    return s;
  }
  std::vector<std::uint32_t> direct_, fractions_, slots_;
  std::vector<double> values_;
  std::size_t hashed_ = 0;
  double scale_ = 0.0;  // 0: no fraction seen yet; -1: none of the usual denominators
};

// Sorted distinct values and each first-appearance id's rank among them.
void rank_values(const std::vector<double>& values, std::vector<double>& sorted, std::vector<std::uint32_t>& rank) {
  std::vector<std::uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return values[a] < values[b]; });
  sorted.resize(values.size());
  rank.resize(values.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    sorted[k] = values[order[k]];
    rank[order[k]] = static_cast<std::uint32_t>(k);
  }
}

}  // namespace

// The fast path: number the distinct values of each column (cheap: few distinct frequencies, ages and
// recencies), form each row's key (rank x, rank t_x, rank T) as one integer whose order is the
// lexicographic pattern order, and sort the keys by LSD radix (digits of <= 12 bits, stable, so each pattern's
// weights are summed in input order as in compress_hashed). Taken when every column has at most 2^21
// distinct values; otherwise compress_hashed. Both give the same patterns in the same order.
WeightedPatterns compress_weighted(std::span<const double> frequency, std::span<const double> recency,
                                   std::span<const double> T, std::span<const double> weights) {
  const std::size_t n = frequency.size();
  ValueIndex vx, vtx, vT;
  std::vector<std::uint32_t> ix(n), itx(n), iT(n);
  constexpr std::size_t kMaxDistinct = std::size_t{1} << 21;
  for (std::size_t i = 0; i < n; ++i) {
    // +0.0 folds -0.0 into 0.0 (they compare equal and must be one pattern)
    ix[i] = vx.insert(frequency[i] + 0.0);
    itx[i] = vtx.insert(recency[i] + 0.0);
    iT[i] = vT.insert(T[i] + 0.0);
    if ((i & 0xffff) == 0 && (vtx.values().size() > kMaxDistinct || vT.values().size() > kMaxDistinct))
      return compress_hashed(frequency, recency, T, weights);
  }
  const std::size_t nx = vx.values().size(), ntx = vtx.values().size(), nT = vT.values().size();
  if (nx > kMaxDistinct || ntx > kMaxDistinct || nT > kMaxDistinct) return compress_hashed(frequency, recency, T, weights);

  std::vector<double> ux, utx, uT;
  std::vector<std::uint32_t> rx, rtx, rT;
  rank_values(vx.values(), ux, rx);
  rank_values(vtx.values(), utx, rtx);
  rank_values(vT.values(), uT, rT);
  // keys of the rows with positive weight (and, when there are weights, the row each key came from)
  const bool weighted = !weights.empty();
  std::vector<std::uint64_t> key, key2;
  std::vector<std::uint32_t> row, row2;
  key.reserve(n);
  if (weighted) row.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (weighted && !(weights[i] > 0.0)) continue;
    key.push_back((static_cast<std::uint64_t>(rx[ix[i]]) * ntx + rtx[itx[i]]) * nT + rT[iT[i]]);
    if (weighted) row.push_back(static_cast<std::uint32_t>(i));
  }
  std::vector<std::uint32_t>().swap(ix);
  std::vector<std::uint32_t>().swap(itx);
  std::vector<std::uint32_t>().swap(iT);
  // LSD radix sort with digits of at most 12 bits (histograms stay in L1).
  const double cells = static_cast<double>(nx) * static_cast<double>(ntx) * static_cast<double>(nT);
  const int key_bits = std::max(1, static_cast<int>(std::ceil(std::log2(std::max(cells, 2.0)))));
  const int passes = (key_bits + 11) / 12;
  const int digit_bits = (key_bits + passes - 1) / passes;
  const std::uint64_t mask = (std::uint64_t{1} << digit_bits) - 1;
  const std::size_t m_rows = key.size();
  key2.resize(m_rows);
  if (weighted) row2.resize(m_rows);
  std::vector<std::size_t> count(static_cast<std::size_t>(mask) + 2);
  for (int pass = 0; pass < passes; ++pass) {
    const int shift = digit_bits * pass;
    std::fill(count.begin(), count.end(), 0);
    for (std::uint64_t k : key) ++count[((k >> shift) & mask) + 1];
    for (std::size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
    if (weighted) {
      for (std::size_t j = 0; j < m_rows; ++j) {
        const std::size_t at = count[(key[j] >> shift) & mask]++;
        key2[at] = key[j];
        row2[at] = row[j];
      }
      row.swap(row2);
    } else {
      for (std::size_t j = 0; j < m_rows; ++j) key2[count[(key[j] >> shift) & mask]++] = key[j];
    }
    key.swap(key2);
  }

  std::vector<std::uint32_t> T_used(nT, 0), tx_used(ntx, 0);
  WeightedPatterns p;
  std::uint64_t last_x = UINT64_MAX;
  for (std::size_t j = 0; j < m_rows;) {
    const std::uint64_t k = key[j];
    double w = 0;
    for (; j < m_rows && key[j] == k; ++j) w += weighted ? weights[row[j]] : 1.0;
    const std::uint64_t c = k % nT, rest = k / nT, b = rest % ntx, a = rest / ntx;
    if (a != last_x) {
      p.group_x.push_back(ux[a]);
      p.group_w.push_back(0.0);
      p.group_begin.push_back(static_cast<std::uint32_t>(p.x.size()));
      last_x = a;
    }
    p.x.push_back(ux[a]);
    p.t_x.push_back(utx[b]);
    p.T.push_back(uT[c]);
    p.w.push_back(w);
    p.group_w.back() += w;
    p.T_index.push_back(static_cast<std::uint32_t>(c));
    p.tx_index.push_back(static_cast<std::uint32_t>(b));
    T_used[c] = 1;
    tx_used[b] = 1;
  }
  p.group_begin.push_back(static_cast<std::uint32_t>(p.x.size()));
  for (double w : p.w) p.total_weight += w;
  auto compact = [](const std::vector<double>& u, std::vector<std::uint32_t>& used, std::vector<double>& out,
                    std::vector<std::uint32_t>& index) {
    for (std::size_t k = 0; k < u.size(); ++k)
      if (used[k]) {
        used[k] = static_cast<std::uint32_t>(out.size());
        out.push_back(u[k]);
      }
    for (auto& i : index) i = used[i];
  };
  compact(uT, T_used, p.unique_T, p.T_index);
  compact(utx, tx_used, p.unique_tx, p.tx_index);
  return p;
}

WeightedPatterns sample_customers(const WeightedPatterns& d, double every) {
  WeightedPatterns p;
  p.unique_T = d.unique_T;
  p.unique_tx = d.unique_tx;
  double next = 0.5 * every, cum = 0;
  for (std::size_t g = 0; g + 1 < d.group_begin.size(); ++g) {
    bool open = false;
    for (std::uint32_t k = d.group_begin[g]; k < d.group_begin[g + 1]; ++k) {
      cum += d.w[k];
      double hits = 0;
      while (next < cum) {
        hits += 1.0;
        next += every;
      }
      if (hits == 0.0) continue;
      if (!open) {
        p.group_x.push_back(d.group_x[g]);
        p.group_w.push_back(0.0);
        p.group_begin.push_back(static_cast<std::uint32_t>(p.x.size()));
        open = true;
      }
      p.x.push_back(d.x[k]);
      p.t_x.push_back(d.t_x[k]);
      p.T.push_back(d.T[k]);
      p.w.push_back(hits);
      p.T_index.push_back(d.T_index[k]);
      p.tx_index.push_back(d.tx_index[k]);
      p.group_w.back() += hits;
      p.total_weight += hits;
    }
  }
  p.group_begin.push_back(static_cast<std::uint32_t>(p.x.size()));
  return p;
}

}  // namespace crmkit::clv::detail
