// Kaplan-Meier curves, Greenwood errors, intervals, medians, log-rank test and transaction-derived
// durations (churn/survival.hpp, docs/models/survival.md).
#include "crmkit/churn/survival.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/math/policy.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kFn = "churn::kaplan_meier";

std::string row_text(std::size_t i, double v) {
  std::string s = "row ";
  s += std::to_string(i);
  s += " = ";
  s += std::to_string(v);
  return s;
}

struct Record {
  double time;
  double weight;
  double event;  // 0 or 1
  std::uint32_t curve;
};

void validate(const SurvivalInput& in) {
  const std::size_t n = in.duration.size();
  if (in.event.size() != n) {
    std::string rule = "must have one flag per duration (";
    rule += std::to_string(n);
    rule += ")";
    throw InvalidArgument(kFn, "event", std::to_string(in.event.size()) + " values", rule);
  }
  if (!in.weight.empty() && in.weight.size() != n)
    throw InvalidArgument(kFn, "weight", std::to_string(in.weight.size()) + " values",
                          "must be empty or have one weight per duration");
  if (!in.group.empty() && in.group.size() != n)
    throw InvalidArgument(kFn, "group", std::to_string(in.group.size()) + " values",
                          "must be empty or have one code per duration");
  if (n == 0) throw InvalidArgument(kFn, "duration", "0 values", "needs at least one duration");
  for (std::size_t i = 0; i < n; ++i) {
    const double t = in.duration[i];
    if (!std::isfinite(t) || t < 0) throw InvalidArgument(kFn, "duration", row_text(i, t), "must be finite and >= 0");
    const double e = in.event[i];
    if (!(e == 0.0 || e == 1.0))
      throw InvalidArgument(kFn, "event", row_text(i, e), "must be 1 (event) or 0 (censored)");
  }
  for (std::size_t i = 0; i < in.weight.size(); ++i) {
    const double w = in.weight[i];
    if (!std::isfinite(w) || !(w > 0)) throw InvalidArgument(kFn, "weight", row_text(i, w), "must be finite and > 0");
  }
  if (!in.group_names.empty()) {
    for (std::size_t i = 0; i < in.group.size(); ++i)
      if (in.group[i] >= in.group_names.size()) {
        std::string rule = "must be < the number of group names (";
        rule += std::to_string(in.group_names.size());
        rule += ")";
        throw InvalidArgument(kFn, "group", "row " + std::to_string(i) + " = " + std::to_string(in.group[i]), rule);
      }
  }
}

double z_value(double conf_level) {
  // Phi^-1(1 - alpha/2) = sqrt(2) erf^-1(conf_level)
  return std::sqrt(2.0) * boost::math::erf_inv(conf_level, math::policy);
}

// The interval of S at one row; `sigma2` = Greenwood's var(log S) (infinite once S = 0).
void interval(double s, double sigma2, double z, ConfType type, double& lo, double& hi) {
  if (s <= 0) {
    lo = hi = 0;
    return;
  }
  if (s >= 1 || sigma2 <= 0) {
    lo = hi = s;
    return;
  }
  const double sigma = std::sqrt(sigma2);
  switch (type) {
    case ConfType::Log:
      lo = s * std::exp(-z * sigma);
      hi = std::min(1.0, s * std::exp(z * sigma));
      break;
    case ConfType::LogLog: {
      const double a = z * sigma / (-std::log(s));
      lo = std::pow(s, std::exp(a));
      hi = std::pow(s, std::exp(-a));
      break;
    }
    case ConfType::Plain:
      lo = std::max(0.0, s - z * s * sigma);
      hi = std::min(1.0, s + z * s * sigma);
      break;
  }
}

// R's rule for the time where a step curve reaches 0.5 (see the header).
double crossing(const std::vector<double>& time, const std::vector<double>& y) {
  const double tol = std::sqrt(std::numeric_limits<double>::epsilon());
  for (std::size_t j = 0; j < y.size(); ++j) {
    if (y[j] < 0.5 + tol) {
      if (std::fabs(y[j] - 0.5) < tol) {
        for (std::size_t k = j + 1; k < y.size(); ++k)
          if (y[k] < y[j]) return (time[j] + time[k]) / 2;
      }
      return time[j];
    }
  }
  return kNaN;
}

// Builds one curve from records sorted by time (all of one curve).
SurvivalCurve build_curve(std::span<const Record> r, double z, ConfType type) {
  SurvivalCurve c;
  // distinct times with their event and censoring weights
  for (std::size_t i = 0; i < r.size();) {
    const double t = r[i].time;
    double d = 0, cens = 0;
    for (; i < r.size() && r[i].time == t; ++i) {
      if (r[i].event != 0) d += r[i].weight;
      else cens += r[i].weight;
    }
    c.time.push_back(t);
    c.n_event.push_back(d);
    c.n_censor.push_back(cens);
  }
  const std::size_t m = c.time.size();
  c.n_risk.assign(m, 0);
  double suffix = 0;  // at risk = weight with duration >= t, summed from the end (no drift)
  for (std::size_t j = m; j-- > 0;) {
    suffix += c.n_event[j] + c.n_censor[j];
    c.n_risk[j] = suffix;
  }
  c.n = suffix;
  c.survival.resize(m);
  c.std_err.resize(m);
  c.lower.resize(m);
  c.upper.resize(m);
  double s = 1, var_log = 0;
  for (std::size_t j = 0; j < m; ++j) {
    const double n = c.n_risk[j], d = c.n_event[j];
    c.events += d;
    if (d > 0) {
      const double left = n - d;  // exactly 0 only when every subject at risk has the event
      if (left <= 0) {
        s = 0;
        var_log = std::numeric_limits<double>::infinity();
      } else {
        s *= left / n;
        var_log += d / (n * left);
      }
    }
    c.survival[j] = s;
    c.std_err[j] = s > 0 ? s * std::sqrt(var_log) : 0.0;
    interval(s, var_log, z, type, c.lower[j], c.upper[j]);
  }
  c.median = crossing(c.time, c.survival);
  c.median_lower = crossing(c.time, c.lower);
  c.median_upper = crossing(c.time, c.upper);
  return c;
}

LogRankTest logrank(std::span<const Record> sorted, const std::vector<SurvivalCurve>& curves) {
  const std::size_t k = curves.size();
  LogRankTest out;
  out.observed.assign(k, 0);
  out.expected.assign(k, 0);
  std::vector<double> at_risk(k), d_here(k, 0), gone(k, 0);
  for (std::size_t g = 0; g < k; ++g) at_risk[g] = curves[g].n;
  Eigen::MatrixXd v = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < sorted.size();) {
    const double t = sorted[i].time;
    double d = 0;
    std::size_t j = i;
    for (; j < sorted.size() && sorted[j].time == t; ++j) {
      const Record& r = sorted[j];
      if (r.event != 0) {
        d_here[r.curve] += r.weight;
        d += r.weight;
      }
      gone[r.curve] += r.weight;
    }
    double n = 0;
    for (std::size_t g = 0; g < k; ++g) n += at_risk[g];
    if (d > 0) {
      const double f = n > 1 ? d * (n - d) / (n - 1) : 0.0;
      for (std::size_t g = 0; g < k; ++g) {
        out.observed[g] += d_here[g];
        out.expected[g] += d * at_risk[g] / n;
        if (f > 0 && at_risk[g] > 0) {
          const double pg = at_risk[g] / n;
          v(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(g)) += f * pg;
          for (std::size_t h = 0; h < k; ++h)
            v(static_cast<Eigen::Index>(g), static_cast<Eigen::Index>(h)) -= f * pg * at_risk[h] / n;
        }
      }
    }
    for (std::size_t g = 0; g < k; ++g) {
      at_risk[g] -= gone[g];
      if (at_risk[g] < 0) at_risk[g] = 0;
      gone[g] = 0;
      d_here[g] = 0;
    }
    i = j;
  }
  // chi-square over the first k - 1 groups with a generalised inverse (rank = degrees of freedom)
  const auto k1 = static_cast<Eigen::Index>(k - 1);
  Eigen::VectorXd u(k1);
  for (Eigen::Index g = 0; g < k1; ++g)
    u(g) = out.observed[static_cast<std::size_t>(g)] - out.expected[static_cast<std::size_t>(g)];
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(v.topLeftCorner(k1, k1));
  const Eigen::VectorXd lambda = eig.eigenvalues();
  const double top = lambda.size() ? lambda.cwiseAbs().maxCoeff() : 0.0;
  const Eigen::VectorXd proj = eig.eigenvectors().transpose() * u;
  double chi = 0;
  int rank = 0;
  for (Eigen::Index i = 0; i < lambda.size(); ++i) {
    if (lambda(i) > 1e-10 * top && lambda(i) > 0) {
      chi += proj(i) * proj(i) / lambda(i);
      ++rank;
    }
  }
  out.chi_square = chi;
  out.df = rank;
  out.p_value = rank > 0 ? boost::math::gamma_q(rank / 2.0, chi / 2.0, math::policy) : 1.0;
  return out;
}

}  // namespace

ConfType parse_conf_type(std::string_view text) {
  if (text == "log") return ConfType::Log;
  if (text == "log-log" || text == "loglog") return ConfType::LogLog;
  if (text == "plain") return ConfType::Plain;
  throw InvalidArgument("churn::parse_conf_type", "conf_type", "'" + std::string(text) + "'",
                        "must be log, log-log or plain");
}

const char* conf_type_name(ConfType t) noexcept {
  switch (t) {
    case ConfType::Log: return "log";
    case ConfType::LogLog: return "log-log";
    case ConfType::Plain: return "plain";
  }
  return "log";
}

KaplanMeierResult kaplan_meier(const SurvivalInput& in, const KaplanMeierOptions& options) {
  if (!(options.conf_level > 0 && options.conf_level < 1))
    throw InvalidArgument(kFn, "conf_level", number_text(options.conf_level), "must be in (0, 1)");
  validate(in);
  const std::size_t n = in.duration.size();
  // dense curve index per group code that occurs, in code order
  std::uint32_t max_code = 0;
  for (std::uint32_t g : in.group) max_code = std::max(max_code, g);
  std::vector<std::uint32_t> curve_of;
  std::vector<std::uint32_t> code_of_curve;
  if (in.group.empty()) {
    code_of_curve.push_back(0);
  } else {
    std::vector<char> seen(static_cast<std::size_t>(max_code) + 1, 0);
    for (std::uint32_t g : in.group) seen[g] = 1;
    curve_of.assign(seen.size(), 0);
    for (std::size_t g = 0; g < seen.size(); ++g)
      if (seen[g]) {
        curve_of[g] = static_cast<std::uint32_t>(code_of_curve.size());
        code_of_curve.push_back(static_cast<std::uint32_t>(g));
      }
  }
  std::vector<Record> rec(n);
  for (std::size_t i = 0; i < n; ++i)
    rec[i] = Record{in.duration[i], in.weight.empty() ? 1.0 : in.weight[i], in.event[i],
                    in.group.empty() ? 0u : curve_of[in.group[i]]};
  // by curve, then time: each curve is a contiguous block
  std::sort(rec.begin(), rec.end(), [](const Record& a, const Record& b) {
    return a.curve != b.curve ? a.curve < b.curve : a.time < b.time;
  });
  const double z = z_value(options.conf_level);
  KaplanMeierResult out;
  out.conf_type = options.conf_type;
  out.conf_level = options.conf_level;
  std::size_t begin = 0;
  for (std::size_t c = 0; c < code_of_curve.size(); ++c) {
    std::size_t end = begin;
    while (end < n && rec[end].curve == c) ++end;
    SurvivalCurve curve = build_curve(std::span<const Record>(rec).subspan(begin, end - begin), z, options.conf_type);
    if (!in.group.empty()) {
      const std::uint32_t code = code_of_curve[c];
      curve.group = in.group_names.empty() ? std::to_string(code) : in.group_names[code];
    }
    out.curves.push_back(std::move(curve));
    begin = end;
  }
  if (out.curves.size() >= 2) {
    std::stable_sort(rec.begin(), rec.end(), [](const Record& a, const Record& b) { return a.time < b.time; });
    out.logrank = logrank(rec, out.curves);
    out.has_logrank = true;
  }
  return out;
}

SurvivalAt survival_at(const SurvivalCurve& curve, std::span<const double> times) {
  SurvivalAt out;
  const std::size_t m = times.size();
  out.time.assign(times.begin(), times.end());
  out.survival.resize(m);
  out.std_err.resize(m);
  out.lower.resize(m);
  out.upper.resize(m);
  out.n_risk.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    const double t = times[i];
    if (!std::isfinite(t)) throw InvalidArgument("churn::survival_at", "times", row_text(i, t), "must be finite");
    const auto up = std::upper_bound(curve.time.begin(), curve.time.end(), t);
    if (up == curve.time.begin()) {
      out.survival[i] = 1;
      out.std_err[i] = 0;
      out.lower[i] = out.upper[i] = 1;
    } else {
      const auto j = static_cast<std::size_t>(up - curve.time.begin()) - 1;
      out.survival[i] = curve.survival[j];
      out.std_err[i] = curve.std_err[j];
      out.lower[i] = curve.lower[j];
      out.upper[i] = curve.upper[j];
    }
    const auto lo = std::lower_bound(curve.time.begin(), curve.time.end(), t);
    out.n_risk[i] = lo == curve.time.end() ? 0.0 : curve.n_risk[static_cast<std::size_t>(lo - curve.time.begin())];
  }
  return out;
}

CustomerDurations durations_from_transactions(const core::TransactionsView& view, const DurationOptions& options) {
  constexpr const char* fn = "churn::durations_from_transactions";
  if (options.inactive_days < 1)
    throw InvalidArgument(fn, "inactive_days", std::to_string(options.inactive_days), "must be >= 1");
  if (!(options.period_days > 0) || !std::isfinite(options.period_days))
    throw InvalidArgument(fn, "period_days", number_text(options.period_days), "must be finite and > 0");
  const core::TransactionsView tx = view.validated(fn);
  if (tx.size() == 0) throw InvalidArgument(fn, "transactions", "0 rows", "needs at least one transaction");
  std::int64_t end = std::numeric_limits<std::int64_t>::min();
  if (options.has_observation_end) {
    end = options.observation_end;
  } else {
    for (std::int64_t t : tx.time) end = std::max(end, core::to_day(t, tx.time_unit));
  }
  const std::size_t nc = tx.n_customers;
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::vector<std::int64_t> first(nc, kNone), last(nc, std::numeric_limits<std::int64_t>::min());
  for (std::size_t i = 0; i < tx.size(); ++i) {
    const std::int64_t d = core::to_day(tx.time[i], tx.time_unit);
    if (d > end) continue;
    const std::uint32_t c = tx.customer[i];
    first[c] = std::min(first[c], d);
    last[c] = std::max(last[c], d);
  }
  CustomerDurations out;
  out.observation_end = end;
  for (std::size_t c = 0; c < nc; ++c) {
    if (first[c] == kNone) continue;
    const bool churned = end - last[c] >= options.inactive_days;
    out.customer.push_back(static_cast<std::uint32_t>(c));
    out.first_day.push_back(first[c]);
    out.last_day.push_back(last[c]);
    out.event.push_back(churned ? 1.0 : 0.0);
    out.duration.push_back(static_cast<double>(churned ? last[c] - first[c] : end - first[c]) / options.period_days);
  }
  if (out.customer.empty()) {
    throw InvalidArgument(fn, "observation_end", io::format_date(end),
                          "no customer has a purchase on or before the observation end");
  }
  return out;
}

std::string to_json(const KaplanMeierResult& r, std::span<const double> at) {
  using nlohmann::json;
  json j;
  j["conf_type"] = conf_type_name(r.conf_type);
  j["conf_level"] = r.conf_level;
  json curves = json::array();
  for (const SurvivalCurve& c : r.curves) {
    json o;
    o["group"] = c.group;
    o["n"] = c.n;
    o["events"] = c.events;
    o["median"] = c.median;
    o["median_lower"] = c.median_lower;
    o["median_upper"] = c.median_upper;
    o["time"] = c.time;
    o["n_risk"] = c.n_risk;
    o["n_event"] = c.n_event;
    o["n_censor"] = c.n_censor;
    o["survival"] = c.survival;
    o["std_err"] = c.std_err;
    o["lower"] = c.lower;
    o["upper"] = c.upper;
    if (!at.empty()) {
      const SurvivalAt s = survival_at(c, at);
      o["at"] = json{{"time", s.time},     {"survival", s.survival}, {"std_err", s.std_err},
                     {"lower", s.lower},   {"upper", s.upper},       {"n_risk", s.n_risk}};
    }
    curves.push_back(std::move(o));
  }
  j["curves"] = std::move(curves);
  if (r.has_logrank) {
    j["logrank"] = json{{"chi_square", r.logrank.chi_square}, {"df", r.logrank.df}, {"p_value", r.logrank.p_value},
                        {"observed", r.logrank.observed},     {"expected", r.logrank.expected}};
  } else {
    j["logrank"] = nullptr;
  }
  return j.dump();
}

}  // namespace crmkit::churn
