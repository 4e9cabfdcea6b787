#include "crmkit/clv/bg_nbd.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <nlohmann/json.hpp>

#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"
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

void check_params(const char* function, const BgNbdParams& p) { detail::check_positive_params(function, p); }

template <class F>
auto guarded(const BgNbdParams& p, const char* what, F&& f) {
  return detail::guarded("bg_nbd", p, what, std::forward<F>(f));
}

// ---- accurate Gamma-function ratios -----------------------------------------------------------------
//
// log Gamma(s + x) - log Gamma(s) and its first two derivatives in s, without the cancellation of the
// plain lgamma / digamma differences when s is large (the fit can wander to r ~ 1e16 on degenerate data,
// where lgamma(r + x) - lgamma(r) loses every digit and the optimiser then exploits the rounding noise).
// s >= 10: Stirling, (s - 1/2) log1p(x/s) + x log(s + x) - x + d(s + x) - d(s), d the Stirling correction;
// psi and psi' differences by their asymptotic series for s >= 1000 (truncation < 1e-24 relative).
using math::log_rising;

// psi(s + x) - psi(s)
double digamma_rising(double s, double x) {
  if (x == 0.0) return 0.0;
  if (x <= 32.0 && x == std::floor(x)) {
    double v = 0;
    for (double j = 0; j < x; ++j) v += 1.0 / (s + j);
    return v;
  }
  if (s >= 1000.0) {
    // psi(z) ~ log z - 1/(2z) - 1/(12 z^2) + 1/(120 z^4) - 1/(252 z^6)
    auto tail = [](double z) {
      const double i2 = 1.0 / (z * z);
      return -i2 * (1.0 / 12.0 - i2 * (1.0 / 120.0 - i2 / 252.0));
    };
    return std::log1p(x / s) + 0.5 * x / (s * (s + x)) + tail(s + x) - tail(s);
  }
  return math::digamma(s + x) - math::digamma(s);
}

// psi'(s + x) - psi'(s)  (negative)
double trigamma_rising(double s, double x) {
  if (x == 0.0) return 0.0;
  if (x <= 32.0 && x == std::floor(x)) {
    double v = 0;
    for (double j = 0; j < x; ++j) v -= 1.0 / ((s + j) * (s + j));
    return v;
  }
  if (s >= 1000.0) {
    // psi'(z) ~ 1/z + 1/(2 z^2) + 1/(6 z^3) - 1/(30 z^5) + 1/(42 z^7)
    auto tail = [](double z) {
      const double i = 1.0 / z, i2 = i * i;
      return i2 * i * (1.0 / 6.0 - i2 * (1.0 / 30.0 - i2 / 42.0));
    };
    const double sx = s + x;
    return -x / (s * sx) - 0.5 * x * (2.0 * s + x) / (s * s * sx * sx) + tail(sx) - tail(s);
  }
  return math::trigamma(s + x) - math::trigamma(s);
}

// ---- the likelihood kernel over compressed patterns -------------------------------------------------
//
// L(r, alpha, a, b | x, t_x, T) = B(a, b + x) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + T)^(r + x))
//        + [x > 0] B(a + 1, b + x - 1) / B(a, b) * Gamma(r + x) alpha^r / (Gamma(r) (alpha + t_x)^(r + x))
// (FHL 2005 eq. 6), so log L = c(x) + log(exp(A3) + [x > 0] exp(A4)) with
//   c(x) = log (r)_x + log (b)_x - log (a + b)_x           (rising factorials, log_rising above),
//   A3 = -r P(T) - x Q(T),   A4 = log a - log(b + x - 1) - r P(t_x) - x Q(t_x),
//   P(s) = log1p(s / alpha),  Q(s) = log(alpha + s)
// (r log alpha - r log(alpha + s) written as -r log1p(s/alpha): exact when r and alpha are both huge).
// c(x) and its derivatives are computed once per distinct x; P, Q and w = alpha / (alpha + s) once per
// distinct T and t_x. Derivatives are taken in u = log(r, alpha, a, b) (the optimiser's variables):
//   dA3/du = (-r P(T), r - (r+x) w(T), 0, 0),  dA4/du = (-r P(t_x), r - (r+x) w(t_x), 1, -b/(b+x-1)),
//   and log-sum-exp's Hessian pi3 H3 + pi4 H4 + pi3 pi4 (dA4 - dA3)(dA4 - dA3)^T, pi = softmax(A3, A4).
// ORDER 0: value; 1: + gradient (4); 2: + Hessian (4 x 4, row-major). Both derivatives are in u.
//
// The pattern loop runs over fixed chunks of kChunk patterns (boundaries independent of the thread
// count), each summing into its own accumulator; the terms that depend on x alone are summed per group on
// the calling thread; all are added in chunk order, so the result is bitwise the same whether the chunks
// run on one thread or several (they do on large inputs: kParallelPatterns and up).
struct Acc {
  double ll = 0;
  double G[4] = {0, 0, 0, 0};
  double H[4][4] = {};
  void add(const Acc& o) {
    ll += o.ll;
    for (int i = 0; i < 4; ++i) {
      G[i] += o.G[i];
      for (int j = i; j < 4; ++j) H[i][j] += o.H[i][j];
    }
  }
};

struct Scratch {
  std::vector<double> PT, QT, WT, Ptx, Qtx, Wtx;
  std::vector<Acc> chunks;
};

// Chunks of 2,048 patterns; threads from 16 chunks up (a pass over fewer patterns takes ~0.2 ms or less, on
// the order of starting a thread, and a second thread only adds CPU time on a busy machine).
constexpr std::size_t kChunk = 2048;
constexpr std::size_t kParallelPatterns = 16 * kChunk;

// Patterns [begin, end) of one frequency group, x = group_x, into acc: their log-sum-exp terms (the part
// of the log-likelihood that is not c(x)) and the derivatives of those terms, except r * (group weight) in
// dLL/du_alpha and in H[0][1] (added per group by the caller).
template <int ORDER>
void pattern_range(const BgNbdParams& p, const WeightedPatterns& d, const Scratch& s, double x, std::uint32_t begin,
                   std::uint32_t end, Acc& acc) {
  const double r = p.r, a = p.a, b = p.b;
  const double* PT = s.PT.data();
  const double* QT = s.QT.data();
  const double* WT = s.WT.data();
  const double* Ptx = s.Ptx.data();
  const double* Qtx = s.Qtx.data();
  const double* Wtx = s.Wtx.data();
  const std::uint32_t* iT = d.T_index.data();
  const std::uint32_t* itx = d.tx_index.data();
  const double* wv = d.w.data();
  if (x == 0.0) {
    double sP = 0, sw = 0, sww = 0;
    for (std::uint32_t k = begin; k < end; ++k) {
      const std::uint32_t j = iT[k];
      sP += wv[k] * PT[j];
      if constexpr (ORDER >= 1) sw += wv[k] * WT[j];
      if constexpr (ORDER >= 2) sww += wv[k] * WT[j] * (1.0 - WT[j]);
    }
    acc.ll -= r * sP;
    if constexpr (ORDER >= 1) {
      acc.G[0] -= r * sP;
      acc.G[1] -= r * sw;
    }
    if constexpr (ORDER >= 2) {
      acc.H[0][0] -= r * sP;
      acc.H[0][1] -= r * sw;
      acc.H[1][1] -= r * sww;
    }
    return;
  }
  const double m = r + x;
  const double bx1 = b + x - 1.0;
  const double k4 = std::log(a) - std::log(bx1);
  const double beta = b / bx1;
  // sum_k w_k log1p(e_k): unit-weight patterns (the common case) multiply (1 + e_k) in (1, 2] into
  // blocks of 32 and take one log per block (log1p dominated the profile).
  double s_lse = 0, s_P = 0, s_w = 0, s_p4 = 0, s_ww = 0, prod = 1.0;
  int in_block = 0;
  double s_q = 0, s_q1 = 0, s_q2 = 0, s_q11 = 0, s_q12 = 0, s_q22 = 0;
  // Blocks of kBlock patterns: the exponents first, then the exp (and log1p) calls in a loop of their own
  // (a call in the accumulating loop would spill its dozen running sums every pattern), then the sums, in
  // pattern order (the same values as one loop).
  constexpr std::uint32_t kBlock = 64;
  double A3b[kBlock], A4b[kBlock], eb[kBlock], lb[kBlock];
  for (std::uint32_t kb = begin; kb < end; kb += kBlock) {
    const std::uint32_t nb = std::min(kBlock, end - kb);
    for (std::uint32_t i = 0; i < nb; ++i) {
      const std::uint32_t jT = iT[kb + i], jt = itx[kb + i];
      A3b[i] = -r * PT[jT] - x * QT[jT];
      A4b[i] = k4 - r * Ptx[jt] - x * Qtx[jt];
    }
    for (std::uint32_t i = 0; i < nb; ++i) eb[i] = std::exp(-std::fabs(A4b[i] - A3b[i]));
    for (std::uint32_t i = 0; i < nb; ++i)
      if (wv[kb + i] != 1.0) lb[i] = std::log1p(eb[i]);
    for (std::uint32_t i = 0; i < nb; ++i) {
      const std::uint32_t k = kb + i;
      const std::uint32_t jT = iT[k], jt = itx[k];
      const double A3 = A3b[i], A4 = A4b[i];
      const double diff = A4 - A3;
      const double e = eb[i];
      const double w = wv[k];
      if (w == 1.0) {
        s_lse += std::max(A3, A4);
        prod *= 1.0 + e;
        if (++in_block == 32) {
          s_lse += std::log(prod);
          prod = 1.0;
          in_block = 0;
        }
      } else {
        s_lse += w * (std::max(A3, A4) + lb[i]);
      }
      if constexpr (ORDER >= 1) {
        const double inv = 1.0 / (1.0 + e);
        const double p4 = diff > 0 ? inv : e * inv;
        const double p3 = diff > 0 ? e * inv : inv;
        s_P += w * (p3 * PT[jT] + p4 * Ptx[jt]);
        s_w += w * (p3 * WT[jT] + p4 * Wtx[jt]);
        s_p4 += w * p4;
        if constexpr (ORDER >= 2) {
          s_ww += w * (p3 * WT[jT] * (1.0 - WT[jT]) + p4 * Wtx[jt] * (1.0 - Wtx[jt]));
          const double q = w * p3 * p4;
          const double d1 = Ptx[jt] - PT[jT], d2 = Wtx[jt] - WT[jT];
          s_q += q;
          s_q1 += q * d1;
          s_q2 += q * d2;
          s_q11 += q * d1 * d1;
          s_q12 += q * d1 * d2;
          s_q22 += q * d2 * d2;
        }
      }
    }
  }
  acc.ll += s_lse + std::log(prod);
  if constexpr (ORDER >= 1) {
    acc.G[0] -= r * s_P;
    acc.G[1] -= m * s_w;
    acc.G[2] += s_p4;
    acc.G[3] -= beta * s_p4;
  }
  if constexpr (ORDER >= 2) {
    acc.H[0][0] += -r * s_P + r * r * s_q11;
    acc.H[0][1] += -r * s_w + r * m * s_q12;
    acc.H[1][1] += -m * s_ww + m * m * s_q22;
    acc.H[0][2] -= r * s_q1;
    acc.H[0][3] += r * beta * s_q1;
    acc.H[1][2] -= m * s_q2;
    acc.H[1][3] += m * beta * s_q2;
    acc.H[2][2] += s_q;
    acc.H[2][3] -= beta * s_q;
    acc.H[3][3] += beta * beta * s_q - b * (x - 1.0) / (bx1 * bx1) * s_p4;
  }
}

template <int ORDER>
double loglik_u(const BgNbdParams& p, const WeightedPatterns& d, Scratch& s, double* grad, double* hess) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  auto tables = [alpha](const std::vector<double>& v, std::vector<double>& P, std::vector<double>& Q,
                        std::vector<double>& W) {
    const std::size_t n = v.size();
    P.resize(n);
    Q.resize(n);
    W.resize(n);
    for (std::size_t j = 0; j < n; ++j) {
      P[j] = std::log1p(v[j] / alpha);
      Q[j] = std::log(alpha + v[j]);
      W[j] = alpha / (alpha + v[j]);
    }
  };
  tables(d.unique_T, s.PT, s.QT, s.WT);
  tables(d.unique_tx, s.Ptx, s.Qtx, s.Wtx);

  // the terms of x alone: c(x) = log (r)_x + log (b)_x - log (a + b)_x and its derivatives, per group
  Acc total;
  const std::size_t groups = d.group_x.size();
  for (std::size_t gi = 0; gi < groups; ++gi) {
    const double x = d.group_x[gi], Wg = d.group_w[gi];
    if constexpr (ORDER >= 1) total.G[1] += r * Wg;
    if constexpr (ORDER >= 2) total.H[0][1] += r * Wg;
    if (x == 0.0) continue;
    total.ll += Wg * (log_rising(r, x) + log_rising(b, x) - log_rising(a + b, x));
    if constexpr (ORDER >= 1) {
      const double d1r = digamma_rising(r, x), d1b = digamma_rising(b, x), d1ab = digamma_rising(a + b, x);
      total.G[0] += Wg * r * d1r;
      total.G[2] -= Wg * a * d1ab;
      total.G[3] += Wg * b * (d1b - d1ab);
      if constexpr (ORDER >= 2) {
        const double d2r = trigamma_rising(r, x), d2b = trigamma_rising(b, x), d2ab = trigamma_rising(a + b, x);
        total.H[0][0] += Wg * (r * r * d2r + r * d1r);
        total.H[2][2] -= Wg * (a * a * d2ab + a * d1ab);
        total.H[2][3] -= Wg * a * b * d2ab;
        total.H[3][3] += Wg * (b * b * (d2b - d2ab) + b * (d1b - d1ab));
      }
    }
  }

  // the patterns, chunk by chunk
  const std::size_t m = d.size();
  const std::size_t chunks = crmkit::detail::chunk_count(m, kChunk);
  s.chunks.assign(chunks, Acc{});
  auto run_chunk = [&](std::size_t c) {
    const auto c0 = static_cast<std::uint32_t>(c * kChunk);
    const auto c1 = static_cast<std::uint32_t>(std::min(m, (c + 1) * kChunk));
    // the group holding pattern c0
    std::size_t gi = static_cast<std::size_t>(std::upper_bound(d.group_begin.begin(), d.group_begin.end(), c0) -
                                              d.group_begin.begin()) - 1;
    Acc& acc = s.chunks[c];
    for (std::uint32_t k0 = c0; k0 < c1; ++gi) {
      const std::uint32_t k1 = std::min(c1, d.group_begin[gi + 1]);
      pattern_range<ORDER>(p, d, s, d.group_x[gi], k0, k1, acc);
      k0 = k1;
    }
  };
  if (m >= kParallelPatterns)
    crmkit::detail::parallel_tasks(chunks, run_chunk);
  else
    for (std::size_t c = 0; c < chunks; ++c) run_chunk(c);
  for (const Acc& c : s.chunks) total.add(c);

  if constexpr (ORDER >= 1)
    for (int k = 0; k < 4; ++k) grad[k] = total.G[k];
  if constexpr (ORDER >= 2)
    for (int i = 0; i < 4; ++i)
      for (int j = i; j < 4; ++j) hess[4 * i + j] = hess[4 * j + i] = total.H[i][j];
  return total.ll;
}

// The natural-scale form the shared driver and BgNbd::log_likelihood use: dLL/dtheta = dLL/du / theta.
double loglik_patterns(const BgNbdParams& p, const WeightedPatterns& d, Scratch& s, double* grad) {
  if (grad == nullptr) return loglik_u<0>(p, d, s, nullptr, nullptr);
  const double ll = loglik_u<1>(p, d, s, grad, nullptr);
  const auto v = p.values();
  for (std::size_t k = 0; k < 4; ++k) grad[k] /= v[k];
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
//
// The Euler series needs about a z terms when a is large (its terms then grow like (a z)^k / k! before
// they fall, and overflow for a z > ~700: the NaN of fits that stopped on the a -> inf plateau). So it runs
// with a budget of kSeriesBudget terms; past it (or on overflow) the untransformed series
//   E * D = C / (a - 1) [-expm1((r+x) L) - (1-z)^(r+x) sum_{k>=1} S_k],  S_1 = (r+x)(b+x) z / C,
//   S_{k+1} = S_k (r+x+k)(b+x+k) z / ((C+k)(k+1)),
// whose terms fall at once when a (hence C) is large, takes over (only for a >= 2, away from a = 1); and if
// that too is slow (a and x both large), or either form loses more than 6 digits to cancellation (b huge
// with r tiny: E ~ r t / (alpha + T) from terms of size b), the mixture form E * D = E_p[(1 - (1 + c p)^-(r+x)) / p] over
// p ~ Beta(a, b + x), c = t / (alpha + T) (FHL 2005, the expectation eq. 10 integrates), is integrated by
// the trapezoidal rule on the logit scale, where the integrand is analytic and decays exponentially.
constexpr int kSeriesBudget = 20000;

bool euler_series(const BgNbdParams& p, double t, double x, double T, double& out) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const double C = a + b + x - 1.0;
  const double L = -std::log1p(t / (alpha + T));  // log(1 - z)
  const double z = t / (alpha + T + t);
  const double y = (a - 1.0) * L;
  const double exprel = (y == 0.0) ? 1.0 : std::expm1(y) / y;
  const double a1 = a + b - 1.0 - r;
  double term = a1 * z, sum = term, biggest = std::fabs(term);
  const double stop = -std::expm1(L);  // = z
  int k = 1;
  for (; k < kSeriesBudget; ++k) {
    term *= (a1 + k) * (a + k - 1.0) * z / ((C + k) * (k + 1.0));
    sum += term;
    biggest = std::max(biggest, std::fabs(term));
    if (std::fabs(term) <= 1e-17 * std::fabs(sum) * stop && k > -a1) break;
    if (term == 0.0) break;
    if (!(std::fabs(term) < 1e280)) return false;
  }
  if (k >= kSeriesBudget) return false;
  const double first = -C * L * exprel, second = std::exp(y) * sum;
  out = first - second;
  // More than 6 digits lost to cancellation between the two parts (e.g. b ~ 1e14 with a tiny r), or
  // inside the sum: with r far above a + b the numerator parameter a + b - 1 - r is large and negative,
  // the terms alternate in sign and grow like binomial coefficients (~1e28 at r = 100, z near 1) while
  // the result is O(1), so every digit is lost (E came out as 1e9 .. 1e262). Demand that the largest
  // term, times the rounding of the sum, leaves 1e-9 of the result; else let another form answer.
  return std::isfinite(out) && out >= 1e-6 * (std::fabs(first) + std::fabs(second)) &&
         std::exp(y) * biggest <= 1e5 * out;
}

bool plain_series(const BgNbdParams& p, double t, double x, double T, double& out) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  if (!(a >= 2.0)) return false;
  const double C = a + b + x - 1.0, m = r + x, bx = b + x;
  const double L = -std::log1p(t / (alpha + T));
  const double z = t / (alpha + T + t);
  double term = m * bx * z / C, sum = term;
  int k = 1;
  for (; k < kSeriesBudget; ++k) {
    term *= (m + k) * (bx + k) * z / ((C + k) * (k + 1.0));
    sum += term;
    if (term <= 1e-17 * sum || term == 0.0) break;
    if (!(term < 1e280)) return false;
  }
  if (k >= kSeriesBudget) return false;
  const double first = -std::expm1(m * L), second = std::exp(m * L) * sum;
  out = C / (a - 1.0) * (first - second);
  return std::isfinite(out) && first - second >= 1e-6 * (first + second);
}

double softplus(double v) { return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }

// E_p[g(p)], p ~ Beta(A, B), g(p) = (1 - (1 + c p)^-m) / p, on the logit scale u = log(p / (1 - p)), where
// the weight p^A (1-p)^B is smooth and decays exponentially. g is constant to 1e-13 in both tails (g -> m c
// as p -> 0 and g -> g(1) as p -> 1), so the tails beyond u_L and u_R are those constants times the Beta
// tail probabilities (regularised incomplete beta: exact however slowly the weight decays, e.g. p^A with
// A = 1e-3 puts half its mass below p = 1e-300), and [u_L, u_R] is integrated by adaptive Gauss-Kronrod
// (Boost.Math), cut at the weight's peak (u = log(A / B) +- 10 standard deviations: narrow when A and B
// are both large) and where g turns (c p m ~ 1). A fixed trapezoid step here lost up to 3e-4 when A was
// tiny (its step, set by the weight's width, was too coarse for g's turn).
//
// Bounded work: when p is concentrated (relative sd of p below 1e-5: a and b + x both huge, e.g. 1e200, where
// the log-density A log p + B log(1 - p) - lbeta loses every digit and Boost's incomplete beta iterates to
// its million-term limit, 0.85 s a customer) E_p[g] = g(mu) + g''(mu) var / 2 + O(sd^3) is taken by the
// three-point Gauss-Hermite rule in p (exact for cubics; 1e-12 relative here); else the Beta tails that lie
// beyond 40 sd of a concentrated Beta (min(A, B) >= 1e3: mass below e^-800) are 0 without calling the
// incomplete beta, and the adaptive quadrature is capped at kMixtureDepth bisections (<= 2^8 panels of 31
// points per piece); an error estimate above 1e-9 of the result is a NumericError naming the parameters.
constexpr unsigned kMixtureDepth = 15;

double beta_mixture(const BgNbdParams& p, double t, double x, double T) {
  using GK = boost::math::quadrature::gauss_kronrod<double, 31>;
  const double A = p.a, B = p.b + x, m = p.r + x, c = t / (p.alpha + T);
  const double g0 = m * c, g1 = -std::expm1(-m * std::log1p(c));
  auto gq = [&](double q) { return -std::expm1(-m * std::log1p(c * q)) / q; };
  auto g = [&](double u) {
    const double q = 1.0 / (1.0 + std::exp(-u));
    if (!(q > 0.0)) return g0;
    return gq(q);
  };
  // mean and sd of p ~ Beta(A, B), without overflow for A, B up to 1e308
  const double mu = 1.0 / (1.0 + B / A), mu_c = 1.0 / (1.0 + A / B);
  const double sd_p = std::sqrt(mu * mu_c) / std::sqrt(A + B + 1.0);
  if (sd_p <= 1e-5 * mu) {  // g varies on the scale of p itself (its 1/p and (1 + c p)^-m), not of 1 - p
    const double h = std::sqrt(3.0) * sd_p;
    return (gq(mu - h) + 4.0 * gq(mu) + gq(mu + h)) / 6.0;
  }
  // logit bounds where |g - g0| <= 1e-13 g0 (|g - g0| <= (m + 1) c q g0 / 2) and |g - g(1)| <= 1e-13 g(1)
  const double uL = std::log(1e-13) - std::log1p((m + 1.0) * c);
  const double uR = -std::log(1e-13) + std::log1p(m) + std::log1p(c);
  const double lb = math::lbeta(A, B);
  auto weight = [&](double u) { return std::exp(-A * softplus(-u) - B * softplus(u) - lb); };  // density of u
  // Beta tail probabilities beyond uL and uR (sigmoid and its complement, each without cancellation)
  const double qL = 1.0 / (1.0 + std::exp(-uL)), qLc = 1.0 / (1.0 + std::exp(uL));
  const double qR = 1.0 / (1.0 + std::exp(-uR)), qRc = 1.0 / (1.0 + std::exp(uR));
  const double u0 = std::log(A) - std::log(B), sd = std::sqrt(1.0 / A + 1.0 / B);
  const bool concentrated = std::min(A, B) >= 1e3;
  const double massL = concentrated && u0 - uL > 40.0 * sd ? 0.0 : std::exp(math::log_ibeta(A, B, qL, qLc));
  const double massR = concentrated && uR - u0 > 40.0 * sd ? 0.0 : std::exp(math::log_ibeta(B, A, qRc, qR));
  std::vector<double> cuts{uL, uR, u0 - 10.0 * sd, u0 + 10.0 * sd, -std::log(std::max(g0, 1e-300))};
  for (double& v : cuts) v = std::clamp(v, uL, uR);
  std::sort(cuts.begin(), cuts.end());
  double wg = 0, w = 0, err_wg = 0, err_w = 0;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    if (!(cuts[k + 1] > cuts[k])) continue;
    double e1 = 0, e2 = 0;
    wg += GK::integrate([&](double u) { return weight(u) * g(u); }, cuts[k], cuts[k + 1], kMixtureDepth, 1e-13, &e1);
    w += GK::integrate(weight, cuts[k], cuts[k + 1], kMixtureDepth, 1e-13, &e2);
    err_wg += e1;
    err_w += e2;
  }
  // ratio form: the density's normalisation (lbeta, computed from numbers of size A and B) cancels
  const double num_ = g0 * massL + g1 * massR + wg, den = massL + massR + w;
  const double v = num_ / den;
  if (!std::isfinite(v) || !(den > 0.0)) {
    (void)err_wg;
    (void)err_w;
    std::string what = "E[purchases | alive]: the Beta-mixture quadrature did not reach 1e-9 within its work bound";
    what += " (x = " + detail::num(x) + ", T = " + detail::num(T) + ", t = " + detail::num(t) + ")";
    throw NumericError("bg_nbd", what);
  }
  return v;
}

double numerator_expected(const BgNbdParams& p, double t, double x, double T) {
  if (t == 0.0) return 0.0;
  double v = 0;
  if (euler_series(p, t, x, T, v)) return v;
  if (plain_series(p, t, x, T, v)) return v;
  return beta_mixture(p, t, x, T);
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
  // B(a, b + n) / B(a, b) = (b)_n / (a + b)_n and Gamma(r + n) / Gamma(r) = (r)_n, by log_rising (exact
  // also for huge r, a, b, where lgamma differences cancel).
  const double lab_n = log_rising(a + b, n);
  const double term1 = log_rising(b, n) - lab_n + log_rising(r, n) - math::lgamma(n + 1.0) + r * lp +
                       (n == 0.0 ? 0.0 : n * lq);
  if (n == 0.0) return std::exp(term1);
  // 1 - P(NB(r, alpha/(alpha+t)) <= n - 1) = I_{t/(alpha+t)}(n, r); B(a+1, b+n-1)/B(a, b) = a (b)_{n-1} / (a+b)_n
  const double q = t / (alpha + t), qc = alpha / (alpha + t);
  const double term2 = std::log(a) + log_rising(b, n - 1.0) - lab_n + math::log_ibeta(n, r, q, qc);
  return std::min(1.0, std::exp(math::log_sum_exp(term1, term2)));
}

// ---- the fast fit: Newton on the analytic Hessian (detail::newton_fit, fit_common.hpp) -----------------

// LL with gradient and Hessian in u = log theta, as detail::newton_fit takes it.
struct LogLikU {
  const WeightedPatterns& d;
  Scratch& s;
  double operator()(const std::array<double, 4>& th, double* grad, double* hess) const {
    const BgNbdParams p{th[0], th[1], th[2], th[3]};
    return grad ? loglik_u<2>(p, d, s, grad, hess) : loglik_u<0>(p, d, s, nullptr, nullptr);
  }
};

// True when the Hessian of the objective at `p` is well-conditioned positive definite (an interior
// maximum); false on a plateau where the likelihood still rises towards a parameter boundary.
bool interior_maximum(const BgNbdParams& p, const WeightedPatterns& d, Scratch& s, double penalizer) {
  double gr[4], he[16];
  try {
    (void)loglik_u<2>(p, d, s, gr, he);
  } catch (const std::exception&) {
    return false;
  }
  const auto v = p.values();
  Eigen::Matrix4d h;
  Eigen::Vector4d g;
  for (int i = 0; i < 4; ++i) {
    const double ui = std::log(v[static_cast<std::size_t>(i)]);
    g[i] = -gr[i] / d.total_weight + 2.0 * penalizer * ui;
    for (int j = 0; j < 4; ++j) h(i, j) = -he[4 * i + j] / d.total_weight + (i == j ? 2.0 * penalizer : 0.0);
  }
  return detail::interior<4>(h, g);
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
  const WeightedPatterns d = detail::check_and_compress(fn, frequency, recency, T, weights);

  // Data-driven start: r = 1 and alpha so that r / alpha matches the mean purchase rate of the data
  // (scales with the time unit, so fits in days and in weeks follow the same path); a = 1, b = 3.
  const auto [mean_T, rate] = detail::data_scale(d, std::numeric_limits<double>::min());
  const std::array<double, 4> start{1.0, 1.0 / rate, 1.0, 3.0};
  const std::vector<std::array<double, 4>> offsets{
      {-1.5, -1.5, 0.0, 0.0}, {1.0, 1.0, -1.0, 0.5}, {0.0, 0.0, 1.5, 1.5}, {-3.0, -3.0, -1.5, -1.0},
      {2.0, 2.0, 2.0, 3.0},   {-1.0, 0.0, -2.0, -1.0}, {0.5, -1.0, 3.0, 0.0}};

  Scratch scratch;
  // options.max_iterations bounds the iterations of the whole fit: the Newton passes below and then
  // fit_log_params' starts share it (`used` counts what is spent).
  int used = 0;
  // Fast path: Newton from the first start (the caller's, else the data-driven one).
  const auto starts = detail::log_starts(options, start, offsets);
  if (!starts.empty()) {
    const auto max_it = [&] { return std::max(1, std::min(options.max_iterations - used, 200)); };
    // Warm start on many patterns (not with the caller's own start): Newton first on a systematic sample
    // of every kWarmEvery-th customer (detail::sample_customers, itself warm-started the same way while it
    // is large), whose optimum lies within sampling error of the full one; from there the full data need
    // ~3 Newton passes instead of ~7. Only a start: the full fit's acceptance rule is unchanged.
    constexpr std::size_t kWarmMinPatterns = 3000;
    constexpr double kWarmEvery = 8.0;
    std::vector<WeightedPatterns> levels;
    levels.reserve(16);
    if (!options.initial_params)
      for (const WeightedPatterns* cur = &d; cur->size() >= kWarmMinPatterns && cur->total_weight >= 8 * kWarmEvery;
           cur = &levels.back()) {
        levels.push_back(detail::sample_customers(*cur, kWarmEvery));
        if (levels.back().size() == 0) {
          levels.pop_back();
          break;
        }
      }
    // A sample's optimum is only a start: its distance from the full optimum (sampling error, a gradient
    // of order 1e-4 .. 1e-2 per customer at the full data's) dwarfs a 1e-5 tolerance, so the samples stop
    // there and save their last pass.
    const double warm_tolerance = std::max(options.tolerance, 1e-5);
    std::array<double, 4> u0 = starts.front();
    for (std::size_t lv = levels.size(); lv-- > 0;) {
      if (used >= options.max_iterations) break;
      const auto warm = detail::newton_fit<4>(LogLikU{levels[lv], scratch}, levels[lv].total_weight, u0,
                                              options.penalizer, warm_tolerance, max_it());
      used += warm.iterations;
      if (!warm.ok) break;
      u0 = warm.u;
    }
    const auto nf = detail::newton_fit<4>(LogLikU{d, scratch}, d.total_weight, u0, options.penalizer,
                                          options.tolerance, max_it());
    used += nf.iterations;
    // iterations: the passes over the full data (the samples' cheaper ones are budgeted, not reported)
    if (nf.ok) return detail::newton_result<BgNbdParams>(nf, d.total_weight, d.size());
  }

  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    const BgNbdParams p{th[0], th[1], th[2], th[3]};
    return loglik_patterns(p, d, scratch, g ? g->data() : nullptr);
  };
  auto res = detail::fit_log_params<BgNbdParams>(fn, ll, d.total_weight, d.size(), start, offsets, options, used);
  // A start that "converged" on a plateau (gradient vanishing while the likelihood still rises towards a
  // parameter boundary, e.g. a, b -> inf on data with almost no repeat buying) is not a maximum: say so.
  if (res.status == core::FitStatus::Converged && !interior_maximum(res.params, d, scratch, options.penalizer))
    res.status = core::FitStatus::Boundary;
  return res;
}

double BgNbd::log_likelihood(const Params& params, std::span<const double> frequency,
                             std::span<const double> recency, std::span<const double> T,
                             std::span<const double> weights, std::span<double> gradient) {
  constexpr const char* fn = "BgNbd::log_likelihood";
  check_params(fn, params);
  const WeightedPatterns d = detail::check_and_compress(fn, frequency, recency, T, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
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
    const double r = params.r, alpha = params.alpha, a = params.a, b = params.b;
    for (std::size_t i = 0; i < frequency.size(); ++i) {
      const double x = frequency[i];
      const double c = log_rising(r, x) + log_rising(b, x) - log_rising(a + b, x);
      const double A3 = -r * std::log1p(T[i] / alpha) - x * std::log(alpha + T[i]);
      if (x == 0.0) {
        out[i] = c + A3;
      } else {
        const double A4 = std::log(a) - std::log(b + x - 1.0) - r * std::log1p(recency[i] / alpha) -
                          x * std::log(alpha + recency[i]);
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
  for (std::size_t i = 0; i < frequency.size(); ++i)
    out[i] = detail::per_customer("bg_nbd", params, fn, i, [&] { return p_alive_one(params, frequency[i], recency[i], T[i]); });
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
    out[i] = detail::per_customer("bg_nbd", params, fn, i,
                                  [&] { return cond_expected_one(params, t, frequency[i], recency[i], T[i]); });
}

void expected_purchases(const BgNbdParams& params, std::span<const double> t, std::span<double> out) {
  constexpr const char* fn = "bg_nbd expected_purchases";
  check_params(fn, params);
  check_out(fn, t.size(), out);
  for (std::size_t i = 0; i < t.size(); ++i) {
    check_horizon(fn, ("t[" + std::to_string(i) + "]").c_str(), t[i]);
    out[i] = guarded(params, fn, [&] { return numerator_expected(params, t[i], 0.0, 0.0); });
    if (!std::isfinite(out[i]))
      throw NumericError("bg_nbd", std::string(fn) + ": no finite value at t = " + num(t[i]) + ", " + detail::params_text(params));
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
    for (std::size_t i = 0; i < n.size(); ++i)
      out[i] = detail::per_customer("bg_nbd", params, fn, i, [&] { return prob_n_one(params, t, n[i]); });
    return 0;
  });
}

void discounted_expected_purchases(const BgNbdParams& params, std::span<const double> horizons,
                                   std::span<const double> discounts, std::span<const double> frequency,
                                   std::span<const double> recency, std::span<const double> T, std::span<double> out) {
  constexpr const char* fn = "bg_nbd discounted_expected_purchases";
  check_params(fn, params);
  if (discounts.size() != horizons.size())
    throw InvalidArgument(fn, "discounts", "length " + std::to_string(discounts.size()),
                          "must equal the number of horizons (" + std::to_string(horizons.size()) + ")");
  for (std::size_t i = 0; i < horizons.size(); ++i) {
    std::string name = "horizons[";
    name += std::to_string(i);
    name += "]";
    check_horizon(fn, name.c_str(), horizons[i]);
    if (i > 0 && horizons[i] < horizons[i - 1]) throw InvalidArgument(fn, name, num(horizons[i]), "must be >= the one before");
    if (!std::isfinite(discounts[i])) {
      std::string dn = "discounts[";
      dn += std::to_string(i);
      dn += "]";
      throw InvalidArgument(fn, dn, num(discounts[i]), "must be finite");
    }
  }
  detail::check_repeat_purchase_data(fn, frequency, recency, T, {});
  check_out(fn, frequency.size(), out);
  const std::size_t n = frequency.size();
  // (x, T) -> sum_i discounts[i] (N(h_i) - N(h_{i-1})), N the numerator of E (a function of x and T only),
  // in an open-addressing table grown at load 1/2; entries hold x, T, that sum and log(a / (b + x - 1)).
  struct Entry {
    double x, T, s, k;
  };
  std::vector<Entry> entries;
  std::size_t cap = 1024;
  std::vector<std::uint32_t> table(cap, UINT32_MAX);
  auto hash = [](double x, double t) {
    std::uint64_t h = std::bit_cast<std::uint64_t>(x + 0.0) * 0x9e3779b97f4a7c15ULL;
    h ^= std::bit_cast<std::uint64_t>(t + 0.0) + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
  };
  auto find = [&](double x, double t, const std::vector<std::uint32_t>& tab, std::size_t c) {
    std::size_t sl = hash(x, t) & (c - 1);
    while (tab[sl] != UINT32_MAX) {
      const Entry& e = entries[tab[sl]];
      if (e.x == x && e.T == t) return sl;
      sl = (sl + 1) & (c - 1);
    }
    return sl;
  };
  const double r = params.r, alpha = params.alpha;
  guarded(params, fn, [&] {
    // 1. each customer's (x, T) entry, numbered in first appearance (one serial hashing pass)
    std::vector<std::uint32_t> row_id(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = frequency[i], t = T[i];
      const std::size_t sl = find(x, t, table, cap);
      std::uint32_t id = table[sl];
      if (id == UINT32_MAX) {
        id = static_cast<std::uint32_t>(entries.size());
        entries.push_back({x, t, 0.0, x > 0.0 ? std::log(params.a) - std::log(params.b + x - 1.0) : 0.0});
        table[sl] = id;
        if (2 * entries.size() > cap) {
          cap *= 4;
          std::vector<std::uint32_t> bigger(cap, UINT32_MAX);
          for (std::uint32_t e = 0; e < entries.size(); ++e) bigger[find(entries[e].x, entries[e].T, bigger, cap)] = e;
          table.swap(bigger);
        }
      }
      row_id[i] = id;
    }
    // 2. the discounted series sum of each entry, and 3. each customer's P(alive) times it: every output
    // depends on its own inputs only, so fixed chunks on up to max_threads() threads give the same values
    // as one thread. Small inputs stay on the calling thread.
    constexpr std::size_t kEntryChunk = 256, kRowChunk = 65536;
    auto series = [&](std::size_t c) {
      const std::size_t end = std::min(entries.size(), (c + 1) * kEntryChunk);
      for (std::size_t e = c * kEntryChunk; e < end; ++e) {
        double sum = 0, prev = 0;
        for (std::size_t k = 0; k < horizons.size(); ++k) {
          const double cur = numerator_expected(params, horizons[k], entries[e].x, entries[e].T);
          sum += discounts[k] * (cur - prev);
          prev = cur;
        }
        entries[e].s = sum;
      }
    };
    auto rows = [&](std::size_t c) {
      const std::size_t end = std::min(n, (c + 1) * kRowChunk);
      for (std::size_t i = c * kRowChunk; i < end; ++i) {
        const Entry& e = entries[row_id[i]];
        const double x = frequency[i];
        if (x == 0.0) {
          out[i] = e.s;
        } else {
          // P(alive) = 1 / (1 + exp(log a/(b+x-1) + (r+x) log1p((T - t_x)/(alpha + t_x)))); exp overflow gives 0.
          const double lo = e.k + (r + x) * std::log1p((e.T - recency[i]) / (alpha + recency[i]));
          out[i] = e.s / (1.0 + std::exp(lo));
        }
      }
    };
    const std::size_t entry_chunks = crmkit::detail::chunk_count(entries.size(), kEntryChunk);
    const std::size_t row_chunks = crmkit::detail::chunk_count(n, kRowChunk);
    if (n >= 4 * kRowChunk) {
      crmkit::detail::parallel_tasks(entry_chunks, series);
      crmkit::detail::parallel_tasks(row_chunks, rows);
    } else {
      for (std::size_t c = 0; c < entry_chunks; ++c) series(c);
      for (std::size_t c = 0; c < row_chunks; ++c) rows(c);
    }
    return 0;
  });
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(out[i]))
      detail::per_customer("bg_nbd", params, fn, i, [&] { return out[i]; });  // throws, naming the row
}

namespace {

// Distinct first-purchase times with their total weights, sorted.
void cohort_births(const char* fn, std::span<const double> first_purchase, std::span<const double> weights,
                   std::vector<double>& s, std::vector<double>& w) {
  if (!weights.empty() && weights.size() != first_purchase.size())
    throw InvalidArgument(fn, "weights", "length " + std::to_string(weights.size()),
                          "must be empty or equal the length of first_purchase (" +
                              std::to_string(first_purchase.size()) + ")");
  std::vector<std::pair<double, double>> v(first_purchase.size());
  for (std::size_t i = 0; i < first_purchase.size(); ++i) {
    const double b = first_purchase[i], wi = weights.empty() ? 1.0 : weights[i];
    if (!std::isfinite(b)) {
      std::string name = "first_purchase[";
      name += std::to_string(i);
      name += "]";
      throw InvalidArgument(fn, name, num(b), "must be finite");
    }
    if (!std::isfinite(wi) || !(wi >= 0.0)) {
      std::string name = "weights[";
      name += std::to_string(i);
      name += "]";
      throw InvalidArgument(fn, name, num(wi), "must be finite and >= 0");
    }
    v[i] = {b, wi};
  }
  std::sort(v.begin(), v.end());
  s.clear();
  w.clear();
  for (const auto& [b, wi] : v) {
    if (!s.empty() && s.back() == b) {
      w.back() += wi;
    } else {
      s.push_back(b);
      w.push_back(wi);
    }
  }
}

}  // namespace

void expected_cumulative_transactions(const BgNbdParams& params, std::span<const double> first_purchase,
                                      std::span<const double> t, std::span<double> out,
                                      std::span<const double> weights) {
  constexpr const char* fn = "bg_nbd expected_cumulative_transactions";
  check_params(fn, params);
  check_out(fn, t.size(), out);
  std::vector<double> s, w;
  cohort_births(fn, first_purchase, weights, s, w);
  for (std::size_t j = 0; j < t.size(); ++j)
    if (!std::isfinite(t[j])) {
      std::string name = "t[";
      name += std::to_string(j);
      name += "]";
      throw InvalidArgument(fn, name, num(t[j]), "must be finite");
    }
  guarded(params, fn, [&] {
    for (std::size_t j = 0; j < t.size(); ++j) {
      double total = 0;
      for (std::size_t i = 0; i < s.size() && s[i] < t[j]; ++i)
        total += w[i] * numerator_expected(params, t[j] - s[i], 0.0, 0.0);
      out[j] = total;
    }
    return 0;
  });
}

void expected_incremental_transactions(const BgNbdParams& params, std::span<const double> first_purchase,
                                       std::span<const double> t, std::span<double> out,
                                       std::span<const double> weights) {
  constexpr const char* fn = "bg_nbd expected_incremental_transactions";
  for (std::size_t j = 1; j < t.size(); ++j)
    if (t[j] < t[j - 1]) {
      std::string name = "t[";
      name += std::to_string(j);
      name += "]";
      throw InvalidArgument(fn, name, num(t[j]), "must be >= the one before");
    }
  expected_cumulative_transactions(params, first_purchase, t, out, weights);
  for (std::size_t j = t.size(); j-- > 1;) out[j] -= out[j - 1];
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
  p = detail::params_from_json<BgNbdParams>(j, "BgNbdParams from_json", BgNbd::name);
}

}  // namespace crmkit::clv
