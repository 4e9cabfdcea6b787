// C ABI, tracking section (crmkit/c/tracking.h): expected cumulative / incremental repeat transactions and
// actual vs predicted from a transaction log, over the CLV section's model handles.
#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capi_internal.hpp"
#include "crmkit/c/tracking.h"
#include "crmkit/clv/tracking.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/summary.hpp"

struct crmkit_tracking {
  crmkit::clv::Tracking t;
};

using crmkit::InvalidArgument;
using crmkit::capi::check_out;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;

namespace {

// The handle's model, read through the CLV section's own accessors (its struct is private to capi_clv.cpp).
crmkit::clv::Model model_of(const crmkit_clv_model* m, const char* fn) {
  require(m, fn, "m");
  const char* key = nullptr;
  int64_t n = 0;
  if (crmkit_clv_model_key(m, &key) != CRMKIT_OK || crmkit_clv_param_count(m, &n) != CRMKIT_OK)
    throw InvalidArgument(fn, "m", "(handle)", crmkit_last_error());
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    if (crmkit_clv_param(m, i, nullptr, &v[static_cast<std::size_t>(i)], nullptr) != CRMKIT_OK)
      throw InvalidArgument(fn, "m", "(handle)", crmkit_last_error());
  return crmkit::clv::Model::from_params(key, v);
}

int32_t expected(const crmkit_clv_model* m, const double* first_purchase, const double* weights, int64_t n,
                 const double* t, int64_t n_t, double* out, bool incremental, const char* fn) {
  return guard([&] {
    const auto model = model_of(m, fn);
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n_t < 0) throw InvalidArgument(fn, "n_t", std::to_string(n_t), "must be >= 0");
    if (n > 0) require(first_purchase, fn, "first_purchase");
    if (n_t > 0) {
      require(t, fn, "t");
      require(out, fn, "out");
    }
    const auto un = static_cast<std::size_t>(n), ut = static_cast<std::size_t>(n_t);
    const std::span<const double> s(first_purchase, first_purchase ? un : 0);
    const std::span<const double> w = weights ? std::span<const double>(weights, un) : std::span<const double>();
    const std::span<const double> tt(t, t ? ut : 0);
    const std::span<double> o(out, out ? ut : 0);
    if (incremental)
      crmkit::clv::expected_incremental_transactions(model, s, tt, o, w);
    else
      crmkit::clv::expected_cumulative_transactions(model, s, tt, o, w);
  });
}

const crmkit_tracking& handle(const crmkit_tracking* tr, const char* fn) {
  require(tr, fn, "tr");
  return *tr;
}

}  // namespace

extern "C" {

int32_t crmkit_clv_expected_cumulative(const crmkit_clv_model* m, const double* first_purchase, const double* weights,
                                       int64_t n, const double* t, int64_t n_t, double* out) {
  return expected(m, first_purchase, weights, n, t, n_t, out, false, "crmkit_clv_expected_cumulative");
}

int32_t crmkit_clv_expected_incremental(const crmkit_clv_model* m, const double* first_purchase, const double* weights,
                                        int64_t n, const double* t, int64_t n_t, double* out) {
  return expected(m, first_purchase, weights, n, t, n_t, out, true, "crmkit_clv_expected_incremental");
}

int32_t crmkit_clv_track(const crmkit_clv_model* m, const crmkit_transactions* tx, const crmkit_options* options,
                         crmkit_tracking** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_clv_track";
    require(out, fn, "out");
    *out = nullptr;
    const auto model = model_of(m, fn);
    require(tx, fn, "tx");
    Opts o(options, fn, {"period", "calibration_end", "observation_end", "periods"});
    crmkit::clv::TrackingOptions to;
    if (auto v = o.get("period")) to.period = crmkit::summary::parse_period(*v);
    if (auto v = o.get("calibration_end")) to.calibration_end = crmkit::io::parse_date_arg(*v, fn, "calibration_end");
    if (auto v = o.get("observation_end")) to.observation_end = crmkit::io::parse_date_arg(*v, fn, "observation_end");
    to.periods = static_cast<std::size_t>(o.integer("periods", 0, 0, 10'000'000));
    auto h = std::make_unique<crmkit_tracking>();
    h->t = crmkit::clv::track(model, tx->view, to);
    *out = h.release();
  });
}

int32_t crmkit_tracking_len(const crmkit_tracking* tr, int64_t* n_periods) {
  return guard([&] {
    const auto& h = handle(tr, "crmkit_tracking_len");
    require(n_periods, "crmkit_tracking_len", "n_periods");
    *n_periods = static_cast<int64_t>(h.t.size());
  });
}

int32_t crmkit_tracking_column(const crmkit_tracking* tr, const char* name, double* out, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_tracking_column";
    const auto& t = handle(tr, fn).t;
    require(name, fn, "name");
    const std::string c = name;
    const std::vector<double>* v = c == "t"                       ? &t.t
                                   : c == "actual_cumulative"     ? &t.actual_cumulative
                                   : c == "predicted_cumulative"  ? &t.predicted_cumulative
                                   : c == "actual_incremental"    ? &t.actual_incremental
                                   : c == "predicted_incremental" ? &t.predicted_incremental
                                                                  : nullptr;
    if (c == "period") {
      check_out(out, n, t.size(), fn);
      for (std::size_t k = 0; k < t.size(); ++k) out[k] = static_cast<double>(t.period[k]);
      return;
    }
    if (!v)
      throw InvalidArgument(fn, "name", "'" + c + "'",
                            "must be one of period, t, actual_cumulative, predicted_cumulative, actual_incremental, "
                            "predicted_incremental");
    check_out(out, n, v->size(), fn);
    std::copy(v->begin(), v->end(), out);
  });
}

int32_t crmkit_tracking_dates(const crmkit_tracking* tr, int64_t* out, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_tracking_dates";
    const auto& t = handle(tr, fn).t;
    check_out(out, n, t.size(), fn);
    std::copy(t.date.begin(), t.date.end(), out);
  });
}

int32_t crmkit_tracking_info(const crmkit_tracking* tr, int64_t* start_day, int64_t* observation_end,
                             int64_t* calibration_periods, int64_t* customers) {
  return guard([&] {
    const auto& t = handle(tr, "crmkit_tracking_info").t;
    if (start_day) *start_day = t.start;
    if (observation_end) *observation_end = t.observation_end;
    if (calibration_periods) *calibration_periods = static_cast<int64_t>(t.calibration_periods);
    if (customers) *customers = static_cast<int64_t>(t.customers);
  });
}

int32_t crmkit_tracking_free(crmkit_tracking* tr) {
  delete tr;
  return CRMKIT_OK;
}

}  // extern "C"
