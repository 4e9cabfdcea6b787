#include "crmkit/clv/pareto_nbd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <nlohmann/json.hpp>

#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/math/log_space.hpp"
#include "crmkit/math/special.hpp"
#include "fit_common.hpp"
#include "params_common.hpp"

namespace crmkit::clv {

namespace {

using detail::WeightedPatterns;
constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::check_horizon;
using detail::check_n;
using detail::check_out;
using detail::num;

void check_params(const char* function, const ParetoNbdParams& p) { detail::check_positive_params(function, p); }

template <class F>
auto guarded(const ParetoNbdParams& p, const char* what, F&& f) {
  return detail::guarded("pareto_nbd", p, what, std::forward<F>(f));
}

// ---- the tail integral I(y0) ------------------------------------------------------------------------
//
// The likelihood (Fader & Hardie 2005 note, section 3) is
//   L = Gamma(r+x) alpha^r beta^s / Gamma(r) * [ (alpha+T)^-(r+x) (beta+T)^-s + s (I(t_x) - I(T)) ],
//   I(y0) = int_{y0}^inf (alpha+y)^-(r+x) (beta+y)^-(s+1) dy.
// Name the larger of alpha, beta P (with its exponent p) and the smaller Q (exponent q): alpha >= beta
// gives (P, p, Q, q) = (alpha, r+x, beta, s+1), alpha < beta gives (beta, s+1, alpha, r+x) — the note's
// case split. Substituting u = 1/(P+y) gives I = (P+y0)^-(p+q-1) 2F1(p+q-1, q; p+q; z) / (p+q-1) with
// z = (P-Q)/(P+y0) in [0, 1), and Euler's transformation 2F1(a, b; c; z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z)
// (1 - z = (Q+y0)/(P+y0)) turns it into
//   I(y0) = (P+y0)^-p (Q+y0)^(1-q) G(z) / (p+q-1),   G(z) = 2F1(1, p; p+q; z) = sum_k c_k z^k,
//   c_0 = 1, c_{k+1} = c_k (p+k)/(p+q+k).
// Every term is positive and at most z^k (the ratio (p+k)/(p+q+k) z < z), so the series cannot overflow
// (however large x is), sums without cancellation, and its remainder after term k is below
// term_k z/(1-z): the loop stops when that bound is under 1e-17 of the sum. The derivatives of G with
// respect to p, q and z come from the same pass: dc_k/dp = c_k sum_{j<k} (1/(p+j) - 1/(p+q+j)),
// dc_k/dq = -c_k sum_{j<k} 1/(p+q+j).
struct LogTail {
  double value = 0;                        // log I(y0)
  double d_p = 0, d_q = 0, d_P = 0, d_Q = 0;  // partial derivatives of log I
};

constexpr long kMaxTerms = 1'000'000;
// Above this z the series needs more than ~400 terms: quadrature instead (log_tail_quadrature).
constexpr double kSeriesMaxZ = 0.9;

// For z near 1 (the smaller rate far below the larger: Q + y0 << P + y0) the series converges slowly.
// Substituting u - y0 = (Q+y0)(e^w - 1):
//   I(y0) = (P+y0)^-p (Q+y0)^(1-q) K,  K = int_0^inf e^((1-q) w) (1 + eps (e^w - 1))^-p dw,  eps = 1 - z,
// an integrand that decays like e^-(p+q-1) w, integrated by exp-sinh quadrature with its derivatives in
// p (-log(1 + eps(e^w-1)) factor), q (-w) and eps (-p (e^w-1)/(1 + eps(e^w-1))).
LogTail log_tail_quadrature(double P, double p, double Q, double q, double y0, bool want) {
  const double Py = P + y0, Qy = Q + y0;
  const double eps = Qy / Py;
  thread_local boost::math::quadrature::exp_sinh<double> integrator;
  auto integrate = [&](auto&& f) {
    double err = 0, l1 = 0;
    const double v = integrator.integrate(f, 0.0, kInf, 1e-13, &err, &l1);
    if (!std::isfinite(v) || err > 1e-9 * l1)
      throw NumericError("pareto_nbd", "the tail quadrature did not converge (z = " + num(1.0 - eps) + ", p = " +
                                           num(p) + ", q = " + num(q) + ")");
    return v;
  };
  const double log_eps = std::log(eps);
  // log(1 + eps (e^w - 1)), without overflow for large w.
  auto lg = [&](double w) { return w > 600.0 ? log_eps + w + std::log1p((1.0 - eps) * std::exp(-w) / eps) : std::log1p(eps * std::expm1(w)); };
  auto base = [&](double w) { return (1.0 - q) * w - p * lg(w); };
  auto fw = [&](double w) { return std::isinf(w) ? 0.0 : std::exp(base(w)); };
  const double K = integrate([&](double w) { return fw(w); });
  LogTail t;
  const double lPy = std::log(Py), lQy = std::log(Qy);
  t.value = -p * lPy + (1.0 - q) * lQy + std::log(K);
  if (want) {
    const double Kp = -integrate([&](double w) { return std::isinf(w) ? 0.0 : lg(w) * fw(w); });
    const double Kq = -integrate([&](double w) { return std::isinf(w) ? 0.0 : w * fw(w); });
    const double Ke = -p * integrate([&](double w) {
      if (std::isinf(w)) return 0.0;
      // (e^w - 1) / (1 + eps (e^w - 1)) = (1 - e^-w) / (eps + (1 - eps) e^-w)
      const double em = std::exp(-w);
      return (1.0 - em) / (eps + (1.0 - eps) * em) * fw(w);
    });
    t.d_p = -lPy + Kp / K;
    t.d_q = -lQy + Kq / K;
    t.d_P = -p / Py - (Ke / K) * eps / Py;
    t.d_Q = (1.0 - q) / Qy + (Ke / K) / Py;
  }
  return t;
}

// The series coefficients depend on (p, q) only, which all patterns of one frequency share: c_m,
// c_m A_m and c_m B_m (A_m = sum_{j<m} 1/(p+j) - 1/(p+q+j), B_m = -sum_{j<m} 1/(p+q+j)) are computed once
// per (p, q) and extended on demand, so each pattern's series costs multiply-adds only.
struct SeriesCoeffs {
  double p = std::numeric_limits<double>::quiet_NaN(), q = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> c{1.0}, ca{0.0}, cb{0.0};
  double A = 0, B = 0;
  void reset(double p_, double q_) {
    p = p_;
    q = q_;
    c.assign(1, 1.0);
    ca.assign(1, 0.0);
    cb.assign(1, 0.0);
    A = B = 0;
  }
  void extend() {  // appends index m = size()
    const double kk = static_cast<double>(c.size() - 1);
    const double pk = p + kk, ck = p + q + kk;
    const double a = A + (1.0 / pk - 1.0 / ck), b = B - 1.0 / ck;
    const double next = c.back() * pk / ck;
    // A and B only advance once all three entries are in, so a push_back that throws (bad_alloc) leaves
    // either the old state or unequal sizes, which consistent() reports (the shared cache then resets).
    c.push_back(next);
    ca.push_back(next * a);
    cb.push_back(next * b);
    A = a;
    B = b;
  }
  bool consistent() const noexcept { return ca.size() == c.size() && cb.size() == c.size(); }
};

LogTail log_tail(double P, double p, double Q, double q, double y0, bool want, SeriesCoeffs* co = nullptr) {
  const double Py = P + y0, Qy = Q + y0;
  const double z = (P - Q) / Py;
  if (z > kSeriesMaxZ) return log_tail_quadrature(P, p, Q, q, y0, want);
  const double c = p + q;
  double S = 1.0, Sp = 0.0, Sq = 0.0, Sz = 0.0;
  if (z > 0.0) {
    // A caller without a cache (the per-customer predictions) shares a thread's own: no allocations per
    // call, and customers with equal x reuse the coefficients (the same values: c_k depend on p, q only).
    thread_local SeriesCoeffs shared;
    SeriesCoeffs& cf = co ? *co : shared;
    if (!(cf.p == p && cf.q == q) || !cf.consistent()) cf.reset(p, q);
    const double one_minus_z = Qy / Py;
    const double tol = 1e-17 * one_minus_z * (want ? one_minus_z : 1.0);
    long m = 1;
    double zm = 1.0;
    for (; m < kMaxTerms; ++m) {
      if (static_cast<std::size_t>(m) >= cf.c.size()) cf.extend();
      zm *= z;
      const double term = cf.c[static_cast<std::size_t>(m)] * zm;
      S += term;
      if (want) {
        Sp += cf.ca[static_cast<std::size_t>(m)] * zm;
        Sq += cf.cb[static_cast<std::size_t>(m)] * zm;
        Sz += term * static_cast<double>(m);
      }
      if (term * (want ? static_cast<double>(m) + 1.0 : 1.0) <= tol * S) break;
    }
    if (m >= kMaxTerms)
      throw NumericError("pareto_nbd", "the 2F1 series did not converge (z = " + num(z) + ", p = " + num(p) +
                                           ", q = " + num(q) + ")");
  }
  LogTail t;
  const double lPy = std::log(Py), lQy = std::log(Qy);
  t.value = -p * lPy + (1.0 - q) * lQy + std::log(S) - std::log(c - 1.0);
  if (want) {
    const double gz = (z > 0.0 ? Sz / z : p / c) / S;  // G'(z) / G(z)
    t.d_p = -lPy + Sp / S - 1.0 / (c - 1.0);
    t.d_q = -lQy + Sq / S - 1.0 / (c - 1.0);
    t.d_P = -p / Py + gz * Qy / (Py * Py);
    t.d_Q = (1.0 - q) / Qy - gz / Py;
  }
  return t;
}

// log I(y0) for (r, alpha, s, beta, x), with the gradient in (r, alpha, s, beta) when g != nullptr.
double log_tail_params(const ParetoNbdParams& p, double x, double y0, double* g, SeriesCoeffs* co = nullptr) {
  if (p.alpha >= p.beta) {
    const LogTail t = log_tail(p.alpha, p.r + x, p.beta, p.s + 1.0, y0, g != nullptr, co);
    if (g) {
      g[0] = t.d_p;
      g[1] = t.d_P;
      g[2] = t.d_q;
      g[3] = t.d_Q;
    }
    return t.value;
  }
  const LogTail t = log_tail(p.beta, p.s + 1.0, p.alpha, p.r + x, y0, g != nullptr, co);
  if (g) {
    g[0] = t.d_q;
    g[1] = t.d_Q;
    g[2] = t.d_p;
    g[3] = t.d_P;
  }
  return t.value;
}

// The two log terms of the bracket: B1 = log[(alpha+T)^-(r+x) (beta+T)^-s] (alive at T) and
// B2 = log[s (I(t_x) - I(T))] (dead in (t_x, T]); -inf when t_x == T. With gradients when g1/g2 given.
struct Bracket {
  double b1 = 0, b2 = -kInf;
};

Bracket bracket(const ParetoNbdParams& p, double x, double t_x, double T, double* g1, double* g2) {
  Bracket b;
  const double la = std::log(p.alpha + T), lb = std::log(p.beta + T);
  b.b1 = -(p.r + x) * la - p.s * lb;
  if (g1) {
    g1[0] = -la;
    g1[1] = -(p.r + x) / (p.alpha + T);
    g1[2] = -lb;
    g1[3] = -p.s / (p.beta + T);
  }
  if (g2) std::fill(g2, g2 + 4, 0.0);
  if (t_x < T) {
    double gx[4], gT[4];
    const double l1 = log_tail_params(p, x, t_x, g2 ? gx : nullptr);
    const double l2 = log_tail_params(p, x, T, g2 ? gT : nullptr);
    if (l1 > l2) {  // (equal only when I(t_x) - I(T) is below rounding: the term then vanishes)
      b.b2 = std::log(p.s) + math::log_diff_exp(l1, l2);
      if (g2) {
        const double w1 = -1.0 / std::expm1(l2 - l1);  // I(t_x) / (I(t_x) - I(T))
        for (int k = 0; k < 4; ++k) g2[k] = w1 * gx[k] - (w1 - 1.0) * gT[k];
        g2[2] += 1.0 / p.s;
      }
    }
  }
  return b;
}

// ---- the likelihood kernel over compressed patterns -------------------------------------------------
// log I(T) (and its gradient) depends on (x, T) only: computed once per distinct T within a frequency
// group (stamped with the group), shared by the patterns that differ in t_x.
struct TailCache {
  std::vector<double> value, grad;
  std::vector<double> log_aT, log_bT;  // log(alpha + T), log(beta + T) per distinct T
  std::vector<std::uint32_t> stamp;
  SeriesCoeffs coeffs;
};

double loglik_patterns(const ParetoNbdParams& p, const WeightedPatterns& d, double* grad, TailCache& cache) {
  const double log_alpha = std::log(p.alpha), log_beta = std::log(p.beta);
  const double lgamma_r = math::lgamma(p.r);
  const bool want = grad != nullptr;
  const double psi_r = want ? math::digamma(p.r) : 0.0;
  double ll = 0, g[4] = {0, 0, 0, 0};
  const std::size_t groups = d.group_x.size();
  const std::size_t nT = d.unique_T.size();
  cache.value.resize(nT);
  cache.grad.resize(4 * nT);
  cache.stamp.assign(nT, UINT32_MAX);
  // B1's logs depend on T only: once per distinct T, not per pattern (same values, fewer libm calls).
  cache.log_aT.resize(nT);
  cache.log_bT.resize(nT);
  for (std::size_t ti = 0; ti < nT; ++ti) {
    cache.log_aT[ti] = std::log(p.alpha + d.unique_T[ti]);
    cache.log_bT[ti] = std::log(p.beta + d.unique_T[ti]);
  }
  const double log_s = std::log(p.s);
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const double x = d.group_x[gi], W = d.group_w[gi];
    ll += W * (math::lgamma(p.r + x) - lgamma_r + p.r * log_alpha + p.s * log_beta);
    if (want) {
      g[0] += W * (math::digamma(p.r + x) - psi_r + log_alpha);
      g[1] += W * p.r / p.alpha;
      g[2] += W * log_beta;
      g[3] += W * p.s / p.beta;
    }
    // I(t_x) is shared by consecutive patterns of equal t_x (patterns are sorted by x, t_x, T).
    double last_tx = std::numeric_limits<double>::quiet_NaN(), l1 = 0, g1x[4] = {0, 0, 0, 0};
    for (std::uint32_t k = d.group_begin[gi]; k < d.group_begin[gi + 1]; ++k) {
      const double t_x = d.t_x[k], T = d.T[k], w = d.w[k];
      const std::uint32_t ti = d.T_index[k];
      const double la = cache.log_aT[ti], lb = cache.log_bT[ti];
      const double B1 = -(p.r + x) * la - p.s * lb;
      double B2 = -kInf, g2[4] = {0, 0, 0, 0};
      if (t_x < T) {
        if (!(t_x == last_tx)) {
          l1 = log_tail_params(p, x, t_x, want ? g1x : nullptr, &cache.coeffs);
          last_tx = t_x;
        }
        double* gT = &cache.grad[4 * ti];
        if (cache.stamp[ti] != gi) {
          cache.value[ti] = log_tail_params(p, x, T, want ? gT : nullptr, &cache.coeffs);
          cache.stamp[ti] = static_cast<std::uint32_t>(gi);
        }
        const double l2 = cache.value[ti];
        if (l1 > l2) {
          B2 = log_s + math::log_diff_exp(l1, l2);
          if (want) {
            const double w1 = -1.0 / std::expm1(l2 - l1);
            for (int j = 0; j < 4; ++j) g2[j] = w1 * g1x[j] - (w1 - 1.0) * gT[j];
            g2[2] += 1.0 / p.s;
          }
        }
      }
      const double lse = math::log_sum_exp(B1, B2);
      ll += w * lse;
      if (want) {
        const double pi1 = std::exp(B1 - lse), pi2 = B2 == -kInf ? 0.0 : std::exp(B2 - lse);
        g[0] += w * (pi1 * -la + pi2 * g2[0]);
        g[1] += w * (pi1 * -(p.r + x) / (p.alpha + T) + pi2 * g2[1]);
        g[2] += w * (pi1 * -lb + pi2 * g2[2]);
        g[3] += w * (pi1 * -p.s / (p.beta + T) + pi2 * g2[3]);
      }
    }
  }
  if (want)
    for (int j = 0; j < 4; ++j) grad[j] = g[j];
  return ll;
}

double loglik_one(const ParetoNbdParams& p, double x, double t_x, double T) {
  const Bracket b = bracket(p, x, t_x, T, nullptr, nullptr);
  return math::lgamma(p.r + x) - math::lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta) +
         math::log_sum_exp(b.b1, b.b2);
}

double p_alive_one(const ParetoNbdParams& p, double x, double t_x, double T) {
  const Bracket b = bracket(p, x, t_x, T, nullptr, nullptr);
  if (b.b2 == -kInf) return 1.0;
  return std::exp(b.b1 - math::log_sum_exp(b.b1, b.b2));
}

// expm1(y) / y, 1 at y = 0.
double exprel(double y) { return y == 0.0 ? 1.0 : std::expm1(y) / y; }

// (1 - (1 + u)^-(s-1)) / (s - 1), its limit log(1 + u) at s = 1 (no singularity).
double h_of(double s, double u) {
  const double L = std::log1p(u);
  return L * exprel(-(s - 1.0) * L);
}

// Note, section 6: E = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).
double cond_expected_one(const ParetoNbdParams& p, double t, double x, double t_x, double T) {
  if (t == 0.0) return 0.0;
  return (p.r + x) / (p.alpha + T) * (p.beta + T) * h_of(p.s, t / (p.beta + T)) * p_alive_one(p, x, t_x, T);
}

// Note, section 4: E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
double expected_one(const ParetoNbdParams& p, double t) {
  if (t == 0.0) return 0.0;
  return p.r / p.alpha * p.beta * h_of(p.s, t / p.beta);
}

// P(X(t) = n): alive at t with n purchases, or died at tau < t after n purchases in (0, tau]:
//   P = NB(n; r, alpha/(alpha+t)) (beta/(beta+t))^s
//     + Gamma(r+n) alpha^r beta^s s / (Gamma(r) n!) * J,  J = int_0^t tau^n (alpha+tau)^-(r+n) (beta+tau)^-(s+1) dtau.
// For n = 0, J = I(0) - I(t) (the series above). For n >= 1, J by adaptive Gauss-Kronrod (G15/K31) on
// tau = t v, v in [0, 1], with the integrand scaled by its largest value on a grid (no overflow).
double prob_n_one(const ParetoNbdParams& p, double t, double n) {
  if (t == 0.0) return n == 0.0 ? 1.0 : 0.0;
  const double r = p.r, alpha = p.alpha, s = p.s, beta = p.beta;
  const double lc = math::lgamma(r + n) - math::lgamma(r) - math::lgamma(n + 1.0);
  const double term1 = lc - r * std::log1p(t / alpha) + (n == 0.0 ? 0.0 : n * std::log(t / (alpha + t))) -
                       s * std::log1p(t / beta);
  double logJ;
  if (n == 0.0) {
    const double l0 = log_tail_params(p, 0.0, 0.0, nullptr), lt = log_tail_params(p, 0.0, t, nullptr);
    logJ = l0 > lt ? math::log_diff_exp(l0, lt) : -kInf;
  } else {
    auto f = [&](double v) {
      const double tau = t * v;
      return n * std::log(tau) - (r + n) * std::log(alpha + tau) - (s + 1.0) * std::log(beta + tau);
    };
    // f is unimodal in v (its derivative n/v - (r+n)t/(alpha+tv) - (s+1)t/(beta+tv) changes sign once:
    // times v(alpha+tv)(beta+tv) it is a quadratic with positive value at 0 and negative leading term):
    // locate the peak by ternary search, scale by it, and integrate each monotone side.
    double lo = 0.0, hi = 1.0;
    for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
      const double a = lo + (hi - lo) / 3.0, b = hi - (hi - lo) / 3.0;
      if (f(a) < f(b)) lo = a; else hi = b;
    }
    const double peak = 0.5 * (lo + hi);
    const double m = f(peak);
    auto g = [&](double v) { return v <= 0.0 ? 0.0 : std::exp(f(v) - m); };
    double err = 0;
    using GK = boost::math::quadrature::gauss_kronrod<double, 31>;
    const double val = GK::integrate(g, 0.0, peak, 8, 1e-11, &err) + GK::integrate(g, peak, 1.0, 8, 1e-11, &err);
    logJ = (val > 0.0 ? std::log(val) : -kInf) + m + std::log(t);
  }
  const double term2 = lc + r * std::log(alpha) + s * std::log(beta) + std::log(s) + logJ;
  return std::exp(math::log_sum_exp(term1, term2));
}

// DERT (Fader, Hardie & Lee 2005, JMR): with continuous discounting at rate delta,
//   DERT = alpha^r beta^s delta^(s-1) Gamma(r+x+1) U(s, s; delta (beta+T)) / (Gamma(r) (alpha+T)^(r+x+1) L)
//        = P(alive) (r+x)/(alpha+T) (beta+T)^s delta^(s-1) U(s, s; z),   z = delta (beta+T),
// with U Tricomi's confluent hypergeometric function. Kummer's transformation U(s, s; z) =
// z^(1-s) U(1, 2-s; z) and U's integral representation give (beta+T)^s delta^(s-1) U(s, s; z) =
// (1/delta) K, K = int_0^inf e^-u (1 + u/z)^-s du in (0, 1] (E[1/(delta + mu)] for mu ~ Gamma(s, beta+T)),
// integrated by exp-sinh quadrature (Boost 1.74 has no U).
double dert_one(const ParetoNbdParams& p, double delta, double x, double t_x, double T) {
  const double z = delta * (p.beta + T);
  auto f = [&](double u) { return std::exp(-u - p.s * std::log1p(u / z)); };
  thread_local boost::math::quadrature::exp_sinh<double> integrator;
  double err = 0, l1 = 0;
  const double K = integrator.integrate(f, 0.0, kInf, 1e-12, &err, &l1);
  if (!(K > 0.0) || !std::isfinite(K) || err > 1e-8 * K)
    throw NumericError("pareto_nbd", "dert: the quadrature did not converge (delta = " + num(delta) +
                                         ", T = " + num(T) + ")");
  return p_alive_one(p, x, t_x, T) * (p.r + x) / (p.alpha + T) * K / delta;
}

}  // namespace

ParetoNbdParams ParetoNbdParams::from_values(std::span<const double> v) {
  if (v.size() != 4)
    throw InvalidArgument("ParetoNbdParams::from_values", "v", "size " + std::to_string(v.size()), "must be 4");
  return ParetoNbdParams{v[0], v[1], v[2], v[3]};
}

core::FitResult<ParetoNbdParams> ParetoNbd::fit(std::span<const double> frequency, std::span<const double> recency,
                                                std::span<const double> T, std::span<const double> weights,
                                                const core::FitOptions& options) {
  constexpr const char* fn = "ParetoNbd::fit";
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);

  // Data-driven start: r = s = 1; alpha so that r / alpha matches the mean purchase rate, beta so that
  // the mean lifetime beta / s is the mean age (both scale with the time unit).
  const auto [mean_T, rate] = detail::data_scale(d, 1e-3);
  const std::array<double, 4> start{1.0, 1.0 / rate, 1.0, mean_T};
  const std::vector<std::array<double, 4>> offsets{
      {-1.0, -1.0, -1.0, -1.0}, {1.0, 1.0, 1.0, 1.0}, {-2.0, -2.0, 0.0, 0.0}, {0.0, 0.0, -2.0, -2.0},
      {2.0, 2.0, 2.0, 2.0},     {-1.0, 0.5, 1.0, 2.0}, {1.0, -0.5, -1.0, 1.0}};

  TailCache cache;
  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    const ParetoNbdParams p{th[0], th[1], th[2], th[3]};
    return loglik_patterns(p, d, g ? g->data() : nullptr, cache);
  };

  // Warm start on large data: every pass costs two series per pattern, and from the data-driven start
  // the driver needs ~110 passes (full CDNOW: 92 L-BFGS iterations). A fit on every k-th customer
  // (about kWarmCustomers of them) lands within sampling error of the optimum, from where the full fit
  // needs ~40 passes. It is only a start: it goes first in the driver's list (one extra start, so the
  // caller's restarts are all kept), and the driver's acceptance rule (converged, positive definite
  // Hessian) and fallbacks are unchanged; the optimum agrees with the data-driven path to the driver's
  // tolerance (tests/cpp/clv/pareto_nbd_test.cpp WarmStartOnLargeDataGivesTheSameFit). Not used when the
  // caller gives initial_params or the data have few patterns (the subsample would not be cheaper).
  constexpr std::size_t kWarmMinPatterns = 4000, kWarmCustomers = 2500;
  if (!options.initial_params && d.size() >= kWarmMinPatterns && frequency.size() >= 4 * kWarmCustomers) {
    const std::size_t stride = frequency.size() / kWarmCustomers;
    std::vector<double> sx_, stx, sT_, sw;
    for (std::size_t i = 0; i < frequency.size(); i += stride) {
      sx_.push_back(frequency[i]);
      stx.push_back(recency[i]);
      sT_.push_back(T[i]);
      if (!weights.empty()) sw.push_back(weights[i]);
    }
    std::optional<core::FitResult<ParetoNbdParams>> warm;
    try {
      warm = fit(sx_, stx, sT_, sw, options);
    } catch (const Error&) {  // e.g. a subsample without positive weight: fall back to the data-driven start
    }
    if (warm && warm->converged()) {
      core::FitOptions o = options;
      o.initial_params = std::vector<double>{warm->params.r, warm->params.alpha, warm->params.s, warm->params.beta};
      o.restarts = options.restarts < std::numeric_limits<int>::max() ? options.restarts + 1 : options.restarts;
      return detail::fit_log_params<ParetoNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, o);
    }
  }
  return detail::fit_log_params<ParetoNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, options);
}

double ParetoNbd::log_likelihood(const Params& params, std::span<const double> frequency,
                                 std::span<const double> recency, std::span<const double> T,
                                 std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "ParetoNbd::log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);
  TailCache cache;
  return guarded(params, fn, [&] { return loglik_patterns(params, d, gradient.empty() ? nullptr : gradient.data(), cache); });
}

void log_likelihood(const ParetoNbdParams& params, std::span<const double> frequency,
                    std::span<const double> recency, std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "pareto_nbd log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < frequency.size(); ++i) out[i] = loglik_one(params, frequency[i], recency[i], T[i]);
    return 0;
  });
}

void p_alive(const ParetoNbdParams& params, std::span<const double> frequency, std::span<const double> recency,
             std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "pareto_nbd p_alive";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < frequency.size(); ++i) out[i] = p_alive_one(params, frequency[i], recency[i], T[i]);
    return 0;
  });
}

void conditional_expected_purchases(const ParetoNbdParams& params, double t, std::span<const double> frequency,
                                    std::span<const double> recency, std::span<const double> T,
                                    std::span<double> out) {
  constexpr const char* fn = "pareto_nbd conditional_expected_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < frequency.size(); ++i)
      out[i] = cond_expected_one(params, t, frequency[i], recency[i], T[i]);
    return 0;
  });
}

void expected_purchases(const ParetoNbdParams& params, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "pareto_nbd expected_purchases";
  check_params(fn, params);
  check_out(fn, t.size(), out);
  for (std::size_t i = 0; i < t.size(); ++i) {
    check_horizon(fn, ("t[" + std::to_string(i) + "]").c_str(), t[i]);
    out[i] = expected_one(params, t[i]);
  }
}

void probability_of_n_purchases(const ParetoNbdParams& params, double t, std::span<const double> n,
                                std::span<double> out) {
  constexpr const char* fn = "pareto_nbd probability_of_n_purchases";
  check_params(fn, params);
  check_horizon(fn, "t", t);
  check_n(fn, n);
  check_out(fn, n.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < n.size(); ++i) out[i] = prob_n_one(params, t, n[i]);
    return 0;
  });
}

void dert(const ParetoNbdParams& params, double delta, std::span<const double> frequency,
          std::span<const double> recency, std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "pareto_nbd dert";
  check_params(fn, params);
  if (!(delta > 0.0) || !std::isfinite(delta)) throw InvalidArgument(fn, "delta", num(delta), "must be finite and > 0");
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  guarded(params, fn, [&] {
    for (std::size_t i = 0; i < frequency.size(); ++i) out[i] = dert_one(params, delta, frequency[i], recency[i], T[i]);
    return 0;
  });
}

double p_alive(const ParetoNbdParams& params, double x, double t_x, double T) {
  double out = 0;
  p_alive(params, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double conditional_expected_purchases(const ParetoNbdParams& params, double t, double x, double t_x, double T) {
  double out = 0;
  conditional_expected_purchases(params, t, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}
double expected_purchases(const ParetoNbdParams& params, double t) {
  double out = 0;
  expected_purchases(params, {&t, 1}, {&out, 1});
  return out;
}
double probability_of_n_purchases(const ParetoNbdParams& params, double t, double n) {
  double out = 0;
  probability_of_n_purchases(params, t, {&n, 1}, {&out, 1});
  return out;
}
double dert(const ParetoNbdParams& params, double delta, double x, double t_x, double T) {
  double out = 0;
  dert(params, delta, {&x, 1}, {&t_x, 1}, {&T, 1}, {&out, 1});
  return out;
}

void to_json(nlohmann::json& j, const ParetoNbdParams& p) {
  j = nlohmann::json{{"model", ParetoNbd::name}, {"r", p.r}, {"alpha", p.alpha}, {"s", p.s}, {"beta", p.beta}};
}

void from_json(const nlohmann::json& j, ParetoNbdParams& p) {
  p = detail::params_from_json<ParetoNbdParams>(j, "ParetoNbdParams from_json", ParetoNbd::name);
}

}  // namespace crmkit::clv
