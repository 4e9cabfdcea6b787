#include "crmkit/clv/tracking.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "params_common.hpp"

namespace crmkit::clv {

namespace {

using detail::num;

std::string indexed(const char* name, std::size_t i) {
  std::string s = name;
  s += "[";
  s += std::to_string(i);
  s += "]";
  return s;
}

// The cohort grouped by first purchase: distinct times (ascending) with summed weights.
struct Cohort {
  std::vector<double> s, w;
};

Cohort group(const char* fn, std::span<const double> first_purchase, std::span<const double> weights) {
  if (!weights.empty() && weights.size() != first_purchase.size()) {
    std::string found = "length ";
    found += std::to_string(weights.size());
    std::string rule = "must be empty or equal the length of first_purchase (";
    rule += std::to_string(first_purchase.size());
    rule += ")";
    throw InvalidArgument(fn, "weights", found, rule);
  }
  std::vector<std::pair<double, double>> v(first_purchase.size());
  for (std::size_t i = 0; i < first_purchase.size(); ++i) {
    const double s = first_purchase[i], w = weights.empty() ? 1.0 : weights[i];
    if (!std::isfinite(s)) throw InvalidArgument(fn, indexed("first_purchase", i), num(s), "must be finite");
    if (!std::isfinite(w) || !(w >= 0.0))
      throw InvalidArgument(fn, indexed("weights", i), num(w), "must be finite and >= 0");
    v[i] = {s, w};
  }
  std::sort(v.begin(), v.end());
  Cohort c;
  for (const auto& [s, w] : v) {
    if (!c.s.empty() && c.s.back() == s) {
      c.w.back() += w;
    } else {
      c.s.push_back(s);
      c.w.push_back(w);
    }
  }
  return c;
}

void check_t(const char* fn, std::span<const double> t, std::span<double> out, bool non_decreasing) {
  detail::check_out(fn, t.size(), out);
  for (std::size_t j = 0; j < t.size(); ++j) {
    if (!std::isfinite(t[j])) throw InvalidArgument(fn, indexed("t", j), num(t[j]), "must be finite");
    if (non_decreasing && j > 0 && t[j] < t[j - 1])
      throw InvalidArgument(fn, indexed("t", j), num(t[j]), "must be >= the one before (t non-decreasing)");
  }
}

// out[j] = sum_i w_i E[X((t[j] - s_i) / divisor)] over s_i < t[j], summed in ascending s. The ages of a
// block of t's are gathered, sorted and made unique, so E[X] (a 2F1 for BG/NBD and MBG/NBD) is evaluated
// once per distinct age: on a whole-day grid (tracking a log) ages repeat across periods and first
// purchases, and the work drops from #first purchases x #t to about #distinct day differences.
template <class Expected>
void cumulative(const Cohort& c, std::span<const double> t, double divisor, std::span<double> out,
                Expected&& expected) {
  constexpr std::size_t kMaxPairs = std::size_t{1} << 20;  // ~8 MB of ages per block
  const std::size_t S = c.s.size();
  std::vector<double> ages, unique, scaled, values;
  std::vector<std::size_t> counts;
  std::size_t j0 = 0;
  while (j0 < t.size()) {
    ages.clear();
    counts.clear();
    std::size_t j1 = j0;
    while (j1 < t.size() && (j1 == j0 || ages.size() + S <= kMaxPairs)) {
      const auto n = static_cast<std::size_t>(std::lower_bound(c.s.begin(), c.s.end(), t[j1]) - c.s.begin());
      for (std::size_t i = 0; i < n; ++i) ages.push_back(t[j1] - c.s[i]);
      counts.push_back(n);
      ++j1;
    }
    unique = ages;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    scaled.resize(unique.size());
    for (std::size_t u = 0; u < unique.size(); ++u) scaled[u] = unique[u] / divisor;
    values.resize(unique.size());
    if (!unique.empty()) expected(std::span<const double>(scaled), std::span<double>(values));
    std::size_t p = 0;
    for (std::size_t j = j0; j < j1; ++j) {
      double total = 0;
      for (std::size_t i = 0; i < counts[j - j0]; ++i, ++p) {
        const auto u = static_cast<std::size_t>(std::lower_bound(unique.begin(), unique.end(), ages[p]) - unique.begin());
        total += c.w[i] * values[u];
      }
      out[j] = total;
    }
    j0 = j1;
  }
}

void to_incremental(std::span<double> out) {
  for (std::size_t j = out.size(); j-- > 1;) out[j] -= out[j - 1];
}

// Calls f(params) with the model's typed parameters when it is a continuous-time repeat-purchase model.
template <class F>
void with_repeat_model(const Model& model, const char* fn, F&& f) {
  const auto& p = model.params();
  if (const auto* bg = std::get_if<BgNbdParams>(&p)) return f(*bg);
  if (const auto* mb = std::get_if<MbgNbdParams>(&p)) return f(*mb);
  if (const auto* pn = std::get_if<ParetoNbdParams>(&p)) return f(*pn);
  throw InvalidArgument(fn, "model", model.key(),
                        "must be a continuous-time transaction model (bgnbd, mbgnbd or pnbd) to track repeat "
                        "transactions");
}

template <class P>
void cumulative_typed(const char* fn, const P& params, std::span<const double> first_purchase,
                      std::span<const double> t, std::span<double> out, std::span<const double> weights,
                      bool incremental) {
  detail::check_positive_params(fn, params);
  check_t(fn, t, out, incremental);
  const Cohort c = group(fn, first_purchase, weights);
  cumulative(c, t, 1.0, out, [&](std::span<const double> a, std::span<double> o) { expected_purchases(params, a, o); });
  if (incremental) to_incremental(out);
}

// A period's length in days as a fraction num / den (day 1/1, week 7/1, month 365.25 / 12 = 487/16), so
// period boundaries are computed in integers.
struct PeriodLength {
  std::int64_t num = 1, den = 1;
};
PeriodLength length_of(summary::Period p) {
  switch (p) {
    case summary::Period::Day: return {1, 1};
    case summary::Period::Week: return {7, 1};
    case summary::Period::Month: return {487, 16};
  }
  return {1, 1};
}

}  // namespace

void expected_cumulative_transactions(const MbgNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights) {
  cumulative_typed("mbg_nbd expected_cumulative_transactions", params, first_purchase, t, out, weights, false);
}
void expected_cumulative_transactions(const ParetoNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights) {
  cumulative_typed("pareto_nbd expected_cumulative_transactions", params, first_purchase, t, out, weights, false);
}
void expected_incremental_transactions(const MbgNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights) {
  cumulative_typed("mbg_nbd expected_incremental_transactions", params, first_purchase, t, out, weights, true);
}
void expected_incremental_transactions(const ParetoNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights) {
  cumulative_typed("pareto_nbd expected_incremental_transactions", params, first_purchase, t, out, weights, true);
}

void expected_cumulative_transactions(const Model& model, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights) {
  constexpr const char* fn = "clv::expected_cumulative_transactions";
  with_repeat_model(model, fn, [&](const auto& p) { cumulative_typed(fn, p, first_purchase, t, out, weights, false); });
}
void expected_incremental_transactions(const Model& model, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights) {
  constexpr const char* fn = "clv::expected_incremental_transactions";
  with_repeat_model(model, fn, [&](const auto& p) { cumulative_typed(fn, p, first_purchase, t, out, weights, true); });
}

Tracking repeat_transactions(const core::TransactionsView& view, const TrackingOptions& o) {
  constexpr const char* fn = "clv::repeat_transactions";
  constexpr std::size_t kMaxPeriods = kMaxTrackingPeriods;
  const core::TransactionsView tx = view.validated(fn);
  const std::size_t n_rows = tx.size();
  if (o.periods > kMaxPeriods)
    throw InvalidArgument(fn, "periods", std::to_string(o.periods),
                          "must be <= " + std::to_string(kMaxPeriods) + " (the most periods one tracking table holds)");

  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  for (std::size_t r = 0; r < n_rows; ++r) last = std::max(last, core::to_day(tx.time[r], tx.time_unit));
  if (n_rows == 0 && !o.observation_end)
    throw InvalidArgument(fn, "transactions", "0 rows", "must hold at least one transaction");
  Tracking out;
  out.unit = o.period;
  out.observation_end = o.observation_end ? *o.observation_end : last;
  out.calibration_end = o.calibration_end;
  if (o.calibration_end && *o.calibration_end >= out.observation_end) {
    std::string rule = "must be before the observation end ";
    rule += io::format_date(out.observation_end);
    throw InvalidArgument(fn, "calibration_end", io::format_date(*o.calibration_end), rule);
  }
  const std::int64_t cohort_end = o.calibration_end ? *o.calibration_end : out.observation_end;

  // First purchase day of every customer (transactions after the observation end ignored).
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> first(tx.n_customers, kNone);
  for (std::size_t r = 0; r < n_rows; ++r) {
    const std::int64_t d = core::to_day(tx.time[r], tx.time_unit);
    if (d <= out.observation_end) first[tx.customer[r]] = std::min(first[tx.customer[r]], d);
  }
  std::int64_t start = kNone;
  std::vector<std::int64_t> cohort_firsts;
  for (std::int64_t f : first)
    if (f <= cohort_end) {
      start = std::min(start, f);
      cohort_firsts.push_back(f);
    }
  if (cohort_firsts.empty()) {
    std::string found = "no first purchase on or before ";
    found += io::format_date(cohort_end);
    throw InvalidArgument(fn, "transactions", found, "the cohort must hold at least one customer");
  }
  out.start = start;
  out.customers = cohort_firsts.size();
  std::sort(cohort_firsts.begin(), cohort_firsts.end());
  for (std::int64_t f : cohort_firsts) {
    const auto off = static_cast<double>(f - start);
    if (!out.first_purchase_offset.empty() && out.first_purchase_offset.back() == off) {
      out.first_purchase_count.back() += 1.0;
    } else {
      out.first_purchase_offset.push_back(off);
      out.first_purchase_count.push_back(1.0);
    }
  }

  // Periods: k covers days start + [(k-1) L, k L) and ends on start + ceil(k L) - 1.
  const PeriodLength L = length_of(o.period);
  const std::int64_t days_observed = out.observation_end - start + 1;  // >= 1
  std::size_t n = o.periods;
  if (n == 0) {
    n = static_cast<std::size_t>(days_observed * L.den / L.num);
    if (n == 0) {
      std::string rule = "must leave at least one complete ";
      rule += summary::period_name(o.period);
      rule += " after the first purchase on ";
      rule += io::format_date(start);
      throw InvalidArgument(fn, "observation_end", io::format_date(out.observation_end), rule);
    }
    if (n > kMaxPeriods) {
      // e.g. one transaction dated 9999-12-31 in a log of the 1990s: millions of rows, minutes of work
      std::string rule = "must leave at most " + std::to_string(kMaxPeriods) + " ";
      rule += summary::period_name(o.period);
      rule += " periods after the first purchase on ";
      rule += io::format_date(start);
      rule += " (found " + std::to_string(n) + "); ";
      rule += o.observation_end ? "give an earlier observation end"
                                : "it is the last transaction's day: check that date, or give an earlier observation end";
      throw InvalidArgument(fn, "observation_end", io::format_date(out.observation_end), rule);
    }
  }
  out.period.resize(n);
  out.date.resize(n);
  out.t.resize(n);
  for (std::size_t k = 1; k <= n; ++k) {
    const auto kk = static_cast<std::int64_t>(k);
    const std::int64_t end_offset = (kk * L.num + L.den - 1) / L.den - 1;
    out.period[k - 1] = kk;
    out.date[k - 1] = start + end_offset;
    out.t[k - 1] = static_cast<double>(end_offset) / summary::period_days(o.period);
    if (o.calibration_end && out.date[k - 1] <= *o.calibration_end) out.calibration_periods = k;
  }

  // Distinct repeat purchase days of the cohort, bucketed by customer (counting sort), then by period.
  std::vector<std::size_t> offsets(static_cast<std::size_t>(tx.n_customers) + 1, 0);
  auto repeat = [&](std::size_t r, std::int64_t& d) {
    const std::int64_t f = first[tx.customer[r]];
    d = core::to_day(tx.time[r], tx.time_unit);
    return f <= cohort_end && d > f && d <= out.observation_end;
  };
  std::int64_t d = 0;
  for (std::size_t r = 0; r < n_rows; ++r)
    if (repeat(r, d)) ++offsets[tx.customer[r] + 1];
  for (std::size_t c = 1; c < offsets.size(); ++c) offsets[c] += offsets[c - 1];
  std::vector<std::int64_t> days(offsets.back());
  {
    std::vector<std::size_t> fill(offsets.begin(), offsets.end() - 1);
    for (std::size_t r = 0; r < n_rows; ++r)
      if (repeat(r, d)) days[fill[tx.customer[r]]++] = d;
  }
  std::vector<double> per_period(n, 0.0);
  for (std::size_t c = 0; c + 1 < offsets.size(); ++c) {
    const auto b = days.begin() + static_cast<std::ptrdiff_t>(offsets[c]);
    const auto e = days.begin() + static_cast<std::ptrdiff_t>(offsets[c + 1]);
    std::sort(b, e);
    for (auto it = b; it != e; ++it) {
      if (it != b && *it == *(it - 1)) continue;
      const auto k0 = static_cast<std::size_t>((*it - start) * L.den / L.num);  // period - 1
      if (k0 < n) per_period[k0] += 1.0;
    }
  }
  out.actual_cumulative.resize(n);
  out.actual_incremental.resize(n);
  double running = 0;
  for (std::size_t k = 0; k < n; ++k) {
    running += per_period[k];
    const bool observed = out.date[k] <= out.observation_end;
    out.actual_incremental[k] = observed ? per_period[k] : std::nan("");
    out.actual_cumulative[k] = observed ? running : std::nan("");
  }
  return out;
}

Tracking track(const Model& model, const core::TransactionsView& tx, const TrackingOptions& o) {
  constexpr const char* fn = "clv::track";
  with_repeat_model(model, fn, [](const auto&) {});  // the model's kind first, before reading the log
  Tracking out = repeat_transactions(tx, o);
  std::vector<double> t_days(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) t_days[k] = static_cast<double>(out.date[k] - out.start);
  Cohort c;
  c.s = out.first_purchase_offset;
  c.w = out.first_purchase_count;
  out.predicted_cumulative.resize(out.size());
  // Ages in whole days divided by the period length: the summary's T, to the last bit.
  const double divisor = summary::period_days(o.period);
  with_repeat_model(model, fn, [&](const auto& p) {
    cumulative(c, t_days, divisor, out.predicted_cumulative,
               [&](std::span<const double> a, std::span<double> v) { expected_purchases(p, a, v); });
  });
  out.predicted_incremental = out.predicted_cumulative;
  to_incremental(out.predicted_incremental);
  return out;
}

}  // namespace crmkit::clv
