#include "crmkit/clv/bg_bb.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <boost/math/quadrature/exp_sinh.hpp>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/math/log_space.hpp"
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

// "recency (customer row 4)": the column and the customer's 1-based row (the CLI maps it back to the
// file's line and the customer's id).
std::string row_of(const char* name, std::size_t i) {
  std::string s = name;
  s += " (customer row ";
  s += std::to_string(i + 1);
  s += ')';
  return s;
}

// out[i] must be finite: else a NumericError naming the prediction, the customer row and the parameters.
void check_finite_rows(const char* function, const BgBbParams& p, std::span<const double> out) {
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!std::isfinite(out[i])) {
      std::string what = function;
      what += ": no finite value for customer row " + std::to_string(i + 1) + " at alpha = " + num(p.alpha) +
              ", beta = " + num(p.beta) + ", gamma = " + num(p.gamma) + ", delta = " + num(p.delta);
      throw NumericError("bg_bb", what);
    }
}

bool whole(double v) { return std::isfinite(v) && v == std::floor(v); }

void check_params(const char* function, const BgBbParams& p) {
  const auto v = p.values();
  for (std::size_t k = 0; k < 4; ++k)
    if (!(v[k] > 0.0) || !std::isfinite(v[k]))
      throw InvalidArgument(function, std::string("params.") + BgBbParams::names[k], num(v[k]), "must be finite and > 0");
}

void check_data(const char* function, std::span<const double> x, std::span<const double> tx,
                std::span<const double> n, std::span<const double> w) {
  if (tx.size() != x.size() || n.size() != x.size())
    throw InvalidArgument(function, "recency, n_periods", "lengths " + std::to_string(tx.size()) + ", " + std::to_string(n.size()),
                          "must equal the length of frequency (" + std::to_string(x.size()) + ")");
  if (!w.empty() && w.size() != x.size())
    throw InvalidArgument(function, "weights", "length " + std::to_string(w.size()),
                          "must be empty or equal the length of frequency (" + std::to_string(x.size()) + ")");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!whole(n[i]) || n[i] < 1 || n[i] > 1e6)  // the likelihood sums n - t_x + 1 terms a customer
      throw InvalidArgument(function, row_of("n_periods", i), num(n[i]),
                            "must be a whole number in 1..1000000 (transaction opportunities)");
    if (!whole(x[i]) || x[i] < 0 || x[i] > n[i])
      throw InvalidArgument(function, row_of("frequency", i), num(x[i]), "must be a whole number in 0..n_periods");
    if (!whole(tx[i]) || tx[i] > n[i] || tx[i] < x[i] || (x[i] == 0) != (tx[i] == 0))
      throw InvalidArgument(function, row_of("recency", i), num(tx[i]),
                            "must be a whole number with frequency <= recency <= n_periods, and 0 exactly when "
                            "frequency is 0");
    if (!w.empty() && (!std::isfinite(w[i]) || w[i] < 0))
      throw InvalidArgument(function, row_of("weights", i), num(w[i]), "must be finite and >= 0");
  }
}

struct Patterns {
  std::vector<double> x, tx, n, w;
  double total_weight = 0;
};

Patterns compress(std::span<const double> x, std::span<const double> tx, std::span<const double> n,
                  std::span<const double> w) {
  std::map<std::tuple<double, double, double>, double> agg;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double wi = w.empty() ? 1.0 : w[i];
    if (wi > 0) agg[{x[i], tx[i], n[i]}] += wi;
  }
  Patterns p;
  for (const auto& [k, wv] : agg) {
    p.x.push_back(std::get<0>(k));
    p.tx.push_back(std::get<1>(k));
    p.n.push_back(std::get<2>(k));
    p.w.push_back(wv);
    p.total_weight += wv;
  }
  return p;
}

// log L(x, t_x, n) and optionally its gradient (FHS 2010 eq. 5): logsumexp of the "alive through n"
// term and the "died after opportunity t_x + i" terms.
double loglik_one(const BgBbParams& p, double x, double tx, double n, double* g) {
  const double a = p.alpha, b = p.beta, c = p.gamma, d = p.delta;
  const double lb_ab = math::lbeta(a, b), lb_cd = math::lbeta(c, d);
  const std::size_t terms = 1 + static_cast<std::size_t>(n - tx);
  double l_stack[64];
  std::vector<double> l_heap;
  double* l = l_stack;
  if (terms > 64) {
    l_heap.resize(terms);
    l = l_heap.data();
  }
  l[0] = math::lbeta(a + x, b + n - x) - lb_ab + math::lbeta(c, d + n) - lb_cd;
  for (std::size_t i = 0; i + 1 < terms; ++i) {
    const double di = static_cast<double>(i);
    l[i + 1] = math::lbeta(a + x, b + tx - x + di) - lb_ab + math::lbeta(c + 1.0, d + tx + di) - lb_cd;
  }
  double mx = l[0];
  for (std::size_t k = 1; k < terms; ++k) mx = std::max(mx, l[k]);
  double s = 0;
  for (std::size_t k = 0; k < terms; ++k) s += std::exp(l[k] - mx);
  const double ll = mx + std::log(s);
  if (g) {
    using math::digamma;
    const double ca = digamma(a) - digamma(a + b), cb = digamma(b) - digamma(a + b);
    const double cc = digamma(c) - digamma(c + d), cd = digamma(d) - digamma(c + d);
    const double psi_ax = digamma(a + x);
    double ga = 0, gb = 0, gc = 0, gd = 0;
    {
      const double wk = std::exp(l[0] - ll);
      const double dab = digamma(a + b + n), dcd = digamma(c + d + n);
      ga += wk * (psi_ax - dab - ca);
      gb += wk * (digamma(b + n - x) - dab - cb);
      gc += wk * (digamma(c) - dcd - cc);
      gd += wk * (digamma(d + n) - dcd - cd);
    }
    const double psi_c1 = digamma(c + 1.0);
    for (std::size_t i = 0; i + 1 < terms; ++i) {
      const double di = static_cast<double>(i);
      const double wk = std::exp(l[i + 1] - ll);
      const double dab = digamma(a + b + tx + di), dcd = digamma(c + d + tx + di + 1.0);
      ga += wk * (psi_ax - dab - ca);
      gb += wk * (digamma(b + tx - x + di) - dab - cb);
      gc += wk * (psi_c1 - dcd - cc);
      gd += wk * (digamma(d + tx + di) - dcd - cd);
    }
    g[0] = ga;
    g[1] = gb;
    g[2] = gc;
    g[3] = gd;
  }
  return ll;
}

double loglik(const BgBbParams& p, const Patterns& d, double* grad) {
  double ll = 0;
  double g[4] = {0, 0, 0, 0}, gi[4];
  for (std::size_t k = 0; k < d.x.size(); ++k) {
    ll += d.w[k] * loglik_one(p, d.x[k], d.tx[k], d.n[k], grad ? gi : nullptr);
    if (grad)
      for (int j = 0; j < 4; ++j) g[j] += d.w[k] * gi[j];
  }
  if (grad)
    for (int j = 0; j < 4; ++j) grad[j] = g[j];
  return ll;
}

void check_out(const char* function, std::size_t n, std::span<double> out) {
  if (out.size() != n)
    throw InvalidArgument(function, "out", "length " + std::to_string(out.size()),
                          "must equal the input length (" + std::to_string(n) + ")");
}

}  // namespace

BgBbParams BgBbParams::from_values(std::span<const double> v) {
  if (v.size() != 4) throw InvalidArgument("BgBbParams::from_values", "v", "length " + std::to_string(v.size()), "must be 4");
  return BgBbParams{v[0], v[1], v[2], v[3]};
}

core::FitResult<BgBbParams> BgBb::fit(std::span<const double> frequency, std::span<const double> recency,
                                      std::span<const double> n_periods, std::span<const double> weights,
                                      const core::FitOptions& options) {
  constexpr const char* fn = "BgBb::fit";
  check_data(fn, frequency, recency, n_periods, weights);
  const Patterns d = compress(frequency, recency, n_periods, weights);
  if (!(d.total_weight > 0)) throw InvalidArgument(fn, "weights", "total 0", "the data must hold a positive weight");
  const std::array<double, 4> start{1.0, 1.0, 1.0, 1.0};
  const std::vector<std::array<double, 4>> offsets{
      {0.0, 0.0, -1.0, 1.0}, {1.0, 1.0, 0.0, 0.0}, {-1.0, 0.5, 0.5, 1.5}, {0.5, -0.5, -0.5, 0.5}};
  detail::LogLikFn<4> ll = [&](const std::array<double, 4>& th, std::array<double, 4>* g) {
    return loglik(BgBbParams{th[0], th[1], th[2], th[3]}, d, g ? g->data() : nullptr);
  };
  return detail::fit_log_params<BgBbParams>(fn, ll, d.total_weight, d.x.size(), start, offsets, options);
}

double BgBb::log_likelihood(const Params& params, std::span<const double> frequency, std::span<const double> recency,
                            std::span<const double> n_periods, std::span<const double> weights,
                            std::span<double> gradient) {
  constexpr const char* fn = "BgBb::log_likelihood";
  check_params(fn, params);
  check_data(fn, frequency, recency, n_periods, weights);
  if (!gradient.empty() && gradient.size() != 4)
    throw InvalidArgument(fn, "gradient", "length " + std::to_string(gradient.size()), "must be 0 or 4");
  return loglik(params, compress(frequency, recency, n_periods, weights), gradient.empty() ? nullptr : gradient.data());
}

void p_alive(const BgBbParams& p, std::span<const double> x, std::span<const double> tx, std::span<const double> n,
             std::span<double> out) {
  constexpr const char* fn = "bg_bb p_alive";
  check_params(fn, p);
  check_data(fn, x, tx, n, {});
  check_out(fn, x.size(), out);
  const double lb_ab = math::lbeta(p.alpha, p.beta), lb_cd = math::lbeta(p.gamma, p.delta);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double l_alive = math::lbeta(p.alpha + x[i], p.beta + n[i] - x[i]) - lb_ab +
                           math::lbeta(p.gamma, p.delta + n[i] + 1.0) - lb_cd;
    out[i] = std::exp(l_alive - loglik_one(p, x[i], tx[i], n[i], nullptr));
  }
  check_finite_rows(fn, p, out);
}

void conditional_expected_transactions(const BgBbParams& p, double future, std::span<const double> x,
                                       std::span<const double> tx, std::span<const double> n, std::span<double> out) {
  constexpr const char* fn = "bg_bb conditional_expected_transactions";
  check_params(fn, p);
  if (!whole(future) || future < 0 || future > kMaxBgBbPeriods)
    throw InvalidArgument(fn, "future", num(future),
                          "must be a whole number in 0.." + std::to_string(static_cast<long>(kMaxBgBbPeriods)));
  check_data(fn, x, tx, n, {});
  check_out(fn, x.size(), out);
  const double lb_ab = math::lbeta(p.alpha, p.beta), lb_cd = math::lbeta(p.gamma, p.delta);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lp = math::lbeta(p.alpha + x[i] + 1.0, p.beta + n[i] - x[i]) - lb_ab - loglik_one(p, x[i], tx[i], n[i], nullptr);
    double s = 0;
    for (double k = 1; k <= future; ++k) s += std::exp(lp + math::lbeta(p.gamma, p.delta + n[i] + k) - lb_cd);
    out[i] = s;
  }
  check_finite_rows(fn, p, out);
}

double expected_transactions(const BgBbParams& p, double n) {
  constexpr const char* fn = "bg_bb expected_transactions";
  check_params(fn, p);
  if (!whole(n) || n < 0 || n > kMaxBgBbPeriods)
    throw InvalidArgument(fn, "n", num(n), "must be a whole number in 0.." + std::to_string(static_cast<long>(kMaxBgBbPeriods)));
  const double lb_cd = math::lbeta(p.gamma, p.delta);
  double s = 0;
  for (double t = 1; t <= n; ++t) s += std::exp(math::lbeta(p.gamma, p.delta + t) - lb_cd);
  const double v = s / (1.0 + p.beta / p.alpha);  // alpha / (alpha + beta) without overflow
  check_finite_rows(fn, p, {&v, 1});
  return v;
}

namespace {

// log C(i, x)
double log_choose(double i, double x) { return math::lgamma(i + 1.0) - math::lgamma(x + 1.0) - math::lgamma(i - x + 1.0); }

double pmf_one(const BgBbParams& p, double n, double x, double lb_ab, double lb_cd) {
  if (x > n) return 0.0;
  double mx = log_choose(n, x) + math::lbeta(p.alpha + x, p.beta + n - x) - lb_ab + math::lbeta(p.gamma, p.delta + n) - lb_cd;
  std::vector<double> l{mx};
  for (double i = x; i < n; ++i) {
    l.push_back(log_choose(i, x) + math::lbeta(p.alpha + x, p.beta + i - x) - lb_ab +
                math::lbeta(p.gamma + 1.0, p.delta + i) - lb_cd);
    mx = std::max(mx, l.back());
  }
  double s = 0;
  for (double v : l) s += std::exp(v - mx);
  return std::min(1.0, std::exp(mx + std::log(s)));
}

constexpr double kDertSeriesMinRate = 1e-3;

// E[1 / (d + theta)], theta ~ Beta(g, h).
// d >= 1e-3: the Pfaff-transformed series 2F1(1, h; g+h; z) / (1 + d), z = 1/(1+d), c_0 = 1,
// c_{j+1} = c_j (h+j)/(g+h+j): positive terms with ratio below z, so the remainder after term j is below
// term_j z/(1-z) and the loop stops when that is under 1e-17 of the sum (at most ~40/d terms).
// d < 1e-3: with theta = s/(1+s), E = int_0^inf s^(g-1) (1+s)^(1-g-h) / (d + (1+d) s) ds / B(g, h) by
// exp-sinh quadrature (its nodes cluster double-exponentially at 0, resolving the scale s ~ d).
double inverse_moment(double g, double h, double d) {
  if (d >= kDertSeriesMinRate) {
    const double z = 1.0 / (1.0 + d);
    double term = 1.0, sum = 1.0;
    for (double j = 0; j < 1e8; ++j) {
      term *= (h + j) / (g + h + j) * z;
      sum += term;
      if (term * z <= 1e-17 * sum * (1.0 - z)) break;
    }
    return sum / (1.0 + d);
  }
  const double lb = math::lbeta(g, h);
  auto f = [&](double s) -> double {
    if (!(s > 0.0)) return 0.0;
    const double v = std::exp((g - 1.0) * std::log(s) - (g + h - 1.0) * std::log1p(s) - lb);
    return v / (d + (1.0 + d) * s);
  };
  thread_local boost::math::quadrature::exp_sinh<double> integrator;
  double err = 0, l1 = 0;
  const double v = integrator.integrate(f, 0.0, std::numeric_limits<double>::infinity(), 1e-12, &err, &l1);
  if (!(v > 0.0) || !std::isfinite(v) || err > 1e-9 * v) {
    std::string what = "dert: the quadrature did not converge (d = ";
    what += num(d);
    what += ")";
    throw NumericError("bg_bb", what);
  }
  return v;
}

}  // namespace

void probability_of_n_purchases(const BgBbParams& p, double n, std::span<const double> x, std::span<double> out) {
  constexpr const char* fn = "bg_bb probability_of_n_purchases";
  check_params(fn, p);
  if (!whole(n) || n < 0 || n > kMaxBgBbPeriods)
    throw InvalidArgument(fn, "n", num(n), "must be a whole number in 0.." + std::to_string(static_cast<long>(kMaxBgBbPeriods)));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!whole(x[i]) || x[i] < 0) throw InvalidArgument(fn, indexed("x", i), num(x[i]), "must be a whole number >= 0");
  check_out(fn, x.size(), out);
  const double lb_ab = math::lbeta(p.alpha, p.beta), lb_cd = math::lbeta(p.gamma, p.delta);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = pmf_one(p, n, x[i], lb_ab, lb_cd);
  check_finite_rows(fn, p, out);
}

double probability_of_n_purchases(const BgBbParams& p, double n, double x) {
  double out = 0;
  probability_of_n_purchases(p, n, {&x, 1}, {&out, 1});
  return out;
}

void dert(const BgBbParams& p, double d, std::span<const double> x, std::span<const double> tx,
          std::span<const double> n, std::span<double> out) {
  constexpr const char* fn = "bg_bb dert";
  check_params(fn, p);
  if (!(d > 0.0) || !std::isfinite(d)) throw InvalidArgument(fn, "discount_rate", num(d), "must be finite and > 0");
  check_data(fn, x, tx, n, {});
  check_out(fn, x.size(), out);
  const double lb_ab = math::lbeta(p.alpha, p.beta), lb_cd = math::lbeta(p.gamma, p.delta);
  std::map<double, double> moment;  // per distinct n: log of B(gamma, delta+n+1)/B(gamma,delta) E[1/(d+theta)]
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto it = moment.find(n[i]);
    if (it == moment.end()) {
      const double h = p.delta + n[i] + 1.0;
      it = moment.emplace(n[i], math::lbeta(p.gamma, h) - lb_cd + std::log(inverse_moment(p.gamma, h, d))).first;
    }
    out[i] = std::exp(math::lbeta(p.alpha + x[i] + 1.0, p.beta + n[i] - x[i]) - lb_ab -
                      loglik_one(p, x[i], tx[i], n[i], nullptr) + it->second);
  }
  check_finite_rows(fn, p, out);
}

double dert(const BgBbParams& p, double d, double x, double t_x, double n) {
  double out = 0;
  dert(p, d, {&x, 1}, {&t_x, 1}, {&n, 1}, {&out, 1});
  return out;
}

void to_json(nlohmann::json& j, const BgBbParams& p) {
  j = nlohmann::json{{"model", BgBb::name}, {"alpha", p.alpha}, {"beta", p.beta}, {"gamma", p.gamma}, {"delta", p.delta}};
}

void from_json(const nlohmann::json& j, BgBbParams& p) {
  constexpr const char* fn = "BgBbParams from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].get<std::string>() == BgBb::name))
    throw InvalidArgument(fn, "model", j["model"].dump(), std::string("must be \"") + BgBb::name + "\"");
  std::array<double, 4> v{};
  for (std::size_t k = 0; k < 4; ++k) {
    const char* key = BgBbParams::names[k];
    if (!j.contains(key)) throw InvalidArgument(fn, key, "missing", "is required");
    if (!j[key].is_number()) throw InvalidArgument(fn, key, j[key].dump(), "must be a number");
    v[k] = j[key].get<double>();
  }
  const BgBbParams q = BgBbParams::from_values(v);
  check_params(fn, q);
  p = q;
}

}  // namespace crmkit::clv
