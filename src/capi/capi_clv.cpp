// C ABI, CLV section (crmkit/c/clv.h): one handle over clv::Model.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_internal.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/io/json.hpp"

struct crmkit_clv_model {
  crmkit::clv::Model model;
  std::string key;
  std::vector<std::string> names;
  explicit crmkit_clv_model(crmkit::clv::Model m) : model(std::move(m)), key(model.key()), names(model.param_names()) {}
};

using crmkit::InvalidArgument;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;

namespace {

std::span<const double> col(const double* p, std::int64_t n) {
  return p ? std::span<const double>(p, static_cast<std::size_t>(n)) : std::span<const double>();
}

void check_n(std::int64_t n, const char* fn) {
  if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
}

crmkit::clv::ModelData data(const double* f, const double* r, const double* T, const double* m, const double* w,
                            std::int64_t n) {
  crmkit::clv::ModelData d;
  d.frequency = col(f, n);
  d.recency = col(r, n);
  d.T = col(T, n);
  d.monetary_value = col(m, n);
  d.weights = col(w, n);
  return d;
}

crmkit::clv::ModelData named(const char* const* names, const double* const* columns, std::int64_t k, std::int64_t n,
                             const char* fn) {
  check_n(n, fn);
  if (k < 0) throw InvalidArgument(fn, "n_columns", std::to_string(k), "must be >= 0");
  if (k > 0) {
    require(names, fn, "names");
    require(columns, fn, "columns");
  }
  crmkit::clv::ModelData d;
  for (std::int64_t i = 0; i < k; ++i) {
    require(names[i], fn, "names[i]");
    require(columns[i], fn, "columns[i]");
    const std::string name = names[i];
    const auto c = col(columns[i], n);
    if (name == "frequency") d.frequency = c;
    else if (name == "recency") d.recency = c;
    else if (name == "T") d.T = c;
    else if (name == "monetary_value") d.monetary_value = c;
    else if (name == "weights") d.weights = c;
    else if (name == "periods") d.periods = c;
    else if (name == "churned") d.churned = c;
    else if (name == "active") d.active = c;
    else if (name == "n_periods") d.n_periods = c;
    else
      throw InvalidArgument(fn, "names[" + std::to_string(i) + "]", name,
                            "must be one of frequency, recency, T, monetary_value, weights, n_periods, periods, churned, active");
  }
  return d;
}

crmkit::core::FitOptions fit_options(const crmkit_options* options, const char* fn, const char* model,
                                     crmkit::clv::ZeroSpend* zero_spend) {
  Opts o(options, fn, {"penalizer", "max_iterations", "tolerance", "initial_params", "restarts", "zero_spend"});
  if (auto v = o.get("zero_spend")) {
    // as `crmkit fit --zero-spend`: a policy for the spend model only, never silently ignored
    if (std::string_view(model) != "gg" && std::string_view(model) != "gamma_gamma")
      throw InvalidArgument(fn, "zero_spend", *v, "applies to the gg model only");
    if (*v == "skip") *zero_spend = crmkit::clv::ZeroSpend::Skip;
    else if (*v == "error") *zero_spend = crmkit::clv::ZeroSpend::Error;
    else throw InvalidArgument(fn, "zero_spend", *v, "must be skip or error");
  }
  crmkit::core::FitOptions fo;
  fo.penalizer = o.number("penalizer", 0.0);
  fo.max_iterations = static_cast<int>(o.integer("max_iterations", 1000, 1, 1000000));
  fo.tolerance = o.number("tolerance", 1e-8);
  fo.restarts = static_cast<int>(o.integer("restarts", 4, 0, 100));
  if (o.get("initial_params")) fo.initial_params = o.numbers("initial_params");
  return fo;
}

}  // namespace

extern "C" {

int32_t crmkit_clv_fit(const char* model, const double* frequency, const double* recency, const double* T,
                       const double* monetary_value, const double* weights, int64_t n, const crmkit_options* options,
                       crmkit_clv_model** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_fit";
    require(model, fn, "model");
    require(out, fn, "out");
    *out = nullptr;
    check_n(n, fn);
    auto zs = crmkit::clv::ZeroSpend::Skip;
    const auto fo = fit_options(options, fn, model, &zs);
    auto m = crmkit::clv::Model::fit(model, data(frequency, recency, T, monetary_value, weights, n), fo, zs);
    *out = new crmkit_clv_model(std::move(m));
  });
}

int32_t crmkit_clv_fit_columns(const char* model, const char* const* names, const double* const* columns,
                               int64_t n_columns, int64_t n, const crmkit_options* options, crmkit_clv_model** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_fit_columns";
    require(model, fn, "model");
    require(out, fn, "out");
    *out = nullptr;
    const auto d = named(names, columns, n_columns, n, fn);
    auto zs = crmkit::clv::ZeroSpend::Skip;
    const auto fo = fit_options(options, fn, model, &zs);
    *out = new crmkit_clv_model(crmkit::clv::Model::fit(model, d, fo, zs));
  });
}

int32_t crmkit_clv_predict_columns(const crmkit_clv_model* m, const char* what, double horizon,
                                   const char* const* names, const double* const* columns, int64_t n_columns,
                                   int64_t n, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_predict_columns";
    require(m, fn, "m");
    require(what, fn, "what");
    const auto d = named(names, columns, n_columns, n, fn);
    if (n > 0) require(out, fn, "out");
    m->model.predict(what, horizon, d, std::span<double>(out, static_cast<std::size_t>(n)));
  });
}

int32_t crmkit_clv_from_params(const char* model, const double* values, int64_t n_values, crmkit_clv_model** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_from_params";
    require(model, fn, "model");
    require(values, fn, "values");
    require(out, fn, "out");
    *out = nullptr;
    check_n(n_values, fn);
    *out = new crmkit_clv_model(crmkit::clv::Model::from_params(model, col(values, n_values)));
  });
}

int32_t crmkit_clv_from_json(const char* json, crmkit_clv_model** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_from_json";
    require(json, fn, "json");
    require(out, fn, "out");
    *out = nullptr;
    const nlohmann::json j = crmkit::io::parse_json_document(json, "<json>", "a JSON model");
    try {
      *out = new crmkit_clv_model(crmkit::clv::Model::from_json(j));
    } catch (const nlohmann::json::exception& e) {
      throw crmkit::ParseError("<json>", 0, 0, "", "a valid model", e.what());
    }
  });
}

int32_t crmkit_clv_to_json(const crmkit_clv_model* m, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_to_json";
    require(m, fn, "m");
    require(length, fn, "length");
    const std::string s = m->model.to_json().dump();
    *length = static_cast<int64_t>(s.size());
    if (!buffer && capacity == 0) return;
    require(buffer, fn, "buffer");
    if (capacity < *length + 1)
      throw crmkit::capi::BufferTooSmall(std::string(fn) + ": buffer of " + std::to_string(capacity) +
                                         " bytes is smaller than the " + std::to_string(*length + 1) + " needed");
    std::memcpy(buffer, s.c_str(), s.size() + 1);
  });
}

int32_t crmkit_clv_model_key(const crmkit_clv_model* m, const char** key) {
  return guard([&] {
    require(m, "crmkit_clv_model_key", "m");
    require(key, "crmkit_clv_model_key", "key");
    *key = m->key.c_str();
  });
}

int32_t crmkit_clv_param_count(const crmkit_clv_model* m, int64_t* n) {
  return guard([&] {
    require(m, "crmkit_clv_param_count", "m");
    require(n, "crmkit_clv_param_count", "n");
    *n = static_cast<int64_t>(m->names.size());
  });
}

int32_t crmkit_clv_param(const crmkit_clv_model* m, int64_t i, const char** name, double* value, double* std_error) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_param";
    require(m, fn, "m");
    if (i < 0 || static_cast<std::size_t>(i) >= m->names.size())
      throw InvalidArgument(fn, "i", std::to_string(i), "must be in 0.." + std::to_string(m->names.size() - 1));
    const auto k = static_cast<std::size_t>(i);
    if (name) *name = m->names[k].c_str();
    if (value) *value = m->model.param_values()[k];
    if (std_error) {
      const auto& se = m->model.info().std_errors;
      *std_error = k < se.size() ? se[k] : std::numeric_limits<double>::quiet_NaN();
    }
  });
}

int32_t crmkit_clv_fit_info(const crmkit_clv_model* m, int32_t* fitted, double* log_likelihood, int32_t* converged,
                            int32_t* iterations, double* gradient_norm) {
  return guard([&] {
    require(m, "crmkit_clv_fit_info", "m");
    const auto& info = m->model.info();
    if (fitted) *fitted = info.fitted ? 1 : 0;
    if (log_likelihood) *log_likelihood = info.fitted ? info.log_likelihood : 0.0;
    if (converged) *converged = info.fitted && info.converged() ? 1 : 0;
    if (iterations) *iterations = info.iterations;
    if (gradient_norm) *gradient_norm = info.gradient_norm;
  });
}

int32_t crmkit_clv_predict(const crmkit_clv_model* m, const char* what, double horizon, const double* frequency,
                           const double* recency, const double* T, const double* monetary_value, int64_t n,
                           double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_predict";
    require(m, fn, "m");
    require(what, fn, "what");
    check_n(n, fn);
    if (n > 0) require(out, fn, "out");
    m->model.predict(what, horizon, data(frequency, recency, T, monetary_value, nullptr, n),
                     std::span<double>(out, static_cast<std::size_t>(n)));
  });
}

int32_t crmkit_clv_value(const crmkit_clv_model* transactions, const crmkit_clv_model* spend, const double* frequency,
                         const double* recency, const double* T, const double* monetary_value, int64_t n,
                         const crmkit_options* options, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_value";
    require(transactions, fn, "transactions");
    require(spend, fn, "spend");
    check_n(n, fn);
    if (n > 0) require(out, fn, "out");
    Opts o(options, fn, {"months", "discount_rate", "margin", "periods_per_month", "method"});
    crmkit::clv::ClvOptions co;
    if (const std::string* method = o.get("method")) {
      if (*method == "dert")
        co.method = crmkit::clv::ClvMethod::Dert;
      else if (*method != "monthly")
        throw InvalidArgument(fn, "method", "'" + *method + "'", "must be monthly or dert");
    }
    co.months = static_cast<int>(o.integer("months", 12, 1, crmkit::clv::kMaxClvMonths));
    co.discount_rate = o.number("discount_rate", 0.01);
    co.margin = o.number("margin", 1.0);
    co.periods_per_month = o.number("periods_per_month", 30.0);
    crmkit::clv::customer_lifetime_value(transactions->model, spend->model,
                                         data(frequency, recency, T, monetary_value, nullptr, n), co,
                                         std::span<double>(out, static_cast<std::size_t>(n)));
  });
}

int32_t crmkit_clv_free(crmkit_clv_model* m) {
  delete m;
  return CRMKIT_OK;
}

}  // extern "C"
