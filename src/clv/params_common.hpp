// Private to src/clv: the argument checks, error texts and JSON reading that every model whose
// parameters are all positive (BG/NBD, MBG/NBD, Pareto/NBD) shares. P is a parameter struct with
// `size`, `names`, `values()` and `from_values(span)`.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "crmkit/clv/detail/patterns.hpp"
#include "crmkit/core/error.hpp"
#include "fit_common.hpp"

namespace crmkit::clv::detail {

/// Shortest text that reads back as the same double.
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

template <class P>
void check_positive_params(const char* function, const P& p) {
  const auto v = p.values();
  for (std::size_t k = 0; k < P::size; ++k)
    if (!(v[k] > 0.0) || !std::isfinite(v[k])) {
      std::string name = "params.";
      name += P::names[k];
      throw InvalidArgument(function, name, num(v[k]), "must be finite and > 0");
    }
}

inline void check_out(const char* function, std::size_t n, std::span<double> out) {
  if (out.size() != n) {
    std::string found = "length ";
    found += std::to_string(out.size());
    std::string expected = "must equal the input length (";
    expected += std::to_string(n);
    expected += ")";
    throw InvalidArgument(function, "out", found, expected);
  }
}

inline void check_horizon(const char* function, const char* name, double t) {
  if (!std::isfinite(t) || !(t >= 0.0)) throw InvalidArgument(function, name, num(t), "must be finite and >= 0");
}

template <class P>
std::string params_text(const P& p) {
  const auto v = p.values();
  return format_params(P::names.data(), v.data(), P::size);
}

/// Runs f(); Boost.Math and series failures come back as NumericError naming the model, the step and
/// the parameters. crmkit's own errors pass through unchanged.
template <class P, class F>
auto guarded(const char* model, const P& p, const char* what, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string message = what;
    message += " failed at ";
    message += params_text(p);
    message += ": ";
    message += e.what();
    throw NumericError(model, message);
  }
}

/// One customer's prediction: f() for customer row `row` (0-based; named 1-based), a NumericError naming
/// the model, the prediction, the customer row and the parameters when f fails (a Boost.Math or series
/// failure) or gives a value that is not finite. crmkit's InvalidArgument passes through unchanged.
template <class P, class F>
double per_customer(const char* model, const P& p, const char* what, std::size_t row, F&& f) {
  double v = 0;
  std::string cause;
  try {
    v = std::forward<F>(f)();
    if (std::isfinite(v)) return v;
    cause = "no finite value (" + num(v) + ")";
  } catch (const InvalidArgument&) {
    throw;
  } catch (const std::exception& e) {
    cause = e.what();
  }
  std::string message = what;
  message += ": customer row ";
  message += std::to_string(row + 1);
  message += " at ";
  message += params_text(p);
  message += ": ";
  message += cause;
  throw NumericError(model, message);
}

/// {"model": model_name (optional), "<name>": number, ...} → checked parameters.
template <class P>
P params_from_json(const nlohmann::json& j, const char* function, const char* model_name) {
  if (!j.is_object()) throw InvalidArgument(function, "json", j.dump(), "must be an object");
  if (j.contains("model") && !(j["model"].is_string() && j["model"].template get<std::string>() == model_name)) {
    std::string expected = "must be \"";
    expected += model_name;
    expected += "\"";
    throw InvalidArgument(function, "model", j["model"].dump(), expected);
  }
  std::array<double, P::size> v{};
  for (std::size_t k = 0; k < P::size; ++k) {
    const char* key = P::names[k];
    if (!j.contains(key)) throw InvalidArgument(function, key, "missing", "is required");
    const auto& e = j[key];
    if (!e.is_number()) throw InvalidArgument(function, key, e.dump(), "must be a number");
    v[k] = e.template get<double>();
  }
  P q = P::from_values(v);
  check_positive_params(function, q);
  return q;
}

/// Every n[i] of a P(N(t) = n) query is a finite non-negative integer.
inline void check_n(const char* function, std::span<const double> n) {
  for (std::size_t i = 0; i < n.size(); ++i)
    if (!(n[i] >= 0.0) || !std::isfinite(n[i]) || n[i] != std::floor(n[i])) {
      std::string name = "n[";
      name += std::to_string(i);
      name += "]";
      throw InvalidArgument(function, name, num(n[i]), "must be a finite non-negative integer");
    }
}

/// The data-driven start's scale: the weighted mean age T (at least min_mean_T) and the mean purchase
/// rate sum(w x) / (W mean_T), with sum(w x) floored at 0.1 W so data of one-time buyers still give a
/// finite alpha. Both scale with the time unit, so fits in days and in weeks follow the same path.
struct DataScale {
  double mean_T = 0;
  double rate = 0;
};
inline DataScale data_scale(const WeightedPatterns& d, double min_mean_T) {
  double sx = 0, sT = 0;
  for (std::size_t k = 0; k < d.size(); ++k) {
    sx += d.w[k] * d.x[k];
    sT += d.w[k] * d.T[k];
  }
  DataScale s;
  s.mean_T = std::max(sT / d.total_weight, min_mean_T);
  s.rate = std::max(sx, 0.1 * d.total_weight) / (d.total_weight * s.mean_T);
  return s;
}

}  // namespace crmkit::clv::detail
