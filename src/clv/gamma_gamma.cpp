#include "crmkit/clv/gamma_gamma.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
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

void check_params(const char* function, const GammaGammaParams& p) {
  const auto v = p.values();
  for (std::size_t k = 0; k < 3; ++k)
    if (!(v[k] > 0.0) || !std::isfinite(v[k]))
      throw InvalidArgument(function, std::string("params.") + GammaGammaParams::names[k], num(v[k]),
                            "must be finite and > 0");
}

void check_q(const char* function, const GammaGammaParams& p) {
  if (!(p.q > 1.0))
    throw NumericError("gamma_gamma", std::string(function) + ": q = " + num(p.q) +
                                          " <= 1, so the mean spend is unbounded and no expected spend exists; "
                                          "refit with more data or a penalizer");
}

[[noreturn]] void no_finite_spend(const char* function, const GammaGammaParams& p, std::size_t row, double x, double m) {
  std::string what = function;
  what += ": no finite expected spend for customer row ";
  what += std::to_string(row + 1);
  what += " (frequency " + num(x) + ", monetary_value " + num(m) + ") at p = " + num(p.p) + ", q = " + num(p.q) +
          ", gamma = " + num(p.gamma) + " (the value exceeds the largest double)";
  throw NumericError("gamma_gamma", what);
}

// "monetary_value (customer row 4)": the column and the customer's 1-based row (the CLI maps it back to
// the file's line and the customer's id).
std::string indexed(const char* name, std::size_t i) {
  std::string s = name;
  s += " (customer row ";
  s += std::to_string(i + 1);
  s += ')';
  return s;
}

// Validates the columns; rows with x > 0 and positive weight are the data.
// Fitting needs m_x > 0 (log m_x): a repeat buyer with m_x = 0 (only free items) is skipped and counted
// (ZeroSpend::Skip) or refused (ZeroSpend::Error); predictions accept m_x = 0.
void check_data(const char* function, std::span<const double> x, std::span<const double> m,
                std::span<const double> w, bool fitting = true, ZeroSpend zero_spend = ZeroSpend::Skip) {
  if (m.size() != x.size())
    throw InvalidArgument(function, "monetary_value", "length " + std::to_string(m.size()),
                          "must equal the length of frequency (" + std::to_string(x.size()) + ")");
  if (!w.empty() && w.size() != x.size())
    throw InvalidArgument(function, "weights", "length " + std::to_string(w.size()),
                          "must be empty or equal the length of frequency (" + std::to_string(x.size()) + ")");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || x[i] < 0.0 || x[i] != std::floor(x[i]))
      throw InvalidArgument(function, indexed("frequency", i), num(x[i]),
                            "must be a non-negative whole number (the number of repeat purchases)");
    const bool counted = w.empty() || w[i] > 0.0;  // zero-weight rows are left out
    if (x[i] > 0.0 && counted && (!std::isfinite(m[i]) || !(m[i] >= 0.0)))
      throw InvalidArgument(function, indexed("monetary_value", i), num(m[i]),
                            "must be finite and >= 0 (the mean spend of the repeat purchases)");
    if (fitting && zero_spend == ZeroSpend::Error && x[i] > 0.0 && counted && m[i] == 0.0)
      throw InvalidArgument(function, indexed("monetary_value", i), num(m[i]),
                            "must be > 0 for a customer with repeat purchases (a repeat buyer whose mean spend is 0 "
                            "cannot be fitted; the default policy skips and counts them: zero spend = skip)");
    if (!w.empty() && (!std::isfinite(w[i]) || w[i] < 0.0))
      throw InvalidArgument(function, indexed("weights", i), num(w[i]), "must be finite and >= 0");
  }
}

// The data the likelihood needs: per row x, log m, log x, x m, weight; and the weight of each distinct x
// (lgamma and digamma depend on x only).
struct SpendData {
  std::vector<double> x, log_m, log_x, xm, w;
  std::vector<double> ux, uw;  // distinct x and their total weights
  double total_weight = 0;
};

// Rows with x > 0, m_x > 0 and positive weight; the weight of repeat buyers with m_x = 0 into *zero_spend.
SpendData prepare(std::span<const double> x, std::span<const double> m, std::span<const double> w,
                  double* zero_spend = nullptr) {
  SpendData d;
  std::map<double, double> by_x;
  double zero = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double wi = w.empty() ? 1.0 : w[i];
    if (!(x[i] > 0.0) || !(wi > 0.0)) continue;
    if (!(m[i] > 0.0)) {
      zero += wi;
      continue;
    }
    d.x.push_back(x[i]);
    d.log_m.push_back(std::log(m[i]));
    d.log_x.push_back(std::log(x[i]));
    d.xm.push_back(x[i] * m[i]);
    d.w.push_back(wi);
    by_x[x[i]] += wi;
    d.total_weight += wi;
  }
  if (zero_spend) *zero_spend = zero;
  for (const auto& [xv, wv] : by_x) {
    d.ux.push_back(xv);
    d.uw.push_back(wv);
  }
  return d;
}

double loglik(const GammaGammaParams& p, const SpendData& d, double* grad) {
  const double lq = math::lgamma(p.q), log_g = std::log(p.gamma);
  double ll = d.total_weight * (p.q * log_g - lq);
  double gp = 0, gq = 0, gg = 0;
  const double dq = grad ? math::digamma(p.q) : 0.0;
  for (std::size_t k = 0; k < d.ux.size(); ++k) {
    const double px = p.p * d.ux[k];
    ll += d.uw[k] * (math::lgamma(px + p.q) - math::lgamma(px));
    if (grad) {
      const double a = math::digamma(px + p.q), b = math::digamma(px);
      gp += d.uw[k] * d.ux[k] * (a - b);
      gq += d.uw[k] * a;
    }
  }
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double px = p.p * d.x[i];
    const double lgx = std::log(p.gamma + d.xm[i]);
    ll += d.w[i] * ((px - 1.0) * d.log_m[i] + px * d.log_x[i] - (px + p.q) * lgx);
    if (grad) {
      gp += d.w[i] * d.x[i] * (d.log_m[i] + d.log_x[i] - lgx);
      gq -= d.w[i] * lgx;
      gg -= d.w[i] * (px + p.q) / (p.gamma + d.xm[i]);
    }
  }
  if (grad) {
    grad[0] = gp;
    grad[1] = gq + d.total_weight * (log_g - dq);
    grad[2] = gg + d.total_weight * p.q / p.gamma;
  }
  return ll;
}

}  // namespace

GammaGammaParams GammaGammaParams::from_values(std::span<const double> v) {
  if (v.size() != 3)
    throw InvalidArgument("GammaGammaParams::from_values", "v", "length " + std::to_string(v.size()), "must be 3");
  return GammaGammaParams{v[0], v[1], v[2]};
}

core::FitResult<GammaGammaParams> GammaGamma::fit(std::span<const double> frequency,
                                                  std::span<const double> monetary_value,
                                                  std::span<const double> weights, const core::FitOptions& options,
                                                  ZeroSpend zero_spend, double* zero_spend_skipped) {
  constexpr const char* fn = "GammaGamma::fit";
  check_data(fn, frequency, monetary_value, weights, true, zero_spend);
  double skipped = 0;
  const SpendData d = prepare(frequency, monetary_value, weights, &skipped);
  if (zero_spend_skipped) *zero_spend_skipped = skipped;
  if (!(d.total_weight > 0.0))
    throw InvalidArgument(fn, "frequency",
                          skipped > 0 ? "no customer with frequency > 0 and a mean spend > 0 (" + num(skipped) +
                                            " repeat buyer(s) with a mean spend of 0 skipped)"
                                      : std::string("no customer with frequency > 0"),
                          "the spend model needs customers with repeat purchases and a positive spend");
  // Data-driven start: p = 2, q = 3, gamma so that the population mean p gamma / (q - 1) equals the
  // weighted mean of m_x (gamma scales with the currency, so the path does not depend on it).
  double sm = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) sm += d.w[i] * std::exp(d.log_m[i]);
  const double mean_m = sm / d.total_weight;
  const std::array<double, 3> start{2.0, 3.0, mean_m};
  const std::vector<std::array<double, 3>> offsets{
      {1.0, 0.5, 0.5}, {-1.0, -0.5, -0.5}, {1.5, 1.0, 2.0}, {-0.5, 1.0, 1.0}, {2.5, 0.0, 0.0}};
  detail::LogLikFn<3> ll = [&](const std::array<double, 3>& th, std::array<double, 3>* g) {
    return loglik(GammaGammaParams{th[0], th[1], th[2]}, d, g ? g->data() : nullptr);
  };
  return detail::fit_log_params<GammaGammaParams>(fn, ll, d.total_weight, d.ux.size(), start, offsets, options);
}

double GammaGamma::log_likelihood(const Params& params, std::span<const double> frequency,
                                  std::span<const double> monetary_value, std::span<const double> weights,
                                  std::span<double> gradient) {
  constexpr const char* fn = "GammaGamma::log_likelihood";
  check_params(fn, params);
  check_data(fn, frequency, monetary_value, weights);
  if (!gradient.empty() && gradient.size() != 3)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 3");
  const SpendData d = prepare(frequency, monetary_value, weights);
  try {
    return loglik(params, d, gradient.empty() ? nullptr : gradient.data());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw NumericError("gamma_gamma", std::string(fn) + " failed: " + e.what());
  }
}

void conditional_expected_spend(const GammaGammaParams& params, std::span<const double> frequency,
                                std::span<const double> monetary_value, std::span<double> out) {
  constexpr const char* fn = "gamma_gamma conditional_expected_spend";
  check_params(fn, params);
  check_q(fn, params);
  check_data(fn, frequency, monetary_value, {}, false);
  if (out.size() != frequency.size())
    throw InvalidArgument(fn, "out", "length " + std::to_string(out.size()),
                          "must equal the input length (" + std::to_string(frequency.size()) + ")");
  // p gamma / (q - 1) and p (gamma + x m) / (p x + q - 1) as (p / (q - 1)) gamma and (p / (p x + q - 1)) (gamma
  // + x m): the ratios are small where p and gamma are huge (p * gamma overflowed to inf at p, gamma ~ 1e200).
  const double pop = params.p / (params.q - 1.0) * params.gamma;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double x = frequency[i];
    out[i] = x > 0.0 ? params.p / (params.p * x + params.q - 1.0) * (params.gamma + x * monetary_value[i]) : pop;
    if (!std::isfinite(out[i])) no_finite_spend(fn, params, i, x, monetary_value[i]);
  }
}

double conditional_expected_spend(const GammaGammaParams& params, double frequency, double monetary_value) {
  double out = 0;
  conditional_expected_spend(params, {&frequency, 1}, {&monetary_value, 1}, {&out, 1});
  return out;
}

double expected_spend(const GammaGammaParams& params) {
  constexpr const char* fn = "gamma_gamma expected_spend";
  check_params(fn, params);
  check_q(fn, params);
  const double v = params.p / (params.q - 1.0) * params.gamma;
  if (!std::isfinite(v))
    throw NumericError("gamma_gamma", std::string(fn) + ": no finite population mean spend at p = " + num(params.p) +
                                          ", q = " + num(params.q) + ", gamma = " + num(params.gamma));
  return v;
}

double frequency_spend_correlation(std::span<const double> frequency, std::span<const double> monetary_value,
                                   std::span<const double> weights) {
  constexpr const char* fn = "gamma_gamma frequency_spend_correlation";
  check_data(fn, frequency, monetary_value, weights, false);
  double sw = 0, sx = 0, sm = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!(frequency[i] > 0.0) || !(w > 0.0)) continue;
    sw += w;
    sx += w * frequency[i];
    sm += w * monetary_value[i];
  }
  if (!(sw > 1.0)) return std::numeric_limits<double>::quiet_NaN();
  const double mx = sx / sw, mm = sm / sw;
  double cxx = 0, cmm = 0, cxm = 0;
  for (std::size_t i = 0; i < frequency.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!(frequency[i] > 0.0) || !(w > 0.0)) continue;
    const double dx = frequency[i] - mx, dm = monetary_value[i] - mm;
    cxx += w * dx * dx;
    cmm += w * dm * dm;
    cxm += w * dx * dm;
  }
  if (!(cxx > 0.0) || !(cmm > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return cxm / std::sqrt(cxx * cmm);
}

void to_json(nlohmann::json& j, const GammaGammaParams& p) {
  j = nlohmann::json{{"model", GammaGamma::name}, {"p", p.p}, {"q", p.q}, {"gamma", p.gamma}};
}

void from_json(const nlohmann::json& j, GammaGammaParams& p) {
  constexpr const char* fn = "GammaGammaParams from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].get<std::string>() == GammaGamma::name))
    throw InvalidArgument(fn, "model", j["model"].dump(), std::string("must be \"") + GammaGamma::name + "\"");
  std::array<double, 3> v{};
  for (std::size_t k = 0; k < 3; ++k) {
    const char* key = GammaGammaParams::names[k];
    if (!j.contains(key)) throw InvalidArgument(fn, key, "missing", "is required");
    if (!j[key].is_number()) throw InvalidArgument(fn, key, j[key].dump(), "must be a number");
    v[k] = j[key].get<double>();
  }
  const GammaGammaParams q = GammaGammaParams::from_values(v);
  check_params(fn, q);
  p = q;
}

}  // namespace crmkit::clv
