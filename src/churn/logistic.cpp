// Regularised logistic regression by (proximal) Newton: churn/logistic.hpp, docs/models/logistic.md.
#include "crmkit/churn/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include <Eigen/Cholesky>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Eigen::Index kBlock = 1024;        // rows per block of a Hessian pass (a standardised copy)
constexpr Eigen::Index kStreamBlock = 4096;  // rows per block of a gradient pass over x itself (640 kB at p = 20)
constexpr Eigen::Index kRun = 256;           // rows per contiguous run of the Hessian subsample
constexpr Eigen::Index kLogRun = 512;        // rows per product in the unweighted loss (u <= 2: no overflow)
constexpr double kWarmTolerance = 1e-2;      // step tolerance of the subsample fits (a warm start only)

// Asks the memory system for the cache line at p, into L2 (a hint: no effect on results).
inline void prefetch(const double* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 1);
#else
  (void)p;
#endif
}

std::string num(double v) {
  std::string s = std::to_string(v);
  return s;
}

// Scratch arrays of one block.
struct Scratch {
  Eigen::ArrayXd e, u, v, t;
  explicit Scratch(Eigen::Index cap) : e(cap), u(cap), v(cap), t(cap) {}
};

// The per-row terms of a block of m linear predictors z, vectorised without a per-row branch (Eigen has
// no vectorised double log1p and evaluates select() one coefficient at a time):
//   e = exp(-|z|), u = 1 + e, v = 1 / u;
//   l = max(z, 0) + log1p(e) - y z, with log1p(e) = log(u) - ((u - 1) - e) v (the first-order correction
//       of the rounding in u; exact for u = 1, a few ulps otherwise);
//   p = sigmoid(z) = q + H(z) (1 - 2q), q = e v = sigmoid(-|z|), H(z) = min(max(z * 1e300, 0), 1)
//       (1 for z >= 1e-300, 0 for z <= 0; in between e = 1, q = 1/2 and 1 - 2q = 0);
//   p (1 - p) = e / u^2 = q v (no cancellation for p near 0 or 1).
// Returns sum_i s_i l_i; writes r = s (p - y) and, if hw is given, hw = s p (1 - p). s = nullptr: all 1.
double block_terms(const double* zp, const double* yp, const double* sp, Eigen::Index m, Scratch& w, double* rp,
                   double* hwp) {
  using CMap = Eigen::Map<const Eigen::ArrayXd>;
  const CMap z(zp, m), y(yp, m);
  auto e = w.e.head(m), u = w.u.head(m), v = w.v.head(m), t = w.t.head(m);
  e = (-z.abs()).exp();
  u = 1.0 + e;
  v = u.inverse();
  double f;
  if (sp) {
    t = z.max(0.0) + (u.log() - ((u - 1.0) - e) * v) - y * z;
    f = (CMap(sp, m) * t).sum();
  } else {  // unit weights: sum log(u) = log(prod u), one log per kLogRun rows (u in [1, 2])
    f = (z.max(0.0) - ((u - 1.0) - e) * v - y * z).sum();
    for (Eigen::Index k = 0; k < m; k += kLogRun) f += std::log(u.segment(k, std::min(kLogRun, m - k)).prod());
  }
  e *= v;  // q
  Eigen::Map<Eigen::ArrayXd> r(rp, m);
  r = e + (z * 1e300).max(0.0).min(1.0) * (1.0 - 2.0 * e) - y;
  if (sp) r *= CMap(sp, m);
  if (hwp) {
    Eigen::Map<Eigen::ArrayXd> hw(hwp, m);
    hw = e * v;
    if (sp) hw *= CMap(sp, m);
  }
  return f;
}

// Column sums of (x - shift) and (x - shift)^2, accumulated during a pass.
struct ColumnSums {
  Eigen::ArrayXd shift, s1, s2;
};

// Eight partial sums per column (one per lane of an 8-row step; added up at the end in a fixed order).
using Lanes = Eigen::Array<double, 8, Eigen::Dynamic>;

// z[0, m) += a x[0, m) in 8-row steps, asking for the same column's next block (`next` rows, kStreamBlock
// further on) one line per step, so that it arrives while this block is worked on. With Sums, also
// accumulates d = x - shift and d^2 into s1 and s2 (lane by lane; the tail into lane 0).
template <bool Sums, typename Col>
void axpy_column(const double* x, double a, double* z, Eigen::Index m, Eigen::Index next, [[maybe_unused]] double shift,
                 [[maybe_unused]] Col s1, [[maybe_unused]] Col s2) {
  using V = Eigen::Array<double, 8, 1>;
  Eigen::Index i = 0;
  for (; i + 8 <= m; i += 8) {
    if (i < next) prefetch(x + kStreamBlock + i);
    const Eigen::Map<const V> xv(x + i);
    Eigen::Map<V>(z + i) += a * xv;
    if constexpr (Sums) {
      const V d = xv - shift;
      s1 += d;
      s2 += d * d;
    }
  }
  for (; i < m; ++i) {
    z[i] += a * x[i];
    if constexpr (Sums) {
      const double d = x[i] - shift;
      s1[0] += d;
      s2[0] += d * d;
    }
  }
}

// The fitting problem over the internal design (x - mu) * inv_sigma with an intercept column of ones.
// The penalty acts on pscale .* w~ (pscale empty: on w~ itself); it differs from 1 only when the
// internal scaling comes from a subsample and the penalty from the full data's standard deviations.
struct Problem {
  Eigen::Ref<const Eigen::MatrixXd> x;
  const double* y;
  const double* s;            // sample x class weights; nullptr = all 1
  Eigen::RowVectorXd mu, inv_sigma;  // internal centring and scaling
  bool intercept;
  double a1, a2;              // l1 and l2 weights of the objective divided by C
  Eigen::Index p, q;          // features; parameters (p + intercept)
  Eigen::VectorXd pscale{};
  // A subsample: only the rows [r, r + run_length) for r in *runs, each weighing wscale times its weight.
  const std::vector<Eigen::Index>* runs = nullptr;
  Eigen::Index run_length = 0;
  double wscale = 1;

  // Original-scale coefficients of internal parameters theta = (w~, b~).
  void to_original(const Eigen::VectorXd& theta, Eigen::VectorXd& w, double& b) const {
    w = theta.head(p).cwiseProduct(inv_sigma.transpose());
    b = intercept ? theta[p] - mu.dot(w) : 0.0;
  }
  double penalty(const Eigen::VectorXd& theta) const {
    if (pscale.size() == 0) {
      const auto w = theta.head(p);
      return 0.5 * a2 * w.squaredNorm() + a1 * w.lpNorm<1>();
    }
    const Eigen::VectorXd w = theta.head(p).cwiseProduct(pscale);
    return 0.5 * a2 * w.squaredNorm() + a1 * w.lpNorm<1>();
  }
  // Per-parameter l2 (ridge) and l1 weights of the penalty (0 for the intercept).
  Eigen::VectorXd l2_weights() const {
    Eigen::VectorXd r = Eigen::VectorXd::Zero(q);
    if (pscale.size() == 0) r.head(p).setConstant(a2);
    else r.head(p) = a2 * pscale.cwiseAbs2();
    return r;
  }
  Eigen::VectorXd l1_weights() const {
    Eigen::VectorXd r = Eigen::VectorXd::Zero(q);
    if (pscale.size() == 0) r.head(p).setConstant(a1);
    else r.head(p) = a1 * pscale.cwiseAbs();
    return r;
  }
  // One pass over the rows at theta: returns sum_i s_i l_i; writes the gradient of the data term and,
  // if h is given, its Hessian (lower and upper triangle), from a standardised copy of each block of
  // up to kBlock rows (symmetric rank-k updates). Without h and runs the pass streams over x itself.
  double evaluate(const Eigen::VectorXd& theta, Eigen::VectorXd& g, Eigen::MatrixXd* h, ColumnSums* sums = nullptr) const {
    if (!h && !runs) return evaluate_folded(theta, g, sums);
    const Eigen::Index n = x.rows();
    const auto pieces = static_cast<Eigen::Index>(runs ? runs->size() : 1);
    const Eigen::Index piece_rows = runs ? run_length : n;
    const Eigen::Index cap = std::min(kBlock, runs ? pieces * run_length : n);
    g.setZero(q);
    if (h) h->setZero(q, q);
    Eigen::MatrixXd xc(cap, q), xs(h ? cap : 0, q);
    Eigen::VectorXd z(cap), yc(cap), sc(s ? cap : 0);
    Eigen::ArrayXd r(cap), hw(cap);
    Scratch scratch(cap);
    double f = 0;
    Eigen::Index piece = 0, offset = 0;
    while (piece < pieces) {
      Eigen::Index m = 0;  // gather up to kBlock rows of consecutive pieces
      while (m < cap && piece < pieces) {
        const Eigen::Index start = (runs ? (*runs)[static_cast<std::size_t>(piece)] : 0) + offset;
        const Eigen::Index take = std::min(cap - m, piece_rows - offset);
        xc.block(m, 0, take, p) = ((x.middleRows(start, take).rowwise() - mu).array().rowwise() * inv_sigma.array()).matrix();
        yc.segment(m, take) = Eigen::Map<const Eigen::VectorXd>(y + start, take);
        if (s) sc.segment(m, take) = Eigen::Map<const Eigen::VectorXd>(s + start, take);
        m += take;
        offset += take;
        if (offset == piece_rows) {
          ++piece;
          offset = 0;
        }
      }
      auto xb = xc.topRows(m);
      if (intercept) xb.col(p).setOnes();
      auto zb = z.head(m);
      zb.noalias() = xb * theta;
      f += block_terms(zb.data(), yc.data(), s ? sc.data() : nullptr, m, scratch, r.data(), h ? hw.data() : nullptr);
      g.noalias() += xb.transpose() * r.head(m).matrix();
      if (h) {
        auto xsb = xs.topRows(m);
        xsb = xb.array().colwise() * hw.head(m).sqrt();
        h->selfadjointView<Eigen::Lower>().rankUpdate(xsb.transpose());
      }
    }
    if (h) h->triangularView<Eigen::StrictlyUpper>() = h->transpose();
    if (wscale != 1) {
      g *= wscale;
      if (h) *h *= wscale;
      f *= wscale;
    }
    return f;
  }
  // evaluate() without the Hessian, streaming over x itself: the centring and scaling are folded into
  // the coefficients, z = x w + c with w = w~ .* inv_sigma and c = b~ - mu w, and the gradient is mapped
  // back, g~_w = inv_sigma .* (x' r - mu' sum r), g~_b = sum r (no standardised copy of x is made).
  // With `sums`, the same sweep accumulates the column sums of (x - shift) and (x - shift)^2.
  double evaluate_folded(const Eigen::VectorXd& theta, Eigen::VectorXd& g, ColumnSums* sums) const {
    const Eigen::Index n = x.rows();
    const Eigen::Index cap = std::min(kStreamBlock, n);
    const Eigen::VectorXd w = theta.head(p).cwiseProduct(inv_sigma.transpose());
    const double c = (intercept ? theta[p] : 0.0) - mu.dot(w);
    Eigen::VectorXd gx = Eigen::VectorXd::Zero(p);
    Eigen::ArrayXd z(cap), r(cap);
    Scratch scratch(cap);
    Lanes s1 = Lanes::Zero(8, p), s2 = Lanes::Zero(8, p);
    double f = 0, rsum = 0;
    for (Eigen::Index r0 = 0; r0 < n; r0 += kStreamBlock) {
      const Eigen::Index m = std::min(kStreamBlock, n - r0);
      const Eigen::Index next = std::min(kStreamBlock, std::max<Eigen::Index>(0, n - r0 - kStreamBlock));
      double* zb = z.data();
      std::fill(zb, zb + m, c);
      for (Eigen::Index j = 0; j < p; ++j) {
        const double* xj = x.data() + j * x.outerStride() + r0;
        if (sums) axpy_column<true>(xj, w[j], zb, m, next, sums->shift[j], s1.col(j), s2.col(j));
        else axpy_column<false>(xj, w[j], zb, m, next, 0.0, s1.col(0), s2.col(0));
      }
      f += block_terms(zb, y + r0, s ? s + r0 : nullptr, m, scratch, r.data(), nullptr);
      gx.noalias() += x.middleRows(r0, m).transpose() * r.head(m).matrix();
      rsum += r.head(m).sum();
    }
    if (sums) {
      sums->s1 = s1.colwise().sum().transpose();
      sums->s2 = s2.colwise().sum().transpose();
    }
    g.resize(q);
    g.head(p) = (gx - mu.transpose() * rsum).cwiseProduct(inv_sigma.transpose());
    if (intercept) g[p] = rsum;
    return f;
  }
};

// The data term of a problem evaluated at a point (its gradient g).
struct Evaluated {
  double data_loss = 0;
  Eigen::VectorXd g;
};

struct Solution {
  Eigen::VectorXd theta;
  Eigen::MatrixXd h;          // data-term Hessian at the last evaluated point (exact Hessians only)
  double data_loss = 0;
  int iterations = 0;
  math::FitStatus status = math::FitStatus::MaxIterations;
};

// Solves H d = -g, adding a growing ridge when H is not positive definite.
Eigen::VectorXd newton_step(const Eigen::MatrixXd& h, const Eigen::VectorXd& g) {
  Eigen::LLT<Eigen::MatrixXd> llt(h);
  if (llt.info() == Eigen::Success) return -llt.solve(g);
  const double scale = std::max(1.0, h.diagonal().cwiseAbs().maxCoeff());
  for (double ridge = 1e-10 * scale; ridge < 1e10 * scale; ridge *= 100) {
    Eigen::MatrixXd hr = h;
    hr.diagonal().array() += ridge;
    llt.compute(hr);
    if (llt.info() == Eigen::Success) return -llt.solve(g);
  }
  return -g / scale;
}

inline double soft(double c, double t) { return c > t ? c - t : (c < -t ? c + t : 0.0); }

// argmin_v g'(v - theta) + 1/2 (v - theta)' H (v - theta) + sum_j l1_j |v_j| by cyclic coordinate descent.
Eigen::VectorXd prox_newton_target(const Eigen::MatrixXd& h, const Eigen::VectorXd& g, const Eigen::VectorXd& theta,
                                   const Eigen::VectorXd& l1) {
  const Eigen::Index q = theta.size();
  Eigen::VectorXd v = theta;
  Eigen::VectorXd u = Eigen::VectorXd::Zero(q);  // H (v - theta)
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double biggest = 0, size = 0;
    for (Eigen::Index j = 0; j < q; ++j) {
      const double a = h(j, j);
      const double grad = g[j] + u[j];
      double nv;
      if (a <= 0) nv = l1[j] > 0 ? 0.0 : v[j];
      else nv = soft(v[j] - grad / a, l1[j] / a);
      const double d = nv - v[j];
      if (d != 0) {
        u += d * h.col(j);
        v[j] = nv;
      }
      biggest = std::max(biggest, std::abs(d));
      size = std::max(size, std::abs(nv));
    }
    if (biggest <= 1e-13 * (1 + size)) break;
  }
  return v;
}

// (Proximal) Newton from theta. With `fixed_h` every iteration takes that data-term Hessian (a
// subsample's, scaled to the full data: Byrd et al. 2011's sub-sampled Newton) and the passes are
// gradient-only; without, each pass also computes the exact Hessian. The gradient and the objective
// are always the full problem's, so the fixed point is its optimum. `first`, if given, is the data
// term already evaluated at theta (it is moved from).
Solution solve(const Problem& pr, Eigen::VectorXd theta, const Eigen::MatrixXd* fixed_h, int max_iterations,
               double tolerance, Evaluated* first = nullptr) {
  Solution out;
  Eigen::VectorXd g, g_new, step;
  Eigen::MatrixXd h, h_new;
  const Eigen::VectorXd ridge = pr.l2_weights(), l1 = pr.l1_weights();
  const bool has_l1 = pr.a1 > 0;
  const Eigen::MatrixXd* hp = fixed_h ? fixed_h : &h;
  double data_loss;
  if (first) {
    data_loss = first->data_loss;
    g.swap(first->g);
  } else {
    data_loss = pr.evaluate(theta, g, fixed_h ? nullptr : &h);
  }
  double f = data_loss + pr.penalty(theta);
  for (int it = 0; it < max_iterations; ++it) {
    out.iterations = it + 1;
    const Eigen::VectorXd gs = g + ridge.cwiseProduct(theta);
    Eigen::MatrixXd hs = *hp;
    hs.diagonal() += ridge;
    Eigen::VectorXd target;
    double decrease;
    if (has_l1) {
      target = prox_newton_target(hs, gs, theta, l1);
      step = target - theta;
      decrease = gs.dot(step) + (l1.cwiseProduct(target).lpNorm<1>() - l1.cwiseProduct(theta).lpNorm<1>());
    } else {
      step = newton_step(hs, gs);
      target = theta + step;
      decrease = gs.dot(step);
    }
    if (step.cwiseAbs().maxCoeff() <= tolerance * (1.0 + theta.cwiseAbs().maxCoeff())) {
      theta = target;  // the last (tiny) step is taken without another pass
      out.status = math::FitStatus::Converged;
      break;
    }
    // The full step, evaluated with its derivatives in one pass (accepted almost always).
    const double dl1 = pr.evaluate(target, g_new, fixed_h ? nullptr : &h_new);
    const double f1 = dl1 + pr.penalty(target);
    const double slack = 1e-14 * std::abs(f);
    if (std::isfinite(f1) && f1 <= f + 1e-4 * std::min(decrease, 0.0) + slack) {
      theta = target;
      g.swap(g_new);
      if (!fixed_h) h.swap(h_new);
      data_loss = dl1;
      f = f1;
      continue;
    }
    // Backtracking on the true objective (rare: one gradient pass per trial point).
    bool accepted = false;
    for (double t = 0.5; t > 1e-12; t *= 0.5) {
      const Eigen::VectorXd cand = theta + t * step;
      const double dl = pr.evaluate(cand, g_new, nullptr);
      const double fc = dl + pr.penalty(cand);
      if (std::isfinite(fc) && fc <= f + 1e-4 * t * std::min(decrease, 0.0) + slack) {
        theta = cand;
        data_loss = fixed_h ? dl : pr.evaluate(theta, g_new, &h);
        g.swap(g_new);
        f = data_loss + pr.penalty(theta);
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      out.status = math::FitStatus::LineSearchFailed;
      break;
    }
  }
  out.theta = std::move(theta);
  if (!fixed_h) out.h = std::move(h);
  out.data_loss = data_loss;
  return out;
}

// Column means and population standard deviations (1 for a constant column) from sums of (x - shift)
// and (x - shift)^2 over n rows; false if a sum is not finite (a non-finite or huge cell).
bool stats_from_sums(const ColumnSums& cs, double n, Eigen::RowVectorXd& mean, Eigen::RowVectorXd& sd) {
  const auto p = cs.s1.size();
  mean.resize(p);
  sd.resize(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    if (!std::isfinite(cs.s1[j]) || !std::isfinite(cs.s2[j]) || !std::isfinite(cs.shift[j])) return false;
    const double m1 = cs.s1[j] / n;
    mean[j] = cs.shift[j] + m1;
    const double v = std::max(0.0, cs.s2[j] / n - m1 * m1);
    sd[j] = v > 0 ? std::sqrt(v) : 1.0;
  }
  return true;
}

// Column means and population standard deviations in one pass over x (sums shifted by the first value),
// which also finds non-finite cells (their sums are not finite): throws naming the first such cell.
void column_stats(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<std::string>& names,
                  Eigen::RowVectorXd& mean, Eigen::RowVectorXd& sd) {
  const Eigen::Index n = x.rows(), p = x.cols();
  ColumnSums cs{x.row(0).transpose().array(), Eigen::ArrayXd::Zero(p), Eigen::ArrayXd::Zero(p)};
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto c = x.col(j);
    for (Eigen::Index r0 = 0; r0 < n; r0 += 4096) {
      const auto seg = c.segment(r0, std::min<Eigen::Index>(4096, n - r0)).array() - cs.shift[j];
      cs.s1[j] += seg.sum();
      cs.s2[j] += seg.square().sum();
    }
  }
  if (stats_from_sums(cs, static_cast<double>(n), mean, sd)) return;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (std::isfinite(cs.s1[j]) && std::isfinite(cs.s2[j]) && std::isfinite(cs.shift[j])) continue;
    const auto c = x.col(j);
    Eigen::Index i = 0;
    while (i < n && std::isfinite(c[i]) && std::abs(c[i]) < 1e150) ++i;
    if (i == n) i = 0;
    throw InvalidArgument("churn::fit_logistic",
                          "x[" + std::to_string(i) + ", " + std::to_string(j) + "] (" + names[static_cast<std::size_t>(j)] + ")",
                          num(c[i]), "must be finite (and below 1e150 in magnitude)");
  }
}

void check_options(const LogisticOptions& o) {
  const char* fn = "churn::fit_logistic";
  if (o.penalty != Penalty::None && !(o.C > 0 && std::isfinite(o.C)))
    throw InvalidArgument(fn, "C", num(o.C), "must be a finite number > 0");
  if (!(o.l1_ratio >= 0 && o.l1_ratio <= 1)) throw InvalidArgument(fn, "l1_ratio", num(o.l1_ratio), "must be in [0, 1]");
  if (o.hessian_subsample < 0)
    throw InvalidArgument(fn, "hessian_subsample", std::to_string(o.hessian_subsample), "must be >= 0");
  if (o.max_iterations < 1) throw InvalidArgument(fn, "max_iterations", std::to_string(o.max_iterations), "must be >= 1");
  if (!(o.tolerance > 0 && std::isfinite(o.tolerance)))
    throw InvalidArgument(fn, "tolerance", num(o.tolerance), "must be a finite number > 0");
  if (o.class_weight && !((*o.class_weight)[0] > 0 && (*o.class_weight)[1] > 0 && std::isfinite((*o.class_weight)[0]) &&
                          std::isfinite((*o.class_weight)[1])))
    throw InvalidArgument(fn, "class_weight", num((*o.class_weight)[0]) + ", " + num((*o.class_weight)[1]),
                          "must be two finite numbers > 0");
}

double json_number(const nlohmann::json& j, const char* key, bool required = true) {
  if (!j.contains(key)) {
    if (!required) return kNaN;
    throw InvalidArgument("churn::LogisticModel from_json", key, "missing", "is required");
  }
  const auto& v = j[key];
  if (v.is_null()) return kNaN;
  if (!v.is_number()) throw InvalidArgument("churn::LogisticModel from_json", key, v.dump(), "must be a number");
  return v.get<double>();
}

Eigen::VectorXd json_vector(const nlohmann::json& j, const char* key, Eigen::Index n, bool required = true) {
  if (!j.contains(key)) {
    if (!required) return Eigen::VectorXd::Constant(n, kNaN);
    throw InvalidArgument("churn::LogisticModel from_json", key, "missing", "is required");
  }
  const auto& a = j[key];
  if (!a.is_array() || static_cast<Eigen::Index>(a.size()) != n)
    throw InvalidArgument("churn::LogisticModel from_json", key, a.dump().substr(0, 80),
                          "must be an array of " + std::to_string(n) + " numbers (one per feature)");
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& e = a[static_cast<std::size_t>(i)];
    if (e.is_null()) v[i] = kNaN;
    else if (e.is_number()) v[i] = e.get<double>();
    else throw InvalidArgument("churn::LogisticModel from_json", key, e.dump(), "must hold numbers");
  }
  return v;
}

nlohmann::json vec_json(const Eigen::VectorXd& v) {
  nlohmann::json a = nlohmann::json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(std::isfinite(v[i]) ? nlohmann::json(v[i]) : nlohmann::json());
  return a;
}

}  // namespace

const char* penalty_name(Penalty p) noexcept {
  switch (p) {
    case Penalty::None: return "none";
    case Penalty::L2: return "l2";
    case Penalty::L1: return "l1";
    case Penalty::ElasticNet: return "elasticnet";
  }
  return "l2";
}

Penalty parse_penalty(std::string_view t) {
  if (t == "none") return Penalty::None;
  if (t == "l2") return Penalty::L2;
  if (t == "l1") return Penalty::L1;
  if (t == "elasticnet" || t == "elastic-net" || t == "elastic_net") return Penalty::ElasticNet;
  throw InvalidArgument("churn::parse_penalty", "penalty", "'" + std::string(t) + "'", "must be none, l2, l1 or elasticnet");
}

double sigmoid(double z) noexcept { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

void LogisticModel::decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const {
  if (x.cols() != coef.size())
    throw InvalidArgument("churn::LogisticModel::decision_function", "x", std::to_string(x.cols()) + " columns",
                          "must have " + std::to_string(coef.size()) + " columns (one per feature)");
  if (out.size() != static_cast<std::size_t>(x.rows()))
    throw InvalidArgument("churn::LogisticModel::decision_function", "out", std::to_string(out.size()) + " values",
                          "must have one value per row (" + std::to_string(x.rows()) + ")");
  Eigen::Map<Eigen::VectorXd> z(out.data(), x.rows());
  z.noalias() = x * coef;
  z.array() += intercept;
}

void LogisticModel::predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<double> out) const {
  decision_function(x, out);
  for (double& v : out) v = sigmoid(v);
}

Eigen::VectorXd LogisticModel::decision_function(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
  Eigen::VectorXd z(x.rows());
  decision_function(x, std::span<double>(z.data(), static_cast<std::size_t>(z.size())));
  return z;
}

Eigen::VectorXd LogisticModel::predict_proba(const Eigen::Ref<const Eigen::MatrixXd>& x) const {
  Eigen::VectorXd z(x.rows());
  predict_proba(x, std::span<double>(z.data(), static_cast<std::size_t>(z.size())));
  return z;
}

LogisticModel fit_logistic(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const double> y,
                           const LogisticOptions& options, std::vector<std::string> names,
                           std::span<const double> sample_weight) {
  const char* fn = "churn::fit_logistic";
  check_options(options);
  const Eigen::Index n = x.rows(), p = x.cols();
  if (n == 0) throw InvalidArgument(fn, "x", "0 rows", "needs at least one row");
  if (p == 0) throw InvalidArgument(fn, "x", "0 columns", "needs at least one feature");
  if (y.size() != static_cast<std::size_t>(n))
    throw InvalidArgument(fn, "y", std::to_string(y.size()) + " values", "must have one label per row (" + std::to_string(n) + ")");
  if (!sample_weight.empty() && sample_weight.size() != y.size())
    throw InvalidArgument(fn, "sample_weight", std::to_string(sample_weight.size()) + " values",
                          "must be empty or have one weight per row (" + std::to_string(n) + ")");
  if (!names.empty() && names.size() != static_cast<std::size_t>(p))
    throw InvalidArgument(fn, "names", std::to_string(names.size()) + " names", "must be empty or one per column (" + std::to_string(p) + ")");
  if (names.empty())
    for (Eigen::Index j = 0; j < p; ++j) {
      std::string name = "x";  // piecewise: GCC 12 -Wrestrict false positive on "x" + to_string
      name += std::to_string(j);
      names.push_back(std::move(name));
    }

  // Labels and weights. Without sample or class weights no weight vector is made (s = nullptr: all 1).
  const bool weighted = !sample_weight.empty() || options.class_weight_balanced || options.class_weight;
  Eigen::VectorXd s(weighted ? n : 0);
  double count[2] = {0, 0}, weight_total = 0, wsum[2] = {0, 0};
  // Unweighted: all labels are 0 or 1 iff sum |y (y - 1)| == 0 (no cancellation; NaN and overflow give
  // a non-zero sum), checked vectorised; the row loop below then only names the first bad label.
  const Eigen::Map<const Eigen::ArrayXd> ya(y.data(), n);
  const bool labels_checked = sample_weight.empty() && (ya * (ya - 1.0)).abs().sum() == 0;
  if (labels_checked) {
    wsum[1] = count[1] = ya.sum();
    wsum[0] = count[0] = static_cast<double>(n) - count[1];
    if (weighted) s.setOnes();
  }
  for (Eigen::Index i = 0; i < n && !labels_checked; ++i) {
    const double yi = y[static_cast<std::size_t>(i)];
    if (yi != 0.0 && yi != 1.0) throw InvalidArgument(fn, "y[" + std::to_string(i) + "]", num(yi), "must be 0 or 1");
    const double wi = sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
    if (!(wi >= 0 && std::isfinite(wi)))
      throw InvalidArgument(fn, "sample_weight[" + std::to_string(i) + "]", num(wi), "must be finite and >= 0");
    if (weighted) s[i] = wi;
    wsum[yi == 1.0] += wi;
    if (wi > 0) count[yi == 1.0] += 1;
  }
  weight_total = wsum[0] + wsum[1];
  if (count[0] == 0 || count[1] == 0)
    throw InvalidArgument(fn, "y", count[1] == 0 ? "all 0" : "all 1",
                          "needs both classes (0 and 1) among the rows with positive weight");
  double cw[2] = {1, 1};
  if (options.class_weight_balanced || options.class_weight) {
    if (options.class_weight) {
      cw[0] = (*options.class_weight)[0];
      cw[1] = (*options.class_weight)[1];
    } else {  // scikit-learn's "balanced": n / (2 * count of the class), by row counts
      double c[2] = {0, 0};
      for (Eigen::Index i = 0; i < n; ++i) c[y[static_cast<std::size_t>(i)] == 1.0] += 1;
      cw[0] = static_cast<double>(n) / (2 * c[0]);
      cw[1] = static_cast<double>(n) / (2 * c[1]);
    }
    for (Eigen::Index i = 0; i < n; ++i) s[i] *= cw[y[static_cast<std::size_t>(i)] == 1.0];
  }
  const double* sp = weighted ? s.data() : nullptr;

  Problem pr{x, y.data(), sp, {}, {}, options.fit_intercept, 0, 0, p, p + (options.fit_intercept ? 1 : 0)};
  switch (options.penalty) {
    case Penalty::None: break;
    case Penalty::L2: pr.a2 = 1.0 / options.C; break;
    case Penalty::L1: pr.a1 = 1.0 / options.C; break;
    case Penalty::ElasticNet:
      pr.a1 = options.l1_ratio / options.C;
      pr.a2 = (1.0 - options.l1_ratio) / options.C;
      break;
  }
  const Eigen::Index q = pr.q;

  // Start: w = 0 and the intercept at the weighted log-odds.
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(q);
  if (options.fit_intercept) theta[p] = std::log(cw[1] * wsum[1] / (cw[0] * wsum[0]));

  Eigen::RowVectorXd mean, sd;
  std::optional<Solution> sol;

  // Large problems (n >= 4 hessian_subsample): a deterministic subsample of about hessian_subsample rows
  // (32 or more evenly spaced runs of up to kRun consecutive rows, read in place; each row weighing
  // n / rows times its weight) is fitted first, growing: on every eighth run, then on all of them from
  // there, to the step tolerance kWarmTolerance. Its Hessian then serves every full-data Newton iteration. The internal centring and scaling are the subsample's
  // (an exact reparametrisation); the full columns' means and deviations come from the first full pass.
  // The gradient and objective are always the full data's, so the solution is the full problem's.
  const auto sub_rows = static_cast<Eigen::Index>(options.hessian_subsample);
  if (sub_rows > 0 && n >= 4 * sub_rows) {
    const Eigen::Index run = std::clamp<Eigen::Index>(sub_rows / 32, 1, kRun), runs = sub_rows / run, spacing = n / runs;
    std::vector<Eigen::Index> all_runs, stage_runs;
    for (Eigen::Index c = 0; c < runs; ++c) {
      all_runs.push_back(c * spacing);
      if (c % 8 == 0) stage_runs.push_back(c * spacing);
    }
    // Means and standard deviations of the subsample (two passes over its runs), and its classes.
    const auto m = static_cast<double>(runs * run);
    Eigen::RowVectorXd mean_s = Eigen::RowVectorXd::Zero(p), sd_s = Eigen::RowVectorXd::Zero(p);
    for (Eigen::Index j = 0; j < p; ++j) {
      for (const Eigen::Index r0 : all_runs) mean_s[j] += x.col(j).segment(r0, run).sum();
      mean_s[j] /= m;
      for (const Eigen::Index r0 : all_runs) sd_s[j] += (x.col(j).segment(r0, run).array() - mean_s[j]).square().sum();
      sd_s[j] = std::sqrt(sd_s[j] / m);
      if (!(sd_s[j] > 0)) sd_s[j] = 1.0;  // constant in the subsample (or not finite: caught below)
    }
    double ones = 0;
    for (const Eigen::Index r0 : all_runs) ones += Eigen::Map<const Eigen::ArrayXd>(y.data() + r0, run).sum();
    if (mean_s.allFinite() && sd_s.allFinite() && ones > 0 && ones < m) {
      pr.mu = options.fit_intercept ? mean_s : Eigen::RowVectorXd(Eigen::RowVectorXd::Zero(p));
      pr.inv_sigma = options.standardize ? Eigen::RowVectorXd(sd_s.cwiseInverse()) : Eigen::RowVectorXd::Ones(p);
      const double warm_tol = std::max(options.tolerance, kWarmTolerance);
      Problem sub = pr;
      sub.run_length = run;
      Eigen::VectorXd start = theta;
      if (stage_runs.size() >= 4) {  // stage 1: every eighth run
        sub.runs = &stage_runs;
        sub.wscale = static_cast<double>(n) / static_cast<double>(static_cast<Eigen::Index>(stage_runs.size()) * run);
        const Solution a = solve(sub, theta, nullptr, options.max_iterations, warm_tol);
        if (a.status == math::FitStatus::Converged && a.theta.allFinite()) start = a.theta;
      }
      sub.runs = &all_runs;
      sub.wscale = static_cast<double>(n) / m;
      Solution warm = solve(sub, start, nullptr, options.max_iterations, warm_tol);
      if (warm.status == math::FitStatus::Converged && warm.theta.allFinite() && warm.h.allFinite()) {
        // First full pass at the warm start, with the column sums (shifted by the subsample's means).
        ColumnSums cs{mean_s.transpose().array(), {}, {}};
        Evaluated first;
        first.data_loss = pr.evaluate(warm.theta, first.g, nullptr, &cs);
        if (!stats_from_sums(cs, static_cast<double>(n), mean, sd)) column_stats(x, names, mean, sd);  // throws
        if (options.standardize) pr.pscale = sd.cwiseProduct(pr.inv_sigma).transpose();
        sol = solve(pr, warm.theta, &warm.h, options.max_iterations, options.tolerance, &first);
        if (options.penalty == Penalty::None) {  // standard errors from the exact Hessian
          Eigen::VectorXd g;
          sol->h.resize(q, q);
          pr.evaluate(sol->theta, g, &sol->h);
        }
      }
    }
  }
  if (!sol) {  // the exact Newton method (small problems, or the subsample did not give a warm start)
    column_stats(x, names, mean, sd);
    pr.mu = options.fit_intercept ? mean : Eigen::RowVectorXd(Eigen::RowVectorXd::Zero(p));
    pr.inv_sigma = options.standardize ? Eigen::RowVectorXd(sd.cwiseInverse()) : Eigen::RowVectorXd::Ones(p);
    pr.pscale.resize(0);
    sol = solve(pr, theta, nullptr, options.max_iterations, options.tolerance);
  }
  theta = sol->theta;
  const double data_loss = sol->data_loss;
  const Eigen::MatrixXd& h = sol->h;

  LogisticModel m;
  m.iterations = sol->iterations;
  m.status = sol->status;

  // Results on the original scale.
  pr.to_original(theta, m.coef, m.intercept);
  m.feature_names = std::move(names);
  m.feature_mean = mean.transpose();
  m.feature_scale = sd.transpose();
  m.options = options;
  m.log_likelihood = -data_loss;
  m.objective = options.penalty == Penalty::None ? data_loss : options.C * data_loss + options.C * pr.penalty(theta);
  m.n_samples = weight_total;
  m.std_errors = Eigen::VectorXd::Constant(p, kNaN);
  m.intercept_std_error = kNaN;
  if (options.penalty == Penalty::None && h.size() > 0) {
    Eigen::LLT<Eigen::MatrixXd> llt(h);
    if (llt.info() == Eigen::Success) {
      const Eigen::MatrixXd cov_int = llt.solve(Eigen::MatrixXd::Identity(q, q));
      // theta_original = A theta_internal
      Eigen::MatrixXd a = Eigen::MatrixXd::Zero(q, q);
      a.topLeftCorner(p, p) = pr.inv_sigma.transpose().asDiagonal();
      if (options.fit_intercept) {
        a.block(p, 0, 1, p) = -pr.mu.cwiseProduct(pr.inv_sigma);
        a(p, p) = 1;
      }
      const Eigen::MatrixXd cov = a * cov_int * a.transpose();
      const Eigen::VectorXd d = cov.diagonal();
      if ((d.array() > 0).all() && d.allFinite()) {
        m.std_errors = d.head(p).cwiseSqrt();
        if (options.fit_intercept) m.intercept_std_error = std::sqrt(d[p]);
      }
    }
  }
  if (!options.fit_intercept) m.intercept_std_error = kNaN;
  return m;
}

LogisticModel fit_logistic(const FeatureTable& table, const LogisticOptions& options, std::span<const double> sample_weight) {
  if (table.label.empty())
    throw InvalidArgument("churn::fit_logistic", "table", "no label", "the feature table needs a label column");
  LogisticModel m = fit_logistic(table.x, table.label, options, table.names, sample_weight);
  m.encoding = table.encoding;
  return m;
}

void to_json(nlohmann::json& j, const LogisticModel& m) {
  const auto& o = m.options;
  nlohmann::json opts = {{"penalty", penalty_name(o.penalty)}, {"C", o.C},
                         {"l1_ratio", o.l1_ratio}, {"fit_intercept", o.fit_intercept},
                         {"standardize", o.standardize}, {"max_iterations", o.max_iterations},
                         {"tolerance", o.tolerance}};
  if (o.class_weight_balanced) opts["class_weight"] = "balanced";
  else if (o.class_weight) opts["class_weight"] = {(*o.class_weight)[0], (*o.class_weight)[1]};
  else opts["class_weight"] = nullptr;
  j = {{"model", "logistic_regression"},
       {"feature_names", m.feature_names},
       {"coef", vec_json(m.coef)},
       {"intercept", m.intercept},
       {"std_errors", vec_json(m.std_errors)},
       {"intercept_std_error", std::isfinite(m.intercept_std_error) ? nlohmann::json(m.intercept_std_error) : nlohmann::json()},
       {"odds_ratios", vec_json(m.odds_ratios())},
       {"feature_mean", vec_json(m.feature_mean)},
       {"feature_scale", vec_json(m.feature_scale)},
       {"options", std::move(opts)},
       {"fit", {{"iterations", m.iterations}, {"status", math::fit_status_name(m.status)},
                {"log_likelihood", m.log_likelihood}, {"objective", m.objective}, {"n_samples", m.n_samples}}}};
  if (m.encoding) j["encoding"] = *m.encoding;
}

void from_json(const nlohmann::json& j, LogisticModel& m) {
  const char* fn = "churn::LogisticModel from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump().substr(0, 40), "must be an object");
  if (j.contains("model") && j["model"] != "logistic_regression")
    throw InvalidArgument(fn, "model", j["model"].dump(), "must be \"logistic_regression\"");
  if (!j.contains("feature_names") || !j["feature_names"].is_array())
    throw InvalidArgument(fn, "feature_names", "missing", "must be an array of names");
  m = LogisticModel{};
  m.feature_names = j["feature_names"].get<std::vector<std::string>>();
  const auto p = static_cast<Eigen::Index>(m.feature_names.size());
  m.coef = json_vector(j, "coef", p);
  if (!m.coef.allFinite()) throw InvalidArgument(fn, "coef", "non-finite", "coefficients must be finite");
  m.intercept = json_number(j, "intercept");
  if (!std::isfinite(m.intercept)) throw InvalidArgument(fn, "intercept", "null", "must be a finite number");
  m.std_errors = json_vector(j, "std_errors", p, false);
  m.intercept_std_error = json_number(j, "intercept_std_error", false);
  m.feature_mean = json_vector(j, "feature_mean", p, false);
  m.feature_scale = json_vector(j, "feature_scale", p, false);
  if (!m.feature_mean.allFinite()) m.feature_mean.setZero();
  if (!m.feature_scale.allFinite()) m.feature_scale.setOnes();
  if (j.contains("options") && j["options"].is_object()) {
    const auto& o = j["options"];
    m.options.penalty = parse_penalty(o.value("penalty", std::string("l2")));
    m.options.C = o.value("C", 1.0);
    m.options.l1_ratio = o.value("l1_ratio", 0.5);
    m.options.fit_intercept = o.value("fit_intercept", true);
    m.options.standardize = o.value("standardize", false);
    m.options.max_iterations = o.value("max_iterations", 100);
    m.options.tolerance = o.value("tolerance", 1e-8);
    if (o.contains("class_weight")) {
      const auto& cw = o["class_weight"];
      if (cw == "balanced") m.options.class_weight_balanced = true;
      else if (cw.is_array() && cw.size() == 2) m.options.class_weight = std::array<double, 2>{cw[0].get<double>(), cw[1].get<double>()};
    }
  }
  if (j.contains("fit") && j["fit"].is_object()) {
    const auto& f = j["fit"];
    m.iterations = f.value("iterations", 0);
    const std::string st = f.value("status", std::string("converged"));
    m.status = st == "converged" ? math::FitStatus::Converged
               : st == "max_iterations" ? math::FitStatus::MaxIterations : math::FitStatus::LineSearchFailed;
    m.log_likelihood = f.contains("log_likelihood") && f["log_likelihood"].is_number() ? f["log_likelihood"].get<double>() : kNaN;
    m.objective = f.contains("objective") && f["objective"].is_number() ? f["objective"].get<double>() : kNaN;
    m.n_samples = f.value("n_samples", 0.0);
  }
  if (j.contains("encoding") && !j["encoding"].is_null()) {
    FeatureEncoding e = j["encoding"].get<FeatureEncoding>();
    if (e.feature_names() != m.feature_names)
      throw InvalidArgument(fn, "encoding", "columns", "the encoding's feature names differ from \"feature_names\"");
    m.encoding = std::move(e);
  }
}

}  // namespace crmkit::churn
