// Service-quality metrics (service/metrics.hpp). Formulas and sources: docs/models/service.md.
// One pass over the rows fills per-group histograms (scores are small whole numbers) and SLA counters;
// every statistic is then computed from those counts in group order, so results do not depend on row
// order beyond floating-point summation of response minutes (summed in row order).
#include "crmkit/service/metrics.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/io/table.hpp"
#include "crmkit/math/policy.hpp"

namespace crmkit::service {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_confidence(double c, const char* fn) {
  if (!(c > 0 && c < 1)) throw InvalidArgument(fn, "confidence", std::to_string(c), "must be in (0, 1)");
}

double z_of(double confidence) {
  const boost::math::normal_distribution<double, math::Policy> nd;
  return boost::math::quantile(nd, 1 - (1 - confidence) / 2);
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// Score histogram: bins lo..hi; value checks name the column and index.
template <std::size_t N>
struct Hist {
  std::array<std::int64_t, N> count{};
  std::int64_t missing = 0;
  std::int64_t n() const {
    std::int64_t s = 0;
    for (auto c : count) s += c;
    return s;
  }
};

inline std::size_t bin(double v, int lo, int hi, const char* fn, const char* column, std::size_t i) {
  if (!(v >= lo && v <= hi) || v != std::floor(v))
    throw InvalidArgument(fn, std::string(column) + "[" + std::to_string(i) + "]", std::to_string(v),
                          "must be a whole number " + std::to_string(lo) + ".." + std::to_string(hi) +
                              " (NaN for no answer)");
  return static_cast<std::size_t>(v - lo);
}

Proportion wilson_z(std::int64_t s, std::int64_t n, double z) {
  Proportion p;
  p.successes = s;
  p.trials = n;
  if (n == 0) {
    p.estimate = p.ci_low = p.ci_high = kNaN;
    return p;
  }
  const double dn = static_cast<double>(n), ph = static_cast<double>(s) / dn, z2 = z * z;
  const double denom = 1 + z2 / dn;
  const double centre = (ph + z2 / (2 * dn)) / denom;
  const double half = z * std::sqrt(ph * (1 - ph) / dn + z2 / (4 * dn * dn)) / denom;
  p.estimate = ph;
  p.ci_low = std::max(0.0, centre - half);
  p.ci_high = std::min(1.0, centre + half);
  // Exact at the boundaries (the formula gives them up to rounding).
  if (s == 0) p.ci_low = 0;
  if (s == n) p.ci_high = 1;
  return p;
}

NpsResult nps_from(const Hist<11>& h, double z) {
  NpsResult r;
  r.missing = h.missing;
  for (std::size_t i = 0; i <= 6; ++i) r.detractors += h.count[i];
  r.passives = h.count[7] + h.count[8];
  r.promoters = h.count[9] + h.count[10];
  r.n = r.detractors + r.passives + r.promoters;
  if (r.n == 0) {
    r.promoter_share = r.passive_share = r.detractor_share = kNaN;
    r.score = r.std_error = r.ci_low = r.ci_high = kNaN;
    return r;
  }
  const double n = static_cast<double>(r.n);
  r.promoter_share = static_cast<double>(r.promoters) / n;
  r.passive_share = static_cast<double>(r.passives) / n;
  r.detractor_share = static_cast<double>(r.detractors) / n;
  const double d = r.promoter_share - r.detractor_share;
  const double var = std::max(0.0, r.promoter_share + r.detractor_share - d * d) / n;
  r.score = 100 * d;
  r.std_error = 100 * std::sqrt(var);
  r.ci_low = std::max(-100.0, r.score - z * r.std_error);
  r.ci_high = std::min(100.0, r.score + z * r.std_error);
  return r;
}

CsatResult csat_from(const Hist<5>& h, double z) {
  CsatResult r;
  r.missing = h.missing;
  r.n = h.n();
  r.satisfied = h.count[3] + h.count[4];
  const Proportion p = wilson_z(r.satisfied, r.n, z);
  r.csat = p.estimate;
  r.ci_low = p.ci_low;
  r.ci_high = p.ci_high;
  double s = 0;
  for (std::size_t i = 0; i < 5; ++i) s += static_cast<double>(h.count[i]) * static_cast<double>(i + 1);
  r.mean = r.n ? s / static_cast<double>(r.n) : kNaN;
  return r;
}

CesResult ces_from(const Hist<7>& h, double confidence) {
  CesResult r;
  r.missing = h.missing;
  r.n = h.n();
  r.difficult = h.count[0] + h.count[1] + h.count[2];
  r.easy = h.count[4] + h.count[5] + h.count[6];
  if (r.n == 0) {
    r.mean = r.sd = r.mean_ci_low = r.mean_ci_high = r.easy_share = r.difficult_share = kNaN;
    return r;
  }
  const double n = static_cast<double>(r.n);
  double s = 0;
  for (std::size_t i = 0; i < 7; ++i) s += static_cast<double>(h.count[i]) * static_cast<double>(i + 1);
  r.mean = s / n;
  double ss = 0;  // two-pass: squared deviations from the mean, from the histogram
  for (std::size_t i = 0; i < 7; ++i) {
    const double dv = static_cast<double>(i + 1) - r.mean;
    ss += static_cast<double>(h.count[i]) * dv * dv;
  }
  r.easy_share = static_cast<double>(r.easy) / n;
  r.difficult_share = static_cast<double>(r.difficult) / n;
  if (r.n < 2) {
    r.sd = r.mean_ci_low = r.mean_ci_high = kNaN;
    return r;
  }
  r.sd = std::sqrt(ss / (n - 1));
  const boost::math::students_t_distribution<double, math::Policy> t(n - 1);
  const double q = boost::math::quantile(t, 1 - (1 - confidence) / 2);
  r.mean_ci_low = r.mean - q * r.sd / std::sqrt(n);
  r.mean_ci_high = r.mean + q * r.sd / std::sqrt(n);
  return r;
}

struct SlaAcc {
  std::int64_t n = 0, met = 0, missing = 0;
  double minutes = 0;
};

struct GroupAcc {
  std::int64_t interactions = 0;
  Hist<5> csat;
  Hist<7> ces;
  std::int64_t fcr_n = 0, fcr_yes = 0;
  std::vector<SlaAcc> sla;  // per tier
};

GroupMetrics finish(const GroupAcc& a, const std::string& name, const ServiceOptions& o, double z) {
  GroupMetrics g;
  g.group = name;
  g.interactions = a.interactions;
  g.csat = csat_from(a.csat, z);
  g.ces = ces_from(a.ces, o.confidence);
  g.fcr = wilson_z(a.fcr_yes, a.fcr_n, z);
  std::int64_t n = 0, met = 0, missing = 0;
  for (std::size_t t = 0; t < o.sla.size(); ++t) {
    const SlaAcc& s = a.sla[t];
    SlaTier tier;
    tier.tier = o.sla[t].tier;
    tier.target_minutes = o.sla[t].minutes;
    tier.n = s.n;
    tier.met = s.met;
    tier.missing = s.missing;
    const Proportion p = wilson_z(s.met, s.n, z);
    tier.compliance = p.estimate;
    tier.ci_low = p.ci_low;
    tier.ci_high = p.ci_high;
    tier.mean_minutes = s.n ? s.minutes / static_cast<double>(s.n) : kNaN;
    n += s.n;
    met += s.met;
    missing += s.missing;
    g.sla.tiers.push_back(tier);
  }
  const Proportion p = wilson_z(met, n, z);
  g.sla.n = n;
  g.sla.met = met;
  g.sla.missing = missing;
  g.sla.compliance = p.estimate;
  g.sla.ci_low = p.ci_low;
  g.sla.ci_high = p.ci_high;
  return g;
}

nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json nps_json(const NpsResult& r) {
  return {{"n", r.n},
          {"promoters", r.promoters},
          {"passives", r.passives},
          {"detractors", r.detractors},
          {"missing", r.missing},
          {"promoter_share", num(r.promoter_share)},
          {"passive_share", num(r.passive_share)},
          {"detractor_share", num(r.detractor_share)},
          {"nps", num(r.score)},
          {"std_error", num(r.std_error)},
          {"ci_low", num(r.ci_low)},
          {"ci_high", num(r.ci_high)}};
}

nlohmann::json group_json(const GroupMetrics& g, const ServiceReport& r) {
  nlohmann::json j = {{"group", g.group}, {"interactions", g.interactions}};
  if (r.has_csat)
    j["csat"] = {{"n", g.csat.n},         {"satisfied", g.csat.satisfied}, {"missing", g.csat.missing},
                 {"csat", num(g.csat.csat)}, {"ci_low", num(g.csat.ci_low)}, {"ci_high", num(g.csat.ci_high)},
                 {"mean", num(g.csat.mean)}};
  if (r.has_ces)
    j["ces"] = {{"n", g.ces.n},
                {"missing", g.ces.missing},
                {"mean", num(g.ces.mean)},
                {"sd", num(g.ces.sd)},
                {"ci_low", num(g.ces.mean_ci_low)},
                {"ci_high", num(g.ces.mean_ci_high)},
                {"easy", g.ces.easy},
                {"easy_share", num(g.ces.easy_share)},
                {"difficult", g.ces.difficult},
                {"difficult_share", num(g.ces.difficult_share)}};
  if (r.has_fcr)
    j["fcr"] = {{"n", g.fcr.trials}, {"resolved", g.fcr.successes}, {"rate", num(g.fcr.estimate)},
                {"ci_low", num(g.fcr.ci_low)}, {"ci_high", num(g.fcr.ci_high)}};
  if (r.has_sla) {
    nlohmann::json tiers = nlohmann::json::object();
    for (const auto& t : g.sla.tiers)
      tiers[t.tier] = {{"target_minutes", t.target_minutes}, {"n", t.n}, {"met", t.met}, {"missing", t.missing},
                       {"compliance", num(t.compliance)}, {"ci_low", num(t.ci_low)}, {"ci_high", num(t.ci_high)},
                       {"mean_minutes", num(t.mean_minutes)}};
    j["sla"] = {{"n", g.sla.n},
                {"met", g.sla.met},
                {"missing", g.sla.missing},
                {"compliance", num(g.sla.compliance)},
                {"ci_low", num(g.sla.ci_low)},
                {"ci_high", num(g.sla.ci_high)},
                {"tiers", tiers}};
  }
  return j;
}

void check_group(std::span<const std::uint32_t> group, std::span<const std::string> names, std::size_t n,
                 const char* fn) {
  if (group.empty()) return;
  if (group.size() != n)
    throw InvalidArgument(fn, "group", std::to_string(group.size()) + " rows",
                          "must have as many rows as the metric columns (" + std::to_string(n) + ")");
  for (std::size_t i = 0; i < n; ++i)
    if (group[i] >= names.size())
      throw InvalidArgument(fn, "group[" + std::to_string(i) + "]", std::to_string(group[i]),
                            "must be a code < " + std::to_string(names.size()) + " (the number of group names)");
}

}  // namespace

Proportion wilson(std::int64_t successes, std::int64_t trials, double confidence) {
  check_confidence(confidence, "service::wilson");
  if (trials < 0 || successes < 0 || successes > trials)
    throw InvalidArgument("service::wilson", "successes", std::to_string(successes),
                          "must be in 0..trials (" + std::to_string(trials) + ")");
  return wilson_z(successes, trials, z_of(confidence));
}

std::vector<SlaTarget> default_sla_targets() { return {{"urgent", 30}, {"normal", 240}, {"complex", 1440}}; }

std::vector<SlaTarget> parse_sla_targets(std::string_view spec) {
  constexpr const char* fn = "service::parse_sla_targets";
  std::vector<SlaTarget> out;
  std::size_t p = 0;
  while (p <= spec.size()) {
    std::size_t q = spec.find(',', p);
    if (q == std::string_view::npos) q = spec.size();
    std::string_view e = spec.substr(p, q - p);
    p = q + 1;
    while (!e.empty() && e.front() == ' ') e.remove_prefix(1);
    while (!e.empty() && e.back() == ' ') e.remove_suffix(1);
    if (e.empty()) continue;
    const std::size_t eq = e.find('=');
    auto bad = [&] {
      return InvalidArgument(fn, "sla", "'" + std::string(e) + "'",
                             "each entry must be tier=duration with a duration like 30, 30m, 4h or 1d (>= 0)");
    };
    if (eq == std::string_view::npos || eq == 0) throw bad();
    std::string_view v = e.substr(eq + 1);
    double mult = 1;
    if (!v.empty() && (v.back() == 'm' || v.back() == 'h' || v.back() == 'd')) {
      mult = v.back() == 'h' ? 60 : v.back() == 'd' ? 1440 : 1;
      v.remove_suffix(1);
    }
    double x = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || !(x >= 0) || !std::isfinite(x)) throw bad();
    std::string tier(e.substr(0, eq));
    while (!tier.empty() && tier.back() == ' ') tier.pop_back();
    for (const auto& t : out)
      if (lower(t.tier) == lower(tier))
        throw InvalidArgument(fn, "sla", "'" + std::string(spec) + "'", "names tier '" + tier + "' twice");
    out.push_back({tier, x * mult});
  }
  if (out.empty()) throw InvalidArgument(fn, "sla", "'" + std::string(spec) + "'", "names no tier");
  return out;
}

NpsResult nps(std::span<const double> scores, double confidence) {
  return nps_by(scores, {}, {}, confidence).overall;
}

CsatResult csat(std::span<const double> scores, double confidence) {
  check_confidence(confidence, "service::csat");
  Hist<5> h;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) ++h.missing;
    else ++h.count[bin(scores[i], 1, 5, "service::csat", "csat", i)];
  }
  return csat_from(h, z_of(confidence));
}

CesResult ces(std::span<const double> scores, double confidence) {
  check_confidence(confidence, "service::ces");
  Hist<7> h;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) ++h.missing;
    else ++h.count[bin(scores[i], 1, 7, "service::ces", "ces", i)];
  }
  return ces_from(h, confidence);
}

NpsReport nps_by(std::span<const double> scores, std::span<const std::uint32_t> group,
                 std::span<const std::string> group_names, double confidence) {
  constexpr const char* fn = "service::nps";
  check_confidence(confidence, fn);
  check_group(group, group_names, scores.size(), fn);
  const double z = z_of(confidence);
  Hist<11> all;
  std::vector<Hist<11>> g(group.empty() ? 0 : group_names.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const double v = scores[i];
    if (std::isnan(v)) {
      ++all.missing;
      if (!group.empty()) ++g[group[i]].missing;
      continue;
    }
    const std::size_t b = bin(v, 0, 10, fn, "scores", i);
    ++all.count[b];
    if (!group.empty()) ++g[group[i]].count[b];
  }
  NpsReport r;
  r.confidence = confidence;
  r.overall = nps_from(all, z);
  if (!group.empty()) {
    r.group_names.assign(group_names.begin(), group_names.end());
    for (const auto& h : g) r.groups.push_back(nps_from(h, z));
  }
  return r;
}

ServiceReport service_metrics(const ServiceColumns& c, std::span<const std::uint32_t> group,
                              std::span<const std::string> group_names, const ServiceOptions& o) {
  constexpr const char* fn = "service::service_metrics";
  check_confidence(o.confidence, fn);
  ServiceReport rep;
  rep.confidence = o.confidence;
  rep.has_csat = !c.csat.empty();
  rep.has_ces = !c.ces.empty();
  rep.has_fcr = !c.resolved_first_contact.empty();
  rep.has_sla = !c.first_response_minutes.empty();
  // Row count: the first non-empty column; every non-empty column must agree.
  std::size_t n = 0;
  bool any = false;
  auto agree = [&](std::size_t size, const char* name) {
    if (size == 0 && std::string_view(name) != "priority") return;
    if (!any) {
      n = size;
      any = true;
    } else if (size != n) {
      throw InvalidArgument(fn, name, std::to_string(size) + " rows",
                            "must have as many rows as the other columns (" + std::to_string(n) + ")");
    }
  };
  agree(c.csat.size(), "csat");
  agree(c.ces.size(), "ces");
  agree(c.first_response_minutes.size(), "first_response_minutes");
  agree(c.resolved_first_contact.size(), "resolved_first_contact");
  if (rep.has_sla) agree(c.priority.size(), "priority");
  if (!any && !group.empty()) n = group.size();
  check_group(group, group_names, n, fn);
  if (rep.has_sla && o.sla.empty()) throw InvalidArgument(fn, "sla", "{}", "needs at least one tier target");
  // Priority names -> target index.
  std::vector<std::size_t> tier_of(c.priority_names.size());
  if (rep.has_sla) {
    for (std::size_t k = 0; k < c.priority_names.size(); ++k) {
      const std::string name = lower(c.priority_names[k]);
      std::size_t t = o.sla.size();
      for (std::size_t j = 0; j < o.sla.size(); ++j)
        if (lower(o.sla[j].tier) == name) t = j;
      if (t == o.sla.size()) {
        std::string known;
        for (const auto& s : o.sla) known += (known.empty() ? "" : ", ") + s.tier;
        throw InvalidArgument(fn, "priority", "'" + c.priority_names[k] + "'",
                              "has no response-time target; known tiers: " + known);
      }
      tier_of[k] = t;
    }
  }
  const std::size_t ng = group.empty() ? 0 : group_names.size();
  GroupAcc all;
  all.sla.resize(o.sla.size());
  std::vector<GroupAcc> acc(ng);
  for (auto& a : acc) a.sla.resize(o.sla.size());
  for (std::size_t i = 0; i < n; ++i) {
    GroupAcc* g = group.empty() ? nullptr : &acc[group[i]];
    ++all.interactions;
    if (g) ++g->interactions;
    if (rep.has_csat) {
      if (std::isnan(c.csat[i])) {
        ++all.csat.missing;
        if (g) ++g->csat.missing;
      } else {
        const std::size_t b = bin(c.csat[i], 1, 5, fn, "csat", i);
        ++all.csat.count[b];
        if (g) ++g->csat.count[b];
      }
    }
    if (rep.has_ces) {
      if (std::isnan(c.ces[i])) {
        ++all.ces.missing;
        if (g) ++g->ces.missing;
      } else {
        const std::size_t b = bin(c.ces[i], 1, 7, fn, "ces", i);
        ++all.ces.count[b];
        if (g) ++g->ces.count[b];
      }
    }
    if (rep.has_fcr) {
      const std::int8_t v = c.resolved_first_contact[i];
      if (v == 0 || v == 1) {
        ++all.fcr_n;
        all.fcr_yes += v;
        if (g) {
          ++g->fcr_n;
          g->fcr_yes += v;
        }
      } else if (v != -1) {
        throw InvalidArgument(fn, "resolved_first_contact[" + std::to_string(i) + "]", std::to_string(v),
                              "must be 0, 1 or -1 (unknown)");
      }
    }
    if (rep.has_sla) {
      const std::uint32_t pc = c.priority[i];
      if (pc >= tier_of.size())
        throw InvalidArgument(fn, "priority[" + std::to_string(i) + "]", std::to_string(pc),
                              "must be a code < " + std::to_string(tier_of.size()) + " (the number of priority names)");
      const std::size_t t = tier_of[pc];
      const double m = c.first_response_minutes[i];
      if (std::isnan(m)) {
        ++all.sla[t].missing;
        if (g) ++g->sla[t].missing;
        continue;
      }
      if (!(m >= 0) || std::isinf(m))
        throw InvalidArgument(fn, "first_response_minutes[" + std::to_string(i) + "]", std::to_string(m),
                              "must be a finite number >= 0 (NaN for no response recorded)");
      const bool met = m <= o.sla[t].minutes;
      for (SlaAcc* s : {&all.sla[t], g ? &g->sla[t] : nullptr}) {
        if (!s) continue;
        ++s->n;
        s->met += met;
        s->minutes += m;
      }
    }
  }
  const double z = z_of(o.confidence);
  rep.overall = finish(all, "all", o, z);
  for (std::size_t k = 0; k < ng; ++k) rep.groups.push_back(finish(acc[k], group_names[k], o, z));
  return rep;
}

nlohmann::json to_json(const ServiceReport& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : r.groups) groups.push_back(group_json(g, r));
  return {{"confidence", r.confidence}, {"overall", group_json(r.overall, r)}, {"groups", groups}};
}

nlohmann::json to_json(const NpsReport& r) {
  nlohmann::json groups = nlohmann::json::array();
  for (std::size_t k = 0; k < r.groups.size(); ++k) {
    nlohmann::json j = nps_json(r.groups[k]);
    j["group"] = r.group_names[k];
    groups.push_back(std::move(j));
  }
  nlohmann::json overall = nps_json(r.overall);
  overall["group"] = "all";
  return {{"confidence", r.confidence}, {"overall", overall}, {"groups", groups}};
}

}  // namespace crmkit::service

// ---- CSV faces ------------------------------------------------------------------------------------

namespace crmkit::service {

namespace {

// Whole numbers lo..hi or blanks (NaN), with a ParseError at the cell otherwise.
std::vector<double> scores_col(const io::CsvTable& t, std::size_t col, int lo, int hi) {
  std::vector<double> v(t.rows());
  const std::string expected = "a whole number " + std::to_string(lo) + "-" + std::to_string(hi) + " or a blank";
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.is_blank(r, col)) {
      v[r] = kNaN;
      continue;
    }
    std::string_view s = t.cell(r, col);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    double x = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), x);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size() || x != std::floor(x) || x < lo || x > hi)
      t.fail(r, col, expected);
    v[r] = x;
  }
  return v;
}

struct Groups {
  std::vector<std::uint32_t> codes;
  std::vector<std::string> names;
};

Groups groups_of(const io::CsvTable& t, const std::string& by) {
  Groups g;
  if (by.empty()) return g;
  const std::size_t col = t.require({std::string_view(by)}, "the --by column '" + by + "'");
  core::Dictionary d;
  g.codes.resize(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::string_view s = t.cell(r, col);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    g.codes[r] = d.encode(s.empty() ? std::string_view("(blank)") : s);
  }
  g.names = d.ids();
  return g;
}

// A date column (the aliases of io::read_interactions) is not used by the metrics, but it is read
// through the shared date parser so that a bad date is a ParseError at its cell, not passed over.
void check_dates(const io::CsvTable& t) {
  if (const auto dc = t.find({"date", "time", "datetime", "timestamp", "created_at", "interaction_date",
                              "response_date", "survey_date"}))
    (void)t.days(*dc);
}

}  // namespace

ServiceReport service_metrics_csv(const std::string& path, const std::string& by, const ServiceOptions& o) {
  const io::CsvTable t = io::read_table(path);
  check_dates(t);
  std::vector<double> cs, ce, frt;
  std::vector<std::int8_t> fcr;
  std::vector<std::uint32_t> prio;
  std::vector<std::string> prio_names;
  const auto csc = t.find({"csat", "csat_score", "satisfaction"});
  const auto cec = t.find({"ces", "ces_score", "effort"});
  const auto frc = t.find({"first_response_minutes", "response_minutes", "first_response_time"});
  const auto fcc = t.find({"resolved_first_contact", "first_contact_resolution", "fcr"});
  if (csc) cs = scores_col(t, *csc, 1, 5);
  if (cec) ce = scores_col(t, *cec, 1, 7);
  if (fcc) {
    fcr.resize(t.rows());
    for (std::size_t r = 0; r < t.rows(); ++r) {
      if (t.is_blank(r, *fcc)) {
        fcr[r] = -1;
        continue;
      }
      std::string s(t.cell(r, *fcc));
      for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      while (!s.empty() && s.back() == ' ') s.pop_back();
      while (!s.empty() && s.front() == ' ') s.erase(s.begin());
      if (s == "1" || s == "true" || s == "yes" || s == "t" || s == "y") fcr[r] = 1;
      else if (s == "0" || s == "false" || s == "no" || s == "f" || s == "n") fcr[r] = 0;
      else t.fail(r, *fcc, "a boolean (1/0, true/false, yes/no) or a blank");
    }
  }
  if (frc) {
    frt = t.numbers(*frc, io::Blank::NaN);
    for (std::size_t r = 0; r < frt.size(); ++r)
      if (frt[r] < 0) t.fail(r, *frc, "minutes >= 0 or a blank");
    const std::size_t pc = t.require({"priority", "tier", "priority_tier"}, "the priority column (for the response-time SLA)");
    core::Dictionary d;
    prio = t.encode(pc, d);
    prio_names = d.ids();
    // Name the first row whose tier has no target.
    for (std::size_t r = 0; r < t.rows(); ++r) {
      std::string name = prio_names[prio[r]];
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      bool known = false;
      for (const auto& s : o.sla) known = known || lower(s.tier) == name;
      if (!known) {
        std::string list;
        for (const auto& s : o.sla) list += (list.empty() ? "" : ", ") + s.tier;
        t.fail(r, pc, "a priority tier with a response-time target (" + list + ")");
      }
    }
  }
  if (!csc && !cec && !frc && !fcc)
    throw ParseError(t.source(), 1, 0, "",
                     "at least one metric column (csat, ces, first_response_minutes, resolved_first_contact)",
                     "none in the header");
  const Groups g = groups_of(t, by);
  ServiceColumns c;
  c.csat = cs;
  c.ces = ce;
  c.first_response_minutes = frt;
  c.resolved_first_contact = fcr;
  c.priority = prio;
  c.priority_names = prio_names;
  return service_metrics(c, g.codes, g.names, o);
}

NpsReport nps_csv(const std::string& path, const std::string& by, const std::string& score_col, double confidence) {
  const io::CsvTable t = io::read_table(path);
  check_dates(t);
  const std::size_t col = score_col.empty()
                              ? t.require({"score", "nps", "nps_score", "likelihood_to_recommend", "recommend"},
                                          "the score column (0-10)")
                              : t.require({std::string_view(score_col)}, "the score column '" + score_col + "'");
  const std::vector<double> s = scores_col(t, col, 0, 10);
  const Groups g = groups_of(t, by);
  return nps_by(s, g.codes, g.names, confidence);
}

}  // namespace crmkit::service
