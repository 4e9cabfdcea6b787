#include "crmkit/clv/bg_nbd.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/math/log_space.hpp"
#include "crmkit/math/special.hpp"
#include "fit_common.hpp"

namespace crmkit::clv {

namespace {

using detail::WeightedPatterns;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void check_params(const char* function, const BgNbdParams& p) {
  const auto v = p.values();
  for (std::size_t k = 0; k < 4; ++k)
    if (!(v[k] > 0.0) || !std::isfinite(v[k]))
      throw InvalidArgument(function, std::string("params.") + BgNbdParams::names[k], num(v[k]),
                            "must be finite and > 0");
}

void check_out(const char* function, std::size_t n, std::span<double> out) {
  if (out.size() != n)
    throw InvalidArgument(function, "out", "length " + std::to_string(out.size()),
                          "must equal the input length (" + std::to_string(n) + ")");
}

void check_horizon(const char* function, const char* name, double t) {
  if (!std::isfinite(t) || !(t >= 0.0)) throw InvalidArgument(function, name, num(t), "must be finite and >= 0");
}

std::string params_text(const BgNbdParams& p) {
  const auto v = p.values();
  return detail::format_params(BgNbdParams::names.data(), v.data(), 4);
}

// Boost.Math errors are rethrown as NumericError with the model's parameters.
template <class F>
auto guarded(const BgNbdParams& p, const char* what, F&& f) {
  try {
    return f();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw NumericError("bg_nbd", std::string(what) + " failed at " + params_text(p) + ": " + e.what());
  }
}

// ---- the likelihood kernel over compressed patterns -------------------------------------------------
//
// L(r, alpha, a, b | x, t_x, T) = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
//        + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))
// (FHL 2005 eq. 6), so log L = c(x) + log(exp(A3) + [x > 0] exp(A4)) with
//   c(x) = lgamma(r + x) - lgamma(r) + r log alpha + lbeta(a, b + x) - lbeta(a, b),
//   A3 = -(r + x) log(alpha + T),  A4 = log a - log(b + x - 1) - (r + x) log(alpha + t_x).
// c(x) and its derivatives are computed once per distinct x; logs of alpha + T and alpha + t_x once per
// distinct T and t_x.
struct Scratch {
  std::vector<double> lT, iT, ltx, itx;
};

double loglik_patterns(const BgNbdParams& p, const WeightedPatterns& d, Scratch& s, double* grad) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const std::size_t nT = d.unique_T.size(), ntx = d.unique_tx.size();
  s.lT.resize(nT);
  s.iT.resize(nT);
  s.ltx.resize(ntx);
  s.itx.resize(ntx);
  for (std::size_t j = 0; j < nT; ++j) {
    s.lT[j] = std::log(alpha + d.unique_T[j]);
    s.iT[j] = 1.0 / (alpha + d.unique_T[j]);
  }
  for (std::size_t j = 0; j < ntx; ++j) {
    s.ltx[j] = std::log(alpha + d.unique_tx[j]);
    s.itx[j] = 1.0 / (alpha + d.unique_tx[j]);
  }
  const double log_alpha = std::log(alpha), log_a = std::log(a);
  const double lbeta_ab = math::lbeta(a, b);
  const bool want = grad != nullptr;
  const double psi_r = want ? math::digamma(r) : 0.0;
  const double psi_b = want ? math::digamma(b) : 0.0;
  const double psi_ab = want ? math::digamma(a + b) : 0.0;
  const double lgamma_r = math::lgamma(r);

  double ll = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
  const std::size_t groups = d.group_x.size();
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const double x = d.group_x[gi], W = d.group_w[gi];
    const double rx = r + x;
    const std::uint32_t begin = d.group_begin[gi], end = d.group_begin[gi + 1];
    if (x == 0.0) {
      ll += W * r * log_alpha;
      g_r += W * log_alpha;
      g_alpha += W * r / alpha;
      double su = 0, si = 0;
      for (std::uint32_t k = begin; k < end; ++k) {
        su += d.w[k] * s.lT[d.T_index[k]];
        si += d.w[k] * s.iT[d.T_index[k]];
      }
      ll -= r * su;
      g_r -= su;
      g_alpha -= r * si;
      continue;
    }
    const double cx = math::lgamma(rx) - lgamma_r + r * log_alpha + math::lbeta(a, b + x) - lbeta_ab;
    ll += W * cx;
    if (want) {
      const double psi_abx = math::digamma(a + b + x);
      g_r += W * (math::digamma(rx) - psi_r + log_alpha);
      g_alpha += W * r / alpha;
      g_a += W * (psi_ab - psi_abx);
      g_b += W * (math::digamma(b + x) - psi_b + psi_ab - psi_abx);
    }
    const double k4 = log_a - std::log(b + x - 1.0);
    double s_lse = 0, s_u = 0, s_i = 0, s_p4 = 0;
    for (std::uint32_t k = begin; k < end; ++k) {
      const double u = s.lT[d.T_index[k]], v = s.ltx[d.tx_index[k]];
      const double A3 = -rx * u, A4 = k4 - rx * v;
      const double diff = A4 - A3;
      const double e = std::exp(-std::fabs(diff));
      const double l1 = std::log1p(e);
      const double inv = 1.0 / (1.0 + e);
      double p3, p4, lse;
      if (diff > 0) {
        lse = A4 + l1;
        p4 = inv;
        p3 = e * inv;
      } else {
        lse = A3 + l1;
        p3 = inv;
        p4 = e * inv;
      }
      const double w = d.w[k];
      s_lse += w * lse;
      if (want) {
        s_u += w * (p3 * u + p4 * v);
        s_i += w * (p3 * s.iT[d.T_index[k]] + p4 * s.itx[d.tx_index[k]]);
        s_p4 += w * p4;
      }
    }
    ll += s_lse;
    if (want) {
      g_r -= s_u;
      g_alpha -= rx * s_i;
      g_a += s_p4 / a;
      g_b -= s_p4 / (b + x - 1.0);
    }
  }
  if (want) {
    grad[0] = g_r;
    grad[1] = g_alpha;
    grad[2] = g_a;
    grad[3] = g_b;
  }
  return ll;
}

// ---- E[Y(t) | x, t_x, T] ----------------------------------------------------------------------------
//
// FHL 2005 eq. 10:  E = (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] / D
// with z = t/(alpha+T+t) and D = 1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x). Euler's transformation
// 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns the bracket into
//   1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
// whose series has small numerator parameters (fast convergence for heavy buyers, no overflow). Writing
// (a-1)_k = (a-1)(a)_{k-1} removes the removable singularity at a = 1:
//   E * D = -C L exprel((a-1) L) - (1-z)^(a-1) sum_{k>=1} T_k,
//   C = a+b+x-1, L = log(1-z), T_1 = (a+b-1-r) z, T_{k+1} = T_k (a+b-1-r+k)(a+k-1) z / ((C+k)(k+1)),
// with C + k > 0 for all k >= 1 (so C <= 0, possible when x = 0 and a + b < 1, is harmless).
double numerator_expected(const BgNbdParams& p, double t, double x, double T) {
  if (t == 0.0) return 0.0;
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const double C = a + b + x - 1.0;
  const double L = -std::log1p(t / (alpha + T));  // log(1 - z)
  const double z = t / (alpha + T + t);
  const double y = (a - 1.0) * L;
  const double exprel = (y == 0.0) ? 1.0 : std::expm1(y) / y;
  const double a1 = a + b - 1.0 - r;
  double term = a1 * z, sum = term;
  const double one_minus_z = -std::expm1(L);
  constexpr int kMaxTerms = 10'000'000;
  int k = 1;
  for (; k < kMaxTerms; ++k) {
    term *= (a1 + k) * (a + k - 1.0) * z / ((C + k) * (k + 1.0));
    sum += term;
    if (std::fabs(term) <= 1e-17 * std::fabs(sum) * one_minus_z && k > -a1) break;
    if (term == 0.0) break;
  }
  if (k >= kMaxTerms)
    throw NumericError("bg_nbd", "conditional_expected_purchases: 2F1 series did not converge (t = " + num(t) +
                                     ", x = " + num(x) + ", T = " + num(T) + ") at " + params_text(p));
  return -C * L * exprel - std::exp(y) * sum;
}

// log of the P(alive) odds term: log(a/(b+x-1)) + (r+x) log((alpha+T)/(alpha+t_x)); -inf when x = 0.
double log_dead_odds(const BgNbdParams& p, double x, double t_x, double T) {
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  return std::log(p.a) - std::log(p.b + x - 1.0) + (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x));
}

double p_alive_one(const BgNbdParams& p, double x, double t_x, double T) {
  return std::exp(-math::log1p_exp(log_dead_odds(p, x, t_x, T)));
}

double cond_expected_one(const BgNbdParams& p, double t, double x, double t_x, double T) {
  return numerator_expected(p, t, x, T) * p_alive_one(p, x, t_x, T);
}

double prob_n_one(const BgNbdParams& p, double t, double n) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  if (t == 0.0) return n == 0.0 ? 1.0 : 0.0;
  const double lq = std::log(t / (alpha + t));  // log(t / (alpha + t))
  const double lp = -std::log1p(t / alpha);    // log(alpha / (alpha + t))
  const double lbab = math::lbeta(a, b);
  const double term1 = math::lbeta(a, b + n) - lbab + math::lgamma(r + n) - math::lgamma(r) -
                       math::lgamma(n + 1.0) + r * lp + (n == 0.0 ? 0.0 : n * lq);
  if (n == 0.0) return std::exp(term1);
  // 1 - P(NB(r, alpha/(alpha+t)) <= n - 1) = I_{t/(alpha+t)}(n, r)
  const double q = t / (alpha + t), qc = alpha / (alpha + t);
  const double term2 = math::lbeta(a + 1.0, b + n - 1.0) - lbab + math::log_ibeta(n, r, q, qc);
  return std::exp(math::log_sum_exp(term1, term2));
}

void check_n(const char* function, std::span<const double> n) {
  for (std::size_t i = 0; i < n.size(); ++i)
    if (!(n[i] >= 0.0) || !std::isfinite(n[i]) || n[i] != std::floor(n[i]))
      throw InvalidArgument(function, "n[" + std::to_string(i) + "]", num(n[i]),
                            "must be a finite non-negative integer");
}

}  // namespace

BgNbdParams BgNbdParams::from_values(std::span<const double> v) {
  if (v.size() != 4)
    throw InvalidArgument("BgNbdParams::from_values", "v", "size " + std::to_string(v.size()), "must be 4");
  return BgNbdParams{v[0], v[1], v[2], v[3]};
}

core::FitResult<BgNbdParams> BgNbd::fit(std::span<const double> frequency, std::span<const double> recency,
                                        std::span<const double> T, std::span<const double> weights,
                                        const core::FitOptions& options) {
  constexpr const char* fn = "BgNbd::fit";
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);

  // Data-driven start: r = 1 and alpha so that r / alpha matches the mean purchase rate of the data
  // (scales with the time unit, so fits in days and in weeks follow the same path); a = 1, b = 3.
  double sx = 0, sT = 0;
  for (std::size_t k = 0; k < d.size(); ++k) {
    sx += d.w[k] * d.x[k];
    sT += d.w[k] * d.T[k];
  }
  const double mean_T = std::max(sT / d.total_weight, std::numeric_limits<double>::min());
  const double rate = std::max(sx, 0.1 * d.total_weight) / (d.total_weight * mean_T);
  const std::array<double, 4> start{1.0, 1.0 / rate, 1.0, 3.0};
  const std::vector<std::array<double, 4>> offsets{
      {-1.5, -1.5, 0.0, 0.0}, {1.0, 1.0, -1.0, 0.5}, {0.0, 0.0, 1.5, 1.5}, {-3.0, -3.0, -1.5, -1.0},
      {2.0, 2.0, 2.0, 3.0},   {-1.0, 0.0, -2.0, -1.0}, {0.5, -1.0, 3.0, 0.0}};

  Scratch scratch;
  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    const BgNbdParams p{th[0], th[1], th[2], th[3]};
    return loglik_patterns(p, d, scratch, g ? g->data() : nullptr);
  };
  return detail::fit_log_params<BgNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, options);
}

double BgNbd::log_likelihood(const Params& params, std::span<const double> frequency,
                             std::span<const double> recency, std::span<const double> T,
                             std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "BgNbd::log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);
  Scratch s;
  return guarded(params, fn, [&] { return loglik_patterns(params, d, s, gradient.empty() ? nullptr : gradient.data()); });
}

void log_likelihood(const BgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
                    std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "bg_nbd log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    const double lbab = math::lbeta(params.a, params.b), lgr = math::lgamma(params.r);
    for (std::size_t i = 0; i < frequency.size(); ++i) {
      const double x = frequency[i], rx = params.r + x;
      const double c = math::lgamma(rx) - lgr + params.r * std::log(params.alpha) +
                       math::lbeta(params.a, params.b + x) - lbab;
      const double A3 = -rx * std::log(params.alpha + T[i]);
      if (x == 0.0) {
        out[i] = c + A3;
      } else {
        const double A4 = std::log(params.a) - std::log(params.b + x - 1.0) - rx * std::log(params.alpha + recency[i]);
        out[i] = c + math::log_sum_exp(A3, A4);
      }
    }
    return 0;
  });
}

void p_alive(const BgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "bg_nbd p_alive";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  for (std::size_t i = 0; i < frequency.size(); ++i) out[i] = p_alive_one(params, frequency[i], recency[i], T[i]);
}

void conditional_expected_purchases(const BgNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out) {
  constexpr const char* fn = "bg_nbd conditional_expected_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  for (std::size_t i = 0; i < frequency.size(); ++i)
    out[i] = cond_expected_one(params, t, frequency[i], recency[i], T[i]);
}

void expected_purchases(const BgNbdParams& params, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "bg_nbd expected_purchases";
  check_params(fn, params);
  check_out(fn, t.size(), out);
  for (std::size_t i = 0; i < t.size(); ++i) {
    check_horizon(fn, ("t[" + std::to_string(i) + "]").c_str(), t[i]);
    out[i] = numerator_expected(params, t[i], 0.0, 0.0);
  }
}

void probability_of_n_purchases(const BgNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out) {
  constexpr const char* fn = "bg_nbd probability_of_n_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  check_n(fn, n);
  check_out(fn, n.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < n.size(); ++i) out[i] = prob_n_one(params, t, n[i]);
    return 0;
  });
}

double p_alive(const BgNbdParams& params, double x, double t_x, double T) {
  double out = 0;
  p_alive(params, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double conditional_expected_purchases(const BgNbdParams& params, double t, double x, double t_x, double T) {
  double out = 0;
  conditional_expected_purchases(params, t, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double expected_purchases(const BgNbdParams& params, double t) {
  double out = 0;
  expected_purchases(params, {&t, 1}, {&out, 1});
  return out;
}
double probability_of_n_purchases(const BgNbdParams& params, double t, double n) {
  double out = 0;
  probability_of_n_purchases(params, t, {&n, 1}, {&out, 1});
  return out;
}

void to_json(nlohmann::json& j, const BgNbdParams& p) {
  j = nlohmann::json{{"model", BgNbd::name}, {"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}};
}

void from_json(const nlohmann::json& j, BgNbdParams& p) {
  constexpr const char* fn = "BgNbdParams from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].get<std::string>() == BgNbd::name))
    throw InvalidArgument(fn, "model", j["model"].dump(), std::string("must be \"") + BgNbd::name + "\"");
  std::array<double, 4> v{};
  for (std::size_t k = 0; k < 4; ++k) {
    const char* key = BgNbdParams::names[k];
    if (!j.contains(key)) throw InvalidArgument(fn, key, "missing", "is required");
    const auto& e = j[key];
    if (!e.is_number()) throw InvalidArgument(fn, key, e.dump(), "must be a number");
    v[k] = e.get<double>();
  }
  BgNbdParams q = BgNbdParams::from_values(v);
  check_params(fn, q);
  p = q;
}

}  // namespace crmkit::clv
