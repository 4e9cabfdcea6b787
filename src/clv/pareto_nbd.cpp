#include "crmkit/clv/pareto_nbd.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <nlohmann/json.hpp>

#include "crmkit/clv/detail/pareto_nbd_kernel.hpp"
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

// r, alpha, beta finite and > 0; s finite and >= 0 (s = 0 is the NBD limit: no dropout).
void check_params(const char* function, const ParetoNbdParams& p) {
  const auto v = p.values();
  for (std::size_t k = 0; k < 4; ++k) {
    const bool ok = std::isfinite(v[k]) && (k == 2 ? v[k] >= 0.0 : v[k] > 0.0);
    if (!ok)
      throw InvalidArgument(function, std::string("params.") + ParetoNbdParams::names[k], num(v[k]),
                            k == 2 ? "must be finite and >= 0 (0: the NBD limit, no dropout)" : "must be finite and > 0");
  }
}

// lgamma(r + x) - lgamma(r) for r > 0, x >= 0, without the cancellation of the plain difference when r
// is large (lgamma(1e15) is about 3e16, whose rounding alone is several units): lgamma(x) - log B(r, x)
// with math::lbeta's large-argument forms.
double log_rising(double r, double x) { return x == 0.0 ? 0.0 : math::lgamma(x) - math::lbeta(r, x); }

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
// term_k z/(1-z): the loop stops when that bound is under 1e-17 of the sum.
//
// Derivatives (the gradient, and the Hessian of the Newton fit) come from the same pass, term by term:
// with A_k = sum_{j<k} (1/(p+j) - 1/(p+q+j)), B_k = -sum_{j<k} 1/(p+q+j), C_k = sum_{j<k} 1/(p+q+j)^2 and
// A'_k = sum_{j<k} (1/(p+q+j)^2 - 1/(p+j)^2),
//   dc_k/dp = c_k A_k,  dc_k/dq = c_k B_k,  d2c_k/dp2 = c_k (A_k^2 + A'_k),
//   d2c_k/dpdq = c_k (A_k B_k + C_k),  d2c_k/dq2 = c_k (B_k^2 + C_k)     (dA_k/dq = dB_k/dp = dB_k/dq = C_k),
// and the z-derivatives are those of the powers z^k. Writing e = 1 - z = (Q+y0)/(P+y0),
//   log I = -p log(P+y0) + (1-q) log(Q+y0) + l(p, q, e),   l = log G(1 - e) - log(p+q-1),
// and the chain rule through e(P, Q) (assemble_tail) gives value, gradient and Hessian of log I in
// (p, q, P, Q) from the derivatives of l in (p, q, e). The quadrature form below has the same shape.

// l(p, q, e) and its first and second derivatives.
struct Inner {
  double l = 0, lp = 0, lq = 0, le = 0;
  double lpp = 0, lpq = 0, lqq = 0, lpe = 0, lqe = 0, lee = 0;
};

// log I and its derivatives in v = (p, q, P, Q): gradient d (ORDER >= 1), Hessian h (ORDER 2).
struct LogTail {
  double value = 0;
  double inner = 0;  // l(p, q, e) alone (log_tail_params rebuilds the value from it without cancellation)
  double d[4] = {0, 0, 0, 0};
  double h[4][4] = {};
};

template <int ORDER>
LogTail assemble_tail(double P, double p, double Q, double q, double y0, const Inner& in) {
  const double Py = P + y0, Qy = Q + y0;
  const double lPy = std::log(Py), lQy = std::log(Qy);
  LogTail t;
  t.value = -p * lPy + (1.0 - q) * lQy + in.l;
  t.inner = in.l;
  if constexpr (ORDER >= 1) {
    const double e = Qy / Py, eP = -e / Py, eQ = 1.0 / Py;  // de/dP, de/dQ
    t.d[0] = -lPy + in.lp;
    t.d[1] = -lQy + in.lq;
    t.d[2] = -p / Py + in.le * eP;
    t.d[3] = (1.0 - q) / Qy + in.le * eQ;
    if constexpr (ORDER >= 2) {
      const double ePP = 2.0 * e / (Py * Py), ePQ = -1.0 / (Py * Py);  // d2e/dP2, d2e/dPdQ (d2e/dQ2 = 0)
      auto& h = t.h;
      h[0][0] = in.lpp;
      h[0][1] = in.lpq;
      h[1][1] = in.lqq;
      h[0][2] = -1.0 / Py + in.lpe * eP;
      h[0][3] = in.lpe * eQ;
      h[1][2] = in.lqe * eP;
      h[1][3] = -1.0 / Qy + in.lqe * eQ;
      h[2][2] = p / (Py * Py) + in.lee * eP * eP + in.le * ePP;
      h[2][3] = in.lee * eP * eQ + in.le * ePQ;
      h[3][3] = -(1.0 - q) / (Qy * Qy) + in.lee * eQ * eQ;
      for (int i = 1; i < 4; ++i)
        for (int j = 0; j < i; ++j) h[i][j] = h[j][i];
    }
  }
  return t;
}

constexpr long kMaxTerms = 1'000'000;
// Above this z the series needs more than ~4,000 terms (about 40 / (1 - z)): quadrature instead
// (tail_quadrature). Below it the series (multiply-adds over a shared table) costs less than the
// quadrature's ~100 evaluations of exp and log per integral, and the gradient needs 4 integrals, the
// Hessian 10.
constexpr double kSeriesMaxZ = 0.99;

// For z near 1 (the smaller rate far below the larger: Q + y0 << P + y0) the series converges slowly.
// Substituting u - y0 = (Q+y0)(e^w - 1):
//   I(y0) = (P+y0)^-p (Q+y0)^(1-q) K,  K = int_0^inf e^((1-q) w) (1 + e (e^w - 1))^-p dw,  e = 1 - z,
// an integrand f that decays like e^-(p+q-1) w, integrated by exp-sinh quadrature; l = log K. With
// g(w) = log(1 + e (e^w - 1)) and h(w) = dg/de = (e^w - 1) / (1 + e (e^w - 1)) (dh/de = -h^2):
//   df/dp = -g f,  df/dq = -w f,  df/de = -p h f,
//   d2f/dp2 = g^2 f,  d2f/dpdq = g w f,  d2f/dq2 = w^2 f,  d2f/dpde = (p g - 1) h f,  d2f/dqde = p w h f,
//   d2f/de2 = p (p + 1) h^2 f,
// each integrated the same way (10 integrals for the Hessian; this branch is rare in fits).
template <int ORDER>
Inner tail_quadrature(double p, double q, double eps) {
  thread_local boost::math::quadrature::exp_sinh<double> integrator;
  auto integrate = [&](auto&& f) {
    double err = 0, l1 = 0;
    const double v = integrator.integrate(
        [&](double w) { return std::isinf(w) ? 0.0 : f(w); }, 0.0, kInf, 1e-13, &err, &l1);
    if (!std::isfinite(v) || err > 1e-9 * l1)
      throw NumericError("pareto_nbd", "the tail quadrature did not converge (z = " + num(1.0 - eps) + ", p = " +
                                           num(p) + ", q = " + num(q) + ")");
    return v;
  };
  const double log_eps = std::log(eps);
  // g(w) = log(1 + eps (e^w - 1)), without overflow for large w.
  auto lg = [&](double w) { return w > 600.0 ? log_eps + w + std::log1p((1.0 - eps) * std::exp(-w) / eps) : std::log1p(eps * std::expm1(w)); };
  auto fw = [&](double w) { return std::exp((1.0 - q) * w - p * lg(w)); };
  // h(w) = (e^w - 1) / (1 + eps (e^w - 1)) = (1 - e^-w) / (eps + (1 - eps) e^-w)
  auto hw = [&](double w) {
    const double em = std::exp(-w);
    return (1.0 - em) / (eps + (1.0 - eps) * em);
  };
  const double K = integrate(fw);
  Inner in;
  in.l = std::log(K);
  if constexpr (ORDER >= 1) {
    in.lp = -integrate([&](double w) { return lg(w) * fw(w); }) / K;
    in.lq = -integrate([&](double w) { return w * fw(w); }) / K;
    in.le = -p * integrate([&](double w) { return hw(w) * fw(w); }) / K;
    if constexpr (ORDER >= 2) {
      in.lpp = integrate([&](double w) { const double g = lg(w); return g * g * fw(w); }) / K - in.lp * in.lp;
      in.lpq = integrate([&](double w) { return lg(w) * w * fw(w); }) / K - in.lp * in.lq;
      in.lqq = integrate([&](double w) { return w * w * fw(w); }) / K - in.lq * in.lq;
      in.lpe = integrate([&](double w) { return (p * lg(w) - 1.0) * hw(w) * fw(w); }) / K - in.lp * in.le;
      in.lqe = p * integrate([&](double w) { return w * hw(w) * fw(w); }) / K - in.lq * in.le;
      in.lee = p * (p + 1.0) * integrate([&](double w) { const double h = hw(w); return h * h * fw(w); }) / K -
               in.le * in.le;
    }
  }
  return in;
}

// The series coefficients depend on (p, q) only, which all patterns of one frequency share: c_m, the
// coefficients of its derivatives (above) and their multiples by m and m (m - 1) (for the z-derivatives)
// are computed once per (p, q), side by side, and extended on demand, so each pattern's series costs
// multiply-adds only.
struct SeriesCoeffs {
  struct Term {
    double c, ca, cb, caa, cab, cbb;  // c_m, dc_m/dp, dc_m/dq, d2c_m/dp2, d2c_m/dpdq, d2c_m/dq2
    double mc, mca, mcb, mmc;         // m c_m, m dc_m/dp, m dc_m/dq, m (m - 1) c_m
  };
  double p = std::numeric_limits<double>::quiet_NaN(), q = std::numeric_limits<double>::quiet_NaN();
  std::vector<Term> t{Term{1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
  double A = 0, B = 0, Ap = 0, C = 0;  // the running sums A_m, B_m, A'_m, C_m of the last entry
  void reset(double p_, double q_) {
    p = p_;
    q = q_;
    t.assign(1, Term{1.0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    A = B = Ap = C = 0;
  }
  void extend() {  // appends index m = size(); push_back either succeeds or leaves everything as it was
    const double kk = static_cast<double>(t.size() - 1), m = kk + 1.0;
    const double pk = p + kk, ck = p + q + kk;
    const double ipk = 1.0 / pk, ick = 1.0 / ck;
    const double a = A + (ipk - ick), b = B - ick, ap = Ap + (ick * ick - ipk * ipk), cc = C + ick * ick;
    const double c = t.back().c * pk / ck;
    const double ca = c * a, cb = c * b;
    t.push_back(Term{c, ca, cb, c * (a * a + ap), c * (a * b + cc), c * (b * b + cc), m * c, m * ca, m * cb,
                     m * (m - 1.0) * c});
    A = a;
    B = b;
    Ap = ap;
    C = cc;
  }
};

// l = log G(z) - log(p+q-1) and its derivatives (z = 1 - e, so d/de = -d/dz), z in [0, kSeriesMaxZ].
template <int ORDER>
Inner tail_series(double p, double q, double z, double e, SeriesCoeffs& cf) {
  const double c = p + q;
  // G, G_p, G_q, G_pp, G_pq, G_qq and G_z, G_pz, G_qz, G_zz (the last four term by term in z^(m-1), z^(m-2),
  // so that z = 0, alpha = beta, needs no division by z).
  double S = 1.0, Sp = 0, Sq = 0, Spp = 0, Spq = 0, Sqq = 0, Gz = 0, Gpz = 0, Gqz = 0, Gzz = 0;
  const double tol = 1e-17 * e * (ORDER >= 1 ? e : 1.0);
  double zk1 = 1.0, zk2 = 0.0;  // z^(m-1), z^(m-2) (its factor m (m-1) is 0 at m = 1)
  long m = 1;
  for (; m < kMaxTerms; ++m) {
    const auto k = static_cast<std::size_t>(m);
    if (k >= cf.t.size()) cf.extend();
    const SeriesCoeffs::Term& ct = cf.t[k];
    const double zk = zk1 * z;
    const double term = ct.c * zk;
    S += term;
    if constexpr (ORDER >= 1) {
      Sp += ct.ca * zk;
      Sq += ct.cb * zk;
      Gz += ct.mc * zk1;
      if constexpr (ORDER >= 2) {
        Spp += ct.caa * zk;
        Spq += ct.cab * zk;
        Sqq += ct.cbb * zk;
        Gpz += ct.mca * zk1;
        Gqz += ct.mcb * zk1;
        Gzz += ct.mmc * zk2;
      }
    }
    if (term * (ORDER >= 1 ? static_cast<double>(m) + 1.0 : 1.0) <= tol * S && (ORDER < 2 || m >= 2)) break;
    zk2 = zk1;
    zk1 = zk;
  }
  if (m >= kMaxTerms)
    throw NumericError("pareto_nbd", "the 2F1 series did not converge (z = " + num(z) + ", p = " + num(p) +
                                         ", q = " + num(q) + ")");
  Inner in;
  const double c1 = c - 1.0;
  in.l = std::log(S) - std::log(c1);
  if constexpr (ORDER >= 1) {
    const double gp = Sp / S, gq = Sq / S, gz = Gz / S;
    in.lp = gp - 1.0 / c1;
    in.lq = gq - 1.0 / c1;
    in.le = -gz;
    if constexpr (ORDER >= 2) {
      const double i2 = 1.0 / (c1 * c1);
      in.lpp = Spp / S - gp * gp + i2;
      in.lpq = Spq / S - gp * gq + i2;
      in.lqq = Sqq / S - gq * gq + i2;
      in.lpe = -(Gpz / S - gp * gz);
      in.lqe = -(Gqz / S - gq * gz);
      in.lee = Gzz / S - gz * gz;
    }
  }
  return in;
}

template <int ORDER>
LogTail log_tail(double P, double p, double Q, double q, double y0, SeriesCoeffs* co) {
  const double Py = P + y0, Qy = Q + y0;
  const double z = (P - Q) / Py, e = Qy / Py;
  Inner in;
  if (z > kSeriesMaxZ) {
    in = tail_quadrature<ORDER>(p, q, e);
  } else {
    // A caller without a cache (the per-customer predictions) shares a thread's own: no allocations per
    // call, and customers with equal x reuse the coefficients (the same values: c_k depend on p, q only).
    thread_local SeriesCoeffs shared;
    SeriesCoeffs& cf = co ? *co : shared;
    if (!(cf.p == p && cf.q == q)) cf.reset(p, q);
    in = tail_series<ORDER>(p, q, z, e, cf);
  }
  return assemble_tail<ORDER>(P, p, Q, q, y0, in);
}

// log I(y0) + r log(alpha) + s log(beta) for (r, alpha, s, beta, x) (the value), with the gradient
// (ORDER >= 1) and Hessian (ORDER 2) of log I(y0) alone in theta = (r, alpha, s, beta).
//
// The shift makes the value moderate: log I(y0) alone is about -(r+x) log(alpha+y0), which for large r,
// alpha (e.g. 1e15 on a fit running towards no heterogeneity) is a huge number; adding r log(alpha) back
// afterwards loses every digit (issue 13: a likelihood of 7213056.0 where 7210340.37 was right). With
// base(y) = -r log1p(y/alpha) - x log(alpha+y) - s log1p(y/beta), both branches give exactly
//   log I(y) + r log alpha + s log beta = base(y) + [alpha < beta] log((alpha+y)/(beta+y)) + l,
// a sum of terms no larger than the result's own scale.
struct TailTheta {
  double value = 0;
  double g[4] = {0, 0, 0, 0};
  double h[4][4] = {};
};

template <int ORDER>
void log_tail_params(const ParetoNbdParams& p, double x, double y0, TailTheta& out, SeriesCoeffs* co = nullptr) {
  const bool ab = p.alpha >= p.beta;
  const LogTail t = ab ? log_tail<ORDER>(p.alpha, p.r + x, p.beta, p.s + 1.0, y0, co)
                       : log_tail<ORDER>(p.beta, p.s + 1.0, p.alpha, p.r + x, y0, co);
  // (p, q, P, Q) -> index in theta
  static constexpr int kAB[4] = {0, 2, 1, 3}, kBA[4] = {2, 0, 3, 1};
  const int* m = ab ? kAB : kBA;
  out.value = -p.r * std::log1p(y0 / p.alpha) - x * std::log(p.alpha + y0) - p.s * std::log1p(y0 / p.beta) +
              (ab ? 0.0 : std::log(p.alpha + y0) - std::log(p.beta + y0)) + t.inner;
  if constexpr (ORDER >= 1)
    for (int i = 0; i < 4; ++i) out.g[m[i]] = t.d[i];
  if constexpr (ORDER >= 2)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) out.h[m[i]][m[j]] = t.h[i][j];
}

double log_tail_value(const ParetoNbdParams& p, double x, double y0) {
  TailTheta t;
  log_tail_params<0>(p, x, y0, t);
  return t.value;
}

// The two log terms of the bracket, both shifted by r log alpha + s log beta (see TailTheta):
// B1 = log[alpha^r beta^s (alpha+T)^-(r+x) (beta+T)^-s] = -r log1p(T/alpha) - x log(alpha+T) - s log1p(T/beta)
// (alive at T) and B2 = log[alpha^r beta^s s (I(t_x) - I(T))] (dead in (t_x, T]); -inf when t_x == T or
// s == 0 (the NBD limit: nobody drops out).
struct Bracket {
  double b1 = 0, b2 = -kInf;
};

Bracket bracket(const ParetoNbdParams& p, double x, double t_x, double T) {
  Bracket b;
  b.b1 = -p.r * std::log1p(T / p.alpha) - x * std::log(p.alpha + T) - p.s * std::log1p(T / p.beta);
  if (t_x < T && p.s > 0.0) {
    const double l1 = log_tail_value(p, x, t_x), l2 = log_tail_value(p, x, T);
    // (equal only when I(t_x) - I(T) is below rounding: the term then vanishes)
    if (l1 > l2) b.b2 = std::log(p.s) + math::log_diff_exp(l1, l2);
  }
  return b;
}

// ---- the likelihood kernel over compressed patterns -------------------------------------------------
//
// log L = c(x) + log(e^B1 + e^B2), c(x) = log Gamma(r+x) - log Gamma(r) + r log alpha + s log beta.
// Derivatives in theta = (r, alpha, s, beta):
//   grad B1 = (-log(alpha+T), -(r+x)/(alpha+T), -log(beta+T), -s/(beta+T)),
//   Hess B1: [r,alpha] = -1/(alpha+T), [alpha,alpha] = (r+x)/(alpha+T)^2, [s,beta] = -1/(beta+T),
//            [beta,beta] = s/(beta+T)^2;
//   B2 = log s + D, D = log(I1 - I2) (l_i = log I_i): with a = I1/(I1 - I2), b = a - 1,
//   grad D = a grad l1 - b grad l2,  Hess D = a Hess l1 - b Hess l2 - a b (grad l1 - grad l2)(...)^T
//   (the a^2, b^2 cross terms cancel exactly into the last one, so nothing large is subtracted);
//   log-sum-exp: Hess = pi1 H1 + pi2 H2 + pi1 pi2 (g2 - g1)(g2 - g1)^T, pi = softmax(B1, B2).
// log I(T) (and its derivatives) depends on (x, T) only: computed once per distinct T within a frequency
// group (stamped with the group) and shared by the patterns that differ in t_x; log I(t_x) is shared by
// consecutive patterns of equal t_x (patterns are sorted by x, t_x, T).
struct TailCache {
  std::vector<TailTheta> tail;
  std::vector<double> log_aT, log_bT;  // log(alpha + T), log(beta + T) per distinct T
  std::vector<double> base_T;          // -r log1p(T/alpha) - s log1p(T/beta) per distinct T
  std::vector<std::uint32_t> stamp;
  SeriesCoeffs coeffs;
  std::size_t tails = 0, quadratures = 0;  // tails computed in the last pass, and how many by quadrature
};

// True when log_tail takes the quadrature form for (x, y0) (z > kSeriesMaxZ; z does not depend on x).
bool tail_by_quadrature(const ParetoNbdParams& p, double y0) {
  const double P = std::max(p.alpha, p.beta), Q = std::min(p.alpha, p.beta);
  return (P - Q) / (P + y0) > kSeriesMaxZ;
}

// ORDER 0: value; 1: + gradient (4); 2: + Hessian (4 x 4, row-major); both in theta.
template <int ORDER>
double loglik_patterns(const ParetoNbdParams& p, const WeightedPatterns& d, TailCache& cache, double* grad,
                       double* hess) {
  const double r = p.r, alpha = p.alpha, s = p.s, beta = p.beta;
  const double log_alpha = std::log(alpha), log_beta = std::log(beta), log_s = std::log(s);
  const double psi_r = ORDER >= 1 ? math::digamma(r) : 0.0;
  const double psi1_r = ORDER >= 2 ? math::trigamma(r) : 0.0;
  double ll = 0, g[4] = {0, 0, 0, 0}, H[4][4] = {};
  const std::size_t groups = d.group_x.size();
  const std::size_t nT = d.unique_T.size();
  cache.tail.resize(nT);
  cache.stamp.assign(nT, UINT32_MAX);
  cache.tails = cache.quadratures = 0;
  // B1's logs depend on T only: once per distinct T, not per pattern.
  cache.log_aT.resize(nT);
  cache.log_bT.resize(nT);
  cache.base_T.resize(nT);
  for (std::size_t ti = 0; ti < nT; ++ti) {
    const double Tv = d.unique_T[ti];
    cache.log_aT[ti] = std::log(alpha + Tv);
    cache.log_bT[ti] = std::log(beta + Tv);
    cache.base_T[ti] = -r * std::log1p(Tv / alpha) - s * std::log1p(Tv / beta);
  }
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const double x = d.group_x[gi], W = d.group_w[gi];
    const double rx = r + x;
    // log Gamma(r+x) - log Gamma(r); r log alpha + s log beta are inside B1 and B2 (TailTheta).
    ll += W * log_rising(r, x);
    if constexpr (ORDER >= 1) {
      g[0] += W * (math::digamma(rx) - psi_r + log_alpha);
      g[1] += W * r / alpha;
      g[2] += W * log_beta;
      g[3] += W * s / beta;
    }
    if constexpr (ORDER >= 2) {
      H[0][0] += W * (math::trigamma(rx) - psi1_r);
      H[0][1] += W / alpha;
      H[1][1] -= W * r / (alpha * alpha);
      H[2][3] += W / beta;
      H[3][3] -= W * s / (beta * beta);
    }
    double last_tx = std::numeric_limits<double>::quiet_NaN();
    TailTheta t1;
    for (std::uint32_t k = d.group_begin[gi]; k < d.group_begin[gi + 1]; ++k) {
      const double t_x = d.t_x[k], T = d.T[k], w = d.w[k];
      const std::uint32_t ti = d.T_index[k];
      const double la = cache.log_aT[ti], lb = cache.log_bT[ti];
      const double B1 = cache.base_T[ti] - x * la;  // shifted by r log alpha + s log beta, as B2
      double B2 = -kInf, g2[4] = {0, 0, 0, 0}, h2[4][4] = {};
      if (t_x < T && s > 0.0) {
        if (!(t_x == last_tx)) {
          log_tail_params<ORDER>(p, x, t_x, t1, &cache.coeffs);
          last_tx = t_x;
          ++cache.tails;
          cache.quadratures += tail_by_quadrature(p, t_x);
        }
        TailTheta& t2 = cache.tail[ti];
        if (cache.stamp[ti] != gi) {
          log_tail_params<ORDER>(p, x, T, t2, &cache.coeffs);
          cache.stamp[ti] = static_cast<std::uint32_t>(gi);
          ++cache.tails;
          cache.quadratures += tail_by_quadrature(p, T);
        }
        const double l1 = t1.value, l2 = t2.value;
        if (l1 > l2) {
          // log(I1 - I2) = l1 + log(-expm1(l2 - l1)): one expm1 gives the value and the weights below.
          const double em = std::expm1(l2 - l1);
          B2 = log_s + l1 + std::log(-em);
          if constexpr (ORDER >= 1) {
            const double a = -1.0 / em, b = a - 1.0;  // I1 / (I1 - I2), I2 / (I1 - I2)
            for (int j = 0; j < 4; ++j) g2[j] = a * t1.g[j] - b * t2.g[j];
            g2[2] += 1.0 / s;
            if constexpr (ORDER >= 2) {
              double dl[4];
              for (int j = 0; j < 4; ++j) dl[j] = t1.g[j] - t2.g[j];
              const double ab = a * b;
              for (int i = 0; i < 4; ++i)
                for (int j = i; j < 4; ++j) h2[i][j] = a * t1.h[i][j] - b * t2.h[i][j] - ab * dl[i] * dl[j];
              h2[2][2] -= 1.0 / (s * s);
            }
          }
        }
      }
      // log(e^B1 + e^B2) = max + log1p(e), e = exp(-|B1 - B2|); the softmax weights from the same e.
      double lse = B1, pi1 = 1.0, pi2 = 0.0;
      if (B2 != -kInf) {
        const double e = std::exp(-std::fabs(B1 - B2)), inv = 1.0 / (1.0 + e);
        lse = std::max(B1, B2) + std::log1p(e);
        pi1 = B1 >= B2 ? inv : e * inv;
        pi2 = B1 >= B2 ? e * inv : inv;
      }
      ll += w * lse;
      if constexpr (ORDER >= 1) {
        const double aT = alpha + T, bT = beta + T;
        const double g1[4] = {-la, -rx / aT, -lb, -s / bT};
        for (int j = 0; j < 4; ++j) g[j] += w * (pi1 * g1[j] + pi2 * g2[j]);
        if constexpr (ORDER >= 2) {
          const double w1 = w * pi1, w2 = w * pi2, q = w1 * pi2;
          double dd[4];
          for (int j = 0; j < 4; ++j) dd[j] = g2[j] - g1[j];
          for (int i = 0; i < 4; ++i)
            for (int j = i; j < 4; ++j) H[i][j] += w2 * h2[i][j] + q * dd[i] * dd[j];
          H[0][1] -= w1 / aT;
          H[1][1] += w1 * rx / (aT * aT);
          H[2][3] -= w1 / bT;
          H[3][3] += w1 * s / (bT * bT);
        }
      }
    }
  }
  if constexpr (ORDER >= 1)
    for (int j = 0; j < 4; ++j) grad[j] = g[j];
  if constexpr (ORDER >= 2)
    for (int i = 0; i < 4; ++i)
      for (int j = i; j < 4; ++j) hess[4 * i + j] = hess[4 * j + i] = H[i][j];
  return ll;
}

// The same in u = log theta, as detail::newton_fit takes it: value only when gu is null, else gradient
// and Hessian, dLL/du_i = theta_i dLL/dtheta_i and d2LL/du_i du_j = theta_i theta_j H_ij + [i = j] theta_i g_i.
double loglik_u(const ParetoNbdParams& p, const WeightedPatterns& d, TailCache& cache, double* gu, double* hu) {
  if (gu == nullptr) return loglik_patterns<0>(p, d, cache, nullptr, nullptr);
  double g[4], h[16];
  const double ll = loglik_patterns<2>(p, d, cache, g, h);
  const auto th = p.values();
  for (std::size_t i = 0; i < 4; ++i) {
    gu[i] = th[i] * g[i];
    for (std::size_t j = 0; j < 4; ++j) hu[4 * i + j] = th[i] * th[j] * h[4 * i + j] + (i == j ? gu[i] : 0.0);
  }
  return ll;
}

double loglik_one(const ParetoNbdParams& p, double x, double t_x, double T) {
  const Bracket b = bracket(p, x, t_x, T);
  return log_rising(p.r, x) + math::log_sum_exp(b.b1, b.b2);
}

double p_alive_one(const ParetoNbdParams& p, double x, double t_x, double T) {
  const Bracket b = bracket(p, x, t_x, T);
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
// s = 0 (the NBD limit): (r+x) t / (alpha+T), everyone alive.
double cond_expected_one(const ParetoNbdParams& p, double t, double x, double t_x, double T) {
  if (t == 0.0) return 0.0;
  if (p.s == 0.0) return (p.r + x) / (p.alpha + T) * t;
  return (p.r + x) / (p.alpha + T) * (p.beta + T) * h_of(p.s, t / (p.beta + T)) * p_alive_one(p, x, t_x, T);
}

// Note, section 4: E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)].
// s = 0 (the NBD limit): r t / alpha.
double expected_one(const ParetoNbdParams& p, double t) {
  if (t == 0.0) return 0.0;
  if (p.s == 0.0) return p.r / p.alpha * t;
  return p.r / p.alpha * p.beta * h_of(p.s, t / p.beta);
}

// P(X(t) = n): alive at t with n purchases, or died at tau < t after n purchases in (0, tau]:
//   P = NB(n; r, alpha/(alpha+t)) (beta/(beta+t))^s
//     + Gamma(r+n) s / (Gamma(r) n!) * J,
//   J = int_0^t (tau/(alpha+tau))^n (alpha/(alpha+tau))^r (beta/(beta+tau))^s / (beta+tau) dtau.
// Every factor is written as a ratio (log1p(tau/alpha), never r log alpha - (r+n) log(alpha+tau), whose two
// huge terms cancel at large r and alpha: issue 13 found P = 4.2e9 there), and log Gamma(r+n) - log Gamma(r)
// comes from lbeta's large-argument forms. J by Gauss-Kronrod quadrature on tau = t v (Boost.Math) on
// each side of the integrand's peak (log integrand unimodal in v: its derivative times v(alpha+tv)(beta+tv)
// is a quadratic with a non-negative value at 0 and a negative leading term), in pieces growing
// geometrically away from the peak, with the integrand scaled by its peak value: a peak of any width and a
// tail of any length are resolved.
// s = 0 (the NBD limit) leaves the NB term alone. The sum is a probability; rounding can lift it a few
// ulp above 1, so it is clamped to [0, 1].
double prob_n_one(const ParetoNbdParams& p, double t, double n) {
  if (t == 0.0) return n == 0.0 ? 1.0 : 0.0;
  const double r = p.r, alpha = p.alpha, s = p.s, beta = p.beta;
  const double lc = log_rising(r, n) - math::lgamma(n + 1.0);
  const double term1 = lc - r * std::log1p(t / alpha) + (n == 0.0 ? 0.0 : n * std::log(t / (alpha + t))) -
                       s * std::log1p(t / beta);
  double term2 = -kInf;
  if (s > 0.0) {
    auto f = [&](double v) {
      const double tau = t * v;
      return (n == 0.0 ? 0.0 : n * std::log(tau / (alpha + tau))) - r * std::log1p(tau / alpha) -
             s * std::log1p(tau / beta) - std::log(beta + tau);
    };
    double peak = 0.0;
    if (n > 0.0) {
      double lo = 0.0, hi = 1.0;
      for (int it = 0; it < 200 && hi - lo > 1e-16; ++it) {
        const double a = lo + (hi - lo) / 3.0, b = hi - (hi - lo) / 3.0;
        if (f(a) < f(b)) lo = a; else hi = b;
      }
      peak = 0.5 * (lo + hi);
    }
    const double m = f(peak);
    auto g = [&](double v) {
      if (!(v > 0.0) && n > 0.0) return 0.0;
      const double e = f(v) - m;
      return e < -745.0 ? 0.0 : std::exp(e);
    };
    // Each side of the peak in pieces whose distance from the peak grows geometrically (factor 10, from
    // 1e-16 of the side), each by adaptive Gauss-Kronrod 7/15: the integrand varies on the scale
    // of its distance from the peak (e.g. like 1/v when alpha, beta << t), which every piece resolves.
    using GK = boost::math::quadrature::gauss_kronrod<double, 15>;
    double val = 0, err_sum = 0;
    for (const auto& [a, b] : {std::pair{peak, 0.0}, std::pair{peak, 1.0}}) {
      const double len = std::fabs(b - a);
      if (!(len > 0.0)) continue;
      double prev = 0.0;  // distance from the peak already covered
      for (int k = 16; k >= 0; --k) {
        const double dist = k == 0 ? len : len * std::pow(10.0, -k);
        if (!(dist > prev)) continue;
        const double lo = b > a ? a + prev : a - dist, hi = b > a ? a + dist : a - prev;
        double err = 0;
        const double v = GK::integrate(g, lo, hi, 6, 1e-12, &err);
        val += v;
        err_sum += err;
        prev = dist;
      }
    }
    if (!std::isfinite(val) || err_sum > 1e-6 * val + 1e-300)
      throw NumericError("pareto_nbd", "probability_of_n_purchases: the quadrature did not converge (t = " + num(t) +
                                           ", n = " + num(n) + ")");
    term2 = lc + std::log(s) + (val > 0.0 ? std::log(val) : -kInf) + m + std::log(t);
  }
  const double prob = std::exp(math::log_sum_exp(term1, term2));
  return std::min(1.0, prob);
}

// DERT (Fader, Hardie & Lee 2005, JMR): with continuous discounting at rate delta,
//   DERT = alpha^r beta^s delta^(s-1) Gamma(r+x+1) U(s, s; delta (beta+T)) / (Gamma(r) (alpha+T)^(r+x+1) L)
//        = P(alive) (r+x)/(alpha+T) (beta+T)^s delta^(s-1) U(s, s; z),   z = delta (beta+T),
// with U Tricomi's confluent hypergeometric function. Kummer's transformation U(s, s; z) =
// z^(1-s) U(1, 2-s; z) and U's integral representation give (beta+T)^s delta^(s-1) U(s, s; z) =
// (1/delta) K, K = int_0^inf e^-u (1 + u/z)^-s du in (0, 1] (E[1/(delta + mu)] for mu ~ Gamma(s, beta+T)),
// integrated by exp-sinh quadrature (Boost 1.74 has no U).
// s = 0 (the NBD limit): K = 1, DERT = (r+x) / ((alpha+T) delta).
double dert_one(const ParetoNbdParams& p, double delta, double x, double t_x, double T) {
  if (p.s == 0.0) return (p.r + x) / (p.alpha + T) / delta;
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


// ---- the NBD limit (no dropout) ------------------------------------------------------------------------
//
// As s / beta -> 0 (s -> 0, or s, beta -> inf with s / beta -> 0) nobody drops out and the Pareto/NBD
// becomes the NBD: LL = sum w [log Gamma(r+x) - log Gamma(r) + r log alpha - (r+x) log(alpha+T)], the
// limit of the likelihood on that whole face. On data without dropout (issue 13: a grocery log) the
// Pareto/NBD likelihood keeps rising towards it and a fit runs off to beta -> inf without end. The fit
// therefore also fits this limit (Newton on its closed form, two parameters) and tests whether it is a
// maximum of the Pareto/NBD likelihood on the face s = 0: at (r, alpha) of the NBD fit, the derivative
//   dLL/ds at s = 0 = sum w [log(beta/(beta+T)) + exp(D - B1)],   D = log(I(t_x) - I(T)) at s = 0,
// must be <= 0 for every beta (on a grid of beta from 1e-3 to 1e8 times the mean age), and so must its
// limit times beta as beta -> inf, the score of a small constant dropout rate m:
//   S = sum w [-T + (alpha+T) L exprel((r+x-1) L)],   L = log1p((T - t_x) / (alpha + t_x)).
// Then no direction into the model raises the likelihood from the NBD, and when no start finds an
// interior maximum with a higher likelihood the fit reports the NBD (s = 0) with limit "nbd".

struct NbdLimitFit {
  bool ok = false;
  double r = 0, alpha = 0, log_likelihood = 0, gradient_norm = 0;
  int iterations = 0;
  std::array<double, 2> std_errors{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
};

// NBD log-likelihood over patterns; gradient and Hessian in u = log(r, alpha) when gu is not null.
double nbd_loglik_u(double r, double alpha, const WeightedPatterns& d, double* gu, double* hu) {
  double ll = 0, g[2] = {0, 0}, h[3] = {0, 0, 0};  // h: rr, ra, aa (in theta)
  const double psi_r = gu ? math::digamma(r) : 0.0, psi1_r = gu ? math::trigamma(r) : 0.0;
  for (std::size_t gi = 0; gi < d.group_x.size(); ++gi) {
    const double x = d.group_x[gi], W = d.group_w[gi];
    ll += W * log_rising(r, x);
    if (gu) {
      g[0] += W * (math::digamma(r + x) - psi_r);
      h[0] += W * (math::trigamma(r + x) - psi1_r);
    }
    for (std::uint32_t k = d.group_begin[gi]; k < d.group_begin[gi + 1]; ++k) {
      const double T = d.T[k], w = d.w[k], aT = alpha + T;
      ll += w * (-r * std::log1p(T / alpha) - x * std::log(aT));
      if (gu) {
        g[0] -= w * std::log1p(T / alpha);
        g[1] += w * (r * T / alpha - x) / aT;  // r/alpha - (r+x)/(alpha+T)
        h[1] += w * T / (alpha * aT);
        h[2] += w * (-r / (alpha * alpha) + (r + x) / (aT * aT));
      }
    }
  }
  if (gu) {
    gu[0] = r * g[0];
    gu[1] = alpha * g[1];
    hu[0] = r * r * h[0] + gu[0];
    hu[1] = hu[2] = r * alpha * h[1];
    hu[3] = alpha * alpha * h[2] + gu[1];
  }
  return ll;
}

NbdLimitFit fit_nbd_limit(const WeightedPatterns& d, double alpha0, double tolerance, int max_iterations) {
  NbdLimitFit out;
  if (max_iterations < 1) return out;
  const auto nf = detail::newton_fit<2>(
      [&](const std::array<double, 2>& th, double* gu, double* hu) { return nbd_loglik_u(th[0], th[1], d, gu, hu); },
      d.total_weight, std::array<double, 2>{0.0, std::log(alpha0)}, 0.0, tolerance, max_iterations);
  out.iterations = nf.iterations;
  out.ok = nf.ok;
  out.r = std::exp(nf.u[0]);
  out.alpha = std::exp(nf.u[1]);
  out.log_likelihood = nf.log_likelihood;
  out.gradient_norm = nf.gradient_norm;
  const Eigen::Matrix2d info = nf.hess * d.total_weight;
  Eigen::LLT<Eigen::Matrix2d> llt(info);
  if (llt.info() == Eigen::Success) {
    const Eigen::Matrix2d cov = llt.solve(Eigen::Matrix2d::Identity());
    out.std_errors = {out.r * std::sqrt(std::max(0.0, cov(0, 0))), out.alpha * std::sqrt(std::max(0.0, cov(1, 1)))};
  }
  return out;
}

// True when the NBD at (r, alpha) is a maximum on the face s = 0 (see above): S <= 0 and dLL/ds <= 0 on
// the beta grid. A tail that cannot be computed counts as "not a maximum".
bool nbd_is_face_maximum(double r, double alpha, const WeightedPatterns& d, double mean_T) {
  double S = 0;
  for (std::size_t k = 0; k < d.size(); ++k) {
    const double x = d.x[k], t_x = d.t_x[k], T = d.T[k];
    const double L = std::log1p((T - t_x) / (alpha + t_x));
    S += d.w[k] * (-T + (alpha + T) * L * exprel((r + x - 1.0) * L));
  }
  if (!(S <= 0.0)) return false;
  try {
    for (int e = -3; e <= 8; ++e) {
      const ParetoNbdParams p{r, alpha, 0.0, mean_T * std::pow(10.0, e)};
      double G = 0;
      for (std::size_t k = 0; k < d.size(); ++k) {
        const double x = d.x[k], t_x = d.t_x[k], T = d.T[k];
        double term = std::log1p(-T / (p.beta + T));
        if (t_x < T) {
          const double l1 = log_tail_value(p, x, t_x), l2 = log_tail_value(p, x, T);
          const double B1 = -r * std::log1p(T / alpha) - x * std::log(alpha + T);
          if (l1 > l2) term += std::exp(math::log_diff_exp(l1, l2) - B1);
        }
        G += d.w[k] * term;
      }
      if (!(G <= 0.0)) return false;
    }
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

core::FitResult<ParetoNbdParams> nbd_limit_result(const NbdLimitFit& nbd, const WeightedPatterns& d, int iterations,
                                                  int starts_tried) {
  core::FitResult<ParetoNbdParams> res;
  res.params = ParetoNbdParams{nbd.r, nbd.alpha, 0.0, 1.0};
  res.log_likelihood = nbd.log_likelihood;
  res.iterations = iterations;
  res.status = core::FitStatus::Converged;
  res.gradient_norm = nbd.gradient_norm;
  res.std_errors = {nbd.std_errors[0], nbd.std_errors[1], std::numeric_limits<double>::quiet_NaN(),
                    std::numeric_limits<double>::quiet_NaN()};
  res.n_customers = d.total_weight;
  res.n_patterns = d.size();
  res.starts_tried = starts_tried;
  res.limit = "nbd";
  return res;
}

}  // namespace

double detail::pareto_nbd_loglik_u(const ParetoNbdParams& params, const WeightedPatterns& patterns,
                                   std::span<double, 4> gradient, std::span<double, 16> hessian) {
  check_params("pareto_nbd_loglik_u", params);
  if (params.s == 0.0) throw InvalidArgument("pareto_nbd_loglik_u", "params.s", "0", "must be > 0");
  TailCache cache;
  return detail::guarded("pareto_nbd", params, "pareto_nbd_loglik_u",
                         [&] { return loglik_u(params, patterns, cache, gradient.data(), hessian.data()); });
}

ParetoNbdParams ParetoNbdParams::from_values(std::span<const double> v) {
  if (v.size() != 4)
    throw InvalidArgument("ParetoNbdParams::from_values", "v", "size " + std::to_string(v.size()), "must be 4");
  return ParetoNbdParams{v[0], v[1], v[2], v[3]};
}

core::FitResult<ParetoNbdParams> ParetoNbd::fit(std::span<const double> frequency, std::span<const double> recency,
                                                std::span<const double> T, std::span<const double> weights,
                                                const core::FitOptions& options) {
  constexpr const char* fn = "ParetoNbd::fit";
  const WeightedPatterns d = detail::check_and_compress(fn, frequency, recency, T, weights);

  // Data-driven start: r = s = 1; alpha so that r / alpha matches the mean purchase rate, beta so that
  // the mean lifetime beta / s is the mean age (both scale with the time unit).
  const auto scale = detail::data_scale(d, 1e-3);
  const double mean_T = scale.mean_T, rate = scale.rate;  // plain variables: lambdas capture them (clang 14)
  const std::array<double, 4> start{1.0, 1.0 / rate, 1.0, mean_T};
  const std::vector<std::array<double, 4>> offsets{
      {-1.0, -1.0, -1.0, -1.0}, {1.0, 1.0, 1.0, 1.0}, {-2.0, -2.0, 0.0, 0.0}, {0.0, 0.0, -2.0, -2.0},
      {2.0, 2.0, 2.0, 2.0},     {-1.0, 0.5, 1.0, 2.0}, {1.0, -0.5, -1.0, 1.0}};

  TailCache cache;
  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    const ParetoNbdParams p{th[0], th[1], th[2], th[3]};
    return g ? loglik_patterns<1>(p, d, cache, g->data(), nullptr) : loglik_patterns<0>(p, d, cache, nullptr, nullptr);
  };
  // options.max_iterations bounds everything below together: the warm-start fit, the NBD limit's fit,
  // the Newton starts and the fallback driver. `used` counts what has been spent.
  const bool valid = options.max_iterations >= 1 && options.penalizer >= 0.0 && std::isfinite(options.penalizer) &&
                     options.tolerance > 0.0 && options.restarts >= 0;
  int used = 0;
  auto left = [&] { return options.max_iterations - used; };

  // Warm start on large data: a fit on every k-th customer (about kWarmCustomers of them) lands within
  // sampling error of the optimum, from where Newton needs ~3 full-data passes instead of ~8 (full CDNOW).
  // It is only a start: it goes first (one extra start, so the caller's restarts are all kept), and the
  // acceptance rules and fallbacks are unchanged; the optimum agrees with the data-driven path to the
  // tolerance (tests/cpp/clv/pareto_nbd_test.cpp WarmStartOnLargeDataGivesTheSameFit). Not used when the
  // caller gives initial_params or the data have few patterns (the subsample would not be cheaper). Its
  // iterations count towards the budget.
  core::FitOptions o = options;
  constexpr std::size_t kWarmMinPatterns = 4000, kWarmCustomers = 1000;
  if (valid && !options.initial_params && d.size() >= kWarmMinPatterns && frequency.size() >= 4 * kWarmCustomers) {
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
      core::FitOptions wo = options;
      wo.max_iterations = std::max(1, options.max_iterations / 2);
      warm = fit(sx_, stx, sT_, sw, wo);
      used += warm->iterations;
    } catch (const Error&) {  // e.g. a subsample without positive weight: fall back to the data-driven start
    }
    if (warm && warm->converged() && warm->limit.empty()) {
      o.initial_params = std::vector<double>{warm->params.r, warm->params.alpha, warm->params.s, warm->params.beta};
      o.restarts = options.restarts < std::numeric_limits<int>::max() ? options.restarts + 1 : options.restarts;
    }
  }

  // The NBD limit (no dropout), fitted first: two parameters, closed form, a few Newton steps. Only
  // without a penalty (a penalty on log s keeps the optimum inside).
  NbdLimitFit nbd;
  if (valid && options.penalizer == 0.0 && left() > 1) {  // (leaves at least one iteration for the starts)
    nbd = fit_nbd_limit(d, 1.0 / rate, options.tolerance, std::min(left() - 1, 50));
    used += nbd.iterations;
  }
  std::optional<bool> nbd_is_max;  // computed on demand
  auto limit_holds = [&] {
    if (!nbd.ok) return false;
    if (!nbd_is_max) nbd_is_max = nbd_is_face_maximum(nbd.r, nbd.alpha, d, mean_T);
    return *nbd_is_max;
  };
  // The longest age: a start whose dropout probability over it falls below 1e-7 is indistinguishable
  // from the NBD limit and is given up (it would run towards s / beta -> 0 without end).
  double max_T = 0;
  for (const double v : d.unique_T) max_T = std::max(max_T, v);

  // Fast path: Newton on the analytic Hessian (value, gradient and Hessian from one pass) from each start
  // in turn (the warm one or the caller's, the data-driven one, then the offsets): ~3-10 passes per fit.
  // A start is given up after the iteration that took it (a) where most tails need the quadrature form
  // (rates far apart: ten integrals per tail for the Hessian, e.g. on the way to an s -> 0, beta -> inf
  // plateau from an absurd start), (b) next to the NBD limit (above), or (c) to a parameter beyond
  // 1e-10 .. 1e10 (a run to some other boundary, e.g. no heterogeneity at all). If no start gives an
  // interior maximum, the NBD limit is reported when it is one (above); otherwise the shared multistart
  // driver (L-BFGS, then Newton on finite-difference Hessians of the gradient) runs from the same starts
  // with what is left of the budget.
  const auto starts = detail::log_starts(o, start, offsets);
  std::optional<detail::NewtonFit<4>> best_attempt;
  int tried = 0;
  // When the NBD limit is a maximum on its face, a start that proposes rates 100 times apart (where the
  // tails need the quadrature form, ten integrals each for the Hessian) is given up before that point is
  // evaluated: on data without dropout that is the road to beta -> inf (issue 13: minutes of CPU), and
  // the limit is the answer. (An interior maximum out there, above the NBD's likelihood, is not searched
  // for in that case.) The face test (a pass over the beta grid) is made the first time a start proposes
  // such a point, not before: on data with dropout such as CDNOW the starts never go there.
  for (std::size_t i = 0; i < starts.size() && left() > 0; ++i) {
    std::array<double, 4> last_th{};
    bool far_apart = false;
    const auto nf = detail::newton_fit<4>(
        [&](const std::array<double, 4>& th, double* gu, double* hu) {
          last_th = th;
          if (far_apart || ((th[1] > 100.0 * th[3] || th[3] > 100.0 * th[1]) && limit_holds())) {
            far_apart = true;
            throw NumericError("pareto_nbd", "start given up");  // newton_fit: an unusable point
          }
          return loglik_u(ParetoNbdParams{th[0], th[1], th[2], th[3]}, d, cache, gu, hu);
        },
        d.total_weight, starts[i], o.penalizer, o.tolerance, std::min(left(), 200), [&] {
          if (far_apart || 2 * cache.quadratures > cache.tails) return true;
          for (const double v : last_th)
            if (!(v > 1e-10 && v < 1e10)) return true;
          return o.penalizer == 0.0 && -std::expm1(-last_th[2] * std::log1p(max_T / last_th[3])) < 1e-7;
        });
    used += nf.iterations;
    ++tried;
    if (nf.ok) {
      // An interior maximum below the NBD limit's likelihood is not the supremum.
      if (nbd.ok && nf.log_likelihood < nbd.log_likelihood && limit_holds())
        return nbd_limit_result(nbd, d, used, tried);
      auto res = detail::newton_result<ParetoNbdParams>(nf, d.total_weight, d.size());
      res.iterations = used;
      res.starts_tried = tried;
      return res;
    }
    if (!best_attempt || nf.log_likelihood > best_attempt->log_likelihood) best_attempt = nf;
  }
  if (limit_holds()) return nbd_limit_result(nbd, d, used, tried);
  if (valid && left() <= 0 && best_attempt) {
    auto res = detail::newton_result<ParetoNbdParams>(*best_attempt, d.total_weight, d.size(),
                                                      core::FitStatus::MaxIterations);
    res.iterations = used;
    res.starts_tried = tried;
    res.std_errors.assign(4, std::numeric_limits<double>::quiet_NaN());
    return res;
  }
  auto res = detail::fit_log_params<ParetoNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, o, used);
  // A start that "converged" on a plateau (the gradient fading while the likelihood still rises towards a
  // parameter boundary, e.g. r, alpha, s, beta -> inf on customers who all look alike) is not a maximum:
  // say so, as BG/NBD does (the analytic Hessian and the Newton step decide, detail::interior).
  if (res.status == core::FitStatus::Converged) {
    bool interior = false;
    try {
      if (res.params.s > 0.0) {
        double gu[4], hu[16];
        (void)loglik_u(res.params, d, cache, gu, hu);
        const auto v = res.params.values();
        Eigen::Matrix4d h;
        Eigen::Vector4d g;
        for (int i = 0; i < 4; ++i) {
          const double ui = std::log(v[static_cast<std::size_t>(i)]);
          g[i] = -gu[i] / d.total_weight + 2.0 * o.penalizer * ui;
          for (int j = 0; j < 4; ++j) h(i, j) = -hu[4 * i + j] / d.total_weight + (i == j ? 2.0 * o.penalizer : 0.0);
        }
        interior = detail::interior<4>(h, g);
      }
    } catch (const std::exception&) {
    }
    if (!interior) res.status = core::FitStatus::Boundary;
  }
  return res;
}

double ParetoNbd::log_likelihood(const Params& params, std::span<const double> frequency,
                                 std::span<const double> recency, std::span<const double> T,
                                 std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "ParetoNbd::log_likelihood";
  check_params(fn, params);
  detail::check_repeat_purchase_data(fn, frequency, recency, T, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
  if (!gradient.empty() && params.s == 0.0)
    throw InvalidArgument(fn, "params.s", "0", "must be > 0 when a gradient is asked for (s = 0 is the NBD "
                                               "limit, where the likelihood is evaluated but not differentiated)");
  const WeightedPatterns d = detail::compress_weighted(frequency, recency, T, weights);
  TailCache cache;
  return guarded(params, fn, [&] {
    return gradient.empty() ? loglik_patterns<0>(params, d, cache, nullptr, nullptr)
                            : loglik_patterns<1>(params, d, cache, gradient.data(), nullptr);
  });
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
  // As detail::params_from_json, but s may be 0 (the NBD limit a fit reports at a boundary optimum).
  constexpr const char* fn = "ParetoNbdParams from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].get<std::string>() == ParetoNbd::name))
    throw InvalidArgument(fn, "model", j["model"].dump(), std::string("must be \"") + ParetoNbd::name + "\"");
  std::array<double, 4> v{};
  for (std::size_t k = 0; k < 4; ++k) {
    const char* key = ParetoNbdParams::names[k];
    if (!j.contains(key)) throw InvalidArgument(fn, key, "missing", "is required");
    const auto& e = j[key];
    if (!e.is_number()) throw InvalidArgument(fn, key, e.dump(), "must be a number");
    v[k] = e.get<double>();
  }
  p = ParetoNbdParams::from_values(v);
  check_params(fn, p);
}

}  // namespace crmkit::clv
