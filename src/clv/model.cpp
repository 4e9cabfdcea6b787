#include "crmkit/clv/model.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "crmkit/clv/dert.hpp"
#include "crmkit/core/error.hpp"

namespace crmkit::clv {

namespace {

enum class Kind { BgNbd, GammaGamma, Sbg, BgBb, ParetoNbd, MbgNbd };

struct KindInfo {
  Kind kind;
  const char* key;
  const char* typed;
  const char* title;
};

constexpr KindInfo kKinds[] = {
    {Kind::BgNbd, "bgnbd", "bg_nbd", "BG/NBD"},
    {Kind::GammaGamma, "gg", "gamma_gamma", "Gamma-Gamma"},
    {Kind::Sbg, "sbg", "sbg", "shifted-beta-geometric"},
    {Kind::BgBb, "bgbb", "bg_bb", "BG/BB"},
    {Kind::ParetoNbd, "pnbd", "pareto_nbd", "Pareto/NBD"},
    {Kind::MbgNbd, "mbgnbd", "mbg_nbd", "MBG/NBD"},
};

std::string available_text() {
  std::string s;
  for (const auto& k : kKinds) s += (s.empty() ? "" : ", ") + std::string(k.key);
  return s;
}

Kind kind_of(std::string_view key, const char* function) {
  for (const auto& k : kKinds)
    if (key == k.key || key == k.typed) return k.kind;
  throw InvalidArgument(function, "model", std::string(key), "must be one of: " + available_text());
}

const KindInfo& info_of(Kind k) {
  for (const auto& i : kKinds)
    if (i.kind == k) return i;
  return kKinds[0];
}

Kind kind_of(const Model::Params& p) {
  if (std::holds_alternative<BgNbdParams>(p)) return Kind::BgNbd;
  if (std::holds_alternative<GammaGammaParams>(p)) return Kind::GammaGamma;
  if (std::holds_alternative<BgBbParams>(p)) return Kind::BgBb;
  if (std::holds_alternative<ParetoNbdParams>(p)) return Kind::ParetoNbd;
  if (std::holds_alternative<MbgNbdParams>(p)) return Kind::MbgNbd;
  return Kind::Sbg;
}

std::span<const double> need(std::span<const double> col, const char* name, const char* function, const char* model) {
  if (col.empty())
    throw InvalidArgument(function, name, "(absent)", std::string("the ") + model + " model needs this column");
  return col;
}

template <class P>
FitInfo info_from(const core::FitResult<P>& r) {
  FitInfo i;
  i.fitted = true;
  i.log_likelihood = r.log_likelihood;
  i.iterations = r.iterations;
  i.status = r.status;
  i.gradient_norm = r.gradient_norm;
  i.std_errors = r.std_errors;
  i.n_customers = r.n_customers;
  i.n_patterns = r.n_patterns;
  i.limit = r.limit;
  return i;
}

void check_out(const char* function, std::size_t n, std::span<double> out) {
  if (out.size() != n)
    throw InvalidArgument(function, "out", "length " + std::to_string(out.size()),
                          "must equal the number of rows (" + std::to_string(n) + ")");
}

// The predictions every continuous-time repeat-purchase model (BG/NBD, MBG/NBD, Pareto/NBD) offers;
// false when `what` is none of them.
template <class P>
bool predict_repeat_purchase(const P& p, const std::string& key, std::string_view what, double horizon,
                             const ModelData& d, std::span<double> out) {
  constexpr const char* fn = "clv::Model::predict";
  if (what == "expected_purchases") {
    const double v = expected_purchases(p, horizon);
    for (double& o : out) o = v;
    return true;
  }
  if (what == "probability_of_n_purchases") {
    const auto n = need(d.frequency, "frequency", fn, key.c_str());
    check_out(fn, n.size(), out);
    probability_of_n_purchases(p, horizon, n, out);
    return true;
  }
  if (what == "p_alive" || what == "conditional_expected_purchases" || what == "dert") {
    const auto x = need(d.frequency, "frequency", fn, key.c_str());
    const auto tx = need(d.recency, "recency", fn, key.c_str());
    const auto T = need(d.T, "T", fn, key.c_str());
    check_out(fn, x.size(), out);
    if (what == "p_alive")
      p_alive(p, x, tx, T, out);
    else if (what == "dert")
      dert(p, horizon, x, tx, T, out);
    else
      conditional_expected_purchases(p, horizon, x, tx, T, out);
    return true;
  }
  return false;
}

std::string list(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::vector<std::string> Model::available() {
  std::vector<std::string> v;
  for (const auto& k : kKinds) v.emplace_back(k.key);
  return v;
}

Model Model::fit(std::string_view key, const ModelData& d, const core::FitOptions& options) {
  return fit(key, d, options, ZeroSpend::Skip);
}

Model Model::fit(std::string_view key, const ModelData& d, const core::FitOptions& options, ZeroSpend zero_spend) {
  constexpr const char* fn = "clv::Model::fit";
  switch (kind_of(key, fn)) {
    case Kind::BgNbd: {
      const auto r = BgNbd::fit(need(d.frequency, "frequency", fn, "bgnbd"), need(d.recency, "recency", fn, "bgnbd"),
                                need(d.T, "T", fn, "bgnbd"), d.weights, options);
      return Model(r.params, info_from(r));
    }
    case Kind::ParetoNbd: {
      const auto r = ParetoNbd::fit(need(d.frequency, "frequency", fn, "pnbd"), need(d.recency, "recency", fn, "pnbd"),
                                    need(d.T, "T", fn, "pnbd"), d.weights, options);
      return Model(r.params, info_from(r));
    }
    case Kind::MbgNbd: {
      const auto r = MbgNbd::fit(need(d.frequency, "frequency", fn, "mbgnbd"), need(d.recency, "recency", fn, "mbgnbd"),
                                 need(d.T, "T", fn, "mbgnbd"), d.weights, options);
      return Model(r.params, info_from(r));
    }
    case Kind::GammaGamma: {
      double skipped = 0;
      const auto r = GammaGamma::fit(need(d.frequency, "frequency", fn, "gg"),
                                     need(d.monetary_value, "monetary_value", fn, "gg"), d.weights, options,
                                     zero_spend, &skipped);
      FitInfo info = info_from(r);
      info.n_zero_spend_skipped = skipped;
      return Model(r.params, std::move(info));
    }
    case Kind::BgBb: {
      const auto r = BgBb::fit(need(d.frequency, "frequency", fn, "bgbb"), need(d.recency, "recency", fn, "bgbb"),
                               need(d.n_periods, "n_periods", fn, "bgbb"), d.weights, options);
      return Model(r.params, info_from(r));
    }
    case Kind::Sbg: {
      if (!d.active.empty()) {
        const auto r = d.cohort_size > 0 ? Sbg::fit_cohort_proportions(d.active, d.cohort_size, options)
                                         : Sbg::fit_cohort(d.active, options);
        return Model(r.params, info_from(r));
      }
      const auto r = Sbg::fit(need(d.periods, "periods", fn, "sbg"), need(d.churned, "churned", fn, "sbg"), d.weights,
                              options);
      return Model(r.params, info_from(r));
    }
  }
  throw InvalidArgument(fn, "model", std::string(key), "unknown");
}

Model Model::from_params(std::string_view key, std::span<const double> v) {
  constexpr const char* fn = "clv::Model::from_params";
  const Kind k = kind_of(key, fn);
  nlohmann::json j = nlohmann::json::object();
  const Model probe = k == Kind::BgNbd        ? Model(BgNbdParams{}, {})
                      : k == Kind::GammaGamma ? Model(GammaGammaParams{}, {})
                      : k == Kind::BgBb       ? Model(BgBbParams{}, {})
                      : k == Kind::ParetoNbd  ? Model(ParetoNbdParams{}, {})
                      : k == Kind::MbgNbd     ? Model(MbgNbdParams{}, {})
                                              : Model(SbgParams{}, {});
  const auto names = probe.param_names();
  if (v.size() != names.size())
    throw InvalidArgument(fn, "values", "length " + std::to_string(v.size()),
                          "must hold " + std::to_string(names.size()) + " values (" + list(names) + ")");
  for (std::size_t i = 0; i < names.size(); ++i) j[names[i]] = v[i];
  if (k == Kind::BgNbd) return Model(j.get<BgNbdParams>(), {});
  if (k == Kind::GammaGamma) return Model(j.get<GammaGammaParams>(), {});
  if (k == Kind::BgBb) return Model(j.get<BgBbParams>(), {});
  if (k == Kind::ParetoNbd) return Model(j.get<ParetoNbdParams>(), {});
  if (k == Kind::MbgNbd) return Model(j.get<MbgNbdParams>(), {});
  return Model(j.get<SbgParams>(), {});
}

Model Model::from_json(const nlohmann::json& j) {
  constexpr const char* fn = "clv::Model::from_json";
  if (!j.is_object()) throw InvalidArgument(fn, "json", j.dump().substr(0, 60), "must be an object");
  if (!j.contains("model") || !j["model"].is_string())
    throw InvalidArgument(fn, "model", j.contains("model") ? j["model"].dump() : "(missing)",
                          "must name the model: one of " + available_text());
  const Kind k = kind_of(j["model"].get<std::string>(), fn);
  if (!j.contains("params") || !j["params"].is_object())
    throw InvalidArgument(fn, "params", j.contains("params") ? j["params"].dump() : "(missing)",
                          "must be an object of the model's parameters");
  nlohmann::json p = j["params"];
  p.erase("model");
  Params params = k == Kind::BgNbd        ? Params(p.get<BgNbdParams>())
                  : k == Kind::GammaGamma ? Params(p.get<GammaGammaParams>())
                  : k == Kind::BgBb       ? Params(p.get<BgBbParams>())
                  : k == Kind::ParetoNbd  ? Params(p.get<ParetoNbdParams>())
                  : k == Kind::MbgNbd     ? Params(p.get<MbgNbdParams>())
                                          : Params(p.get<SbgParams>());
  FitInfo info;
  if (j.contains("log_likelihood") && j["log_likelihood"].is_number()) {
    info.fitted = true;
    info.log_likelihood = j["log_likelihood"].get<double>();
    if (j.contains("iterations") && j["iterations"].is_number_integer()) info.iterations = j["iterations"].get<int>();
    if (j.contains("converged") && j["converged"].is_boolean() && !j["converged"].get<bool>())
      info.status = core::FitStatus::MaxIterations;
    if (j.contains("status") && j["status"].is_string()) {
      const auto s = j["status"].get<std::string>();
      for (auto st : {core::FitStatus::Converged, core::FitStatus::MaxIterations, core::FitStatus::LineSearchFailed,
                      core::FitStatus::Boundary})
        if (s == core::fit_status_name(st)) info.status = st;
    }
    if (j.contains("gradient_norm") && j["gradient_norm"].is_number()) info.gradient_norm = j["gradient_norm"].get<double>();
    if (j.contains("n_customers") && j["n_customers"].is_number()) info.n_customers = j["n_customers"].get<double>();
    if (j.contains("n_patterns") && j["n_patterns"].is_number_unsigned()) info.n_patterns = j["n_patterns"].get<std::size_t>();
    if (j.contains("n_zero_spend_skipped") && j["n_zero_spend_skipped"].is_number())
      info.n_zero_spend_skipped = j["n_zero_spend_skipped"].get<double>();
    if (j.contains("limit") && j["limit"].is_string()) info.limit = j["limit"].get<std::string>();
    const Model probe(params, {});
    // An empty object means "no standard errors", as a model without them writes it: reading it as
    // all-missing would write nulls back and change the file on a round trip (a fuzz finding).
    if (j.contains("std_errors") && j["std_errors"].is_object() && !j["std_errors"].empty())
      for (const auto& name : probe.param_names()) {
        const auto& e = j["std_errors"];
        info.std_errors.push_back(e.contains(name) && e[name].is_number() ? e[name].get<double>() : std::nan(""));
      }
  }
  return Model(std::move(params), std::move(info));
}

nlohmann::ordered_json Model::to_json() const {
  nlohmann::ordered_json j;
  j["model"] = key();
  nlohmann::ordered_json p = nlohmann::ordered_json::object();
  const auto names = param_names();
  const auto values = param_values();
  for (std::size_t i = 0; i < names.size(); ++i) p[names[i]] = values[i];
  j["params"] = p;
  if (info_.fitted) {
    j["log_likelihood"] = info_.log_likelihood;
    j["converged"] = info_.converged();
    j["iterations"] = info_.iterations;
    nlohmann::ordered_json se = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < names.size() && i < info_.std_errors.size(); ++i)
      se[names[i]] = std::isfinite(info_.std_errors[i]) ? nlohmann::ordered_json(info_.std_errors[i])
                                                        : nlohmann::ordered_json(nullptr);
    j["std_errors"] = se;
    j["status"] = core::fit_status_name(info_.status);
    j["gradient_norm"] = info_.gradient_norm;
    j["n_customers"] = info_.n_customers;
    j["n_patterns"] = info_.n_patterns;
    if (kind_of(params_) == Kind::GammaGamma) j["n_zero_spend_skipped"] = info_.n_zero_spend_skipped;
    if (!info_.limit.empty()) j["limit"] = info_.limit;
  }
  return j;
}

std::string Model::key() const { return info_of(kind_of(params_)).key; }
std::string Model::title() const { return info_of(kind_of(params_)).title; }

std::vector<std::string> Model::param_names() const {
  return std::visit([](const auto& p) {
    using P = std::decay_t<decltype(p)>;
    return std::vector<std::string>(P::names.begin(), P::names.end());
  }, params_);
}

std::vector<double> Model::param_values() const {
  return std::visit([](const auto& p) {
    const auto v = p.values();
    return std::vector<double>(v.begin(), v.end());
  }, params_);
}

bool Model::predicts_purchases() const noexcept {
  const Kind k = kind_of(params_);
  return k == Kind::BgNbd || k == Kind::BgBb || k == Kind::ParetoNbd || k == Kind::MbgNbd;
}

std::vector<std::string> Model::predictions() const {
  switch (kind_of(params_)) {
    case Kind::BgNbd:
    case Kind::MbgNbd:
    case Kind::ParetoNbd:
      return {"p_alive", "conditional_expected_purchases", "expected_purchases", "probability_of_n_purchases", "dert"};
    case Kind::BgBb:
      return {"p_alive", "conditional_expected_purchases", "expected_purchases", "probability_of_n_purchases", "dert"};
    case Kind::GammaGamma:
      return {"conditional_expected_spend", "expected_spend"};
    case Kind::Sbg:
      return {"survival", "retention_rate", "churn_probability", "expected_lifetime", "derl"};
  }
  return {};
}

void Model::predict(std::string_view what, double horizon, const ModelData& d, std::span<double> out) const {
  constexpr const char* fn = "clv::Model::predict";
  const std::string k = key();
  if (const auto* p = std::get_if<BgNbdParams>(&params_)) {
    if (predict_repeat_purchase(*p, k, what, horizon, d, out)) return;
  } else if (const auto* pn = std::get_if<ParetoNbdParams>(&params_)) {
    if (predict_repeat_purchase(*pn, k, what, horizon, d, out)) return;
  } else if (const auto* mb = std::get_if<MbgNbdParams>(&params_)) {
    if (predict_repeat_purchase(*mb, k, what, horizon, d, out)) return;
  } else if (const auto* g = std::get_if<GammaGammaParams>(&params_)) {
    if (what == "conditional_expected_spend") {
      const auto x = need(d.frequency, "frequency", fn, "gg");
      const auto m = need(d.monetary_value, "monetary_value", fn, "gg");
      check_out(fn, x.size(), out);
      return conditional_expected_spend(*g, x, m, out);
    }
    if (what == "expected_spend") {
      const double v = expected_spend(*g);
      for (double& o : out) o = v;
      return;
    }
  } else if (const auto* bb = std::get_if<BgBbParams>(&params_)) {
    if (what == "expected_purchases") {
      const double v = expected_transactions(*bb, horizon);
      for (double& o : out) o = v;
      return;
    }
    if (what == "probability_of_n_purchases") {
      const auto x = need(d.frequency, "frequency", fn, "bgbb");
      check_out(fn, x.size(), out);
      return probability_of_n_purchases(*bb, horizon, x, out);
    }
    if (what == "p_alive" || what == "conditional_expected_purchases" || what == "dert") {
      const auto x = need(d.frequency, "frequency", fn, "bgbb");
      const auto tx = need(d.recency, "recency", fn, "bgbb");
      const auto np = need(d.n_periods, "n_periods", fn, "bgbb");
      check_out(fn, x.size(), out);
      if (what == "p_alive") return p_alive(*bb, x, tx, np, out);
      if (what == "dert") return dert(*bb, horizon, x, tx, np, out);
      return conditional_expected_transactions(*bb, horizon, x, tx, np, out);
    }
  } else if (const auto* s = std::get_if<SbgParams>(&params_)) {
    if (what == "expected_lifetime") {
      const double v = horizon > 0 ? expected_lifetime(*s, horizon) : expected_lifetime(*s);
      if (!std::isfinite(v))  // alpha <= 1: a heavy tail, E[lifetime] = infinity; no output holds inf
        throw NumericError("sbg", "the expected lifetime is infinite for alpha <= 1 (alpha = " + number_text(s->alpha) +
                                      "); give a horizon for the expected lifetime within it");
      for (double& o : out) o = v;
      return;
    }
    if (what == "survival" || what == "retention_rate" || what == "churn_probability" || what == "derl") {
      const auto t = need(d.periods, "periods", fn, "sbg");
      check_out(fn, t.size(), out);
      if (what == "survival") return survival(*s, t, out);
      if (what == "retention_rate") return retention_rate(*s, t, out);
      if (what == "churn_probability") return churn_probability(*s, t, out);
      for (std::size_t i = 0; i < t.size(); ++i) out[i] = derl(*s, horizon, t[i]);
      return;
    }
  }
  throw InvalidArgument(fn, "what", std::string(what),
                        "is not a prediction of the " + k + " model; it offers: " + list(predictions()));
}

void customer_lifetime_value(const Model& transactions, const Model& spend, const ModelData& d,
                             const ClvOptions& o, std::span<double> out) {
  constexpr const char* fn = "clv::customer_lifetime_value";
  if (transactions.key() != "bgnbd" && transactions.key() != "pnbd" && transactions.key() != "mbgnbd")
    throw InvalidArgument(fn, "transactions", transactions.key(),
                          "must be a continuous-time transaction model (bgnbd, mbgnbd or pnbd)");
  if (spend.key() != "gg") throw InvalidArgument(fn, "spend", spend.key(), "must be a Gamma-Gamma model (gg)");
  if (o.method == ClvMethod::Monthly && (o.months < 1 || o.months > kMaxClvMonths))
    throw InvalidArgument(fn, "months", std::to_string(o.months),
                          "must be in 1.." + std::to_string(kMaxClvMonths) + " (500 years)");
  if (!(o.discount_rate >= 0.0) || !std::isfinite(o.discount_rate))
    throw InvalidArgument(fn, "discount_rate", std::to_string(o.discount_rate), "must be finite and >= 0");
  if (!(o.margin > 0.0) || !std::isfinite(o.margin))
    throw InvalidArgument(fn, "margin", std::to_string(o.margin), "must be finite and > 0");
  if (!(o.periods_per_month > 0.0) || !std::isfinite(o.periods_per_month))
    throw InvalidArgument(fn, "periods_per_month", std::to_string(o.periods_per_month), "must be finite and > 0");
  if (o.method == ClvMethod::Dert && !(o.discount_rate > 0.0))
    throw InvalidArgument(fn, "discount_rate", std::to_string(o.discount_rate),
                          "must be > 0 for the dert method (without discounting DERT counts every future purchase)");
  const std::size_t n = d.frequency.size();
  check_out(fn, n, out);
  std::vector<double> value(n);
  spend.predict("conditional_expected_spend", 0, d, value);
  if (o.method == ClvMethod::Dert) {
    // e^(-delta t) at t = i months (i f time units) equals (1 + d)^-i.
    transactions.predict("dert", std::log1p(o.discount_rate) / o.periods_per_month, d, out);
  } else if (const auto* bg = std::get_if<BgNbdParams>(&transactions.params())) {
    // Batched: the series run once per distinct (x, T), each customer costs one P(alive) (bg_nbd.hpp).
    std::vector<double> horizons(static_cast<std::size_t>(o.months)), discounts(horizons.size());
    for (int i = 1; i <= o.months; ++i) {
      horizons[static_cast<std::size_t>(i - 1)] = i * o.periods_per_month;
      discounts[static_cast<std::size_t>(i - 1)] = std::pow(1.0 + o.discount_rate, -static_cast<double>(i));
    }
    discounted_expected_purchases(*bg, horizons, discounts, need(d.frequency, "frequency", fn, "bgnbd"),
                                  need(d.recency, "recency", fn, "bgnbd"), need(d.T, "T", fn, "bgnbd"), out);
  } else {
    std::vector<double> prev(n, 0.0), cur(n);
    std::fill(out.begin(), out.end(), 0.0);
    for (int i = 1; i <= o.months; ++i) {
      transactions.predict("conditional_expected_purchases", i * o.periods_per_month, d, cur);
      const double discount = std::pow(1.0 + o.discount_rate, -static_cast<double>(i));
      for (std::size_t k = 0; k < n; ++k) out[k] += (cur[k] - prev[k]) * discount;
      prev.swap(cur);
    }
  }
  for (std::size_t k = 0; k < n; ++k) out[k] *= o.margin * value[k];
}

}  // namespace crmkit::clv
