// C ABI: customer-keyed summary states (crmkit/c/state.h).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capi_internal.hpp"
#include "crmkit/c/state.h"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/state.hpp"

using crmkit::InvalidArgument;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;

struct crmkit_state {
  crmkit::summary::State state;
  crmkit::summary::StateReport report;  // of the last from_transactions or add
  // caches for to_bytes and ids, rebuilt after a change
  std::string bytes;
  bool bytes_built = false;
  std::string id_bytes;
  std::vector<std::int64_t> id_offsets;
  bool ids_built = false;
  void changed() {
    bytes_built = false;
    ids_built = false;
  }
};

namespace {

// The id of a code of a transactions handle: the table's, the names given by set_ids, or the code.
crmkit::summary::State::IdOf ids_of(const crmkit_transactions* tx) {
  return [tx](std::uint32_t c) { return crmkit::capi::id_of(tx, c); };
}

std::optional<std::int64_t> observation_end(const crmkit_options* options, const char* fn) {
  Opts o(options, fn, {"observation_end"});
  if (auto v = o.get("observation_end")) return crmkit::io::parse_date_arg(*v, fn, "observation_end");
  return std::nullopt;
}

}  // namespace

int32_t crmkit_state_from_transactions(const crmkit_transactions* tx, const crmkit_options* options,
                                       crmkit_state** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_from_transactions";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    const auto end = observation_end(options, fn);
    auto h = std::make_unique<crmkit_state>();
    h->state = crmkit::summary::State::from_transactions(tx->view, ids_of(tx), end, &h->report);
    *out = h.release();
  });
}

int32_t crmkit_state_add(crmkit_state* state, const crmkit_transactions* tx, const crmkit_options* options) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_add";
    require(state, fn, "state");
    require(tx, fn, "tx");
    const auto end = observation_end(options, fn);
    crmkit::summary::StateReport rep;
    state->state.add(tx->view, ids_of(tx), end, &rep);
    state->report = rep;
    state->changed();
  });
}

int32_t crmkit_state_merge(const crmkit_state* a, const crmkit_state* b, crmkit_state** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_merge";
    require(a, fn, "a");
    require(b, fn, "b");
    require(out, fn, "out");
    *out = nullptr;
    auto h = std::make_unique<crmkit_state>();
    h->state = crmkit::summary::State::merge(a->state, b->state);
    *out = h.release();
  });
}

int32_t crmkit_state_save(const crmkit_state* state, const char* path) {
  return guard([&] {
    require(state, "crmkit_state_save", "state");
    require(path, "crmkit_state_save", "path");
    state->state.save(path);
  });
}

int32_t crmkit_state_load(const char* path, crmkit_state** out) {
  return guard([&] {
    require(path, "crmkit_state_load", "path");
    require(out, "crmkit_state_load", "out");
    *out = nullptr;
    auto h = std::make_unique<crmkit_state>();
    h->state = crmkit::summary::State::load(path);
    *out = h.release();
  });
}

int32_t crmkit_state_to_bytes(const crmkit_state* state, const char** data, int64_t* n) {
  return guard([&] {
    require(state, "crmkit_state_to_bytes", "state");
    require(data, "crmkit_state_to_bytes", "data");
    require(n, "crmkit_state_to_bytes", "n");
    auto* s = const_cast<crmkit_state*>(state);  // the cache is logically const
    if (!s->bytes_built) {
      s->bytes = s->state.serialize();
      s->bytes_built = true;
    }
    *data = s->bytes.data();
    *n = static_cast<int64_t>(s->bytes.size());
  });
}

int32_t crmkit_state_from_bytes(const char* data, int64_t n, crmkit_state** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_from_bytes";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n > 0) require(data, fn, "data");
    auto h = std::make_unique<crmkit_state>();
    h->state = crmkit::summary::State::deserialize(std::string_view(n > 0 ? data : "", static_cast<std::size_t>(n)),
                                                   "<bytes>");
    *out = h.release();
  });
}

int32_t crmkit_state_count(const crmkit_state* state, const char* name, int64_t* value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_count";
    require(state, fn, "state");
    require(name, fn, "name");
    require(value, fn, "value");
    const std::string k = name;
    const auto& s = state->state;
    if (k == "customers") *value = static_cast<int64_t>(s.size());
    else if (k == "rows") *value = static_cast<int64_t>(s.rows());
    else if (k == "observation_end") *value = s.observation_end();
    else if (k == "amounts") *value = s.amounts() ? 1 : 0;
    else if (k == "rows_added") *value = static_cast<int64_t>(state->report.rows_added);
    else if (k == "rows_after_end") *value = static_cast<int64_t>(state->report.rows_after_end);
    else if (k == "customers_new") *value = static_cast<int64_t>(state->report.customers_new);
    else
      throw InvalidArgument(fn, "name", "'" + crmkit::ParseError::printable(k, 80) + "'",
                            "must be customers, rows, observation_end, amounts, rows_added, rows_after_end or "
                            "customers_new");
  });
}

int32_t crmkit_state_ids(const crmkit_state* state, const char** data, const int64_t** offsets, int64_t* n_customers) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_ids";
    require(state, fn, "state");
    require(data, fn, "data");
    require(offsets, fn, "offsets");
    require(n_customers, fn, "n_customers");
    auto* s = const_cast<crmkit_state*>(state);  // the cache is logically const
    if (!s->ids_built) {
      const auto& ids = s->state.ids().ids();
      s->id_bytes.clear();
      s->id_offsets.assign(ids.size() + 1, 0);
      for (std::size_t i = 0; i < ids.size(); ++i) {
        s->id_bytes += ids[i];
        s->id_offsets[i + 1] = static_cast<std::int64_t>(s->id_bytes.size());
      }
      s->ids_built = true;
    }
    *data = s->id_bytes.data();
    *offsets = s->id_offsets.data();
    *n_customers = static_cast<int64_t>(s->state.size());
  });
}

int32_t crmkit_state_summary(const crmkit_state* state, const crmkit_options* options, crmkit_summary** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_state_summary";
    require(state, fn, "state");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"period"});
    crmkit::summary::Period period = crmkit::summary::Period::Day;
    if (auto v = o.get("period")) period = crmkit::summary::parse_period(*v);
    auto h = std::make_unique<crmkit_summary>();
    h->s = state->state.summary(period);
    *out = h.release();
  });
}

int32_t crmkit_state_free(crmkit_state* state) {
  delete state;
  crmkit::capi::clear_error();
  return CRMKIT_OK;
}
