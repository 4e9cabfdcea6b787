// C ABI, survival section (crmkit/c/survival.h): Kaplan-Meier, durations from transactions, cohorts.
#include <cmath>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capi_internal.hpp"
#include "crmkit/churn/cohorts.hpp"
#include "crmkit/churn/survival.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/summary.hpp"

struct crmkit_km {
  crmkit::churn::KaplanMeierResult result;
};
struct crmkit_durations {
  crmkit::churn::CustomerDurations d;
};
struct crmkit_cohorts {
  crmkit::churn::CohortTable t;
};

using crmkit::InvalidArgument;
using crmkit::capi::check_out;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;
namespace churn = crmkit::churn;

namespace {

const churn::SurvivalCurve& curve_at(const crmkit_km* km, std::int64_t i, const char* fn) {
  require(km, fn, "km");
  const std::size_t n = km->result.curves.size();
  if (i < 0 || static_cast<std::size_t>(i) >= n)
    throw InvalidArgument(fn, "curve", std::to_string(i), "must be in 0.." + std::to_string(static_cast<std::int64_t>(n) - 1));
  return km->result.curves[static_cast<std::size_t>(i)];
}

void write_json(const std::string& s, char* buffer, std::int64_t capacity, std::int64_t* length, const char* fn) {
  require(length, fn, "length");
  *length = static_cast<std::int64_t>(s.size());
  if (!buffer && capacity == 0) return;
  require(buffer, fn, "buffer");
  if (capacity < *length + 1) {
    std::string m = fn;
    m += ": buffer of ";
    m += std::to_string(capacity);
    m += " bytes is smaller than the ";
    m += std::to_string(*length + 1);
    m += " needed";
    throw crmkit::capi::BufferTooSmall(m);
  }
  std::memcpy(buffer, s.c_str(), s.size() + 1);
}

template <class T>
void copy_out(const std::vector<T>& v, T* out, std::int64_t capacity, const char* fn) {
  check_out(out, capacity, v.size(), fn);
  std::copy(v.begin(), v.end(), out);
}

}  // namespace

extern "C" {

int32_t crmkit_km_fit(const double* duration, const double* event, const double* weight, const uint32_t* group,
                      const char* const* group_names, int64_t n_group_names, int64_t n, const crmkit_options* options,
                      crmkit_km** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_fit";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 1) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 1");
    require(duration, fn, "duration");
    require(event, fn, "event");
    if (n_group_names < 0) throw InvalidArgument(fn, "n_group_names", std::to_string(n_group_names), "must be >= 0");
    Opts o(options, fn, {"conf_type", "conf_level"});
    churn::KaplanMeierOptions ko;
    if (auto v = o.get("conf_type")) ko.conf_type = churn::parse_conf_type(*v);
    ko.conf_level = o.number("conf_level", ko.conf_level);
    const auto un = static_cast<std::size_t>(n);
    churn::SurvivalInput in;
    in.duration = std::span<const double>(duration, un);
    in.event = std::span<const double>(event, un);
    if (weight) in.weight = std::span<const double>(weight, un);
    if (group) in.group = std::span<const std::uint32_t>(group, un);
    if (group_names && n_group_names > 0) {
      for (int64_t i = 0; i < n_group_names; ++i) {
        if (!group_names[i])
          throw InvalidArgument(fn, "group_names[" + std::to_string(i) + "]", "NULL", "must not be NULL");
        in.group_names.emplace_back(group_names[i]);
      }
    }
    auto h = std::make_unique<crmkit_km>();
    h->result = churn::kaplan_meier(in, ko);
    *out = h.release();
  });
}

int32_t crmkit_km_curve_count(const crmkit_km* km, int64_t* n) {
  return guard([&] {
    require(km, "crmkit_km_curve_count", "km");
    require(n, "crmkit_km_curve_count", "n");
    *n = static_cast<int64_t>(km->result.curves.size());
  });
}

int32_t crmkit_km_curve_group(const crmkit_km* km, int64_t curve, const char** name) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_curve_group";
    const auto& c = curve_at(km, curve, fn);
    require(name, fn, "name");
    *name = c.group.c_str();
  });
}

int32_t crmkit_km_curve_len(const crmkit_km* km, int64_t curve, int64_t* n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_curve_len";
    const auto& c = curve_at(km, curve, fn);
    require(n, fn, "n");
    *n = static_cast<int64_t>(c.size());
  });
}

int32_t crmkit_km_curve_column(const crmkit_km* km, int64_t curve, const char* column, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_curve_column";
    const auto& c = curve_at(km, curve, fn);
    require(column, fn, "column");
    const std::string w = column;
    const std::vector<double>* v = nullptr;
    if (w == "time") v = &c.time;
    else if (w == "n_risk") v = &c.n_risk;
    else if (w == "n_event") v = &c.n_event;
    else if (w == "n_censor") v = &c.n_censor;
    else if (w == "survival") v = &c.survival;
    else if (w == "std_err") v = &c.std_err;
    else if (w == "lower") v = &c.lower;
    else if (w == "upper") v = &c.upper;
    else
      throw InvalidArgument(fn, "column", "'" + w + "'",
                            "must be time, n_risk, n_event, n_censor, survival, std_err, lower or upper");
    copy_out(*v, out, capacity, fn);
  });
}

int32_t crmkit_km_curve_value(const crmkit_km* km, int64_t curve, const char* what, double* value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_curve_value";
    const auto& c = curve_at(km, curve, fn);
    require(what, fn, "what");
    require(value, fn, "value");
    const std::string w = what;
    if (w == "n") *value = c.n;
    else if (w == "events") *value = c.events;
    else if (w == "median") *value = c.median;
    else if (w == "median_lower") *value = c.median_lower;
    else if (w == "median_upper") *value = c.median_upper;
    else if (w == "conf_level") *value = km->result.conf_level;
    else
      throw InvalidArgument(fn, "what", "'" + w + "'", "must be n, events, median, median_lower, median_upper or conf_level");
  });
}

int32_t crmkit_km_survival_at(const crmkit_km* km, int64_t curve, const double* times, int64_t n_times, double* survival,
                              double* std_err, double* lower, double* upper, double* n_risk) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_survival_at";
    const auto& c = curve_at(km, curve, fn);
    if (n_times < 0) throw InvalidArgument(fn, "n_times", std::to_string(n_times), "must be >= 0");
    if (n_times > 0) require(times, fn, "times");
    const auto un = static_cast<std::size_t>(n_times);
    const churn::SurvivalAt s = churn::survival_at(c, std::span<const double>(times, un));
    auto put = [&](const std::vector<double>& v, double* o) {
      if (o) std::copy(v.begin(), v.end(), o);
    };
    put(s.survival, survival);
    put(s.std_err, std_err);
    put(s.lower, lower);
    put(s.upper, upper);
    put(s.n_risk, n_risk);
  });
}

int32_t crmkit_km_logrank(const crmkit_km* km, int32_t* has_test, double* chi_square, double* df, double* p_value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_logrank";
    require(km, fn, "km");
    require(has_test, fn, "has_test");
    *has_test = km->result.has_logrank ? 1 : 0;
    const auto& t = km->result.logrank;
    const bool h = km->result.has_logrank;
    const double nan = std::nan("");
    if (chi_square) *chi_square = h ? t.chi_square : nan;
    if (df) *df = h ? t.df : nan;
    if (p_value) *p_value = h ? t.p_value : nan;
  });
}

int32_t crmkit_km_logrank_counts(const crmkit_km* km, double* observed, double* expected, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_logrank_counts";
    require(km, fn, "km");
    if (!km->result.has_logrank)
      throw InvalidArgument(fn, "km", "1 curve", "has no log-rank test (it needs a group column with >= 2 groups)");
    if (observed) copy_out(km->result.logrank.observed, observed, capacity, fn);
    if (expected) copy_out(km->result.logrank.expected, expected, capacity, fn);
  });
}

int32_t crmkit_km_to_json(const crmkit_km* km, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_km_to_json";
    require(km, fn, "km");
    write_json(churn::to_json(km->result), buffer, capacity, length, fn);
  });
}

int32_t crmkit_km_free(crmkit_km* km) {
  delete km;
  return CRMKIT_OK;
}

// ---- durations --------------------------------------------------------------------------------------

int32_t crmkit_durations_compute(const crmkit_transactions* tx, const crmkit_options* options, crmkit_durations** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_durations_compute";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"inactive_days", "observation_end", "period"});
    churn::DurationOptions d;
    d.inactive_days = o.integer("inactive_days", d.inactive_days, 1, 1000000000);
    if (auto v = o.get("observation_end")) {
      d.has_observation_end = true;
      d.observation_end = crmkit::io::parse_date_arg(*v, fn, "observation_end");
    }
    if (auto v = o.get("period")) d.period_days = crmkit::summary::period_days(crmkit::summary::parse_period(*v));
    auto h = std::make_unique<crmkit_durations>();
    h->d = churn::durations_from_transactions(tx->view, d);
    *out = h.release();
  });
}

int32_t crmkit_durations_len(const crmkit_durations* d, int64_t* n) {
  return guard([&] {
    require(d, "crmkit_durations_len", "d");
    require(n, "crmkit_durations_len", "n");
    *n = static_cast<int64_t>(d->d.size());
  });
}

int32_t crmkit_durations_observation_end(const crmkit_durations* d, int64_t* day) {
  return guard([&] {
    require(d, "crmkit_durations_observation_end", "d");
    require(day, "crmkit_durations_observation_end", "day");
    *day = d->d.observation_end;
  });
}

int32_t crmkit_durations_customers(const crmkit_durations* d, uint32_t* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_durations_customers";
    require(d, fn, "d");
    copy_out(d->d.customer, out, capacity, fn);
  });
}

int32_t crmkit_durations_column(const crmkit_durations* d, const char* column, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_durations_column";
    require(d, fn, "d");
    require(column, fn, "column");
    const std::string w = column;
    if (w == "duration") return copy_out(d->d.duration, out, capacity, fn);
    if (w == "event") return copy_out(d->d.event, out, capacity, fn);
    const std::vector<std::int64_t>* v = nullptr;
    if (w == "first_day") v = &d->d.first_day;
    else if (w == "last_day") v = &d->d.last_day;
    else throw InvalidArgument(fn, "column", "'" + w + "'", "must be duration, event, first_day or last_day");
    check_out(out, capacity, v->size(), fn);
    for (std::size_t i = 0; i < v->size(); ++i) out[i] = static_cast<double>((*v)[i]);
  });
}

int32_t crmkit_durations_free(crmkit_durations* d) {
  delete d;
  return CRMKIT_OK;
}

// ---- cohorts ----------------------------------------------------------------------------------------

int32_t crmkit_cohorts_compute(const crmkit_transactions* tx, const crmkit_options* options, crmkit_cohorts** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_cohorts_compute";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"period"});
    churn::CohortPeriod p = churn::CohortPeriod::Month;
    if (auto v = o.get("period")) p = churn::parse_cohort_period(*v);
    auto h = std::make_unique<crmkit_cohorts>();
    h->t = churn::cohort_retention(tx->view, p);
    *out = h.release();
  });
}

int32_t crmkit_cohorts_shape(const crmkit_cohorts* c, int64_t* n_cohorts, int64_t* n_offsets) {
  return guard([&] {
    constexpr const char* fn = "crmkit_cohorts_shape";
    require(c, fn, "c");
    require(n_cohorts, fn, "n_cohorts");
    require(n_offsets, fn, "n_offsets");
    *n_cohorts = static_cast<int64_t>(c->t.n_cohorts);
    *n_offsets = static_cast<int64_t>(c->t.n_offsets);
  });
}

int32_t crmkit_cohorts_label(const crmkit_cohorts* c, int64_t cohort, const char** label) {
  return guard([&] {
    constexpr const char* fn = "crmkit_cohorts_label";
    require(c, fn, "c");
    require(label, fn, "label");
    if (cohort < 0 || static_cast<std::size_t>(cohort) >= c->t.n_cohorts)
      throw InvalidArgument(fn, "cohort", std::to_string(cohort),
                            "must be in 0.." + std::to_string(static_cast<std::int64_t>(c->t.n_cohorts) - 1));
    *label = c->t.cohort_label[static_cast<std::size_t>(cohort)].c_str();
  });
}

int32_t crmkit_cohorts_start(const crmkit_cohorts* c, int64_t* out, int64_t capacity) {
  return guard([&] {
    require(c, "crmkit_cohorts_start", "c");
    copy_out(c->t.cohort_start, out, capacity, "crmkit_cohorts_start");
  });
}

int32_t crmkit_cohorts_size(const crmkit_cohorts* c, int64_t* out, int64_t capacity) {
  return guard([&] {
    require(c, "crmkit_cohorts_size", "c");
    copy_out(c->t.size, out, capacity, "crmkit_cohorts_size");
  });
}

int32_t crmkit_cohorts_matrix(const crmkit_cohorts* c, const char* what, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_cohorts_matrix";
    require(c, fn, "c");
    require(what, fn, "what");
    const std::string w = what;
    const auto& t = c->t;
    if (w == "retention") return copy_out(t.retention, out, capacity, fn);
    if (w == "revenue") return copy_out(t.revenue, out, capacity, fn);
    if (w == "active") {
      check_out(out, capacity, t.active.size(), fn);
      for (std::size_t i = 0; i < t.active.size(); ++i) out[i] = static_cast<double>(t.active[i]);
      return;
    }
    if (w == "observed") {
      check_out(out, capacity, t.observed.size(), fn);
      for (std::size_t i = 0; i < t.observed.size(); ++i) out[i] = t.observed[i];
      return;
    }
    throw InvalidArgument(fn, "what", "'" + w + "'", "must be active, retention, revenue or observed");
  });
}

int32_t crmkit_cohorts_to_json(const crmkit_cohorts* c, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_cohorts_to_json";
    require(c, fn, "c");
    write_json(churn::to_json(c->t), buffer, capacity, length, fn);
  });
}

int32_t crmkit_cohorts_free(crmkit_cohorts* c) {
  delete c;
  return CRMKIT_OK;
}

}  // extern "C"
