// C ABI, service section (crmkit/c/service.h): NPS and service reports behind crmkit_service, and the
// A/B test into a caller buffer.
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_internal.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/service/abtest.hpp"
#include "crmkit/service/metrics.hpp"

struct crmkit_service {
  nlohmann::json doc;
  std::vector<std::string> names;                  // row names: "all", then the groups
  std::vector<std::map<std::string, double>> rows;  // dotted key -> value
};

using crmkit::InvalidArgument;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;
namespace service = crmkit::service;

namespace {

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, double>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const auto& v = it.value();
    if (v.is_object()) flatten(v, key, out);
    else if (v.is_boolean()) out[key] = v.get<bool>() ? 1.0 : 0.0;
    else if (v.is_number()) out[key] = v.get<double>();
    else if (v.is_null()) out[key] = std::numeric_limits<double>::quiet_NaN();
  }
}

crmkit_service* make(nlohmann::json doc) {
  auto* h = new crmkit_service;
  h->doc = std::move(doc);
  auto add = [&](const nlohmann::json& row) {
    h->names.push_back(row.at("group").get<std::string>());
    h->rows.emplace_back();
    flatten(row, "", h->rows.back());
  };
  add(h->doc.at("overall"));
  for (const auto& g : h->doc.at("groups")) add(g);
  return h;
}

double confidence(const Opts& o) { return o.number("confidence", 0.95); }

service::ServiceOptions service_options(const Opts& o) {
  service::ServiceOptions so;
  so.confidence = confidence(o);
  if (auto v = o.get("sla")) so.sla = service::parse_sla_targets(*v);
  return so;
}

struct Encoded {
  std::vector<std::uint32_t> codes;
  std::vector<std::string> names;
};

Encoded encode(const char* const* s, std::size_t n, const char* fn, const char* arg) {
  Encoded e;
  if (!s) return e;
  crmkit::core::Dictionary d;
  e.codes.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!s[i]) throw InvalidArgument(fn, std::string(arg) + "[" + std::to_string(i) + "]", "NULL", "must not be NULL");
    e.codes[i] = d.encode(s[i]);
  }
  e.names = d.ids();
  return e;
}

std::vector<std::string> name_list(const char* const* names, std::int64_t k, const char* fn, const char* arg) {
  if (k < 0) throw InvalidArgument(fn, std::string("n_") + arg, std::to_string(k), "must be >= 0");
  std::vector<std::string> out;
  if (k > 0) require(names, fn, arg);
  for (std::int64_t i = 0; i < k; ++i) {
    if (!names[i]) throw InvalidArgument(fn, std::string(arg) + "[" + std::to_string(i) + "]", "NULL", "must not be NULL");
    out.emplace_back(names[i]);
  }
  return out;
}

std::vector<std::int8_t> fcr_column(const int32_t* v, std::size_t n, const char* fn) {
  std::vector<std::int8_t> out;
  if (!v) return out;
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (v[i] < -1 || v[i] > 1)
      throw InvalidArgument(fn, "resolved_first_contact[" + std::to_string(i) + "]", std::to_string(v[i]),
                            "must be 0, 1 or -1 (unknown)");
    out[i] = static_cast<std::int8_t>(v[i]);
  }
  return out;
}

std::size_t row_index(const crmkit_service* s, std::int64_t i, const char* fn) {
  require(s, fn, "s");
  if (i < 0 || static_cast<std::size_t>(i) >= s->rows.size())
    throw InvalidArgument(fn, "i", std::to_string(i),
                          "must be in 0.." + std::to_string(static_cast<std::int64_t>(s->rows.size()) - 1));
  return static_cast<std::size_t>(i);
}

}  // namespace

extern "C" {

int32_t crmkit_nps(const double* scores, const char* const* group, int64_t n, const crmkit_options* options,
                   crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_nps";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n > 0) require(scores, fn, "scores");
    const Opts o(options, fn, {"confidence"});
    const auto un = static_cast<std::size_t>(n);
    const Encoded g = encode(group, un, fn, "group");
    const auto r = service::nps_by(std::span<const double>(scores, un), g.codes, g.names, confidence(o));
    *out = make(service::to_json(r));
  });
}

int32_t crmkit_nps_read_csv(const char* path, const crmkit_options* options, crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_nps_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    const Opts o(options, fn, {"confidence", "by", "score_col"});
    const std::string* by = o.get("by");
    const std::string* col = o.get("score_col");
    *out = make(service::to_json(service::nps_csv(path, by ? *by : "", col ? *col : "", confidence(o))));
  });
}

int32_t crmkit_service_metrics(const char* const* group, const double* csat, const double* ces,
                               const double* first_response_minutes, const int32_t* resolved_first_contact,
                               const char* const* priority, int64_t n, const crmkit_options* options,
                               crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_metrics";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    const Opts o(options, fn, {"confidence", "sla"});
    const auto so = service_options(o);
    const auto un = static_cast<std::size_t>(n);
    if (first_response_minutes && !priority && n > 0)
      throw InvalidArgument(fn, "priority", "NULL", "must be given with first_response_minutes (the SLA tier)");
    const Encoded g = encode(group, un, fn, "group");
    const Encoded p = encode(first_response_minutes ? priority : nullptr, un, fn, "priority");
    std::vector<std::int8_t> fcr;
    if (resolved_first_contact) {
      fcr.resize(un);
      for (std::size_t i = 0; i < un; ++i) {
        const int32_t v = resolved_first_contact[i];
        if (v < -1 || v > 1)
          throw InvalidArgument(fn, "resolved_first_contact[" + std::to_string(i) + "]", std::to_string(v),
                                "must be 0, 1 or -1 (unknown)");
        fcr[i] = static_cast<std::int8_t>(v);
      }
    }
    service::ServiceColumns c;
    if (csat) c.csat = std::span<const double>(csat, un);
    if (ces) c.ces = std::span<const double>(ces, un);
    if (first_response_minutes) c.first_response_minutes = std::span<const double>(first_response_minutes, un);
    c.resolved_first_contact = fcr;
    c.priority = p.codes;
    c.priority_names = p.names;
    if (!csat && !ces && !first_response_minutes && !resolved_first_contact)
      throw InvalidArgument(fn, "csat, ces, first_response_minutes, resolved_first_contact", "NULL",
                            "at least one metric column is needed");
    *out = make(service::to_json(service::service_metrics(c, g.codes, g.names, so)));
  });
}

int32_t crmkit_nps_coded(const double* scores, const uint32_t* group, const char* const* group_names, int64_t n_groups,
                         int64_t n, const crmkit_options* options, crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_nps_coded";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n > 0) require(scores, fn, "scores");
    const Opts o(options, fn, {"confidence"});
    const auto un = static_cast<std::size_t>(n);
    const auto names = name_list(group ? group_names : nullptr, group ? n_groups : 0, fn, "group_names");
    const std::span<const std::uint32_t> g = group ? std::span<const std::uint32_t>(group, un) : std::span<const std::uint32_t>();
    *out = make(service::to_json(service::nps_by(std::span<const double>(scores, un), g, names, confidence(o))));
  });
}

int32_t crmkit_service_metrics_coded(const uint32_t* group, const char* const* group_names, int64_t n_groups,
                                     const double* csat, const double* ces, const double* first_response_minutes,
                                     const int32_t* resolved_first_contact, const uint32_t* priority,
                                     const char* const* priority_names, int64_t n_priorities, int64_t n,
                                     const crmkit_options* options, crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_metrics_coded";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    const Opts o(options, fn, {"confidence", "sla"});
    const auto so = service_options(o);
    const auto un = static_cast<std::size_t>(n);
    if (first_response_minutes && !priority && n > 0)
      throw InvalidArgument(fn, "priority", "NULL", "must be given with first_response_minutes (the SLA tier)");
    if (!csat && !ces && !first_response_minutes && !resolved_first_contact)
      throw InvalidArgument(fn, "csat, ces, first_response_minutes, resolved_first_contact", "NULL",
                            "at least one metric column is needed");
    const auto gnames = name_list(group ? group_names : nullptr, group ? n_groups : 0, fn, "group_names");
    const auto pnames = name_list(first_response_minutes ? priority_names : nullptr,
                                  first_response_minutes ? n_priorities : 0, fn, "priority_names");
    const auto fcr = fcr_column(resolved_first_contact, un, fn);
    service::ServiceColumns c;
    if (csat) c.csat = std::span<const double>(csat, un);
    if (ces) c.ces = std::span<const double>(ces, un);
    if (first_response_minutes) {
      c.first_response_minutes = std::span<const double>(first_response_minutes, un);
      c.priority = std::span<const std::uint32_t>(priority, un);
      c.priority_names = pnames;
    }
    c.resolved_first_contact = fcr;
    const std::span<const std::uint32_t> g = group ? std::span<const std::uint32_t>(group, un) : std::span<const std::uint32_t>();
    *out = make(service::to_json(service::service_metrics(c, g, gnames, so)));
  });
}

int32_t crmkit_service_read_csv(const char* path, const crmkit_options* options, crmkit_service** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    const Opts o(options, fn, {"confidence", "sla", "by"});
    const std::string* by = o.get("by");
    *out = make(service::to_json(service::service_metrics_csv(path, by ? *by : "", service_options(o))));
  });
}

int32_t crmkit_service_group_count(const crmkit_service* s, int64_t* n) {
  return guard([&] {
    require(s, "crmkit_service_group_count", "s");
    require(n, "crmkit_service_group_count", "n");
    *n = static_cast<int64_t>(s->rows.size());
  });
}

int32_t crmkit_service_group_name(const crmkit_service* s, int64_t i, const char** name) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_group_name";
    const std::size_t k = row_index(s, i, fn);
    require(name, fn, "name");
    *name = s->names[k].c_str();
  });
}

int32_t crmkit_service_value(const crmkit_service* s, int64_t i, const char* key, double* value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_value";
    const std::size_t k = row_index(s, i, fn);
    require(key, fn, "key");
    require(value, fn, "value");
    const auto& row = s->rows[k];
    const auto it = row.find(key);
    if (it == row.end()) {
      std::string known;
      for (const auto& [name, v] : row) known += (known.empty() ? "" : ", ") + name;
      throw InvalidArgument(fn, "key", std::string("'") + key + "'", "is not in this report; keys: " + known);
    }
    *value = it->second;
  });
}

int32_t crmkit_service_to_json(const crmkit_service* s, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_service_to_json";
    require(s, fn, "s");
    require(length, fn, "length");
    const std::string text = s->doc.dump();
    *length = static_cast<int64_t>(text.size());
    if (!buffer && capacity == 0) return;
    require(buffer, fn, "buffer");
    if (capacity < *length + 1)
      throw crmkit::capi::BufferTooSmall(std::string(fn) + ": buffer of " + std::to_string(capacity) +
                                         " bytes is smaller than the " + std::to_string(*length + 1) + " needed");
    std::memcpy(buffer, text.c_str(), text.size() + 1);
  });
}

int32_t crmkit_service_free(crmkit_service* s) {
  delete s;
  return CRMKIT_OK;
}

int32_t crmkit_abtest(int64_t successes_a, int64_t trials_a, int64_t successes_b, int64_t trials_b, double confidence,
                      double* out, int64_t len) {
  return guard([&] {
    constexpr const char* fn = "crmkit_abtest";
    crmkit::capi::check_out(out, len, CRMKIT_ABTEST_VALUES, fn);
    const auto t = service::two_proportion_test(successes_a, trials_a, successes_b, trials_b, confidence);
    const double v[CRMKIT_ABTEST_VALUES] = {t.a.estimate, t.a.ci_low,  t.a.ci_high,       t.b.estimate, t.b.ci_low,
                                            t.b.ci_high,  t.difference, t.ci_low,         t.ci_high,    t.relative_lift,
                                            t.z,          t.p_value,    t.significant ? 1.0 : 0.0};
    std::memcpy(out, v, sizeof v);
  });
}

}  // extern "C"
