// Cohort retention matrices (churn/cohorts.hpp, docs/models/cohorts.md).
#include "crmkit/churn/cohorts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Period number of a day number.
std::int64_t period_of(std::int64_t day, CohortPeriod p) {
  switch (p) {
    case CohortPeriod::Month: {
      const io::CivilDate c = io::civil_from_days(day);
      return c.year * 12 + static_cast<std::int64_t>(c.month) - 1;
    }
    case CohortPeriod::Quarter: {
      const io::CivilDate c = io::civil_from_days(day);
      return c.year * 4 + (static_cast<std::int64_t>(c.month) - 1) / 3;
    }
    case CohortPeriod::Week:
      return floor_div(day + 3, 7);  // 1970-01-01 is a Thursday: weeks start on Mondays
  }
  return 0;
}

std::int64_t period_start(std::int64_t period, CohortPeriod p) {
  switch (p) {
    case CohortPeriod::Month:
      return io::days_from_civil(floor_div(period, 12), static_cast<unsigned>(period - floor_div(period, 12) * 12) + 1, 1);
    case CohortPeriod::Quarter:
      return io::days_from_civil(floor_div(period, 4), static_cast<unsigned>(period - floor_div(period, 4) * 4) * 3 + 1, 1);
    case CohortPeriod::Week:
      return period * 7 - 3;
  }
  return 0;
}

std::string period_label(std::int64_t period, CohortPeriod p) {
  const std::int64_t start = period_start(period, p);
  const io::CivilDate c = io::civil_from_days(start);
  char buf[32];
  switch (p) {
    case CohortPeriod::Month:
      std::snprintf(buf, sizeof buf, "%04lld-%02u", static_cast<long long>(c.year), c.month);
      return buf;
    case CohortPeriod::Quarter:
      std::snprintf(buf, sizeof buf, "%04lld-Q%u", static_cast<long long>(c.year), (c.month - 1) / 3 + 1);
      return buf;
    case CohortPeriod::Week:
      return io::format_date(start);
  }
  return {};
}

}  // namespace

CohortPeriod parse_cohort_period(std::string_view text) {
  if (text == "month") return CohortPeriod::Month;
  if (text == "quarter") return CohortPeriod::Quarter;
  if (text == "week") return CohortPeriod::Week;
  throw InvalidArgument("churn::parse_cohort_period", "period", "'" + std::string(text) + "'",
                        "must be month, quarter or week");
}

const char* cohort_period_name(CohortPeriod p) noexcept {
  switch (p) {
    case CohortPeriod::Month: return "month";
    case CohortPeriod::Quarter: return "quarter";
    case CohortPeriod::Week: return "week";
  }
  return "month";
}

CohortTable cohort_retention(const core::TransactionsView& view, CohortPeriod period) {
  constexpr const char* fn = "churn::cohort_retention";
  const core::TransactionsView tx = view.validated(fn);
  const std::size_t n = tx.size();
  if (n == 0) throw InvalidArgument(fn, "transactions", "0 rows", "needs at least one transaction");

  // Day range, then a period number per day of the range (a table lookup per row instead of a
  // calendar conversion); a range too wide for a table converts per row.
  std::int64_t lo_day = std::numeric_limits<std::int64_t>::max(), hi_day = std::numeric_limits<std::int64_t>::min();
  for (std::int64_t t : tx.time) {
    const std::int64_t d = core::to_day(t, tx.time_unit);
    lo_day = std::min(lo_day, d);
    hi_day = std::max(hi_day, d);
  }
  const std::int64_t p0 = period_of(lo_day, period), p_last = period_of(hi_day, period);
  const auto n_periods = static_cast<std::size_t>(p_last - p0 + 1);
  if (n_periods > 2000) {
    std::string rule = "spans ";
    rule += std::to_string(n_periods);
    rule += " periods from ";
    rule += io::format_date(lo_day);
    rule += " to ";
    rule += io::format_date(hi_day);
    rule += "; a cohort matrix allows at most 2000 (choose a longer period)";
    throw InvalidArgument(fn, "transactions", "time range", rule);
  }
  constexpr std::int64_t kMaxTable = 1 << 22;  // 11,000 years of days
  const bool use_table = hi_day - lo_day < kMaxTable;
  std::vector<std::uint32_t> table;
  if (use_table) {
    table.resize(static_cast<std::size_t>(hi_day - lo_day + 1));
    for (std::int64_t d = lo_day; d <= hi_day; ++d)
      table[static_cast<std::size_t>(d - lo_day)] = static_cast<std::uint32_t>(period_of(d, period) - p0);
  }
  auto rel_period = [&](std::size_t i) -> std::uint32_t {
    const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
    return use_table ? table[static_cast<std::size_t>(d - lo_day)] : static_cast<std::uint32_t>(period_of(d, period) - p0);
  };

  // Pass 1: each customer's cohort (first period), and whether each customer's rows are in time order.
  const std::size_t nc = tx.n_customers;
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> cohort(nc, kNone), last_seen(nc, 0);
  std::vector<std::uint32_t> rp(n);
  bool ordered = true;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t p = rel_period(i);
    rp[i] = p;
    const std::uint32_t c = tx.customer[i];
    if (cohort[c] == kNone) {
      cohort[c] = p;
    } else {
      if (p < last_seen[c]) ordered = false;
      cohort[c] = std::min(cohort[c], p);
    }
    last_seen[c] = p;
  }

  CohortTable out;
  out.period = period;
  out.n_cohorts = n_periods;
  out.n_offsets = n_periods;
  const std::size_t cells = n_periods * n_periods;
  out.active.assign(cells, 0);
  out.revenue.assign(cells, 0.0);
  out.observed.assign(cells, 0);
  out.retention.assign(cells, kNaN);

  // Pass 2: revenue per cell; active customers per cell counted once per (customer, period).
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t c = tx.customer[i];
    const std::size_t cell = static_cast<std::size_t>(cohort[c]) * n_periods + (rp[i] - cohort[c]);
    if (!tx.amount.empty()) out.revenue[cell] += tx.amount[i];
  }
  if (ordered) {
    // Each customer's periods arrive non-decreasing: count a period when it differs from the last one.
    std::fill(last_seen.begin(), last_seen.end(), kNone);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t c = tx.customer[i];
      if (rp[i] != last_seen[c]) {
        last_seen[c] = rp[i];
        ++out.active[static_cast<std::size_t>(cohort[c]) * n_periods + (rp[i] - cohort[c])];
      }
    }
  } else {
    std::vector<std::uint64_t> key(n);
    for (std::size_t i = 0; i < n; ++i) key[i] = (static_cast<std::uint64_t>(tx.customer[i]) << 32) | rp[i];
    std::sort(key.begin(), key.end());
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0 && key[i] == key[i - 1]) continue;
      const auto c = static_cast<std::uint32_t>(key[i] >> 32);
      const auto p = static_cast<std::uint32_t>(key[i] & 0xffffffffu);
      ++out.active[static_cast<std::size_t>(cohort[c]) * n_periods + (p - cohort[c])];
    }
  }

  out.cohort_start.resize(n_periods);
  out.cohort_label.resize(n_periods);
  out.size.resize(n_periods);
  for (std::size_t c = 0; c < n_periods; ++c) {
    const std::int64_t p = p0 + static_cast<std::int64_t>(c);
    out.cohort_start[c] = period_start(p, period);
    out.cohort_label[c] = period_label(p, period);
    out.size[c] = out.active[c * n_periods];
    for (std::size_t k = 0; c + k < n_periods; ++k) {
      const std::size_t cell = c * n_periods + k;
      out.observed[cell] = 1;
      if (out.size[c] > 0) out.retention[cell] = static_cast<double>(out.active[cell]) / static_cast<double>(out.size[c]);
    }
  }
  return out;
}

std::string to_json(const CohortTable& t) {
  using nlohmann::json;
  json j;
  j["period"] = cohort_period_name(t.period);
  j["n_cohorts"] = t.n_cohorts;
  j["n_offsets"] = t.n_offsets;
  json cohorts = json::array();
  for (std::size_t c = 0; c < t.n_cohorts; ++c) {
    json active = json::array(), retention = json::array(), revenue = json::array();
    for (std::size_t k = 0; k < t.n_offsets && t.at(t.observed, c, k); ++k) {
      active.push_back(t.at(t.active, c, k));
      retention.push_back(t.at(t.retention, c, k));
      revenue.push_back(t.at(t.revenue, c, k));
    }
    cohorts.push_back(json{{"cohort", t.cohort_label[c]},
                           {"start", io::format_date(t.cohort_start[c])},
                           {"size", t.size[c]},
                           {"active", std::move(active)},
                           {"retention", std::move(retention)},
                           {"revenue", std::move(revenue)}});
  }
  j["cohorts"] = std::move(cohorts);
  return j.dump();
}

}  // namespace crmkit::churn
