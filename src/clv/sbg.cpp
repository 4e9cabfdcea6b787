#include "crmkit/clv/sbg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/math/special.hpp"
#include "fit_common.hpp"

namespace crmkit::clv {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string indexed(const char* name, std::size_t i) {
  std::string s = name;
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

void check_params(const char* function, const SbgParams& p) {
  if (!(p.alpha > 0.0) || !std::isfinite(p.alpha))
    throw InvalidArgument(function, "params.alpha", num(p.alpha), "must be finite and > 0");
  if (!(p.beta > 0.0) || !std::isfinite(p.beta))
    throw InvalidArgument(function, "params.beta", num(p.beta), "must be finite and > 0");
}

bool whole(double v) { return std::isfinite(v) && v == std::floor(v); }

// Distinct (t, churned) records with total weights.
struct Records {
  std::vector<double> t, w;
  std::vector<bool> churned;
  double total_weight = 0;
};

Records collect(const char* function, std::span<const double> periods, std::span<const double> churned,
                std::span<const double> weights) {
  if (churned.size() != periods.size())
    throw InvalidArgument(function, "churned", "length " + std::to_string(churned.size()),
                          "must equal the length of periods (" + std::to_string(periods.size()) + ")");
  if (!weights.empty() && weights.size() != periods.size())
    throw InvalidArgument(function, "weights", "length " + std::to_string(weights.size()),
                          "must be empty or equal the length of periods (" + std::to_string(periods.size()) + ")");
  std::map<std::pair<double, bool>, double> agg;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const double c = churned[i];
    if (c != 0.0 && c != 1.0) throw InvalidArgument(function, indexed("churned", i), num(c), "must be 0 or 1");
    const double t = periods[i];
    if (!whole(t) || t < (c == 1.0 ? 1.0 : 0.0))
      throw InvalidArgument(function, indexed("periods", i), num(t),
                            c == 1.0 ? "must be a whole number >= 1 for a churned record"
                                     : "must be a whole number >= 0");
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!std::isfinite(w) || w < 0.0) throw InvalidArgument(function, indexed("weights", i), num(w), "must be finite and >= 0");
    if (w > 0.0) agg[{t, c == 1.0}] += w;
  }
  Records r;
  for (const auto& [k, w] : agg) {
    r.t.push_back(k.first);
    r.churned.push_back(k.second);
    r.w.push_back(w);
    r.total_weight += w;
  }
  if (!(r.total_weight > 0.0)) throw InvalidArgument(function, "weights", "total 0", "the data must hold a positive weight");
  return r;
}

double loglik(const SbgParams& p, const Records& d, double* grad) {
  const double a = p.alpha, b = p.beta;
  const double lb0 = math::lbeta(a, b);
  const double da0 = grad ? math::digamma(a) - math::digamma(a + b) : 0.0;
  const double db0 = grad ? math::digamma(b) - math::digamma(a + b) : 0.0;
  double ll = 0, ga = 0, gb = 0;
  for (std::size_t i = 0; i < d.t.size(); ++i) {
    const double t = d.t[i], w = d.w[i];
    if (d.churned[i]) {  // log P(T = t) = lbeta(a + 1, b + t - 1) - lbeta(a, b)
      ll += w * (math::lbeta(a + 1.0, b + t - 1.0) - lb0);
      if (grad) {
        const double dab = math::digamma(a + b + t);
        ga += w * (math::digamma(a + 1.0) - dab - da0);
        gb += w * (math::digamma(b + t - 1.0) - dab - db0);
      }
    } else {  // log S(t) = lbeta(a, b + t) - lbeta(a, b)
      if (t == 0.0) continue;
      ll += w * (math::lbeta(a, b + t) - lb0);
      if (grad) {
        const double dab = math::digamma(a + b + t);
        ga += w * (math::digamma(a) - dab - da0);
        gb += w * (math::digamma(b + t) - dab - db0);
      }
    }
  }
  if (grad) {
    grad[0] = ga;
    grad[1] = gb;
  }
  return ll;
}

core::FitResult<SbgParams> fit_records(const char* fn, const Records& d, const core::FitOptions& options) {
  const std::array<double, 2> start{1.0, 1.0};
  const std::vector<std::array<double, 2>> offsets{{-1.0, 0.0}, {0.0, 1.5}, {1.0, 1.0}, {-2.0, -1.0}, {1.5, 3.0}};
  detail::LogLikFn<2> ll = [&](const std::array<double, 2>& th, std::array<double, 2>* g) {
    return loglik(SbgParams{th[0], th[1]}, d, g ? g->data() : nullptr);
  };
  return detail::fit_log_params<SbgParams>(fn, ll, d.total_weight, d.t.size(), start, offsets, options);
}

void check_out(const char* function, std::size_t n, std::span<double> out) {
  if (out.size() != n)
    throw InvalidArgument(function, "out", "length " + std::to_string(out.size()),
                          "must equal the input length (" + std::to_string(n) + ")");
}

[[noreturn]] void no_finite(const char* function, const SbgParams& p, double t) {
  throw NumericError("sbg", std::string(function) + ": no finite value at period " + num(t) + " for alpha = " +
                                num(p.alpha) + ", beta = " + num(p.beta));
}

void check_t(const char* function, std::span<const double> t, double lo) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!whole(t[i]) || t[i] < lo)
      throw InvalidArgument(function, indexed("t", i), num(t[i]), lo == 0 ? "must be a whole number >= 0"
                                                                           : "must be a whole number >= 1");
}

}  // namespace

SbgParams SbgParams::from_values(std::span<const double> v) {
  if (v.size() != 2) throw InvalidArgument("SbgParams::from_values", "v", "length " + std::to_string(v.size()), "must be 2");
  return SbgParams{v[0], v[1]};
}

core::FitResult<SbgParams> Sbg::fit(std::span<const double> periods, std::span<const double> churned,
                                    std::span<const double> weights, const core::FitOptions& options) {
  constexpr const char* fn = "Sbg::fit";
  return fit_records(fn, collect(fn, periods, churned, weights), options);
}

namespace {

// "active (period 3)": the count's period (row t of a period,active file is period t).
std::string at_period(std::size_t t) { return "active (period " + std::to_string(t) + ")"; }

core::FitResult<SbgParams> fit_counts(const char* fn, std::span<const double> active, const core::FitOptions& options) {
  std::vector<double> periods, churned, weights;
  for (std::size_t t = 0; t < active.size(); ++t) {
    if (t > 0) {
      periods.push_back(static_cast<double>(t));
      churned.push_back(1.0);
      weights.push_back(active[t - 1] - active[t]);
    }
  }
  periods.push_back(static_cast<double>(active.size() - 1));
  churned.push_back(0.0);
  weights.push_back(active.back());
  return fit_records(fn, collect(fn, periods, churned, weights), options);
}

void check_cohort(const char* fn, std::span<const double> active, bool whole_counts) {
  if (active.size() < 2)
    throw InvalidArgument(fn, "active", "length " + std::to_string(active.size()),
                          "needs the counts at the start of at least two periods");
  for (std::size_t t = 0; t < active.size(); ++t) {
    if (!std::isfinite(active[t]) || active[t] < 0.0)
      throw InvalidArgument(fn, at_period(t), num(active[t]), "must be finite and >= 0");
    if (whole_counts && !whole(active[t]))
      throw InvalidArgument(fn, at_period(t), num(active[t]),
                            "must be a whole number of surviving customers (the likelihood counts customers; "
                            "percentages or proportions such as 63.1 would be taken as fractional customers and "
                            "give wrong standard errors: give them as proportions with the cohort size, "
                            "Sbg::fit_cohort_proportions / `crmkit fit sbg --survival-as proportions --cohort-size N`)");
    if (t == 0 && !(active[0] > 0.0))
      throw InvalidArgument(fn, at_period(0), num(active[0]), "must be > 0 (the cohort size)");
    if (t > 0 && active[t] > active[t - 1])
      throw InvalidArgument(fn, at_period(t), num(active[t]),
                            "must not exceed the count of the period before (" + num(active[t - 1]) + ")");
  }
}

}  // namespace

core::FitResult<SbgParams> Sbg::fit_cohort(std::span<const double> active, const core::FitOptions& options) {
  constexpr const char* fn = "Sbg::fit_cohort";
  check_cohort(fn, active, true);
  return fit_counts(fn, active, options);
}

core::FitResult<SbgParams> Sbg::fit_cohort_proportions(std::span<const double> surviving, double cohort_size,
                                                       const core::FitOptions& options) {
  constexpr const char* fn = "Sbg::fit_cohort_proportions";
  if (!std::isfinite(cohort_size) || !whole(cohort_size) || !(cohort_size >= 1.0))
    throw InvalidArgument(fn, "cohort_size", num(cohort_size), "must be a whole number of customers >= 1");
  check_cohort(fn, surviving, false);
  // surviving[t] / surviving[0] of the cohort: 100, 63.1, ... (percent) and 1, 0.631, ... (proportions) alike
  std::vector<double> active(surviving.size());
  for (std::size_t t = 0; t < surviving.size(); ++t) active[t] = cohort_size * (surviving[t] / surviving[0]);
  return fit_counts(fn, active, options);
}

double Sbg::log_likelihood(const Params& params, std::span<const double> periods, std::span<const double> churned,
                           std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "Sbg::log_likelihood";
  check_params(fn, params);
  if (!gradient.empty() && gradient.size() != 2)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 2");
  const Records d = collect(fn, periods, churned, weights);
  return loglik(params, d, gradient.empty() ? nullptr : gradient.data());
}

void survival(const SbgParams& p, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "sbg survival";
  check_params(fn, p);
  check_out(fn, t.size(), out);
  check_t(fn, t, 0);
  const double lb0 = math::lbeta(p.alpha, p.beta);
  for (std::size_t i = 0; i < t.size(); ++i) {
    // at most 1: the lbeta difference can round above 0 when alpha is tiny and beta huge
    out[i] = t[i] == 0.0 ? 1.0 : std::min(1.0, std::exp(math::lbeta(p.alpha, p.beta + t[i]) - lb0));
    if (!std::isfinite(out[i])) no_finite(fn, p, t[i]);
  }
}

void retention_rate(const SbgParams& p, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "sbg retention_rate";
  check_params(fn, p);
  check_out(fn, t.size(), out);
  check_t(fn, t, 0);
  // period 0 is the start: nobody has had a chance to churn, so r(0) = 1 (S(0) = 1, P(T = 0) = 0).
  // r(t) = (beta + t - 1) / (alpha + beta + t - 1) as 1 / (1 + alpha / (beta + t - 1)): no 0/0 or inf/inf
  // when alpha and beta are both tiny or both huge.
  for (std::size_t i = 0; i < t.size(); ++i) {
    out[i] = t[i] == 0.0 ? 1.0 : 1.0 / (1.0 + p.alpha / (p.beta + (t[i] - 1.0)));
    if (!std::isfinite(out[i])) no_finite(fn, p, t[i]);
  }
}

void churn_probability(const SbgParams& p, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "sbg churn_probability";
  check_params(fn, p);
  check_out(fn, t.size(), out);
  check_t(fn, t, 0);
  const double lb0 = math::lbeta(p.alpha, p.beta);
  for (std::size_t i = 0; i < t.size(); ++i) {
    out[i] = t[i] == 0.0 ? 0.0 : std::min(1.0, std::exp(math::lbeta(p.alpha + 1.0, p.beta + t[i] - 1.0) - lb0));
    if (!std::isfinite(out[i])) no_finite(fn, p, t[i]);
  }
}

double survival(const SbgParams& p, double t) {
  double out = 0;
  survival(p, {&t, 1}, {&out, 1});
  return out;
}

double retention_rate(const SbgParams& p, double t) {
  double out = 0;
  retention_rate(p, {&t, 1}, {&out, 1});
  return out;
}

double expected_lifetime(const SbgParams& p) {
  check_params("sbg expected_lifetime", p);
  if (p.alpha <= 1.0) return std::numeric_limits<double>::infinity();
  return (p.alpha + p.beta - 1.0) / (p.alpha - 1.0);
}

double expected_lifetime(const SbgParams& p, double horizon) {
  constexpr const char* fn = "sbg expected_lifetime";
  check_params(fn, p);
  if (!whole(horizon) || horizon < 0.0 || horizon > kMaxSbgPeriods)
    throw InvalidArgument(fn, "horizon", num(horizon),
                          "must be a whole number in 0.." + std::to_string(static_cast<long>(kMaxSbgPeriods)));
  double s = 1.0, total = 0.0;  // S(0) = 1; S(t) = S(t - 1) (beta + t - 1) / (alpha + beta + t - 1)
  for (double t = 0; t < horizon; ++t) {
    total += s;
    s *= (p.beta + t) / (p.alpha + p.beta + t);
  }
  return total;
}

double derl(const SbgParams& p, double discount_rate, double n) {
  constexpr const char* fn = "sbg derl";
  check_params(fn, p);
  if (!(discount_rate > 0.0) || !std::isfinite(discount_rate))
    throw InvalidArgument(fn, "discount_rate", num(discount_rate), "must be finite and > 0");
  if (!whole(n) || n < 0.0) throw InvalidArgument(fn, "n", num(n), "must be a whole number >= 0");
  // sum_k prod_{j<k} (beta + n + j) / (alpha + beta + n + j) z^k, z = 1 / (1 + d): terms fall at least
  // geometrically (ratio < z), so the tail after term k is below term_k z / (1 - z).
  const double z = 1.0 / (1.0 + discount_rate);
  double term = 1.0, total = 0.0;
  for (double k = 0; k < 1e8; ++k) {
    total += term;
    term *= (p.beta + n + k) / (p.alpha + p.beta + n + k) * z;
    if (term * z / (1.0 - z) <= 1e-16 * total) break;
  }
  return total;
}

void to_json(nlohmann::json& j, const SbgParams& p) {
  j = nlohmann::json{{"model", Sbg::name}, {"alpha", p.alpha}, {"beta", p.beta}};
}

void from_json(const nlohmann::json& j, SbgParams& p) {
  constexpr const char* fn = "SbgParams from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].get<std::string>() == Sbg::name))
    throw InvalidArgument(fn, "model", j["model"].dump(), std::string("must be \"") + Sbg::name + "\"");
  std::array<double, 2> v{};
  for (std::size_t k = 0; k < 2; ++k) {
    const char* key = SbgParams::names[k];
    if (!j.contains(key)) throw InvalidArgument(fn, key, "missing", "is required");
    if (!j[key].is_number()) throw InvalidArgument(fn, key, j[key].dump(), "must be a number");
    v[k] = j[key].get<double>();
  }
  const SbgParams q = SbgParams::from_values(v);
  check_params(fn, q);
  p = q;
}

}  // namespace crmkit::clv
