#include "crmkit/clv/detail/patterns.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>

#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"

namespace crmkit::clv::detail {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// "T (customer row 4)": the column and the customer's 1-based row in the caller's arrays (the CLI maps it
// back to the file's line and the customer's id; clv::customer_row reads it).
std::string at(const char* name, std::size_t i) {
  std::string s = name;
  s += " (customer row ";
  s += std::to_string(i + 1);
  s += ')';
  return s;
}

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
      throw InvalidArgument(function, at("frequency", i), num(x),
                            "must be a finite non-negative integer (the number of repeat purchases)");
    if (!std::isfinite(t) || !(t >= 0.0))
      throw InvalidArgument(function, at("T", i), num(t),
                            "must be finite and >= 0 (the customer's age: time since the first purchase)");
    if (!(tx >= 0.0) || !(tx <= t))
      throw InvalidArgument(function, at("recency", i), num(tx),
                            "must satisfy 0 <= recency <= T (T = " + num(t) +
                                ") (the time of the last purchase since the first)");
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

// v = k / m exactly, for the nearest whole k < limit.
bool fraction_of(double v, double m, std::size_t& k, double limit) {
  const double y = v * m;
  if (!(y >= 0.0 && y < limit)) return false;
  const auto kk = static_cast<std::int64_t>(y + 0.5);
  if (static_cast<double>(kk) / m != v) return false;
  k = static_cast<std::size_t>(kk);
  return true;
}

// The denominator of a fraction among the usual ones (weekly = days / 7, ...; -1 when none fits).
double pick_scale(double v, double limit) {
  std::size_t k = 0;
  for (const double m : {7.0, 2.0, 4.0, 3.0, 12.0, 24.0, 30.0, 52.0, 365.0})
    if (fraction_of(v, m, k, limit)) return m;
  return -1.0;
}

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
    if (scale_ == 0.0) scale_ = pick_scale(v, kDirectLimit);
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
  bool fraction(double v, std::size_t& k) const { return scale_ > 0.0 && fraction_of(v, scale_, k, kDirectLimit); }
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

namespace {

// One stable LSD radix pass: each key (and its row, when rows are given) goes to offsets[digit]++, the
// offsets being the prefix sums of the pass's digit histogram.
template <class Key>
void radix_scatter(const Key* src, Key* dst, const std::uint32_t* rows, std::uint32_t* rows_out, std::size_t n,
                   std::size_t* offsets, int shift, Key mask) {
  if (rows) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t at = offsets[(src[j] >> shift) & mask]++;
      dst[at] = src[j];
      rows_out[at] = rows[j];
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) dst[offsets[(src[j] >> shift) & mask]++] = src[j];
  }
}

// The distinct values the patterns use (used[k] != 0), in order, into `out`, and `index` renumbered from
// positions in `u` to positions in `out`.
void compact_used(const std::vector<double>& u, std::vector<std::uint32_t>& used, std::vector<double>& out,
                  std::vector<std::uint32_t>& index) {
  for (std::size_t k = 0; k < u.size(); ++k)
    if (used[k]) {
      used[k] = static_cast<std::uint32_t>(out.size());
      out.push_back(u[k]);
    }
  for (auto& i : index) i = used[i];
}

// The indexed path: number the distinct values of each column (cheap: few distinct frequencies, ages and
// recencies), form each row's key (rank x, rank t_x, rank T) as one integer whose order is the
// lexicographic pattern order, and sort the keys by LSD radix (digits of <= 12 bits, stable, so each pattern's
// weights are summed in input order as in compress_hashed). Taken when every column has at most 2^21
// distinct values; otherwise compress_hashed. Both give the same patterns in the same order.
WeightedPatterns compress_indexed(std::span<const double> frequency, std::span<const double> recency,
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
    radix_scatter(key.data(), key2.data(), weighted ? row.data() : nullptr, row2.data(), m_rows, count.data(), shift, mask);
    if (weighted) row.swap(row2);
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
  compact_used(uT, T_used, p.unique_T, p.T_index);
  compact_used(utx, tx_used, p.unique_tx, p.tx_index);
  return p;
}

// ---- the coded path ------------------------------------------------------------------------------------
//
// When every value of a column is k / m for one small denominator m (m = 1: whole numbers, the usual case;
// m = 7: weeks computed as days / 7, ...; m chosen from the column's first rows) and k < 2^21, the code k
// numbers the column's values in value order without a table of first appearances or a sort. One pass
// validates each row (check_repeat_purchase_data's conditions), codes its three values (k / m must give
// the value back exactly, so distinct values keep distinct codes), marks the codes used and packs them
// into one 64-bit word; a second pass turns the packed codes into a pattern key of ranks, whose order is
// the pattern order, and counts its radix digits; then an LSD radix sort (stable: each pattern's weights
// are summed in input order, as in compress_hashed) or, for few cells, direct accumulation. A row that is
// invalid or not codable ends the pass: the caller then validates with check_repeat_purchase_data (which
// throws the error for the first bad row) and compresses with compress_indexed.

constexpr int kCodeBits = 21;
constexpr double kCodeLimit = 1 << kCodeBits;
constexpr std::uint64_t kCodeMask = (std::uint64_t{1} << kCodeBits) - 1;

// The scale of a column from its first rows: 1 when they are whole numbers, else the denominator of the
// first fraction (pick_scale; -1 when none of the usual ones fits).
double column_scale(std::span<const double> v) {
  const std::size_t n = std::min<std::size_t>(v.size(), 256);
  for (std::size_t i = 0; i < n; ++i) {
    const double y = v[i];
    if (!(y >= 0.0 && y < kCodeLimit)) continue;  // not codable: the pass finds it
    if (static_cast<double>(static_cast<std::int64_t>(y)) != y) return pick_scale(y, kCodeLimit);
  }
  return 1.0;
}

// One column's codes: used[k] marks the codes seen; for a fraction column (m > 1), value[k] = k / m, the
// exact test of a code (a table instead of a division per value).
struct ColumnCodes {
  double m = 1.0;
  std::vector<std::uint8_t> used;
  std::vector<double> value;
  void reset(double scale) {
    m = scale;
    used.assign(1024, 0);
    value.clear();
    fill_values();
  }
  [[gnu::noinline]] void grow(std::uint64_t k) {
    used.resize(std::max<std::size_t>(static_cast<std::size_t>(k) + 1, 2 * used.size()), 0);
    fill_values();
  }
  void fill_values() {
    if (m == 1.0) return;
    const std::size_t from = value.size();
    value.resize(used.size());
    for (std::size_t k = from; k < value.size(); ++k) value[k] = static_cast<double>(k) / m;
  }
};

// Codes v (marking the code used); true when v == k / m exactly (Whole: m = 1) with k < 2^21. Branch-free
// but for a table that must grow: the caller tests the result.
template <bool Whole>
[[gnu::always_inline]] inline bool code_of(ColumnCodes& c, double v, std::uint64_t& k) {
  const double y = Whole ? v : v * c.m + 0.5;
  const bool in = (y >= 0.0) & (y < kCodeLimit);
  const auto kk = static_cast<std::uint64_t>(static_cast<std::int64_t>(in ? y : 0.0));
  if (kk >= c.used.size()) c.grow(kk);
  c.used[kk] = 1;
  k = kk;
  if constexpr (Whole)
    return in & (static_cast<double>(kk) == v);
  else
    return in & (c.value[kk] == v);
}

// Per-thread buffers kept between calls (fresh pages cost a page fault each on large inputs), for inputs
// of up to kKeepRows rows (then at most ~24 MB a thread: 8 bytes of packed codes, 2 x 4 of keys and, with
// weights, 2 x 4 of row numbers per row); larger inputs free theirs.
constexpr std::size_t kKeepRows = std::size_t{1} << 20;
struct CodedScratch {
  std::vector<std::uint64_t> key, key2;  // key: the packed codes of every row (then 64-bit keys)
  std::vector<std::uint32_t> key32, key32b;  // keys of up to 32 bits
  std::vector<std::uint32_t> row, row2;
  std::vector<std::uint64_t> run_key;
  std::vector<double> run_w;
  ColumnCodes cx, ctx, cT;
};

// Validates and codes rows [0, n) of the columns given, into packed[0, n) and the codes' tables; false at
// the first row that is invalid or not codable. Adds the weights to total.
template <bool Weighted, bool WholeTx, bool WholeT>
bool code_rows(const double* f, const double* r, const double* T, const double* w, std::size_t n, ColumnCodes& cx,
               ColumnCodes& ctx, ColumnCodes& cT, std::uint64_t* packed, double& total) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t kx = 0, ktx = 0, kT = 0;
    const double tx = r[i], t = T[i];
    bool ok = code_of<true>(cx, f[i], kx);
    ok &= code_of<WholeTx>(ctx, tx, ktx);
    ok &= code_of<WholeT>(cT, t, kT);
    ok &= tx <= t;
    if constexpr (Weighted) {
      const double wi = w[i];
      ok &= (wi >= 0.0) & (wi <= std::numeric_limits<double>::max());
      sum += wi;
    }
    if (!ok) return false;
    packed[i] = (kx << (2 * kCodeBits)) | (ktx << kCodeBits) | kT;
  }
  total += sum;
  return true;
}

// The coding pass runs on up to max_threads() threads from kParallelRows rows on, over fixed chunks of
// kRowChunk rows with tables of their own, merged afterwards (the codes do not depend on the split).
constexpr std::size_t kRowChunk = std::size_t{1} << 16;
constexpr std::size_t kParallelRows = std::size_t{1} << 18;

void merge_used(ColumnCodes& into, const ColumnCodes& from) {
  if (from.used.size() > into.used.size()) into.used.resize(from.used.size(), 0);
  for (std::size_t k = 0; k < from.used.size(); ++k) into.used[k] |= from.used[k];
}

// Ranks of the used codes (rank[k] = number of used codes below k), the values k / m in rank order, and
// the bit width of the largest rank.
struct Ranks {
  std::vector<std::uint32_t> rank;
  std::vector<double> value;
  int bits = 0;
};
Ranks rank_codes(const ColumnCodes& c) {
  const std::vector<std::uint8_t>& used = c.used;
  const double m = c.m;
  Ranks out;
  out.rank.resize(used.size());
  std::uint32_t next = 0;
  for (std::size_t k = 0; k < used.size(); ++k) {
    out.rank[k] = next;
    if (used[k]) {
      out.value.push_back(m == 1.0 ? static_cast<double>(k) : static_cast<double>(k) / m);
      ++next;
    }
  }
  out.bits = next > 1 ? std::bit_width(next - 1) : 0;
  return out;
}

// The radix path of compress_coded: the keys of the rows with positive weight (and the rows they came
// from, with weights), LSD radix sorted (stable) in passes of at most kDigitBits bits whose digit
// counts are taken in the same pass that forms the keys, then the runs of equal keys with their weights
// summed in input order. key may hold the packed codes (it is overwritten in place, row j <= i).
// Rows with x = 0 and t_x = 0 (customers without repeat purchases, often half of them) skip the sort:
// their keys are the ranks of T alone, below low_cells, and the smallest of all keys, so their weights
// are summed per cell (in input order) and their runs come first.
constexpr int kDigitBits = 12;
template <class Key, class KeyOf>
void sorted_runs(const std::uint64_t* packed, std::size_t n, const double* w, int key_bits, std::size_t low_cells,
                 const KeyOf& key_of, std::vector<Key>& key_v, std::vector<Key>& key2_v, std::vector<std::uint32_t>& row_v,
                 std::vector<std::uint32_t>& row2_v, std::vector<std::uint64_t>& run_key, std::vector<double>& run_w) {
  const bool weighted = w != nullptr;
  const int passes = (key_bits + kDigitBits - 1) / kDigitBits;
  const int digit_bits = (key_bits + passes - 1) / passes;
  const std::size_t digits = std::size_t{1} << digit_bits;
  const Key dmask = static_cast<Key>(digits - 1);
  std::vector<std::size_t> hist(static_cast<std::size_t>(passes) * digits, 0);
  key_v.resize(n);
  key2_v.resize(n);
  if (weighted) {
    row_v.resize(n);
    row2_v.resize(n);
  }
  Key* key = key_v.data();
  std::uint32_t* row = row_v.data();
  std::size_t m_rows = 0;
  std::vector<double> low(low_cells, 0.0);
  std::vector<std::uint8_t> low_seen(low_cells, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (weighted && !(w[i] > 0.0)) continue;
    const std::uint64_t c = packed[i];
    if ((c >> kCodeBits) == 0 && low_cells > 0) {  // x = 0, t_x = 0: the key is T's rank
      const std::uint64_t cell = key_of(c);
      low[cell] += weighted ? w[i] : 1.0;
      low_seen[cell] = 1;
      continue;
    }
    const auto k = static_cast<Key>(key_of(c));
    key[m_rows] = k;
    if (weighted) row[m_rows] = static_cast<std::uint32_t>(i);
    ++m_rows;
    for (int ps = 0; ps < passes; ++ps) ++hist[static_cast<std::size_t>(ps) * digits + ((k >> (ps * digit_bits)) & dmask)];
  }
  for (int ps = 0; ps < passes; ++ps) {
    std::size_t* h = hist.data() + static_cast<std::size_t>(ps) * digits;
    if (std::find(h, h + digits, m_rows) != h + digits) continue;  // one digit value: already in order
    std::size_t sum = 0;
    for (std::size_t d = 0; d < digits; ++d) {
      const std::size_t c = h[d];
      h[d] = sum;
      sum += c;
    }
    const int shift = ps * digit_bits;
    radix_scatter(key_v.data(), key2_v.data(), weighted ? row_v.data() : nullptr, row2_v.data(), m_rows, h, shift, dmask);
    if (weighted) row_v.swap(row2_v);
    key_v.swap(key2_v);
  }
  key = key_v.data();
  row = row_v.data();
  std::size_t q = 0;
  for (std::size_t cell = 0; cell < low_cells; ++cell) q += low_seen[cell];
  std::size_t runs = q + (m_rows > 0 ? 1 : 0);
  for (std::size_t j = 1; j < m_rows; ++j) runs += key[j] != key[j - 1];
  run_key.resize(runs);
  run_w.resize(runs);
  q = 0;
  for (std::size_t cell = 0; cell < low_cells; ++cell)
    if (low_seen[cell]) {
      run_key[q] = cell;
      run_w[q++] = low[cell];
    }
  for (std::size_t j = 0; j < m_rows; ++q) {
    const Key k = key[j];
    const std::size_t j0 = j;
    if (weighted) {
      double sw = 0;
      for (; j < m_rows && key[j] == k; ++j) sw += w[row[j]];
      run_w[q] = sw;
    } else {
      while (j < m_rows && key[j] == k) ++j;
      run_w[q] = static_cast<double>(j - j0);
    }
    run_key[q] = k;
  }
}

bool compress_coded(std::span<const double> frequency, std::span<const double> recency, std::span<const double> T,
                    std::span<const double> weights, WeightedPatterns& p) {
  const std::size_t n = frequency.size();
  if (n == 0 || n > UINT32_MAX) return false;
  const double mtx = column_scale(recency), mT = column_scale(T);
  if (!(mtx > 0.0) || !(mT > 0.0)) return false;
  thread_local CodedScratch s;
  struct Release {  // large inputs do not keep their buffers
    CodedScratch& s;
    std::size_t n;
    ~Release() {
      if (n > kKeepRows) s = CodedScratch{};
    }
  } release{s, n};
  s.key.resize(n);
  s.cx.reset(1.0);
  s.ctx.reset(mtx);
  s.cT.reset(mT);
  const bool weighted = !weights.empty();
  const double* f = frequency.data();
  const double* r = recency.data();
  const double* t = T.data();
  const double* w = weights.data();
  std::uint64_t* packed = s.key.data();
  auto code_range = [&](std::size_t c0, std::size_t c1, ColumnCodes& cx, ColumnCodes& ctx, ColumnCodes& cT,
                        double& total) {
    const std::size_t len = c1 - c0;
    const double* wc = weighted ? w + c0 : nullptr;
    std::uint64_t* pc = packed + c0;
    if (weighted)
      return mtx == 1.0 ? (mT == 1.0 ? code_rows<true, true, true>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total)
                                     : code_rows<true, true, false>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total))
                        : (mT == 1.0 ? code_rows<true, false, true>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total)
                                     : code_rows<true, false, false>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total));
    return mtx == 1.0 ? (mT == 1.0 ? code_rows<false, true, true>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total)
                                   : code_rows<false, true, false>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total))
                      : (mT == 1.0 ? code_rows<false, false, true>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total)
                                   : code_rows<false, false, false>(f + c0, r + c0, t + c0, wc, len, cx, ctx, cT, pc, total));
  };
  bool ok = true;
  double total = 0;  // only its sign is used: > 0 iff some weight is > 0, whatever the order of the sum
  if (n >= kParallelRows && max_threads() > 1) {
    struct Part {
      ColumnCodes cx, ctx, cT;
      double total = 0;
      bool ok = false;
    };
    std::vector<Part> parts(crmkit::detail::chunk_count(n, kRowChunk));
    crmkit::detail::parallel_tasks(parts.size(), [&](std::size_t c) {
      Part& pt = parts[c];
      pt.cx.reset(1.0);
      pt.ctx.reset(mtx);
      pt.cT.reset(mT);
      pt.ok = code_range(c * kRowChunk, std::min(n, (c + 1) * kRowChunk), pt.cx, pt.ctx, pt.cT, pt.total);
    });
    for (const Part& pt : parts) {
      ok = ok && pt.ok;
      total += pt.total;
      merge_used(s.cx, pt.cx);
      merge_used(s.ctx, pt.ctx);
      merge_used(s.cT, pt.cT);
    }
  } else {
    ok = code_range(0, n, s.cx, s.ctx, s.cT, total);
  }
  if (!ok || (weighted && !(total > 0.0))) return false;
  // sparse codes (large values, few rows): the rank tables would cost more than the indexed path
  const std::size_t code_room = 16 * n + 65536;
  if (s.cx.used.size() > code_room || s.ctx.used.size() > code_room || s.cT.used.size() > code_room) return false;

  const Ranks rx = rank_codes(s.cx), rtx = rank_codes(s.ctx), rT = rank_codes(s.cT);
  // key = rank x | rank t_x | rank T in bit fields: its order is the pattern order
  const int sT = 0, stx = rT.bits, sx = rT.bits + rtx.bits, key_bits = std::max(1, sx + rx.bits);
  const std::uint32_t* rkx = rx.rank.data();
  const std::uint32_t* rktx = rtx.rank.data();
  const std::uint32_t* rkT = rT.rank.data();
  auto key_of = [&](std::uint64_t c) {
    return (std::uint64_t{rkx[c >> (2 * kCodeBits)]} << sx) | (std::uint64_t{rktx[(c >> kCodeBits) & kCodeMask]} << stx) |
           (std::uint64_t{rkT[c & kCodeMask]} << sT);
  };

  // runs of equal keys -> patterns (weights summed in input order)
  std::vector<double>& run_w = s.run_w;
  std::vector<std::uint64_t>& run_key = s.run_key;
  run_w.clear();
  run_key.clear();
  // the cells of x = 0, t_x = 0 rows (keys below 2^stx), when T has few distinct values
  const std::size_t low_cells = stx <= 16 ? std::size_t{1} << stx : 0;
  if ((std::size_t{1} << key_bits) <= std::min<std::size_t>(65536, 4 * n + 256)) {
    // few cells: accumulate each row's weight into its cell, in input order
    const std::size_t cells = std::size_t{1} << key_bits;
    std::vector<double> acc(cells, 0.0);
    std::vector<std::uint8_t> seen(cells, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const double wi = weighted ? w[i] : 1.0;
      if (!(wi > 0.0)) continue;
      const std::uint64_t k = key_of(packed[i]);
      acc[k] += wi;
      seen[k] = 1;
    }
    for (std::size_t k = 0; k < cells; ++k)
      if (seen[k]) {
        run_key.push_back(k);
        run_w.push_back(acc[k]);
      }
  } else if (key_bits <= 32) {
    sorted_runs(packed, n, weighted ? w : nullptr, key_bits, low_cells, key_of, s.key32, s.key32b, s.row, s.row2, run_key, run_w);
  } else {
    sorted_runs(packed, n, weighted ? w : nullptr, key_bits, low_cells, key_of, s.key, s.key2, s.row, s.row2, run_key, run_w);
  }

  const std::size_t m = run_key.size();
  const std::uint64_t mx = (std::uint64_t{1} << rtx.bits) - 1, mTm = (std::uint64_t{1} << rT.bits) - 1;
  p = WeightedPatterns{};
  p.x.resize(m);
  p.t_x.resize(m);
  p.T.resize(m);
  p.w.resize(m);
  p.T_index.resize(m);
  p.tx_index.resize(m);
  std::vector<std::uint32_t> T_used(rT.value.size(), 0), tx_used(rtx.value.size(), 0);
  std::uint64_t last_x = UINT64_MAX;
  for (std::size_t q = 0; q < m; ++q) {
    const std::uint64_t k = run_key[q];
    const std::uint64_t a = k >> sx, b = (k >> stx) & mx, c = (k >> sT) & mTm;
    const double wq = run_w[q];
    if (a != last_x) {
      p.group_x.push_back(rx.value[a]);
      p.group_w.push_back(0.0);
      p.group_begin.push_back(static_cast<std::uint32_t>(q));
      last_x = a;
    }
    p.x[q] = rx.value[a];
    p.t_x[q] = rtx.value[b];
    p.T[q] = rT.value[c];
    p.w[q] = wq;
    p.group_w.back() += wq;
    p.T_index[q] = static_cast<std::uint32_t>(c);
    p.tx_index[q] = static_cast<std::uint32_t>(b);
    T_used[c] = 1;
    tx_used[b] = 1;
  }
  p.group_begin.push_back(static_cast<std::uint32_t>(m));
  for (double wq : p.w) p.total_weight += wq;
  compact_used(rT.value, T_used, p.unique_T, p.T_index);
  compact_used(rtx.value, tx_used, p.unique_tx, p.tx_index);
  return true;
}

}  // namespace

// Unusual columns (values that are not k / m of one small m, or codes of 2^21 and more) take
// compress_indexed; both give compress_hashed's patterns in the same order.
WeightedPatterns compress_weighted(std::span<const double> frequency, std::span<const double> recency,
                                   std::span<const double> T, std::span<const double> weights) {
  WeightedPatterns p;
  if (compress_coded(frequency, recency, T, weights, p)) return p;
  return compress_indexed(frequency, recency, T, weights);
}

WeightedPatterns check_and_compress(const char* function, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<const double> weights) {
  const std::size_t n = frequency.size();
  WeightedPatterns p;
  if (n > 0 && recency.size() == n && T.size() == n && (weights.empty() || weights.size() == n) &&
      compress_coded(frequency, recency, T, weights, p))
    return p;
  check_repeat_purchase_data(function, frequency, recency, T, weights);
  return compress_indexed(frequency, recency, T, weights);
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
