// Customer summaries.
//
// One streaming pass over the rows updates a 32-byte record per customer (indexed by code: no
// hashing, no sort): first and last day, distinct days, rows, total and repeat-day amounts. Distinct
// days and the repeat amount can be counted on the fly as long as each customer's rows arrive in
// day order, which real logs nearly always do; a customer whose rows go back in time is flagged, and
// only the flagged customers are regrouped afterwards (a counting pass by code, then a sort of each
// one's few rows by day). Amounts are always summed in (day, row) order, so the result does not
// depend on which path a customer took.
//
// Days are kept relative to the first row's day as int32 (4 bytes, so a record is 32 bytes); a table
// spanning more than ~5.8 million years falls back to int64 records.
#include "crmkit/summary/summary.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <numeric>
#include <string>
#include <tuple>

#include "crmkit/core/detail/huge_pages.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "detail.hpp"

namespace crmkit::summary {

Period parse_period(std::string_view text) {
  if (text == "day" || text == "D" || text == "d" || text == "days") return Period::Day;
  if (text == "week" || text == "W" || text == "w" || text == "weeks") return Period::Week;
  if (text == "month" || text == "M" || text == "m" || text == "months") return Period::Month;
  throw InvalidArgument("parse_period", "period", "'" + std::string(text) + "'",
                        "must be day, week or month (or D, W, M)");
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

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kPrefetch = 64;
constexpr std::uint32_t kUnsorted = 0x80000000u;  // flag bit in a record's distinct-day count

// Per-customer record of the calibration (or only) period.
template <class Day>
struct Acc {
  Day first, last;         // relative days; valid when rows > 0
  std::uint32_t distinct;  // distinct days (| kUnsorted when the rows went back in time)
  std::uint32_t rows;
  double total, repeat;    // all amounts; amounts of days after the first
};

// Per-customer record of the holdout period.
template <class Day>
struct Hold {
  Day last;
  std::uint32_t distinct;  // | kUnsorted as above
  double spend;
};

// What the streaming pass found. `overflow`: a relative day did not fit in Day; `invalid`: a row
// breaks the view's contract (a code >= n_customers, a time outside kMinDay..kMaxDay or an amount beyond
// kMaxAmount or not finite; the caller then runs
// TransactionsView::validated() for the message naming the first such row).
struct PassInfo {
  std::int64_t max_day = std::numeric_limits<std::int64_t>::min();
  std::size_t flagged = 0;
  bool overflow = false;
  bool invalid = false;
};

template <class T>
using HugeVector = std::vector<T, crmkit::detail::HugePageAllocator<T>>;

// Final values of one customer (the regrouping path's output).
struct Exact {
  std::int64_t first, last;
  std::uint32_t distinct, rows;
  double total, repeat;
  std::uint32_t distinct_h;
  double spend_h;
};

// rel = d - base, when it fits in Day.
template <class Day>
bool fits(std::int64_t d, std::int64_t base, std::int64_t& rel) noexcept {
  if (__builtin_sub_overflow(d, base, &rel)) return false;
  if constexpr (sizeof(Day) < sizeof(std::int64_t))
    return rel >= std::numeric_limits<Day>::min() && rel <= std::numeric_limits<Day>::max();
  return true;
}

// Rows with day <= cal_end go to `acc`; rows with cal_end < day <= obs_end go to `hold` (when
// given). Both limits may be kNoLimit. The view's row checks are fused in (every code < n_customers,
// every amount finite), so the columns are read once.
template <class Day>
PassInfo stream(const core::TransactionsView& tx, std::int64_t base, std::int64_t cal_end, std::int64_t obs_end,
                HugeVector<Acc<Day>>& acc, HugeVector<Hold<Day>>* hold) {
  PassInfo info;
  const std::size_t n = tx.size();
  const std::uint32_t nc = tx.n_customers;
  const std::uint32_t* cust = tx.customer.data();
  const std::int64_t* time = tx.time.data();
  const double* amount = tx.amount.empty() ? nullptr : tx.amount.data();
  const bool seconds = tx.time_unit == core::TimeUnit::Seconds;
  std::int64_t max_day = std::numeric_limits<std::int64_t>::min();
  std::int64_t min_day = std::numeric_limits<std::int64_t>::max();
  bool finite = true;
  for (std::size_t i = 0; i < n; ++i) {
    // the records are beyond the caches for large tables: fetch some rows ahead (clamped: a bad code
    // must not even form an address outside the records)
    if (i + kPrefetch < n) __builtin_prefetch(&acc[std::min(cust[i + kPrefetch], nc - 1)], 1);
    if (cust[i] >= nc) {
      info.invalid = true;
      return info;
    }
    const std::int64_t d = seconds ? core::to_day(time[i], core::TimeUnit::Seconds) : time[i];
    max_day = std::max(max_day, d);
    min_day = std::min(min_day, d);
    const double a = amount ? amount[i] : 0.0;
    finite = finite && (a <= core::kMaxAmount && a >= -core::kMaxAmount);  // false for NaN, infinities, huge amounts
    if (d <= cal_end) {
      std::int64_t rel64;
      if (!fits<Day>(d, base, rel64)) {
        info.overflow = true;
        return info;
      }
      const Day rel = static_cast<Day>(rel64);
      Acc<Day>& r = acc[cust[i]];
      if (r.rows == 0) {
        r.first = r.last = rel;
        r.distinct = 1;
        r.rows = 1;
        r.total = a;
        r.repeat = 0;
      } else {
        ++r.rows;
        r.total += a;
        if (rel > r.last) {
          ++r.distinct;
          r.last = rel;
          r.repeat += a;
        } else if (rel == r.last) {
          if (rel != r.first) r.repeat += a;
        } else {
          r.distinct |= kUnsorted;
          r.first = std::min(r.first, rel);
        }
      }
    } else if (hold && d <= obs_end) {
      std::int64_t rel64;
      if (!fits<Day>(d, base, rel64)) {
        info.overflow = true;
        return info;
      }
      const Day rel = static_cast<Day>(rel64);
      Hold<Day>& h = (*hold)[cust[i]];
      h.spend += a;
      if (h.distinct == 0 || rel > h.last) {
        ++h.distinct;
        h.last = rel;
      } else if (rel < h.last) {
        h.distinct |= kUnsorted;
      }
    }
  }
  info.invalid = !finite || (n > 0 && (min_day < core::kMinDay || max_day > core::kMaxDay));
  info.max_day = max_day;
  return info;
}

// Recomputes the flagged customers (or all, when `all`) from their rows, regrouped by code and
// sorted by day. Returns one Exact per flagged customer with calibration rows, in code order, and
// sets `flag[c]` for them.
std::vector<Exact> regroup(const core::TransactionsView& tx, std::int64_t cal_end, std::int64_t obs_end,
                           bool holdout, const std::vector<std::uint8_t>& flagged) {
  const std::size_t n = tx.size();
  const std::uint32_t nc = tx.n_customers;
  // Dense slots for the flagged customers.
  std::vector<std::uint32_t> slot(nc, std::numeric_limits<std::uint32_t>::max());
  std::uint32_t n_flagged = 0;
  for (std::uint32_t c = 0; c < nc; ++c)
    if (flagged[c]) slot[c] = n_flagged++;
  std::vector<std::size_t> offset(static_cast<std::size_t>(n_flagged) + 1, 0);
  const std::int64_t end = holdout ? obs_end : cal_end;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t s = slot[tx.customer[i]];
    if (s != std::numeric_limits<std::uint32_t>::max() && core::to_day(tx.time[i], tx.time_unit) <= end)
      ++offset[s + 1];
  }
  std::partial_sum(offset.begin(), offset.end(), offset.begin());
  struct Entry {
    std::int64_t day;
    double amount;
  };
  std::vector<Entry> entries(offset.back());
  std::vector<std::size_t> cursor(offset.begin(), offset.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t s = slot[tx.customer[i]];
    if (s == std::numeric_limits<std::uint32_t>::max()) continue;
    const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
    if (d <= end) entries[cursor[s]++] = Entry{d, tx.amount.empty() ? 0.0 : tx.amount[i]};
  }
  std::vector<Exact> out;
  out.reserve(n_flagged);
  for (std::uint32_t s = 0; s < n_flagged; ++s) {
    const auto b = entries.begin() + static_cast<std::ptrdiff_t>(offset[s]);
    const auto e = entries.begin() + static_cast<std::ptrdiff_t>(offset[s + 1]);
    // stable: equal days keep row order, so sums run in (day, row) order as in the streaming pass
    std::stable_sort(b, e, [](const Entry& x, const Entry& y) { return x.day < y.day; });
    Exact x{0, 0, 0, 0, 0.0, 0.0, 0, 0.0};
    bool have_h = false;
    std::int64_t last_h = 0;
    for (auto it = b; it != e; ++it) {
      if (it->day <= cal_end) {
        if (x.rows == 0) {
          x.first = x.last = it->day;
          x.distinct = 1;
          x.total = it->amount;
        } else {
          x.total += it->amount;
          if (it->day != x.last) ++x.distinct;
          if (it->day != x.first) x.repeat += it->amount;
          x.last = it->day;
        }
        ++x.rows;
      } else {
        x.spend_h += it->amount;
        if (!have_h || it->day != last_h) ++x.distinct_h;
        have_h = true;
        last_h = it->day;
      }
    }
    out.push_back(x);  // rows == 0: the customer has only holdout rows; the caller skips it
  }
  return out;
}

void reserve_all(CustomerSummary& s, std::size_t k) {
  s.customer.reserve(k);
  for (auto* v : {&s.frequency, &s.recency, &s.T, &s.monetary_value, &s.total_spend}) v->reserve(k);
  s.first_purchase.reserve(k);
  s.last_purchase.reserve(k);
  s.n_transactions.reserve(k);
}

// The output columns, sized once (large ones on huge pages) and written by row.
struct Out {
  std::uint32_t* customer;
  double *frequency, *recency, *T, *monetary, *total;
  std::int64_t *first, *last;
  std::uint32_t* rows;

  Out(CustomerSummary& s, std::size_t k)
      : customer(crmkit::detail::presize_huge(s.customer, k)),
        frequency(crmkit::detail::presize_huge(s.frequency, k)),
        recency(crmkit::detail::presize_huge(s.recency, k)),
        T(crmkit::detail::presize_huge(s.T, k)),
        monetary(crmkit::detail::presize_huge(s.monetary_value, k)),
        total(crmkit::detail::presize_huge(s.total_spend, k)),
        first(crmkit::detail::presize_huge(s.first_purchase, k)),
        last(crmkit::detail::presize_huge(s.last_purchase, k)),
        rows(crmkit::detail::presize_huge(s.n_transactions, k)) {}

  // the raw sums behind each row (State), when asked for
  std::uint32_t* distinct_out = nullptr;
  double* repeat_out = nullptr;

  void put(std::size_t o, std::uint32_t c, std::int64_t first_day, std::int64_t last_day, std::uint32_t distinct,
           std::uint32_t n_rows, double sum, double repeat, double len, std::int64_t observation_end) const {
    const detail::RowValues v = detail::row_values(first_day, last_day, distinct, repeat, len, observation_end);
    customer[o] = c;
    frequency[o] = v.frequency;
    recency[o] = v.recency;
    T[o] = v.T;
    monetary[o] = v.monetary;
    if (distinct_out) {
      distinct_out[o] = distinct;
      repeat_out[o] = repeat;
    }
    first[o] = first_day;
    last[o] = last_day;
    rows[o] = n_rows;
    total[o] = sum;
  }
};

struct Holdout {
  std::vector<double> frequency, monetary, spend;
};

// Where summarize_with_sums() wants each row's distinct days and repeat-day sum.
struct Sums {
  std::vector<std::uint32_t>* distinct;
  std::vector<double>* repeat;
};

enum class Run { Done, Overflow, Invalid };

// The whole computation for one record width.
// explicit_cal_end: last calibration day (none: the last transaction's day); obs_end_limit: last
// holdout day (holdout only; kNoLimit = none). `max_day` receives the last transaction's day.
template <class Day>
Run run(const core::TransactionsView& tx, std::int64_t base, std::optional<std::int64_t> explicit_cal_end,
         bool holdout, std::int64_t obs_end_limit, Period period, CustomerSummary& s, Holdout* h,
         std::int64_t& max_day, Sums* sums) {
  const std::uint32_t nc = tx.n_customers;
  HugeVector<Acc<Day>> acc(nc);  // value-initialised: zeros
  HugeVector<Hold<Day>> hold;
  if (holdout) hold.resize(nc);
  const std::int64_t cal_end = explicit_cal_end ? *explicit_cal_end : kNoLimit;
  const PassInfo info = stream<Day>(tx, base, cal_end, obs_end_limit, acc, holdout ? &hold : nullptr);
  if (info.invalid) return Run::Invalid;
  if (info.overflow) return Run::Overflow;
  max_day = info.max_day;

  std::vector<std::uint8_t> flagged(nc, 0);
  std::size_t n_flagged = 0, active = 0;
  for (std::uint32_t c = 0; c < nc; ++c) {
    const bool f = (acc[c].distinct & kUnsorted) != 0 || (holdout && (hold[c].distinct & kUnsorted) != 0);
    flagged[c] = f;
    n_flagged += f;
    active += acc[c].rows > 0;
  }
  const std::int64_t end = explicit_cal_end ? *explicit_cal_end : info.max_day;
  const std::vector<Exact> exact =
      n_flagged ? regroup(tx, cal_end, obs_end_limit, holdout, flagged) : std::vector<Exact>{};

  const double len = period_days(period);
  s.period = period;
  s.observation_end = end;
  // customers with only holdout rows are left out: count the rows actually written
  std::size_t rows_out = 0;
  {
    Out out(s, active);
    if (sums) {
      out.distinct_out = crmkit::detail::presize_huge(*sums->distinct, active);
      out.repeat_out = crmkit::detail::presize_huge(*sums->repeat, active);
    }
    double *hf = nullptr, *hs = nullptr, *hm = nullptr;
    if (h) {
      hf = crmkit::detail::presize_huge(h->frequency, active);
      hs = crmkit::detail::presize_huge(h->spend, active);
      hm = crmkit::detail::presize_huge(h->monetary, active);
    }
    std::size_t k = 0, o = 0;
    for (std::uint32_t c = 0; c < nc; ++c) {
      const Acc<Day>& r = acc[c];
      std::uint32_t dh = 0;
      double sh = 0;
      if (flagged[c]) {
        const Exact& x = exact[k++];
        if (x.rows == 0) continue;
        out.put(o, c, x.first, x.last, x.distinct, x.rows, x.total, x.repeat, len, end);
        dh = x.distinct_h;
        sh = x.spend_h;
      } else {
        if (r.rows == 0) continue;
        out.put(o, c, base + r.first, base + r.last, r.distinct, r.rows, r.total, r.repeat, len, end);
        if (holdout) {
          dh = hold[c].distinct;
          sh = hold[c].spend;
        }
      }
      if (h) {
        hf[o] = static_cast<double>(dh);
        hs[o] = sh;
        hm[o] = dh > 0 ? sh / static_cast<double>(dh) : 0.0;
      }
      ++o;
    }
    rows_out = o;
  }
  if (rows_out != active) {  // cannot happen (active counts calibration rows); kept exact regardless
    for (auto* v : {&s.frequency, &s.recency, &s.T, &s.monetary_value, &s.total_spend}) v->resize(rows_out);
    s.customer.resize(rows_out);
    s.first_purchase.resize(rows_out);
    s.last_purchase.resize(rows_out);
    s.n_transactions.resize(rows_out);
    if (sums) {
      sums->distinct->resize(rows_out);
      sums->repeat->resize(rows_out);
    }
    if (h) {
      h->frequency.resize(rows_out);
      h->spend.resize(rows_out);
      h->monetary.resize(rows_out);
    }
  }
  return Run::Done;
}

// Dispatches to 32-bit relative days, or 64-bit absolute days when the table's span needs them.
// A row that breaks the view's contract makes the caller's view throw validated()'s message.
void compute(const core::TransactionsView& tx, std::optional<std::int64_t> cal_end, bool holdout,
             std::int64_t obs_end_limit, Period period, CustomerSummary& s, Holdout* h, std::int64_t& max_day,
             const char* function, Sums* sums = nullptr) {
  const std::int64_t base = tx.size() ? core::to_day(tx.time[0], tx.time_unit) : 0;
  Run r = run<std::int32_t>(tx, base, cal_end, holdout, obs_end_limit, period, s, h, max_day, sums);
  if (r == Run::Overflow) {
    s = CustomerSummary{};
    if (h) *h = Holdout{};
    // Absolute int64 days: d - 0 never overflows.
    r = run<std::int64_t>(tx, 0, cal_end, holdout, obs_end_limit, period, s, h, max_day, sums);
  }
  if (r == Run::Invalid) tx.validated(function);  // throws, naming the first bad row
}

// The checks of TransactionsView::validated() that do not read the columns: lengths, and the
// customer count when the caller gave none (which needs the codes' maximum: then it is the full
// check). The rows are checked in the streaming pass.
core::TransactionsView checked_shape(const core::TransactionsView& tx, const char* function) {
  if (tx.n_customers == 0 || tx.time.size() != tx.customer.size() ||
      (!tx.amount.empty() && tx.amount.size() != tx.customer.size()) ||
      tx.n_customers > tx.size() + core::kMaxUnusedCodes)
    return tx.validated(function);
  return tx;
}

}  // namespace

CustomerSummary summarize(const core::TransactionsView& tx_in, const SummaryOptions& options) {
  const core::TransactionsView tx = checked_shape(tx_in, "summarize");
  if (options.observation_end) core::check_day("summarize", "observation_end", *options.observation_end);
  if (tx.size() == 0 && !options.observation_end)
    throw InvalidArgument("summarize", "tx", "0 rows",
                          "needs at least one transaction, or an explicit observation_end");
  CustomerSummary s;
  std::int64_t max_day = 0;
  compute(tx, options.observation_end, false, kNoLimit, options.period, s, nullptr, max_day, "summarize");
  return s;
}

namespace detail {

CustomerSummary summarize_with_sums(const core::TransactionsView& tx_in, std::optional<std::int64_t> observation_end,
                                    std::vector<std::uint32_t>& distinct, std::vector<double>& repeat) {
  const core::TransactionsView tx = checked_shape(tx_in, "summarize");
  if (observation_end) core::check_day("summarize", "observation_end", *observation_end);
  if (tx.size() == 0 && !observation_end)
    throw InvalidArgument("summarize", "tx", "0 rows", "needs at least one transaction, or an explicit observation_end");
  CustomerSummary s;
  std::int64_t max_day = 0;
  Sums sums{&distinct, &repeat};
  compute(tx, observation_end, false, kNoLimit, Period::Day, s, nullptr, max_day, "summarize", &sums);
  return s;
}

}  // namespace detail

HoldoutSummary summarize_holdout(const core::TransactionsView& tx_in, std::int64_t calibration_end,
                                 const SummaryOptions& options) {
  const core::TransactionsView tx = checked_shape(tx_in, "summarize_holdout");
  if (options.observation_end) core::check_day("summarize_holdout", "observation_end", *options.observation_end);
  core::check_day("summarize_holdout", "calibration_end", calibration_end);
  if (tx.size() == 0 && !options.observation_end)
    throw InvalidArgument("summarize_holdout", "tx", "0 rows",
                          "needs at least one transaction, or an explicit observation_end");
  auto check_end = [calibration_end](std::int64_t end) {
    if (calibration_end >= end)
      throw InvalidArgument("summarize_holdout", "calibration_end", io::format_date(calibration_end),
                            "must be before the observation end (" + io::format_date(end) + ")");
  };
  if (options.observation_end) check_end(*options.observation_end);
  const std::int64_t limit = options.observation_end ? *options.observation_end : kNoLimit;
  HoldoutSummary out;
  Holdout h;
  std::int64_t max_day = 0;
  compute(tx, calibration_end, true, limit, options.period, out.calibration, &h, max_day, "summarize_holdout");
  const std::int64_t end = options.observation_end ? *options.observation_end : max_day;
  if (!options.observation_end) check_end(end);
  out.frequency_holdout = std::move(h.frequency);
  out.monetary_holdout = std::move(h.monetary);
  out.spend_holdout = std::move(h.spend);
  out.duration_holdout = static_cast<double>(end - calibration_end) / period_days(options.period);
  return out;
}

// ---- compress -----------------------------------------------------------------------------------

namespace {

std::uint64_t bits(double x) noexcept { return std::bit_cast<std::uint64_t>(x + 0.0); }  // -0 -> +0

std::uint64_t mix(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

Patterns compress(std::span<const double> frequency, std::span<const double> recency, std::span<const double> T) {
  const std::size_t n = frequency.size();
  if (recency.size() != n || T.size() != n)
    throw InvalidArgument("compress", "recency/T",
                          "lengths " + std::to_string(recency.size()) + "/" + std::to_string(T.size()),
                          "must equal frequency length " + std::to_string(n));
  if (n > std::numeric_limits<std::uint32_t>::max() - 1)
    throw InvalidArgument("compress", "frequency", "length " + std::to_string(n), "must be < 2^32 - 1");
  for (std::size_t i = 0; i < n; ++i) {
    if (frequency[i] != frequency[i] || recency[i] != recency[i] || T[i] != T[i])
      throw InvalidArgument("compress", "row " + std::to_string(i), "NaN", "values must not be NaN");
  }
  Patterns p;
  p.index.resize(n);
  // One pass over the rows: an open-addressing table whose slots hold the pattern's bits and its id
  // (one cache line per probe), grown at load 1/2. Ids are in order of first appearance.
  struct Slot {
    std::uint64_t f, r, T;
    std::uint32_t id;  // empty = unused
  };
  constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();
  std::vector<Slot> table(1024, Slot{0, 0, 0, empty});
  std::vector<double> uf, ur, uT;
  auto hash = [](std::uint64_t f, std::uint64_t r, std::uint64_t t) noexcept {
    return mix(f * 0x9e3779b97f4a7c15ULL ^ r * 0xc2b2ae3d27d4eb4fULL ^ t * 0x165667b19e3779f9ULL);
  };
  std::size_t mask = table.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t bf = bits(frequency[i]), br = bits(recency[i]), bT = bits(T[i]);
    std::size_t j = static_cast<std::size_t>(hash(bf, br, bT)) & mask;
    while (table[j].id != empty && !(table[j].f == bf && table[j].r == br && table[j].T == bT)) j = (j + 1) & mask;
    if (table[j].id != empty) {
      p.index[i] = table[j].id;
      continue;
    }
    const auto id = static_cast<std::uint32_t>(uf.size());
    uf.push_back(frequency[i] + 0.0);
    ur.push_back(recency[i] + 0.0);
    uT.push_back(T[i] + 0.0);
    table[j] = Slot{bf, br, bT, id};
    p.index[i] = id;
    if (uf.size() * 2 > table.size()) {  // grow and reinsert
      std::vector<Slot> fresh(table.size() * 2, Slot{0, 0, 0, empty});
      mask = fresh.size() - 1;
      for (const Slot& sl : table) {
        if (sl.id == empty) continue;
        std::size_t q = static_cast<std::size_t>(hash(sl.f, sl.r, sl.T)) & mask;
        while (fresh[q].id != empty) q = (q + 1) & mask;
        fresh[q] = sl;
      }
      table.swap(fresh);
    }
  }
  // Sort the distinct patterns (usually few) as contiguous records, and renumber.
  const std::size_t m = uf.size();
  struct Pat {
    double f, r, T;
    std::uint32_t id;
  };
  std::vector<Pat> pats(m);
  for (std::uint32_t k = 0; k < m; ++k) pats[k] = Pat{uf[k], ur[k], uT[k], k};
  std::sort(pats.begin(), pats.end(),
            [](const Pat& a, const Pat& b) { return std::tie(a.f, a.r, a.T) < std::tie(b.f, b.r, b.T); });
  std::vector<std::uint32_t> rank(m);
  p.frequency.resize(m);
  p.recency.resize(m);
  p.T.resize(m);
  p.weight.assign(m, 0.0);
  for (std::uint32_t k = 0; k < m; ++k) {
    rank[pats[k].id] = k;
    p.frequency[k] = pats[k].f;
    p.recency[k] = pats[k].r;
    p.T[k] = pats[k].T;
  }
  std::vector<std::uint32_t> count(m, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = rank[p.index[i]];
    p.index[i] = k;
    ++count[k];
  }
  for (std::size_t k = 0; k < m; ++k) p.weight[k] = static_cast<double>(count[k]);
  return p;
}

// ---- merge --------------------------------------------------------------------------------------

namespace {

void check_shape(const CustomerSummary& s, const char* name) {
  const std::size_t n = s.customer.size();
  const bool ok = s.frequency.size() == n && s.recency.size() == n && s.T.size() == n &&
                  s.monetary_value.size() == n && s.first_purchase.size() == n && s.last_purchase.size() == n &&
                  s.n_transactions.size() == n && s.total_spend.size() == n;
  if (!ok)
    throw InvalidArgument("merge", name, std::to_string(n) + " customers",
                          "every column must have one row per customer");
  for (std::size_t i = 1; i < n; ++i)
    if (!(s.customer[i - 1] < s.customer[i]))
      throw InvalidArgument("merge", name, "customer " + std::to_string(s.customer[i]) + " at row " + std::to_string(i),
                            "customers must be in strictly ascending code order (as summarize() returns them)");
}

}  // namespace

CustomerSummary merge(const CustomerSummary& a, const CustomerSummary& b) {
  if (a.period != b.period)
    throw InvalidArgument("merge", "b.period", period_name(b.period),
                          std::string("must equal a.period = ") + period_name(a.period));
  if (a.observation_end != b.observation_end)
    throw InvalidArgument("merge", "b.observation_end", std::to_string(b.observation_end),
                          "must equal a.observation_end = " + std::to_string(a.observation_end));
  check_shape(a, "a");
  check_shape(b, "b");
  CustomerSummary m;
  m.period = a.period;
  m.observation_end = a.observation_end;
  reserve_all(m, a.size() + b.size());
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
  std::size_t i = 0, j = 0;
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
