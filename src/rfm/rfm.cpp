// RFM values, quantile scores and rule-based segments.
#include "crmkit/rfm/rfm.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>

#include "crmkit/core/detail/huge_pages.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/core/parallel.hpp"

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace crmkit::rfm {

namespace {

// A zero-initialised array of trivial records, indexed by customer code. Large ones (Linux) are
// fresh anonymous memory, which the kernel hands out zeroed (no second zeroing pass), aligned to
// 2 MiB and offered to transparent huge pages, which removes most TLB misses of the random
// per-customer updates; small ones come from calloc.
template <class T>
class Records {
 public:
  explicit Records(std::size_t n) : n_(n) {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::size_t bytes = std::max<std::size_t>(n * sizeof(T), 1);
#ifdef __linux__
    constexpr std::size_t huge = std::size_t{2} << 20;
    if (bytes >= 2 * huge) {
      const std::size_t rounded = (bytes + huge - 1) / huge * huge;
      map_bytes_ = rounded + huge;  // room to align the start to 2 MiB
      void* m = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) throw std::bad_alloc();
      map_ = m;
      const std::size_t start = (reinterpret_cast<std::size_t>(m) + huge - 1) & ~(huge - 1);
      p_ = reinterpret_cast<T*>(start);
      ::madvise(p_, rounded, MADV_HUGEPAGE);
      return;
    }
#endif
    p_ = static_cast<T*>(std::calloc(bytes, 1));
    if (!p_) throw std::bad_alloc();
  }
  ~Records() {
#ifdef __linux__
    if (map_) {
      ::munmap(map_, map_bytes_);
      return;
    }
#endif
    std::free(p_);
  }
  Records(const Records&) = delete;
  Records& operator=(const Records&) = delete;

  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  T* data() noexcept { return p_; }
  std::size_t size() const noexcept { return n_; }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
};

}  // namespace

namespace {

void check_bins(int bins, const char* function) {
  if (bins < 2 || bins > 100)
    throw InvalidArgument(function, "bins", std::to_string(bins), "must be in 2..100");
}

void check_cuts(std::span<const double> cuts, int bins, const char* axis) {
  if (cuts.empty()) return;
  if (static_cast<int>(cuts.size()) != bins - 1)
    throw InvalidArgument("rfm::compute", axis, std::to_string(cuts.size()) + " cut points",
                          "needs bins - 1 = " + std::to_string(bins - 1) + " cut points");
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    if (!std::isfinite(cuts[i]))
      throw InvalidArgument("rfm::compute", axis, "cut " + std::to_string(i + 1), "must be finite");
    if (i > 0 && !(cuts[i] > cuts[i - 1]))
      throw InvalidArgument("rfm::compute", axis, "cut " + std::to_string(i + 1),
                            "cut points must be strictly ascending");
  }
}

}  // namespace

namespace {

// ---- order statistics -------------------------------------------------------------------------------

// Order-preserving unsigned key of a finite double (-0 and +0 map to the same key).
std::uint64_t key_of(double v) noexcept {
  const auto b = std::bit_cast<std::uint64_t>(v + 0.0);
  return (b >> 63) ? ~b : (b | 0x8000000000000000ULL);
}

// Values at the 0-based sorted positions `pos` (ascending), without sorting everything: a histogram
// of the keys' top 16 bits finds each position's bucket, and only those buckets' values are gathered
// and selected. Small inputs are simply sorted.
// `key_hist`, when not empty, is that histogram already counted by the caller.
constexpr std::size_t kKeyBuckets = std::size_t{1} << 16;
constexpr std::size_t kSortBelow = 4096;  // inputs up to this size are sorted

std::vector<double> order_statistics(std::span<const double> v, const std::vector<std::size_t>& pos,
                                     std::vector<std::uint32_t> key_hist = {}) {
  const std::size_t n = v.size();
  std::vector<double> out(pos.size());
  if (n <= kSortBelow) {
    std::vector<double> s(v.begin(), v.end());
    std::sort(s.begin(), s.end());
    for (std::size_t k = 0; k < pos.size(); ++k) out[k] = s[pos[k]];
    return out;
  }
  constexpr std::size_t nb = kKeyBuckets;
  std::vector<std::uint32_t> hist = std::move(key_hist);
  if (hist.empty()) {
    hist.assign(nb, 0);
    for (double x : v) ++hist[key_of(x) >> 48];
  }
  // bucket of each position, and its offset inside the bucket
  std::vector<std::uint32_t> bucket(pos.size());
  std::vector<std::size_t> within(pos.size());
  {
    std::size_t cum = 0, b = 0, k = 0;
    while (k < pos.size()) {
      if (pos[k] < cum + hist[b]) {
        bucket[k] = static_cast<std::uint32_t>(b);
        within[k] = pos[k] - cum;
        ++k;
      } else {
        cum += hist[b++];
      }
    }
  }
  // gather the target buckets (distinct, ascending)
  std::vector<std::int32_t> slot(nb, -1);
  std::vector<std::vector<double>> gathered;
  for (std::size_t k = 0; k < pos.size(); ++k) {
    if (slot[bucket[k]] < 0) {
      slot[bucket[k]] = static_cast<std::int32_t>(gathered.size());
      gathered.emplace_back();
      gathered.back().reserve(hist[bucket[k]]);
    }
  }
  for (double x : v) {
    const std::int32_t s = slot[key_of(x) >> 48];
    if (s >= 0) gathered[static_cast<std::size_t>(s)].push_back(x);
  }
  for (std::size_t k = 0; k < pos.size(); ++k) {
    auto& g = gathered[static_cast<std::size_t>(slot[bucket[k]])];
    const auto it = g.begin() + static_cast<std::ptrdiff_t>(within[k]);
    std::nth_element(g.begin(), it, g.end());
    out[k] = *it;
  }
  return out;
}

// numpy's linear interpolation between neighbours (its _lerp: exact at both ends, monotone in t).
double lerp(double a, double b, double t) noexcept {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

// Number of ranks 1..N with score <= s under score(k) = max(1, ceil(bins (k-1) / (N-1))):
// 1 + floor(s (N-1) / bins).
std::uint64_t ranks_up_to(std::uint64_t s, std::uint64_t N, std::uint64_t bins) noexcept {
  return 1 + (s * (N - 1)) / bins;
}

void check_values(std::span<const double> values, const char* function, const char* argument) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!(values[i] - values[i] == 0.0))
      throw InvalidArgument(function, std::string(argument) + "[" + std::to_string(i) + "]", number_text(values[i]),
                            "must be finite");
}

// Scores by counting, for integer values in a small range [lo, lo + range). `counts`, when not empty,
// is the histogram of values - lo already counted by the caller (its size is the range; empty buckets
// at either end are harmless).
void score_counting(std::span<const double> values, int bins, TieMethod ties, double lo, std::size_t range,
                    std::span<std::uint8_t> out, std::vector<std::uint32_t> counts = {}) {
  const std::size_t n = values.size();
  std::vector<std::uint32_t> hist = std::move(counts);
  if (hist.empty()) {
    hist.assign(range, 0);
    for (double x : values) ++hist[static_cast<std::size_t>(x - lo)];
  }
  range = hist.size();
  if (ties == TieMethod::RankFirst) {
    // Ranks of equal values are consecutive, in row order: each value keeps a cursor (its next rank)
    // and the score of that rank, which only ever steps up.
    const std::uint64_t N = n, B = static_cast<std::uint64_t>(bins);
    std::vector<std::uint64_t> limit(static_cast<std::size_t>(bins) + 1);
    for (int s = 1; s <= bins; ++s)
      limit[static_cast<std::size_t>(s)] = N == 1 ? 1 : ranks_up_to(static_cast<std::uint64_t>(s), N, B);
    std::vector<std::uint32_t> next(range);  // next rank (1-based) of each value
    std::vector<std::uint8_t> cur(range);    // its score
    std::uint64_t cum = 0;
    for (std::size_t b = 0; b < range; ++b) {
      next[b] = static_cast<std::uint32_t>(cum + 1);
      std::uint8_t s = 1;
      while (static_cast<int>(s) < bins && limit[s] < cum + 1) ++s;  // trailing empty buckets: cum == n
      cur[b] = s;
      cum += hist[b];
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto b = static_cast<std::size_t>(values[i] - lo);
      const std::uint64_t k = next[b]++;
      std::uint8_t s = cur[b];
      while (limit[s] < k) ++s;
      cur[b] = s;
      out[i] = s;
    }
    return;
  }
  // ValueQuantile: order statistics from the cumulative counts, then a score per distinct value.
  std::vector<double> q(static_cast<std::size_t>(bins - 1));
  auto at = [&](std::size_t p) {  // value at 0-based sorted position p
    std::size_t cum = 0, b = 0;
    while (cum + hist[b] <= p) cum += hist[b++];
    return lo + static_cast<double>(b);
  };
  for (int i = 1; i < bins; ++i) {
    const std::uint64_t num = static_cast<std::uint64_t>(n - 1) * static_cast<std::uint64_t>(i);
    const std::size_t j = num / static_cast<std::uint64_t>(bins);
    const double t = static_cast<double>(num % static_cast<std::uint64_t>(bins)) / bins;
    q[static_cast<std::size_t>(i - 1)] = t == 0 ? at(j) : lerp(at(j), at(j + 1), t);
  }
  std::vector<std::uint8_t> by_value(range);
  for (std::size_t b = 0; b < range; ++b) {
    const double x = lo + static_cast<double>(b);
    by_value[b] = static_cast<std::uint8_t>(1 + (std::lower_bound(q.begin(), q.end(), x) - q.begin()));
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = by_value[static_cast<std::size_t>(values[i] - lo)];
}

// Rank-first scores of more than kSortBelow finite values, given the histogram of their keys' top 16
// bits (as in order_statistics). The last rank K_s of each score s < bins falls in some key bucket; a
// bucket holding none of them scores all its values alike (1 + the number of those ranks in lower
// buckets), read from a 64k-entry table in one pass. Values in the few buckets that do hold one are
// gathered there (in row order) and scored as score_general does: their cut values t_s by selection,
// then 1 + #{t_s < v}, or the rank #{values < v} + occurrence number for a value equal to some t_s.
void score_rank_first_keyed(std::span<const double> values, int bins, std::span<std::uint8_t> out,
                            const std::vector<std::uint32_t>& hist) {
  const std::size_t n = values.size();
  const std::size_t B = static_cast<std::size_t>(bins - 1);  // number of cut points
  const std::uint64_t N = n;
  std::vector<std::uint64_t> limit(static_cast<std::size_t>(bins) + 1);
  for (int s = 1; s <= bins; ++s)
    limit[static_cast<std::size_t>(s)] = ranks_up_to(static_cast<std::uint64_t>(s), N, static_cast<std::uint64_t>(bins));
  // bucket of each cut position K_s - 1, its offset there and the number of values in lower buckets
  std::vector<std::uint32_t> cut_bucket(B);
  std::vector<std::size_t> within(B), before(B);
  {
    std::size_t cum = 0, b = 0, s = 0;
    while (s < B) {
      const std::size_t p = limit[s + 1] - 1;
      if (p < cum + hist[b]) {
        cut_bucket[s] = static_cast<std::uint32_t>(b);
        within[s] = p - cum;
        before[s] = cum;
        ++s;
      } else {
        cum += hist[b++];
      }
    }
  }
  // table: the score of a bucket without cut positions, or tag | slot of one with
  constexpr std::uint8_t tag = 0x80;  // bins <= 100 < 128 and at most 99 slots
  std::vector<std::uint8_t> table(kKeyBuckets);
  std::vector<std::uint32_t> slot_bucket;  // distinct cut buckets, ascending
  std::vector<std::size_t> slot_of(B);
  {
    std::size_t s = 0;
    for (std::size_t b = 0; b < kKeyBuckets; ++b) {
      const std::size_t below = s;
      bool cut = false;
      while (s < B && cut_bucket[s] == b) {
        if (!cut) slot_bucket.push_back(static_cast<std::uint32_t>(b));
        slot_of[s++] = slot_bucket.size() - 1;
        cut = true;
      }
      table[b] = cut ? static_cast<std::uint8_t>(tag | (slot_bucket.size() - 1)) : static_cast<std::uint8_t>(below + 1);
    }
  }
  const std::size_t slots = slot_bucket.size();
  std::vector<std::size_t> start(slots + 1, 0);
  for (std::size_t j = 0; j < slots; ++j) start[j + 1] = start[j] + hist[slot_bucket[j]];
  std::vector<double> gathered(start[slots]);
  std::vector<std::size_t> row(start[slots]);
  std::vector<std::size_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    const std::uint8_t e = table[key_of(v) >> 48];
    out[i] = e;
    if (e & tag) {
      const std::size_t at = fill[e & 0x7f]++;
      gathered[at] = v;
      row[at] = i;
    }
  }
  // cut values (ascending), by selection inside each slot's bucket
  std::vector<double> t(B);
  {
    std::vector<double> sel;
    for (std::size_t j = 0; j < slots; ++j) {
      sel.assign(gathered.begin() + static_cast<std::ptrdiff_t>(start[j]),
                 gathered.begin() + static_cast<std::ptrdiff_t>(start[j + 1]));
      for (std::size_t s = 0; s < B; ++s) {
        if (slot_of[s] != j) continue;
        const auto it = sel.begin() + static_cast<std::ptrdiff_t>(within[s]);
        std::nth_element(sel.begin(), it, sel.end());
        t[s] = *it;
      }
    }
  }
  // #{values < t_s}: the lower buckets plus the smaller values of its own bucket
  std::vector<std::uint64_t> less(B), seen(B, 0);
  for (std::size_t s = 0; s < B; ++s) {
    const std::size_t j = slot_of[s];
    std::uint64_t c = 0;
    for (std::size_t k = start[j]; k < start[j + 1]; ++k) c += gathered[k] < t[s];
    less[s] = before[s] + c;
  }
  for (std::size_t k = 0; k < start[slots]; ++k) {
    const double v = gathered[k];
    const auto L = static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), v) - t.begin());
    std::uint8_t sc;
    if (L < B && t[L] == v) {
      const std::uint64_t rank = less[L] + (++seen[L]);
      std::size_t s = 1;
      while (limit[s] < rank) ++s;
      sc = static_cast<std::uint8_t>(s);
    } else {
      sc = static_cast<std::uint8_t>(L + 1);
    }
    out[row[k]] = sc;
  }
}

// Scores of arbitrary finite values via order statistics (no full sort). `key_hist` as in
// order_statistics.
void score_general(std::span<const double> values, int bins, TieMethod ties, std::span<std::uint8_t> out,
                   std::vector<std::uint32_t> key_hist = {}) {
  const std::size_t n = values.size();
  const std::size_t B = static_cast<std::size_t>(bins - 1);  // number of cut points
  if (ties == TieMethod::ValueQuantile) {
    std::vector<std::size_t> pos;
    std::vector<double> frac(B);
    std::vector<std::size_t> lo_pos(B);
    for (std::size_t i = 1; i <= B; ++i) {
      const std::uint64_t num = static_cast<std::uint64_t>(n - 1) * i;
      lo_pos[i - 1] = num / static_cast<std::uint64_t>(bins);
      frac[i - 1] = static_cast<double>(num % static_cast<std::uint64_t>(bins)) / bins;
      pos.push_back(lo_pos[i - 1]);
      if (frac[i - 1] > 0) pos.push_back(lo_pos[i - 1] + 1);
    }
    std::sort(pos.begin(), pos.end());
    pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
    const auto stats = order_statistics(values, pos, std::move(key_hist));
    auto at = [&](std::size_t p) { return stats[std::lower_bound(pos.begin(), pos.end(), p) - pos.begin()]; };
    std::vector<double> q(B);
    for (std::size_t i = 0; i < B; ++i)
      q[i] = frac[i] == 0 ? at(lo_pos[i]) : lerp(at(lo_pos[i]), at(lo_pos[i] + 1), frac[i]);
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::uint8_t>(1 + (std::lower_bound(q.begin(), q.end(), values[i]) - q.begin()));
    return;
  }
  if (n > kSortBelow) {
    if (key_hist.empty()) {
      key_hist.assign(kKeyBuckets, 0);
      for (double x : values) ++key_hist[key_of(x) >> 48];
    }
    score_rank_first_keyed(values, bins, out, key_hist);
    return;
  }
  // RankFirst. With K_s = the last rank of score s (s = 1..bins-1) and t_s the value at rank K_s, a
  // value v gets 1 + #{t_s < v} unless it equals some t_s; only those tied values need their rank,
  // which is #{values < v} + their occurrence number in row order.
  const std::uint64_t N = n;
  std::vector<std::size_t> pos(B);
  for (std::size_t s = 1; s <= B; ++s) pos[s - 1] = ranks_up_to(s, N, static_cast<std::uint64_t>(bins)) - 1;
  const std::vector<double> t = order_statistics(values, pos, std::move(key_hist));  // ascending
  std::vector<std::uint64_t> below(B + 1, 0), equal(B + 1, 0);
  constexpr std::uint8_t tie_flag = 0x80;
  for (std::size_t i = 0; i < n; ++i) {
    const double v = values[i];
    const auto L = static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), v) - t.begin());
    const bool tie = L < B && t[L] == v;
    ++below[L];
    equal[L] += tie;
    out[i] = static_cast<std::uint8_t>(tie ? (L | tie_flag) : (L + 1));
  }
  // #{values < t_L} for each first index L of a run of equal cut values
  std::vector<std::uint64_t> less(B + 1, 0), seen(B + 1, 0);
  std::uint64_t cum = 0;
  for (std::size_t L = 0; L <= B; ++L) {
    less[L] = cum + below[L] - equal[L];
    cum += below[L];
  }
  std::vector<std::uint64_t> limit(static_cast<std::size_t>(bins) + 1);
  for (int s = 1; s <= bins; ++s)
    limit[static_cast<std::size_t>(s)] = ranks_up_to(static_cast<std::uint64_t>(s), N, static_cast<std::uint64_t>(bins));
  for (std::size_t i = 0; i < n; ++i) {
    if (!(out[i] & tie_flag)) continue;
    const std::size_t L = out[i] & 0x7f;
    const std::uint64_t k = less[L] + (++seen[L]);
    std::size_t s = 1;
    while (limit[s] < k) ++s;
    out[i] = static_cast<std::uint8_t>(s);
  }
}

}  // namespace

void score(std::span<const double> values, int bins, TieMethod ties, std::span<const double> cuts,
           std::span<std::uint8_t> out) {
  check_bins(bins, "rfm::score");
  const std::size_t n = values.size();
  if (out.size() != n)
    throw InvalidArgument("rfm::score", "out", "length " + std::to_string(out.size()),
                          "must equal values length " + std::to_string(n));
  if (ties != TieMethod::RankFirst && ties != TieMethod::ValueQuantile)
    throw InvalidArgument("rfm::score", "ties", std::to_string(static_cast<int>(ties)), "is not a TieMethod");
  if (!cuts.empty()) check_cuts(cuts, bins, "cuts");
  if (n == 0) return;
  // one pass: finiteness, range, integrality
  double lo = values[0], hi = values[0];
  bool integral = true;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = values[i];
    if (!(x - x == 0.0)) check_values(values, "rfm::score", "values");  // throws, naming the row
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    // integral and exactly representable as int64 (|x| < 2^53): a cast round trip, no libm call
    integral = integral && std::fabs(x) < 9007199254740992.0 && x == static_cast<double>(static_cast<std::int64_t>(x));
  }
  if (!cuts.empty()) {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = static_cast<std::uint8_t>(1 + (std::lower_bound(cuts.begin(), cuts.end(), values[i]) - cuts.begin()));
    return;
  }
  if (n == 1) {
    out[0] = 1;
    return;
  }
  const double span = hi - lo;
  if (integral && span < static_cast<double>(std::max<std::size_t>(n, 1u << 16)))
    score_counting(values, bins, ties, lo, static_cast<std::size_t>(span) + 1, out);
  else
    score_general(values, bins, ties, out);
}

namespace {

// Per-customer record of the RFM pass: 16 bytes. `last` is the latest day relative to the first row's
// day, stored with its sign bit flipped (x ^ 2^31: signed order becomes unsigned order), so that the
// zeroed record needs no first-touch case: last = max(last, day) from 0.
struct Rec {
  double spend;
  std::uint32_t last;
  std::uint32_t count;
};

constexpr std::uint32_t kSignFlip = 0x80000000u;
inline std::int32_t last_day(const Rec& r) noexcept { return static_cast<std::int32_t>(r.last ^ kSignFlip); }

constexpr std::size_t kPrefetch = 64;
constexpr std::size_t kStreamAhead = 1024;  // rows

// Customer codes per task of the collection pass, and the table size from which passes run on
// several threads (crmkit::max_threads()).
constexpr std::size_t kCollectCodes = std::size_t{1} << 18;
constexpr std::size_t kParallelCustomers = std::size_t{1} << 17;

// Large logs are accumulated in two parts, the first and second half of the rows, each into its own
// table of records (on two threads when allowed), merged by the collection pass: from kSplitRows rows
// and at least two rows per customer code (below that the second table costs more than it saves).
// The split depends on the input only, never on the thread count, so the sums are the same on any
// thread count.
constexpr std::size_t kSplitRows = std::size_t{1} << 21;

std::size_t row_parts(const core::TransactionsView& tx) noexcept {
  return tx.size() >= kSplitRows && tx.size() / 2 >= tx.n_customers ? 2 : 1;
}

enum class Pass { Done, Invalid, WideSpan };

// The smallest and largest relative day of the rows kept (max < min when none).
struct Span {
  std::int32_t min_rel = std::numeric_limits<std::int32_t>::max();
  std::int32_t max_rel = std::numeric_limits<std::int32_t>::min();
};

// The results of one accumulation task: the latest day of all rows, the smallest and largest day of
// the rows kept (max < min when none), and whether some row failed the view's checks.
struct Scan {
  std::int64_t max_day = std::numeric_limits<std::int64_t>::min();
  std::int64_t min_kept = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_kept = std::numeric_limits<std::int64_t>::min();
  bool invalid = false;
};

// One pass over the rows [b, n) into `rec`: per customer the last day (relative to `base`, as int32),
// rows and spend, rows after `as_of` skipped (as_of may be the int64 maximum: no limit). The view's
// validation is fused in (every code < n_customers, every amount finite), so the columns are read
// once. Relative days are stored wrapped to 32 bits: the caller checks min_kept/max_kept against
// `base` afterwards and redoes the pass in 64 bits when they do not fit (no branch per row).
template <bool Seconds, bool Amounts>
Scan accumulate_rows(const core::TransactionsView& tx, std::size_t b, std::size_t n, std::int64_t base,
                     std::int64_t as_of, Rec* rec) {
  Scan out;
  const std::uint32_t nc = tx.n_customers;
  const std::uint32_t* cust = tx.customer.data();
  const std::int64_t* time = tx.time.data();
  const double* amount = Amounts ? tx.amount.data() : nullptr;
  std::int64_t mx = out.max_day, kmin = out.min_kept, kmax = out.max_kept;
  bool bad_code = false, bad_amount = false;
  for (std::size_t i = b; i < n; ++i) {
    // The input columns are read once: fetch them well ahead as non-temporal (prefetchnta), so that
    // the streamed lines do not push the records out of the caches (on AMD's victim L3 they do).
    if ((i & 7) == 0 && i + kStreamAhead < n) {
      __builtin_prefetch(cust + i + kStreamAhead, 0, 0);
      __builtin_prefetch(time + i + kStreamAhead, 0, 0);
      if (Amounts) __builtin_prefetch(amount + i + kStreamAhead, 0, 0);
    }
    // the records are beyond the caches for large tables: fetch a few rows ahead (clamped: a bad
    // code must not even form an address outside the records)
    if (i + kPrefetch < n) {
      const std::uint32_t ahead = cust[i + kPrefetch];
      __builtin_prefetch(&rec[std::min(ahead, nc - 1)], 1);
    }
    const std::uint32_t c = cust[i];
    if (c >= nc) {
      bad_code = true;
      break;
    }
    if constexpr (Amounts) bad_amount |= !(amount[i] <= core::kMaxAmount && amount[i] >= -core::kMaxAmount);  // NaN, inf, huge
    const std::int64_t d = Seconds ? core::to_day(time[i], core::TimeUnit::Seconds) : time[i];
    mx = std::max(mx, d);
    if (d > as_of) continue;
    kmin = std::min(kmin, d);
    kmax = std::max(kmax, d);
    const auto u32 = static_cast<std::uint32_t>(static_cast<std::uint64_t>(d) - static_cast<std::uint64_t>(base)) ^ kSignFlip;
    Rec& r = rec[c];
    r.last = std::max(r.last, u32);
    ++r.count;
    if constexpr (Amounts) r.spend += amount[i];
  }
  // a day outside kMinDay..kMaxDay (rows after as_of count through mx) breaks the view's contract too
  out.invalid = bad_code || bad_amount || mx > core::kMaxDay || (kmin <= kmax && kmin < core::kMinDay);
  out.max_day = mx;
  out.min_kept = kmin;
  out.max_kept = kmax;
  return out;
}

// accumulate_rows over the rows [b, e)
Scan accumulate_rows(const core::TransactionsView& tx, std::size_t b, std::size_t e, std::int64_t base,
                     std::int64_t as_of, Rec* rec) {
  const bool seconds = tx.time_unit == core::TimeUnit::Seconds, amounts = !tx.amount.empty();
  if (seconds)
    return amounts ? accumulate_rows<true, true>(tx, b, e, base, as_of, rec)
                   : accumulate_rows<true, false>(tx, b, e, base, as_of, rec);
  return amounts ? accumulate_rows<false, true>(tx, b, e, base, as_of, rec)
                 : accumulate_rows<false, false>(tx, b, e, base, as_of, rec);
}

// The accumulation pass over `parts` (1 or 2, row_parts()) contiguous shares of the rows, part j into
// its own table tables[j], on up to two threads. (A split by customer-code ranges instead, every thread
// reading all rows, cut no wall time: each thread still paid about what one thread pays for the whole
// pass, as the random record updates are bound by the memory system.) Invalid when a row fails the
// checks (the caller then runs validated() for its message), WideSpan when a kept day is more than
// int32 days from `base`.
Pass accumulate(const core::TransactionsView& tx, std::int64_t base, std::int64_t as_of, Rec* const* tables,
                std::size_t parts, std::int64_t& max_day, Span& span) {
  std::array<Scan, 2> scans;
  auto run = [&](std::size_t j) {
    const std::size_t b = tx.size() * j / parts, e = tx.size() * (j + 1) / parts;
    scans[j] = accumulate_rows(tx, b, e, base, as_of, tables[j]);
  };
  if (parts > 1) crmkit::detail::parallel_tasks(parts, run);
  else run(0);
  Scan scan = scans[0];
  for (std::size_t j = 1; j < parts; ++j) {
    scan.invalid = scan.invalid || scans[j].invalid;
    scan.max_day = std::max(scan.max_day, scans[j].max_day);
    scan.min_kept = std::min(scan.min_kept, scans[j].min_kept);
    scan.max_kept = std::max(scan.max_kept, scans[j].max_kept);
  }
  if (scan.invalid) return Pass::Invalid;
  max_day = scan.max_day;
  if (scan.min_kept <= scan.max_kept) {
    std::int64_t lo = 0, hi = 0;
    if (__builtin_sub_overflow(scan.min_kept, base, &lo) || __builtin_sub_overflow(scan.max_kept, base, &hi) ||
        lo < std::numeric_limits<std::int32_t>::min() || hi > std::numeric_limits<std::int32_t>::max())
      return Pass::WideSpan;
    span.min_rel = static_cast<std::int32_t>(lo);
    span.max_rel = static_cast<std::int32_t>(hi);
  }
  return Pass::Done;
}

// The checks of TransactionsView::validated() that do not read the columns: lengths, and the
// customer count when the caller gave none (which needs the codes' maximum: then it is the full check).
core::TransactionsView checked_shape(const core::TransactionsView& tx, const char* function) {
  if (tx.n_customers == 0 || tx.time.size() != tx.customer.size() ||
      (!tx.amount.empty() && tx.amount.size() != tx.customer.size()) ||
      tx.n_customers > tx.size() + core::kMaxUnusedCodes)
    return tx.validated(function);
  return tx;
}

}  // namespace

RfmTable compute(const core::TransactionsView& tx_in, const RfmOptions& o) {
  const core::TransactionsView tx = checked_shape(tx_in, "rfm::compute");  // rows checked in the pass
  check_bins(o.bins, "rfm::compute");
  check_cuts(o.recency_cuts, o.bins, "recency_cuts");
  check_cuts(o.frequency_cuts, o.bins, "frequency_cuts");
  check_cuts(o.monetary_cuts, o.bins, "monetary_cuts");
  if (o.ties != TieMethod::RankFirst && o.ties != TieMethod::ValueQuantile)
    throw InvalidArgument("rfm::compute", "ties", std::to_string(static_cast<int>(o.ties)), "is not a TieMethod");
  if (tx.size() == 0) throw InvalidArgument("rfm::compute", "tx", "0 rows", "needs at least one transaction");
  if (o.as_of) core::check_day("rfm::compute", "as_of", *o.as_of);

  const std::uint32_t nc = tx.n_customers;
  const std::int64_t limit = o.as_of ? *o.as_of : std::numeric_limits<std::int64_t>::max();
  std::size_t parts = row_parts(tx);
  Records<Rec> rec(nc);
  std::optional<Records<Rec>> rec2;  // the second part's table (the pages are first touched by its task)
  if (parts == 2) rec2.emplace(nc);
  std::vector<std::int64_t> last64;  // only for tables spanning more than int32 days
  std::int64_t max_day = 0;
  std::int64_t base = core::to_day(tx.time[0], tx.time_unit);
  Span span;
  const std::array<Rec*, 2> tables{rec.data(), rec2 ? rec2->data() : nullptr};
  const Pass pass = accumulate(tx, base, limit, tables.data(), parts, max_day, span);
  if (pass != Pass::Done) tx_in.validated("rfm::compute");  // throws, naming the first bad row
  if (pass == Pass::WideSpan) {
    // A span beyond int32 days: rare enough for a plain int64 pass (the rows are valid: checked above).
    base = 0;
    parts = 1;
    last64.assign(nc, std::numeric_limits<std::int64_t>::min());
    std::memset(static_cast<void*>(rec.data()), 0, nc * sizeof(Rec));
    max_day = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < tx.size(); ++i) {
      const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
      max_day = std::max(max_day, d);
      if (d > limit) continue;
      const std::uint32_t c = tx.customer[i];
      last64[c] = std::max(last64[c], d);
      ++rec[c].count;
      if (!tx.amount.empty()) rec[c].spend += tx.amount[i];
    }
  }
  if (!o.as_of && max_day == std::numeric_limits<std::int64_t>::max())
    throw InvalidArgument("rfm::compute", "time", io::format_date(max_day), "leaves no day after the last transaction");
  const std::int64_t as_of = o.as_of ? *o.as_of : max_day + 1;

  RfmTable t;
  t.bins = o.bins;
  t.as_of = as_of;
  // One pass over the records: the active customers' values into the output columns (sized for all
  // customers, on huge pages, cut to the active ones after), and the histograms the scorings need:
  // recency (as the distance below the latest day, an integer), frequency, and the top 16 bits of the
  // monetary values' order-preserving keys. The scorings then skip their own counting passes.
  // (Sizing them zeroes fresh pages, kernel and memset: one task per column.)
  std::uint32_t* out_customer = nullptr;
  std::array<double*, 4> out_values{};
  std::array<std::vector<double>*, 4> value_columns{&t.recency, &t.frequency, &t.monetary, &t.total_spend};
  auto size_column = [&](std::size_t j) {
    if (j == 0) out_customer = crmkit::detail::presize_huge(t.customer, nc);
    else out_values[j - 1] = crmkit::detail::presize_huge(*value_columns[j - 1], nc);
  };
  if (nc >= kParallelCustomers) crmkit::detail::parallel_tasks(5, size_column);
  else for (std::size_t j = 0; j < 5; ++j) size_column(j);
  double* out_recency = out_values[0];
  double* out_frequency = out_values[1];
  double* out_monetary = out_values[2];
  double* out_spend = out_values[3];
  const std::int64_t since = as_of - base;  // recency = as_of - (base + last)
  // every recency value exact in a double (they are >= 0: rows after as_of are not counted)
  std::int64_t widest = 0;
  const bool exact_recency =
      !__builtin_sub_overflow(since, static_cast<std::int64_t>(span.min_rel), &widest) && widest < (std::int64_t{1} << 52);
  const bool mean = o.monetary == MonetaryKind::Mean;
  // recency histogram over last in [min_rel, max_rel] (relative days of the kept rows), indexed by
  // max_rel - last, when that range is modest
  constexpr std::size_t kMaxCounted = std::size_t{1} << 22;
  const bool recency_counted = last64.empty() && exact_recency && o.recency_cuts.empty() && span.max_rel >= span.min_rel &&
                               static_cast<std::uint64_t>(span.max_rel - span.min_rel) < kMaxCounted;
  const std::size_t recency_range = recency_counted ? static_cast<std::size_t>(span.max_rel - span.min_rel) + 1 : 0;
  const bool monetary_keyed = o.monetary_cuts.empty();
  // The pass runs over fixed ranges of customer codes (tasks, on several threads for large tables):
  // task j writes its active customers from the position of its first code on (a range of codes has
  // at most that many active customers) and counts its own histograms; the ranges are then closed up
  // and the histograms summed, in task order, so the result does not depend on the thread count.
  struct Part {
    std::size_t count = 0;
    std::vector<std::uint32_t> recency_hist, frequency_hist, monetary_hist;
    bool frequency_counted = true, monetary_finite = true;
  };
  const std::size_t code_parts = crmkit::detail::chunk_count(nc, kCollectCodes);
  std::vector<Part> part(code_parts);
  auto collect = [&](std::size_t j) {
    Part& p = part[j];
    const auto c0 = static_cast<std::uint32_t>(j * kCollectCodes);
    const auto c1 = static_cast<std::uint32_t>(std::min<std::size_t>(nc, (j + 1) * kCollectCodes));
    p.recency_hist.assign(recency_range, 0);
    p.frequency_counted = o.frequency_cuts.empty();
    p.frequency_hist.assign(p.frequency_counted ? 64 : 0, 0);
    p.monetary_hist.assign(monetary_keyed ? kKeyBuckets : 0, 0);
    std::uint32_t* rh = p.recency_hist.data();
    std::uint32_t* mh = p.monetary_hist.data();
    bool finite = true;
    std::size_t k = c0;
    const Rec* second = parts == 2 ? rec2->data() : nullptr;
    for (std::uint32_t c = c0; c < c1; ++c) {
      Rec r = rec[c];
      if (second) {  // the two parts' records: first part's spend plus the second's, the later day
        const Rec& q = second[c];
        r.spend += q.spend;
        r.count += q.count;
        r.last = std::max(r.last, q.last);
      }
      if (r.count == 0) continue;
      const double money = mean ? r.spend / r.count : r.spend;
      out_customer[k] = c;
      out_recency[k] = static_cast<double>(last64.empty() ? since - last_day(r) : as_of - last64[c]);
      out_frequency[k] = static_cast<double>(r.count);
      out_monetary[k] = money;
      out_spend[k] = r.spend;
      if (recency_counted) ++rh[static_cast<std::size_t>(span.max_rel - last_day(r))];
      if (p.frequency_counted) {
        if (r.count >= p.frequency_hist.size()) {
          if (r.count < kMaxCounted) p.frequency_hist.resize(std::size_t{r.count} * 2, 0);
          else p.frequency_counted = false;
        }
        if (p.frequency_counted) ++p.frequency_hist[r.count];
      }
      finite = finite && (money - money == 0.0);
      if (monetary_keyed) ++mh[key_of(money) >> 48];
      ++k;
    }
    p.monetary_finite = finite;
    p.count = k - c0;
  };
  if (nc >= kParallelCustomers) crmkit::detail::parallel_tasks(code_parts, collect);
  else for (std::size_t j = 0; j < code_parts; ++j) collect(j);
  std::vector<std::uint32_t> recency_hist = std::move(part[0].recency_hist);
  std::vector<std::uint32_t> frequency_hist = std::move(part[0].frequency_hist);
  std::vector<std::uint32_t> monetary_hist = std::move(part[0].monetary_hist);
  bool frequency_counted = part[0].frequency_counted, monetary_finite = part[0].monetary_finite;
  std::size_t active = part[0].count;
  for (std::size_t j = 1; j < code_parts; ++j) {
    const Part& p = part[j];
    const std::size_t from = j * kCollectCodes;
    if (from != active && p.count > 0) {
      std::memmove(out_customer + active, out_customer + from, p.count * sizeof(std::uint32_t));
      std::memmove(out_recency + active, out_recency + from, p.count * sizeof(double));
      std::memmove(out_frequency + active, out_frequency + from, p.count * sizeof(double));
      std::memmove(out_monetary + active, out_monetary + from, p.count * sizeof(double));
      std::memmove(out_spend + active, out_spend + from, p.count * sizeof(double));
    }
    active += p.count;
    for (std::size_t b = 0; b < recency_range; ++b) recency_hist[b] += p.recency_hist[b];
    frequency_counted = frequency_counted && p.frequency_counted;
    if (frequency_counted) {
      if (p.frequency_hist.size() > frequency_hist.size()) frequency_hist.resize(p.frequency_hist.size(), 0);
      for (std::size_t b = 0; b < p.frequency_hist.size(); ++b) frequency_hist[b] += p.frequency_hist[b];
    }
    monetary_finite = monetary_finite && p.monetary_finite;
    if (monetary_keyed)
      for (std::size_t b = 0; b < kKeyBuckets; ++b) monetary_hist[b] += p.monetary_hist[b];
  }
  part.clear();
  if (active == 0)
    throw InvalidArgument("rfm::compute", "as_of", io::format_date(as_of), "no transaction on or before it");
  t.customer.resize(active);
  t.recency.resize(active);
  t.frequency.resize(active);
  t.monetary.resize(active);
  t.total_spend.resize(active);
  crmkit::detail::presize_huge(t.r, active);
  crmkit::detail::presize_huge(t.f, active);
  crmkit::detail::presize_huge(t.m, active);
  // Each axis: the counted histogram when there is one (same scores as score(): the counting and
  // order-statistics paths give the same definition), else score() itself. The three axes are
  // independent tasks.
  const bool small = active <= 1;
  auto score_axis = [&](std::size_t axis) {
    if (axis == 0) {
      if (recency_counted && !small)
        score_counting(t.recency, o.bins, o.ties, static_cast<double>(since - span.max_rel), recency_hist.size(), t.r,
                       std::move(recency_hist));
      else
        score(t.recency, o.bins, o.ties, o.recency_cuts, t.r);
      for (auto& sc : t.r) sc = static_cast<std::uint8_t>(o.bins + 1 - sc);  // recent = high
    } else if (axis == 1) {
      if (frequency_counted && !small)
        score_counting(t.frequency, o.bins, o.ties, 0.0, frequency_hist.size(), t.f, std::move(frequency_hist));
      else
        score(t.frequency, o.bins, o.ties, o.frequency_cuts, t.f);
    } else {
      if (monetary_keyed && monetary_finite && active > kSortBelow)
        score_general(t.monetary, o.bins, o.ties, t.m, std::move(monetary_hist));
      else
        score(t.monetary, o.bins, o.ties, o.monetary_cuts, t.m);  // throws for a non-finite value
    }
  };
  if (active >= kParallelCustomers) crmkit::detail::parallel_tasks(3, score_axis);
  else for (std::size_t axis = 0; axis < 3; ++axis) score_axis(axis);
  return t;
}

// ---- segments ---------------------------------------------------------------------------------------

std::vector<std::string> Segmentation::names() const {
  std::vector<std::string> out;
  for (const auto& r : rules)
    if (std::find(out.begin(), out.end(), r.name) == out.end()) out.push_back(r.name);
  if (std::find(out.begin(), out.end(), fallback) == out.end()) out.push_back(fallback);
  return out;
}

namespace {
// Index into names() of the name `name`, without building names(): the number of distinct rule names
// before its first occurrence (or all distinct names, for the fallback when no rule carries it).
std::size_t name_index(const std::vector<SegmentRule>& rules, const std::string& name) noexcept {
  std::size_t distinct = 0;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    bool first = true;
    for (std::size_t j = 0; j < k && first; ++j) first = rules[j].name != rules[k].name;
    if (rules[k].name == name) return distinct;
    distinct += first;
  }
  return distinct;
}
}  // namespace

std::size_t Segmentation::classify(int r, int f, int m) const noexcept {
  for (const auto& rule : rules) {
    if (r >= rule.r_min && r <= rule.r_max && f >= rule.f_min && f <= rule.f_max && m >= rule.m_min &&
        m <= rule.m_max)
      return name_index(rules, rule.name);
  }
  return name_index(rules, fallback);
}

namespace {
SegmentRule rf(const char* name, int r0, int r1, int f0, int f1) { return SegmentRule{name, r0, r1, f0, f1, 1, 5}; }
SegmentRule rfm_rule(const char* name, int r0, int r1, int f0, int f1, int m0, int m1) {
  return SegmentRule{name, r0, r1, f0, f1, m0, m1};
}
}  // namespace

Segmentation Segmentation::rf_grid() {
  Segmentation s;
  s.bins = 5;
  s.fallback = "Other";
  s.rules = {
      rf("Champions", 5, 5, 4, 5),          rf("Loyal Customers", 3, 4, 4, 5),
      rf("Potential Loyalists", 4, 5, 2, 3), rf("New Customers", 5, 5, 1, 1),
      rf("Promising", 4, 4, 1, 1),           rf("Need Attention", 3, 3, 3, 3),
      rf("About to Sleep", 3, 3, 1, 2),      rf("At Risk", 1, 2, 3, 4),
      rf("Can't Lose Them", 1, 2, 5, 5),     rf("Hibernating", 1, 2, 1, 2),
  };
  return s;
}

Segmentation Segmentation::rfm_ranges() {
  Segmentation s;
  s.bins = 5;
  s.fallback = "Other";
  s.rules = {
      rfm_rule("Champions", 4, 5, 4, 5, 4, 5),
      rfm_rule("Loyal Customers", 3, 5, 3, 5, 3, 5),
      rfm_rule("Frequent Low Spenders", 3, 5, 3, 5, 1, 2),
      rfm_rule("Big Spenders", 3, 5, 1, 2, 4, 5),
      rfm_rule("Promising", 4, 5, 1, 2, 1, 3),
      rfm_rule("Need Attention", 3, 3, 1, 2, 1, 3),
      rfm_rule("At Risk Big Spenders", 1, 2, 1, 5, 4, 5),
      rfm_rule("At Risk", 1, 2, 3, 5, 1, 3),
      rfm_rule("Lost", 1, 2, 1, 2, 1, 3),
  };
  return s;
}

Segmentation Segmentation::preset(std::string_view name) {
  if (name == "rf-grid") return rf_grid();
  if (name == "rfm-ranges") return rfm_ranges();
  throw InvalidArgument("Segmentation::preset", "name", "'" + std::string(name) + "'",
                        "must be rf-grid or rfm-ranges (or a rules file)");
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool q = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (q) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        q = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      q = true;
    } else if (c == ',') {
      out.emplace_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.emplace_back(trim(cur));
  return out;
}

bool parse_int(std::string_view s, int& v) {
  if (s.empty() || s.size() > 3) return false;
  v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  return true;
}

// "a-b", "a" or "*" on 1..bins.
bool parse_range(std::string_view s, int bins, int& lo, int& hi) {
  s = trim(s);
  if (s == "*") {
    lo = 1;
    hi = bins;
    return true;
  }
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_int(s, lo)) return false;
    hi = lo;
  } else if (!parse_int(trim(s.substr(0, dash)), lo) || !parse_int(trim(s.substr(dash + 1)), hi)) {
    return false;
  }
  return lo >= 1 && hi <= bins && lo <= hi;
}

}  // namespace

Segmentation Segmentation::parse(std::string_view text, std::string_view source, int bins) {
  check_bins(bins, "Segmentation::parse");
  Segmentation seg;
  seg.bins = bins;
  seg.fallback = "Other";
  std::istringstream in{std::string(text)};
  std::string line;
  std::int64_t lineno = 0;
  bool header_seen = false;
  const std::string src(source);
  while (std::getline(in, line)) {
    ++lineno;
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    auto fields = split_csv_line(t);
    if (!header_seen) {
      header_seen = true;
      std::string h;
      for (auto& f : fields) {
        for (auto& ch : f) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        h += (h.empty() ? "" : ",") + f;
      }
      if (h != "segment,r,f,m")
        throw ParseError(src, lineno, 1, "", "the header 'segment,r,f,m'", std::string(t));
      continue;
    }
    if (fields.size() != 4)
      throw ParseError(src, lineno, static_cast<std::int64_t>(std::min<std::size_t>(fields.size(), 4) + 1), "",
                       "4 fields (segment,r,f,m)", std::to_string(fields.size()) + " fields");
    if (fields[0].empty()) throw ParseError(src, lineno, 1, "segment", "a segment name", "");
    SegmentRule r;
    r.name = fields[0];
    const char* axis[3] = {"r", "f", "m"};
    int* bounds[3][2] = {{&r.r_min, &r.r_max}, {&r.f_min, &r.f_max}, {&r.m_min, &r.m_max}};
    for (int k = 0; k < 3; ++k) {
      if (!parse_range(fields[static_cast<std::size_t>(k + 1)], bins, *bounds[k][0], *bounds[k][1]))
        throw ParseError(src, lineno, k + 2, axis[k],
                         "a score range 'a-b', 'a' or '*' within 1.." + std::to_string(bins),
                         fields[static_cast<std::size_t>(k + 1)]);
    }
    seg.rules.push_back(std::move(r));
  }
  if (!header_seen) throw ParseError(src, 1, 0, "", "the header 'segment,r,f,m'", "end of file");
  if (seg.rules.empty()) throw ParseError(src, lineno + 1, 0, "", "at least one rule", "end of file");
  return seg;
}

Segmentation Segmentation::load(const std::string& path, int bins) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError(path, "cannot open segment rules file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return parse(ss.str(), path, bins);
}

std::vector<std::uint32_t> assign(const RfmTable& t, const Segmentation& seg) {
  if (seg.bins != t.bins)
    throw InvalidArgument("rfm::assign", "segmentation.bins", std::to_string(seg.bins),
                          "the rules are written for scores 1.." + std::to_string(seg.bins) +
                              " but the table was scored on 1.." + std::to_string(t.bins));
  // Precompute the segment of every (r, f, m) cell once.
  const std::size_t b = static_cast<std::size_t>(t.bins);
  std::vector<std::uint32_t> cell(b * b * b);
  for (std::size_t r = 0; r < b; ++r)
    for (std::size_t f = 0; f < b; ++f)
      for (std::size_t m = 0; m < b; ++m)
        cell[(r * b + f) * b + m] = static_cast<std::uint32_t>(
            seg.classify(static_cast<int>(r + 1), static_cast<int>(f + 1), static_cast<int>(m + 1)));
  std::vector<std::uint32_t> out(t.size());
  for (std::size_t i = 0; i < t.size(); ++i)
    out[i] = cell[((t.r[i] - 1u) * b + (t.f[i] - 1u)) * b + (t.m[i] - 1u)];
  return out;
}

std::vector<SegmentSummaryRow> segment_summary(const RfmTable& t, std::span<const std::uint32_t> segment,
                                               const Segmentation& seg) {
  if (segment.size() != t.size())
    throw InvalidArgument("rfm::segment_summary", "segment", "length " + std::to_string(segment.size()),
                          "must equal the table's " + std::to_string(t.size()) + " rows");
  const auto names = seg.names();
  std::vector<SegmentSummaryRow> rows(names.size());
  for (std::size_t k = 0; k < names.size(); ++k) rows[k].segment = names[k];
  double revenue = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (segment[i] >= rows.size())
      throw InvalidArgument("rfm::segment_summary", "segment", std::to_string(segment[i]), "is not a segment index");
    auto& r = rows[segment[i]];
    ++r.customers;
    r.revenue += t.total_spend[i];
    r.mean_recency += t.recency[i];
    r.mean_frequency += t.frequency[i];
    r.mean_monetary += t.monetary[i];
    r.mean_r += t.r[i];
    r.mean_f += t.f[i];
    r.mean_m += t.m[i];
    revenue += t.total_spend[i];
  }
  const double n = static_cast<double>(t.size());
  for (auto& r : rows) {
    if (r.customers > 0) {
      const double c = static_cast<double>(r.customers);
      r.mean_recency /= c;
      r.mean_frequency /= c;
      r.mean_monetary /= c;
      r.mean_r /= c;
      r.mean_f /= c;
      r.mean_m /= c;
    }
    r.customer_share = n > 0 ? static_cast<double>(r.customers) / n : 0.0;
    r.revenue_share = revenue != 0 ? r.revenue / revenue : 0.0;
  }
  return rows;
}

}  // namespace crmkit::rfm
