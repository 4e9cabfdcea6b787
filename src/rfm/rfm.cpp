// RFM values, quantile scores and rule-based segments.
#include "crmkit/rfm/rfm.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "crmkit/core/error.hpp"

namespace crmkit::rfm {

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

void score(std::span<const double> values, int bins, TieMethod ties, std::span<const double> cuts,
           std::span<std::uint8_t> out) {
  check_bins(bins, "rfm::score");
  const std::size_t n = values.size();
  if (out.size() != n)
    throw InvalidArgument("rfm::score", "out", "length " + std::to_string(out.size()),
                          "must equal values length " + std::to_string(n));
  if (n == 0) return;
  if (!cuts.empty()) {
    check_cuts(cuts, bins, "cuts");
    for (std::size_t i = 0; i < n; ++i) {
      const auto below = std::lower_bound(cuts.begin(), cuts.end(), values[i]) - cuts.begin();
      out[i] = static_cast<std::uint8_t>(1 + below);
    }
    return;
  }
  if (ties == TieMethod::RankFirst) {
    // pandas qcut(x.rank(method="first"), bins): rank k (1-based, ties in row order) lies in bin
    // i = ceil(bins (k-1) / (N-1)), at least 1 — exact integer arithmetic.
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return values[a] < values[b]; });
    const std::uint64_t N1 = n - 1;
    for (std::size_t k0 = 0; k0 < n; ++k0) {
      std::uint64_t s = 1;
      if (N1 > 0) {
        const std::uint64_t num = static_cast<std::uint64_t>(bins) * k0;
        s = std::max<std::uint64_t>(1, (num + N1 - 1) / N1);
      }
      out[order[k0]] = static_cast<std::uint8_t>(s);
    }
    return;
  }
  // Value quantiles with linear interpolation (numpy's default); score = 1 + #{q_i < v}.
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> q(static_cast<std::size_t>(bins - 1));
  for (int i = 1; i < bins; ++i) {
    const double pos = static_cast<double>(n - 1) * i / bins;
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(lo);
    const double a = sorted[lo], b = sorted[std::min(lo + 1, n - 1)];
    q[static_cast<std::size_t>(i - 1)] = a + (b - a) * frac;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto below = std::lower_bound(q.begin(), q.end(), values[i]) - q.begin();
    out[i] = static_cast<std::uint8_t>(1 + below);
  }
}

RfmTable compute(const core::TransactionsView& tx_in, const RfmOptions& o) {
  const core::TransactionsView tx = tx_in.validated("rfm::compute");
  check_bins(o.bins, "rfm::compute");
  check_cuts(o.recency_cuts, o.bins, "recency_cuts");
  check_cuts(o.frequency_cuts, o.bins, "frequency_cuts");
  check_cuts(o.monetary_cuts, o.bins, "monetary_cuts");
  if (tx.size() == 0) throw InvalidArgument("rfm::compute", "tx", "0 rows", "needs at least one transaction");

  const std::size_t n = tx.size();
  const std::uint32_t nc = tx.n_customers;
  std::int64_t as_of;
  if (o.as_of) {
    as_of = *o.as_of;
  } else {
    std::int64_t m = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, core::to_day(tx.time[i], tx.time_unit));
    as_of = m + 1;
  }
  std::vector<std::int64_t> last(nc, std::numeric_limits<std::int64_t>::min());
  std::vector<std::uint32_t> count(nc, 0);
  std::vector<double> spend(nc, 0.0);
  const bool has_amount = !tx.amount.empty();
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
    if (d > as_of) continue;
    const std::uint32_t c = tx.customer[i];
    last[c] = std::max(last[c], d);
    ++count[c];
    if (has_amount) spend[c] += tx.amount[i];
  }
  RfmTable t;
  t.bins = o.bins;
  t.as_of = as_of;
  std::size_t active = 0;
  for (std::uint32_t c = 0; c < nc; ++c) active += count[c] > 0;
  if (active == 0)
    throw InvalidArgument("rfm::compute", "as_of", std::to_string(as_of), "no transaction on or before it");
  t.customer.reserve(active);
  for (auto* v : {&t.recency, &t.frequency, &t.monetary, &t.total_spend}) v->reserve(active);
  for (std::uint32_t c = 0; c < nc; ++c) {
    if (count[c] == 0) continue;
    t.customer.push_back(c);
    t.recency.push_back(static_cast<double>(as_of - last[c]));
    t.frequency.push_back(static_cast<double>(count[c]));
    t.monetary.push_back(o.monetary == MonetaryKind::Total ? spend[c] : spend[c] / count[c]);
    t.total_spend.push_back(spend[c]);
  }
  t.r.resize(active);
  t.f.resize(active);
  t.m.resize(active);
  score(t.recency, o.bins, o.ties, o.recency_cuts, t.r);
  for (auto& s : t.r) s = static_cast<std::uint8_t>(o.bins + 1 - s);  // recent = high
  score(t.frequency, o.bins, o.ties, o.frequency_cuts, t.f);
  score(t.monetary, o.bins, o.ties, o.monetary_cuts, t.m);
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

std::size_t Segmentation::classify(int r, int f, int m) const noexcept {
  const auto n = names();
  for (const auto& rule : rules) {
    if (r >= rule.r_min && r <= rule.r_max && f >= rule.f_min && f <= rule.f_max && m >= rule.m_min &&
        m <= rule.m_max)
      return static_cast<std::size_t>(std::find(n.begin(), n.end(), rule.name) - n.begin());
  }
  return static_cast<std::size_t>(std::find(n.begin(), n.end(), fallback) - n.begin());
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
  if (s == "*" || s.empty()) {
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
