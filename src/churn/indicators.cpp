// Churn indicators at a cutoff (churn/indicators.hpp, docs/models/churn_indicators.md).
#include "crmkit/churn/indicators.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "crmkit/io/date.hpp"

namespace crmkit::churn {

namespace {

constexpr const char* kFn = "churn_indicators";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// Row indices grouped by customer code (counting sort; input order kept within a customer).
struct Groups {
  std::vector<std::uint32_t> start;  // n_customers + 1 offsets
  std::vector<std::uint32_t> rows;
};

Groups group_by(std::span<const std::uint32_t> customer, std::size_t n_customers) {
  Groups g;
  g.start.assign(n_customers + 1, 0);
  for (std::uint32_t c : customer) ++g.start[c + 1];
  for (std::size_t c = 0; c < n_customers; ++c) g.start[c + 1] += g.start[c];
  g.rows.resize(customer.size());
  std::vector<std::uint32_t> next(g.start.begin(), g.start.end() - 1);
  for (std::size_t i = 0; i < customer.size(); ++i) g.rows[next[customer[i]]++] = static_cast<std::uint32_t>(i);
  return g;
}

}  // namespace

std::span<const double> IndicatorTable::column(std::string_view name) const {
  for (std::size_t j = 0; j < names.size(); ++j)
    if (names[j] == name) return columns[j];
  throw InvalidArgument("IndicatorTable::column", "name", std::string(name), "is not an indicator of this table");
}

FeatureTable IndicatorTable::to_features(const core::Dictionary* ids) const {
  FeatureTable f;
  const auto n = static_cast<Eigen::Index>(rows());
  const auto p = static_cast<Eigen::Index>(names.size());
  f.x.resize(n, p);
  f.names = names;
  f.encoding.id = "customer_id";
  f.encoding.label = churned.empty() ? "" : "churned";
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto& col = columns[static_cast<std::size_t>(j)];
    double sum = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      f.x(i, j) = col[static_cast<std::size_t>(i)];
      sum += col[static_cast<std::size_t>(i)];
    }
    ColumnEncoding e;
    e.name = names[static_cast<std::size_t>(j)];
    e.mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
    f.encoding.columns.push_back(std::move(e));
  }
  f.label = churned;
  f.ids.reserve(rows());
  for (std::uint32_t c : customer) f.ids.push_back(ids ? ids->decode(c) : std::to_string(c));
  return f;
}

IndicatorTable churn_indicators(const core::TransactionsView& tx_in, const IndicatorOptions& o,
                                const core::InteractionsView* in_ptr) {
  if (o.horizon_days < 0)
    throw InvalidArgument(kFn, "horizon_days", std::to_string(o.horizon_days), "must be >= 0 (0 = no label)");
  if (o.recent_days < 1)
    throw InvalidArgument(kFn, "recent_days", std::to_string(o.recent_days), "must be >= 1");
  if (!std::isfinite(o.low_csat))
    throw InvalidArgument(kFn, "low_csat", number_text(o.low_csat), "must be finite");
  const core::TransactionsView tx = tx_in.validated(kFn);
  core::InteractionsView in;
  if (in_ptr) in = in_ptr->validated(kFn);
  const std::int64_t c = o.cutoff;
  const std::size_t n_cust = std::max<std::size_t>(tx.n_customers, in_ptr ? in.n_customers : 0);

  // Days of every transaction; the data's first and last day.
  const std::size_t n = tx.size();
  std::vector<std::int64_t> day(n);
  std::int64_t first_day = std::numeric_limits<std::int64_t>::max(), last_day = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < n; ++i) {
    day[i] = core::to_day(tx.time[i], tx.time_unit);
    first_day = std::min(first_day, day[i]);
    last_day = std::max(last_day, day[i]);
  }
  if (n == 0 || first_day > c)
    throw InvalidArgument(kFn, "cutoff", io::format_date(c),
                          n == 0 ? "no transactions" : "is before the first transaction (" + io::format_date(first_day) + ")");
  if (o.horizon_days > 0 && last_day < c + o.horizon_days)
    throw InvalidArgument(kFn, "horizon_days", std::to_string(o.horizon_days),
                          "the label window (" + io::format_date(c) + ", " + io::format_date(c + o.horizon_days) +
                              "] ends after the last transaction day " + io::format_date(last_day) +
                              "; choose an earlier cutoff or a shorter horizon");

  // Interaction days and the complaint flag of each kind.
  std::vector<std::int64_t> iday(in.size());
  std::int64_t data_start = first_day;
  for (std::size_t i = 0; i < in.size(); ++i) {
    iday[i] = core::to_day(in.time[i], in.time_unit);
    data_start = std::min(data_start, iday[i]);
  }
  std::vector<char> complaint(in.kind_names.size(), 0);
  for (std::size_t k = 0; k < in.kind_names.size(); ++k)
    for (const auto& ck : o.complaint_kinds)
      if (iequals(in.kind_names[k], ck)) complaint[k] = 1;

  const Groups tg = group_by(tx.customer, n_cust);
  Groups ig;
  if (in_ptr) ig = group_by(in.customer, n_cust);

  IndicatorTable t;
  t.cutoff = c;
  t.horizon_days = o.horizon_days;
  for (const char* name : kPurchaseIndicators) t.names.emplace_back(name);
  if (in_ptr)
    for (const char* name : kInteractionIndicators) t.names.emplace_back(name);
  t.columns.resize(t.names.size());

  std::vector<std::int64_t> days;
  std::vector<std::uint32_t> irows;
  const double W = static_cast<double>(o.recent_days);
  for (std::size_t cu = 0; cu < n_cust; ++cu) {
    days.clear();
    double spend = 0;
    bool future = false;
    for (std::uint32_t k = tg.start[cu]; k < tg.start[cu + 1]; ++k) {
      const std::uint32_t r = tg.rows[k];
      if (day[r] <= c) {
        days.push_back(day[r]);
        if (!tx.amount.empty()) spend += tx.amount[r];
      } else if (day[r] <= c + o.horizon_days) {
        future = true;
      }
    }
    if (days.empty()) continue;
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    const auto k = static_cast<double>(days.size());
    const double recency = static_cast<double>(c - days.back());
    const double tenure = static_cast<double>(c - days.front());
    // Trend: purchase days per 30 days in (c - W, c] minus the same rate over [first, c - W].
    double n_recent = 0;
    for (std::int64_t d : days) n_recent += d > c - o.recent_days ? 1.0 : 0.0;
    // The earlier span counts as at least W days, so a first purchase just before the window does not
    // read as a burst (one purchase in a one-day span would be a rate of 30 per 30 days).
    const double earlier_len = static_cast<double>(c - o.recent_days - days.front() + 1);
    const double trend = earlier_len > 0 ? 30.0 * n_recent / W - 30.0 * (k - n_recent) / std::max(earlier_len, W) : 0.0;
    // Inter-purchase gaps.
    double gap_mean = 0, gap_sd = 0, gap_ratio = 0, gap_z = 0;
    if (days.size() >= 2) {
      const double m = static_cast<double>(days.back() - days.front()) / (k - 1);
      double ss = 0;
      for (std::size_t i = 1; i < days.size(); ++i) {
        const double g = static_cast<double>(days[i] - days[i - 1]) - m;
        ss += g * g;
      }
      gap_mean = m;
      gap_sd = std::sqrt(ss / (k - 1));
      gap_ratio = recency / m;
      gap_z = gap_sd > 0 ? (recency - m) / gap_sd : 0.0;
    }
    const double values[] = {recency, k - 1, spend / k, tenure, trend, gap_mean, gap_sd, gap_ratio, gap_z};
    std::size_t j = 0;
    for (double v : values) t.columns[j++].push_back(v);

    if (in_ptr) {
      irows.clear();
      for (std::uint32_t q = ig.start[cu]; q < ig.start[cu + 1]; ++q)
        if (iday[ig.rows[q]] <= c) irows.push_back(ig.rows[q]);
      // By time; rows of one time keep their input order.
      std::stable_sort(irows.begin(), irows.end(), [&](std::uint32_t a, std::uint32_t b) { return in.time[a] < in.time[b]; });
      double since = static_cast<double>(c - data_start + 1);
      double complaints = 0, csat_sum = 0, csat_n = 0, csat_last = 0, streak = 0, fcr_yes = 0, fcr_n = 0, frt_sum = 0,
             frt_n = 0;
      if (!irows.empty()) since = static_cast<double>(c - iday[irows.back()]);
      for (std::uint32_t r : irows) {
        if (!in.kind.empty() && complaint[in.kind[r]]) complaints += 1;
        if (!in.csat.empty() && !std::isnan(in.csat[r])) {
          csat_sum += in.csat[r];
          csat_n += 1;
          csat_last = in.csat[r];
          streak = in.csat[r] < o.low_csat ? streak + 1 : 0;
        }
        if (!in.resolved_first_contact.empty() && in.resolved_first_contact[r] >= 0) {
          fcr_n += 1;
          fcr_yes += in.resolved_first_contact[r];
        }
        if (!in.first_response_minutes.empty() && !std::isnan(in.first_response_minutes[r])) {
          frt_n += 1;
          frt_sum += in.first_response_minutes[r];
        }
      }
      const double iv[] = {since,
                           static_cast<double>(irows.size()),
                           complaints,
                           csat_n > 0 ? csat_sum / csat_n : 0.0,
                           csat_last,
                           streak,
                           fcr_n > 0 ? fcr_yes / fcr_n : 0.0,
                           frt_n > 0 ? frt_sum / frt_n : 0.0};
      for (double v : iv) t.columns[j++].push_back(v);
    }
    t.customer.push_back(static_cast<std::uint32_t>(cu));
    if (o.horizon_days > 0) t.churned.push_back(future ? 0.0 : 1.0);
  }
  if (tx.amount.empty()) {  // an event log: no "monetary" indicator (it would be 0 for every customer)
    t.names.erase(t.names.begin() + 2);
    t.columns.erase(t.columns.begin() + 2);
  }
  return t;
}

}  // namespace crmkit::churn
