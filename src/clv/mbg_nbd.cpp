#include "crmkit/clv/mbg_nbd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/math/log_space.hpp"
#include "crmkit/math/special.hpp"
#include "fit_common.hpp"
#include "params_common.hpp"

namespace crmkit::clv {

namespace {

using detail::WeightedPatterns;

using detail::check_horizon;
using detail::check_n;
using detail::check_out;
using detail::num;

void check_params(const char* function, const MbgNbdParams& p) { detail::check_positive_params(function, p); }

template <class F>
auto guarded(const MbgNbdParams& p, const char* what, F&& f) {
  return detail::guarded("mbg_nbd", p, what, std::forward<F>(f));
}

// ---- the likelihood kernel over compressed patterns -------------------------------------------------
//
// Batislam, Denizel & Filiztekin (2007):
//   L = B(a, b+x+1)/B(a, b) Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
//     + B(a+1, b+x)/B(a, b) Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))
// for every x (the second term is the customer who dropped out right after her last purchase, also the
// first one). With B(a+1, b+x) / B(a, b+x+1) = a / (b+x):
//   log L = c(x) + log(exp(A3) + exp(A4)),
//   c(x) = lgamma(r+x) - lgamma(r) + r log alpha + lbeta(a, b+x+1) - lbeta(a, b),
//   A3 = -(r+x) log(alpha+T),  A4 = log a - log(b+x) - (r+x) log(alpha+t_x).
double loglik_patterns(const MbgNbdParams& p, const WeightedPatterns& d, double* grad) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const double log_alpha = std::log(alpha), log_a = std::log(a);
  const double lbeta_ab = math::lbeta(a, b), lgamma_r = math::lgamma(r);
  const bool want = grad != nullptr;
  const double psi_r = want ? math::digamma(r) : 0.0;
  const double psi_b = want ? math::digamma(b) : 0.0;
  const double psi_ab = want ? math::digamma(a + b) : 0.0;
  double ll = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
  const std::size_t groups = d.group_x.size();
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const double x = d.group_x[gi], W = d.group_w[gi];
    const double rx = r + x;
    ll += W * (math::lgamma(rx) - lgamma_r + r * log_alpha + math::lbeta(a, b + x + 1.0) - lbeta_ab);
    if (want) {
      const double psi_abx = math::digamma(a + b + x + 1.0);
      g_r += W * (math::digamma(rx) - psi_r + log_alpha);
      g_alpha += W * r / alpha;
      g_a += W * (psi_ab - psi_abx);
      g_b += W * (math::digamma(b + x + 1.0) - psi_b + psi_ab - psi_abx);
    }
    const double k4 = log_a - std::log(b + x);
    double s_lse = 0, s_u = 0, s_i = 0, s_p4 = 0;
    for (std::uint32_t k = d.group_begin[gi]; k < d.group_begin[gi + 1]; ++k) {
      const double u = std::log(alpha + d.T[k]), v = std::log(alpha + d.t_x[k]);
      const double A3 = -rx * u, A4 = k4 - rx * v;
      const double diff = A4 - A3;
      const double e = std::exp(-std::fabs(diff));
      const double inv = 1.0 / (1.0 + e);
      const double lse = (diff > 0 ? A4 : A3) + std::log1p(e);
      const double p4 = diff > 0 ? inv : e * inv, p3 = 1.0 - p4;
      const double w = d.w[k];
      s_lse += w * lse;
      if (want) {
        s_u += w * (p3 * u + p4 * v);
        s_i += w * (p3 / (alpha + d.T[k]) + p4 / (alpha + d.t_x[k]));
        s_p4 += w * p4;
      }
    }
    ll += s_lse;
    if (want) {
      g_r -= s_u;
      g_alpha -= rx * s_i;
      g_a += s_p4 / a;
      g_b -= s_p4 / (b + x);
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

// ---- E[Y(t) | alive] --------------------------------------------------------------------------------
//
// A customer alive at T after x repeat purchases has survived x + 1 dropout opportunities (the first
// purchase's and one per repeat purchase), so p | alive ~ Beta(a, b+x+1) and lambda | data ~ Gamma(r+x,
// alpha+T); future purchases follow the BG/NBD process, so
//   E[Y(t) | alive] = (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; z)],
//   z = t / (alpha+T+t)
// (the bracket of lifetimes' ModifiedBetaGeoFitter). That is BG/NBD's E[Y(t) | alive] (FHL 2005 eq. 10
// over its D) with b + 1 in place of b: the same posterior of (lambda, p). So it is computed by BG/NBD's
// code, which chooses among Euler's series, the plain series and the Beta-mixture integral and guards
// each against overflow and cancellation (src/clv/bg_nbd.cpp), read off at t_x = T, where BG/NBD's
// P(alive) = 1 / (1 + a / (b + x)) (x > 0; 1 for x = 0) is divided back out. (A series of its own here had
// no such guards: with r far above a + b its alternating terms cancelled every digit.)
double expected_if_alive(const MbgNbdParams& p, double t, double x, double T) {
  if (t == 0.0) return 0.0;
  const BgNbdParams q{p.r, p.alpha, p.a, p.b + 1.0};
  return clv::conditional_expected_purchases(q, t, x, T, T) / clv::p_alive(q, x, T, T);
}

double p_alive_one(const MbgNbdParams& p, double x, double t_x, double T) {
  const double lodds = std::log(p.a) - std::log(p.b + x) + (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x));
  return std::exp(-math::log1p_exp(lodds));
}

// P(X(t) = n): with probability p the customer drops out at time 0 (n = 0); otherwise a BG/NBD process
// with the dropout probability weighted by (1 - p), i.e. Beta(a, b+1):
//   P(n) = [n = 0] a/(a+b) + b/(a+b) P_BG/NBD(n | r, alpha, a, b+1),
//   P_BG/NBD(n) = B(a, b'+n)/B(a, b') NB(n; r, alpha/(alpha+t)) + [n > 0] B(a+1, b'+n-1)/B(a, b') I_{t/(alpha+t)}(n, r)
// (Fader, Hardie & Lee 2005, eq. 8, with b' = b + 1).
using math::log_rising;  // log Gamma(s + x) - log Gamma(s), exact for large s

double prob_n_one(const MbgNbdParams& p, double t, double n) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b, b1 = b + 1.0;
  // b / (a + b) and a / (a + b) as 1 / (1 + a / b) and 1 / (1 + b / a): no overflow of a + b
  const double lw = -std::log1p(a / b);
  double lbg;
  if (t == 0.0) {
    lbg = n == 0.0 ? 0.0 : -std::numeric_limits<double>::infinity();
  } else {
    const double lq = std::log(t / (alpha + t)), lp = -std::log1p(t / alpha);
    // B(a, b1 + n) / B(a, b1) = (b1)_n / (a + b1)_n; B(a + 1, b1 + n - 1) / B(a, b1) = a (b1)_{n-1} / (a + b1)_n
    const double lab_n = log_rising(a + b1, n);
    const double term1 = log_rising(b1, n) - lab_n + log_rising(r, n) - math::lgamma(n + 1.0) + r * lp +
                         (n == 0.0 ? 0.0 : n * lq);
    if (n == 0.0) {
      lbg = term1;
    } else {
      const double q = t / (alpha + t), qc = alpha / (alpha + t);
      const double term2 = std::log(a) + log_rising(b1, n - 1.0) - lab_n + math::log_ibeta(n, r, q, qc);
      lbg = math::log_sum_exp(term1, term2);
    }
  }
  if (n == 0.0) return std::min(1.0, std::exp(math::log_sum_exp(-std::log1p(b / a), lw + lbg)));
  return std::min(1.0, std::exp(lw + lbg));
}

}  // namespace

MbgNbdParams MbgNbdParams::from_values(std::span<const double> v) {
  if (v.size() != 4)
    throw InvalidArgument("MbgNbdParams::from_values", "v", "size " + std::to_string(v.size()), "must be 4");
  return MbgNbdParams{v[0], v[1], v[2], v[3]};
}

core::FitResult<MbgNbdParams> MbgNbd::fit(std::span<const double> frequency, std::span<const double> recency,
                                          std::span<const double> T, std::span<const double> weights,
                                          const core::FitOptions& options) {
  constexpr const char* fn = "MbgNbd::fit";
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);
  // Data-driven start as for BG/NBD: r = 1, alpha from the mean purchase rate; a = 1, b = 3.
  const auto [mean_T, rate] = detail::data_scale(d, std::numeric_limits<double>::min());
  const std::array<double, 4> start{1.0, 1.0 / rate, 1.0, 3.0};
  const std::vector<std::array<double, 4>> offsets{
      {-1.5, -1.5, 0.0, 0.0}, {1.0, 1.0, -1.0, 0.5}, {0.0, 0.0, 1.5, 1.5}, {-3.0, -3.0, -1.5, -1.0},
      {2.0, 2.0, 2.0, 3.0},   {-1.0, 0.0, -2.0, -1.0}, {0.5, -1.0, 3.0, 0.0}};
  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    return loglik_patterns(MbgNbdParams{th[0], th[1], th[2], th[3]}, d, g ? g->data() : nullptr);
  };
  return detail::fit_log_params<MbgNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, options);
}

double MbgNbd::log_likelihood(const Params& params, std::span<const double> frequency,
                              std::span<const double> recency, std::span<const double> T,
                              std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "MbgNbd::log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);
  return guarded(params, fn, [&] { return loglik_patterns(params, d, gradient.empty() ? nullptr : gradient.data()); });
}

void log_likelihood(const MbgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
                    std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "mbg_nbd log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    const double lbab = math::lbeta(params.a, params.b), lgr = math::lgamma(params.r);
    for (std::size_t i = 0; i < frequency.size(); ++i) {
      const double x = frequency[i], rx = params.r + x;
      const double c = math::lgamma(rx) - lgr + params.r * std::log(params.alpha) +
                       math::lbeta(params.a, params.b + x + 1.0) - lbab;
      const double A3 = -rx * std::log(params.alpha + T[i]);
      const double A4 = std::log(params.a) - std::log(params.b + x) - rx * std::log(params.alpha + recency[i]);
      out[i] = c + math::log_sum_exp(A3, A4);
    }
    return 0;
  });
}

void p_alive(const MbgNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "mbg_nbd p_alive";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  for (std::size_t i = 0; i < frequency.size(); ++i)
    out[i] = detail::per_customer("mbg_nbd", params, fn, i, [&] { return p_alive_one(params, frequency[i], recency[i], T[i]); });
}

void conditional_expected_purchases(const MbgNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out) {
  constexpr const char* fn = "mbg_nbd conditional_expected_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  for (std::size_t i = 0; i < frequency.size(); ++i)
    out[i] = detail::per_customer("mbg_nbd", params, fn, i, [&] {
      return expected_if_alive(params, t, frequency[i], T[i]) * p_alive_one(params, frequency[i], recency[i], T[i]);
    });
}

void expected_purchases(const MbgNbdParams& params, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "mbg_nbd expected_purchases";
  check_params(fn, params);
  check_out(fn, t.size(), out);
  for (std::size_t i = 0; i < t.size(); ++i) {
    check_horizon(fn, ("t[" + std::to_string(i) + "]").c_str(), t[i]);
    // A new customer is alive after her first purchase with probability b / (a + b).
    out[i] = detail::per_customer("mbg_nbd", params, fn, i, [&] {
      return expected_if_alive(params, t[i], 0.0, 0.0) / (1.0 + params.a / params.b);
    });
  }
}

void probability_of_n_purchases(const MbgNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out) {
  constexpr const char* fn = "mbg_nbd probability_of_n_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  check_n(fn, n);
  check_out(fn, n.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < n.size(); ++i)
      out[i] = detail::per_customer("mbg_nbd", params, fn, i, [&] { return prob_n_one(params, t, n[i]); });
    return 0;
  });
}

double p_alive(const MbgNbdParams& params, double x, double t_x, double T) {
  double out = 0;
  p_alive(params, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double conditional_expected_purchases(const MbgNbdParams& params, double t, double x, double t_x, double T) {
  double out = 0;
  conditional_expected_purchases(params, t, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double expected_purchases(const MbgNbdParams& params, double t) {
  double out = 0;
  expected_purchases(params, {&t, 1}, {&out, 1});
  return out;
}
double probability_of_n_purchases(const MbgNbdParams& params, double t, double n) {
  double out = 0;
  probability_of_n_purchases(params, t, {&n, 1}, {&out, 1});
  return out;
}

void to_json(nlohmann::json& j, const MbgNbdParams& p) {
  j = nlohmann::json{{"model", MbgNbd::name}, {"r", p.r}, {"alpha", p.alpha}, {"a", p.a}, {"b", p.b}};
}

void from_json(const nlohmann::json& j, MbgNbdParams& p) {
  p = detail::params_from_json<MbgNbdParams>(j, "MbgNbdParams from_json", MbgNbd::name);
}

}  // namespace crmkit::clv
