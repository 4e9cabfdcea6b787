// Regularised logistic regression by (proximal) Newton: churn/logistic.hpp, docs/models/logistic.md.
#include "crmkit/churn/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <Eigen/Cholesky>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Eigen::Index kBlock = 1024;  // rows per block of the gradient / Hessian pass
constexpr Eigen::Index kFoldedBlock = 1024;  // rows per block of the gradient-only pass (no copy of x)

std::string num(double v) {
  std::string s = std::to_string(v);
  return s;
}

// The fitting problem over the internal design (x - mu) * inv_sigma with an intercept column of ones.
struct Problem {
  Eigen::Ref<const Eigen::MatrixXd> x;
  const double* y;
  const double* s;            // sample x class weights
  Eigen::RowVectorXd mu, inv_sigma;  // internal centring and scaling
  bool intercept;
  double a1, a2;              // l1 and l2 weights of the objective divided by C
  Eigen::Index p, q;          // features; parameters (p + intercept)

  // Original-scale coefficients of internal parameters theta = (w~, b~).
  void to_original(const Eigen::VectorXd& theta, Eigen::VectorXd& w, double& b) const {
    w = theta.head(p).cwiseProduct(inv_sigma.transpose());
    b = intercept ? theta[p] - mu.dot(w) : 0.0;
  }
  double penalty(const Eigen::VectorXd& theta) const {
    const auto w = theta.head(p);
    return 0.5 * a2 * w.squaredNorm() + a1 * w.lpNorm<1>();
  }
  // One pass over the data at theta: returns sum_i s_i l_i; writes z = linear predictor, the gradient
  // of the data term and, if h is given, its Hessian (lower and upper triangle).
  double evaluate(const Eigen::VectorXd& theta, Eigen::VectorXd& z, Eigen::VectorXd& g, Eigen::MatrixXd* h) const {
    if (!h) return evaluate_folded(theta, z, g);
    const Eigen::Index n = x.rows();
    const Eigen::Index cap = std::min(kBlock, n);
    z.resize(n);
    g.setZero(q);
    if (h) h->setZero(q, q);
    Eigen::MatrixXd xc(cap, q), xs(h ? cap : 0, q);
    Eigen::ArrayXd e(cap), pr(cap), r(cap);
    double f = 0;
    for (Eigen::Index r0 = 0; r0 < n; r0 += kBlock) {
      const Eigen::Index m = std::min(kBlock, n - r0);
      auto xb = xc.topRows(m);
      xb.leftCols(p) = ((x.middleRows(r0, m).rowwise() - mu).array().rowwise() * inv_sigma.array()).matrix();
      if (intercept) xb.col(p).setOnes();
      auto zb = z.segment(r0, m);
      zb.noalias() = xb * theta;
      const Eigen::Map<const Eigen::ArrayXd> yb(y + r0, m), sb(s + r0, m);
      const auto za = zb.array();
      e.head(m) = (-za.abs()).exp();
      f += (sb * (za.max(0.0) + e.head(m).log1p() - yb * za)).sum();
      pr.head(m) = (za >= 0).select(1.0 / (1.0 + e.head(m)), e.head(m) / (1.0 + e.head(m)));
      r.head(m) = sb * (pr.head(m) - yb);
      g.noalias() += xb.transpose() * r.head(m).matrix();
      if (h) {
        auto xsb = xs.topRows(m);
        xsb = xb.array().colwise() * (sb * pr.head(m) * (1.0 - pr.head(m))).sqrt();
        h->selfadjointView<Eigen::Lower>().rankUpdate(xsb.transpose());
      }
    }
    if (h) h->triangularView<Eigen::StrictlyUpper>() = h->transpose();
    return f;
  }
  // evaluate() without the Hessian, streaming over x itself: the centring and scaling are folded into
  // the coefficients, z = x w + c with w = w~ .* inv_sigma and c = b~ - mu w, and the gradient is mapped
  // back, g~_w = inv_sigma .* (x' r - mu' sum r), g~_b = sum r (no standardised copy of x is made).
  double evaluate_folded(const Eigen::VectorXd& theta, Eigen::VectorXd& z, Eigen::VectorXd& g) const {
    const Eigen::Index n = x.rows();
    const Eigen::Index cap = std::min(kFoldedBlock, n);
    const Eigen::VectorXd w = theta.head(p).cwiseProduct(inv_sigma.transpose());
    const double c = (intercept ? theta[p] : 0.0) - mu.dot(w);
    z.resize(n);
    Eigen::VectorXd gx = Eigen::VectorXd::Zero(p);
    Eigen::ArrayXd e(cap), pr(cap), r(cap);
    double f = 0, rsum = 0;
    for (Eigen::Index r0 = 0; r0 < n; r0 += kFoldedBlock) {
      const Eigen::Index m = std::min(kFoldedBlock, n - r0);
      const auto xb = x.middleRows(r0, m);
      auto zb = z.segment(r0, m);
      zb.noalias() = xb * w;
      zb.array() += c;
      const Eigen::Map<const Eigen::ArrayXd> yb(y + r0, m), sb(s + r0, m);
      const auto za = zb.array();
      e.head(m) = (-za.abs()).exp();
      f += (sb * (za.max(0.0) + e.head(m).log1p() - yb * za)).sum();
      pr.head(m) = (za >= 0).select(1.0 / (1.0 + e.head(m)), e.head(m) / (1.0 + e.head(m)));
      r.head(m) = sb * (pr.head(m) - yb);
      gx.noalias() += xb.transpose() * r.head(m).matrix();
      rsum += r.head(m).sum();
    }
    g.resize(q);
    g.head(p) = (gx - mu.transpose() * rsum).cwiseProduct(inv_sigma.transpose());
    if (intercept) g[p] = rsum;
    return f;
  }
  // sum_i s_i l_i at a given linear predictor.
  double loss(const Eigen::VectorXd& z) const {
    const Eigen::Index n = z.size();
    const Eigen::Map<const Eigen::ArrayXd> ya(y, n), sa(s, n);
    const auto za = z.array();
    return (sa * (za.max(0.0) + (-za.abs()).exp().log1p() - ya * za)).sum();
  }
};

struct Solution {
  Eigen::VectorXd theta;
  Eigen::MatrixXd h;          // data-term Hessian at the last evaluated point (exact problems only)
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

// argmin_v g'(v - theta) + 1/2 (v - theta)' H (v - theta) + a1 ||v_w||_1 by cyclic coordinate descent.
Eigen::VectorXd prox_newton_target(const Eigen::MatrixXd& h, const Eigen::VectorXd& g, const Eigen::VectorXd& theta,
                                   Eigen::Index p, double a1) {
  const Eigen::Index q = theta.size();
  Eigen::VectorXd v = theta;
  Eigen::VectorXd u = Eigen::VectorXd::Zero(q);  // H (v - theta)
  for (int sweep = 0; sweep < 10000; ++sweep) {
    double biggest = 0, size = 0;
    for (Eigen::Index j = 0; j < q; ++j) {
      const double a = h(j, j);
      const double grad = g[j] + u[j];
      double nv;
      if (a <= 0) nv = (j < p) ? 0.0 : v[j];
      else if (j < p) nv = soft(v[j] - grad / a, a1 / a);
      else nv = v[j] - grad / a;
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

// (Proximal) Newton from theta. With `sub`, the Hessian comes from that row subsample of the same
// problem (weights scaled to the full data; Byrd et al. 2011's sub-sampled Newton), the gradient and
// objective from all rows; without, the Hessian is exact.
Solution solve(const Problem& pr, const Problem* sub, Eigen::VectorXd theta, int max_iterations, double tolerance) {
  const Eigen::Index p = pr.p, q = pr.q;
  Solution out;
  Eigen::VectorXd z, z_new, g, g_new, zs, gs_sub, step;
  Eigen::MatrixXd h, h_new;
  Eigen::VectorXd ridge = Eigen::VectorXd::Constant(q, pr.a2);
  if (pr.intercept) ridge[p] = 0;
  double data_loss = pr.evaluate(theta, z, g, sub ? nullptr : &h);
  double f = data_loss + pr.penalty(theta);
  for (int it = 0; it < max_iterations; ++it) {
    out.iterations = it + 1;
    if (sub) sub->evaluate(theta, zs, gs_sub, &h);
    const Eigen::VectorXd gs = g + ridge.cwiseProduct(theta);
    Eigen::MatrixXd hs = h;
    hs.diagonal() += ridge;
    Eigen::VectorXd target;
    double decrease;
    if (pr.a1 > 0) {
      target = prox_newton_target(hs, gs, theta, p, pr.a1);
      step = target - theta;
      decrease = gs.dot(step) + pr.a1 * (target.head(p).lpNorm<1>() - theta.head(p).lpNorm<1>());
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
    const double dl1 = pr.evaluate(target, z_new, g_new, sub ? nullptr : &h_new);
    const double f1 = dl1 + pr.penalty(target);
    const double slack = 1e-14 * std::abs(f);
    if (std::isfinite(f1) && f1 <= f + 1e-4 * std::min(decrease, 0.0) + slack) {
      theta = target;
      z.swap(z_new);
      g.swap(g_new);
      if (!sub) h.swap(h_new);
      data_loss = dl1;
      f = f1;
      continue;
    }
    // Backtracking on the true objective; z is linear in theta, so z(t) = z + t (z(1) - z).
    const Eigen::VectorXd dz = z_new - z;
    bool accepted = false;
    for (double t = 0.5; t > 1e-12; t *= 0.5) {
      const Eigen::VectorXd cand = theta + t * step;
      const double dl = pr.loss(z + t * dz);
      const double fc = dl + pr.penalty(cand);
      if (std::isfinite(fc) && fc <= f + 1e-4 * t * std::min(decrease, 0.0) + slack) {
        theta = cand;
        data_loss = pr.evaluate(theta, z, g, sub ? nullptr : &h);
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
  out.h = std::move(h);
  out.data_loss = data_loss;
  return out;
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

  // Weights and labels.
  Eigen::VectorXd s(n);
  double count[2] = {0, 0}, weight_total = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double yi = y[static_cast<std::size_t>(i)];
    if (yi != 0.0 && yi != 1.0) throw InvalidArgument(fn, "y[" + std::to_string(i) + "]", num(yi), "must be 0 or 1");
    const double wi = sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
    if (!(wi >= 0 && std::isfinite(wi)))
      throw InvalidArgument(fn, "sample_weight[" + std::to_string(i) + "]", num(wi), "must be finite and >= 0");
    s[i] = wi;
    weight_total += wi;
    if (wi > 0) count[yi == 1.0] += 1;
  }
  if (count[0] == 0 || count[1] == 0)
    throw InvalidArgument(fn, "y", count[1] == 0 ? "all 0" : "all 1",
                          "needs both classes (0 and 1) among the rows with positive weight");
  if (options.class_weight_balanced || options.class_weight) {
    double cw[2];
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

  // Column means and population standard deviations in one pass (sums shifted by the first value),
  // which also finds non-finite cells (their sums are not finite).
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(p), sd = Eigen::RowVectorXd::Zero(p);
  const double dn = static_cast<double>(n);
  for (Eigen::Index j = 0; j < p; ++j) {
    const auto c = x.col(j);
    const double shift = c[0];
    double s1 = 0, s2 = 0;
    for (Eigen::Index r0 = 0; r0 < n; r0 += 4096) {
      const auto seg = c.segment(r0, std::min<Eigen::Index>(4096, n - r0)).array() - shift;
      s1 += seg.sum();
      s2 += seg.square().sum();
    }
    if (!std::isfinite(s1) || !std::isfinite(s2) || !std::isfinite(shift)) {
      Eigen::Index i = 0;
      while (i < n && std::isfinite(c[i]) && std::abs(c[i]) < 1e150) ++i;
      if (i == n) i = 0;
      throw InvalidArgument(fn, "x[" + std::to_string(i) + ", " + std::to_string(j) + "] (" + names[static_cast<std::size_t>(j)] + ")",
                            num(c[i]), "must be finite (and below 1e150 in magnitude)");
    }
    const double m1 = s1 / dn;
    mean[j] = shift + m1;
    const double v = std::max(0.0, s2 / dn - m1 * m1);
    sd[j] = v > 0 ? std::sqrt(v) : 1.0;
  }

  Problem pr{x, y.data(), s.data(), {}, {}, options.fit_intercept, 0, 0, p, p + (options.fit_intercept ? 1 : 0)};
  pr.mu = options.fit_intercept ? mean : Eigen::RowVectorXd(Eigen::RowVectorXd::Zero(p));
  pr.inv_sigma = options.standardize ? Eigen::RowVectorXd(sd.cwiseInverse()) : Eigen::RowVectorXd::Ones(p);
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
  if (options.fit_intercept) {
    double sp = 0, st = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      sp += s[i] * y[static_cast<std::size_t>(i)];
      st += s[i];
    }
    theta[p] = std::log(sp / (st - sp));
  }

  // Large problems: a deterministic subsample of hessian_subsample rows (every stride-th row, weights times
  // stride) first gives a warm start, then serves the Hessian of the full-data Newton iterations; the
  // solution is the full problem's either way (the gradient is always exact).
  std::optional<Problem> sub;
  Eigen::MatrixXd xs;
  Eigen::VectorXd ys, ss;
  const auto sub_rows = static_cast<Eigen::Index>(options.hessian_subsample);
  if (sub_rows > 0 && n >= 4 * sub_rows) {
    const Eigen::Index stride = n / sub_rows, m = n / stride;
    xs.resize(m, p);
    ys.resize(m);
    ss.resize(m);
    for (Eigen::Index j = 0; j < p; ++j)  // column by column: x is column-major (a row gather stalls on misses)
      for (Eigen::Index i = 0; i < m; ++i) xs(i, j) = x(i * stride, j);
    for (Eigen::Index i = 0; i < m; ++i) {
      ys[i] = y[static_cast<std::size_t>(i * stride)];
      ss[i] = s[i * stride] * static_cast<double>(n) / static_cast<double>(m);
    }
    sub.emplace(Problem{xs, ys.data(), ss.data(), pr.mu, pr.inv_sigma, pr.intercept, pr.a1, pr.a2, p, q});
    if (ys.minCoeff() < ys.maxCoeff()) {
      const Solution warm = solve(*sub, nullptr, theta, options.max_iterations, std::max(options.tolerance, 1e-6));
      if (warm.status == math::FitStatus::Converged && warm.theta.allFinite()) theta = warm.theta;
    }
  }
  Solution sol = solve(pr, sub ? &*sub : nullptr, theta, options.max_iterations, options.tolerance);
  theta = sol.theta;
  const double data_loss = sol.data_loss;
  Eigen::MatrixXd h = std::move(sol.h);

  LogisticModel m;
  m.iterations = sol.iterations;
  m.status = sol.status;
  if (options.penalty == Penalty::None && sub) {  // standard errors from the exact Hessian
    Eigen::VectorXd z, g;
    h.resize(q, q);
    pr.evaluate(theta, z, g, &h);
  }

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
