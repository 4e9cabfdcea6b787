// The C ABI (include/crmkit/crmkit.h): thin translation onto the C++ API. Every function runs inside
// capi::guard, which maps exceptions to status codes and the thread-local message.
#include <fast_float/fast_float.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "capi_internal.hpp"
#include "crmkit/core/parallel.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/version.hpp"

using crmkit::InvalidArgument;
using crmkit::capi::BufferTooSmall;
using crmkit::capi::guard;
using crmkit::capi::require;
using crmkit::capi::Opts;
using crmkit::capi::check_out;

namespace crmkit::capi {

namespace {
thread_local std::string g_error;
}

std::int32_t fail(std::int32_t code, const std::string& message) noexcept {
  try {
    g_error = message;
  } catch (...) {
    g_error.clear();
  }
  return code;
}

void clear_error() noexcept { g_error.clear(); }

const char* last_error() noexcept { return g_error.c_str(); }

}  // namespace crmkit::capi

namespace {

void build_ids(crmkit_transactions* t) {
  if (t->ids_built) return;
  const std::size_t n = t->view.n_customers;
  t->id_offsets.assign(n + 1, 0);
  t->id_bytes.clear();
  for (std::size_t i = 0; i < n; ++i) {
    t->id_bytes += crmkit::capi::id_of(t, static_cast<std::uint32_t>(i));
    t->id_offsets[i + 1] = static_cast<std::int64_t>(t->id_bytes.size());
  }
  t->ids_built = true;
}

}  // namespace

extern "C" {

const char* crmkit_version(void) { return CRMKIT_VERSION_STRING; }
int32_t crmkit_abi_version(void) { return CRMKIT_ABI_VERSION; }
const char* crmkit_last_error(void) { return crmkit::capi::last_error(); }
int32_t crmkit_set_max_threads(int32_t n) {
  return guard([&] { crmkit::set_max_threads(static_cast<int>(n)); });
}
int32_t crmkit_max_threads(void) { return static_cast<int32_t>(crmkit::max_threads()); }

const char* crmkit_status_name(int32_t status) {
  switch (status) {
    case CRMKIT_OK: return "CRMKIT_OK";
    case CRMKIT_E_INVALID_ARGUMENT: return "CRMKIT_E_INVALID_ARGUMENT";
    case CRMKIT_E_PARSE: return "CRMKIT_E_PARSE";
    case CRMKIT_E_IO: return "CRMKIT_E_IO";
    case CRMKIT_E_NUMERIC: return "CRMKIT_E_NUMERIC";
    case CRMKIT_E_NO_MEMORY: return "CRMKIT_E_NO_MEMORY";
    case CRMKIT_E_BUFFER_TOO_SMALL: return "CRMKIT_E_BUFFER_TOO_SMALL";
    case CRMKIT_E_INTERNAL: return "CRMKIT_E_INTERNAL";
    default: return "CRMKIT_E_UNKNOWN";
  }
}

// ---- options ----
int32_t crmkit_options_new(crmkit_options** out) {
  return guard([&] {
    require(out, "crmkit_options_new", "out");
    *out = new crmkit_options();
  });
}
int32_t crmkit_options_set(crmkit_options* o, const char* key, const char* value) {
  return guard([&] {
    require(o, "crmkit_options_set", "options");
    require(key, "crmkit_options_set", "key");
    require(value, "crmkit_options_set", "value");
    o->values[key] = value;
  });
}
int32_t crmkit_options_free(crmkit_options* o) {
  delete o;
  crmkit::capi::clear_error();
  return CRMKIT_OK;
}

// ---- transactions ----
int32_t crmkit_transactions_read_csv(const char* path, const crmkit_options* options, crmkit_transactions** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_transactions_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"customer_col", "date_col", "amount_col", "no_amount", "extra_cols", "date_format",
                         "delimiter", "header", "skip_bad_rows", "max_reported_errors", "encoding", "order_col",
                         "zero_amount_days"});
    crmkit::io::ReadOptions ro;
    if (auto v = o.get("customer_col")) ro.customer = crmkit::io::ColumnRef::parse(*v);
    if (auto v = o.get("date_col")) ro.date = crmkit::io::ColumnRef::parse(*v);
    if (auto v = o.get("amount_col")) ro.amount = crmkit::io::ColumnRef::parse(*v);
    ro.no_amount = o.flag("no_amount", false);
    if (auto v = o.get("extra_cols")) {
      std::size_t p = 0;
      while (p <= v->size()) {
        std::size_t q = v->find(',', p);
        if (q == std::string::npos) q = v->size();
        if (q > p) ro.extra.push_back(crmkit::io::ColumnRef::parse(v->substr(p, q - p)));
        p = q + 1;
      }
    }
    if (auto v = o.get("date_format")) ro.date_format = crmkit::io::DateFormat::from_spec(*v);
    if (auto v = o.get("delimiter")) {
      if (*v == "auto") ro.delimiter = crmkit::io::Delimiter::Auto;
      else if (*v == "comma" || *v == ",") ro.delimiter = crmkit::io::Delimiter::Comma;
      else if (*v == "tab" || *v == "\t") ro.delimiter = crmkit::io::Delimiter::Tab;
      else if (*v == "semicolon" || *v == ";") ro.delimiter = crmkit::io::Delimiter::Semicolon;
      else if (*v == "whitespace" || *v == " ") ro.delimiter = crmkit::io::Delimiter::Whitespace;
      else throw InvalidArgument(fn, "delimiter", "'" + *v + "'", "must be auto, comma, tab, semicolon or whitespace");
    }
    if (auto v = o.get("header")) {
      if (*v == "auto") ro.header.reset();
      else ro.header = o.flag("header", true);
    }
    ro.skip_bad_rows = o.flag("skip_bad_rows", false);
    if (auto v = o.get("encoding")) ro.encoding = crmkit::io::parse_encoding(*v);
    if (auto v = o.get("order_col")) {
      if (v->empty()) throw InvalidArgument(fn, "order_col", "''", "must name a column (or leave the key unset)");
      ro.order = crmkit::io::ColumnRef::parse(*v);
    }
    if (auto v = o.get("zero_amount_days")) ro.zero_amount_days = crmkit::io::parse_zero_amount_days(*v);
    ro.max_reported_errors = static_cast<std::size_t>(o.integer("max_reported_errors", 5, 0, 10000));
    auto h = std::make_unique<crmkit_transactions>();
    h->owned = crmkit::io::read_transactions(path, ro, &h->report);
    h->view = h->owned->view();
    *out = h.release();
  });
}

int32_t crmkit_transactions_from_arrays(const uint32_t* customer, const int64_t* time, const double* amount, int64_t n,
                                        int32_t time_unit, crmkit_transactions** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_transactions_from_arrays";
    require(out, fn, "out");
    *out = nullptr;
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n > 0) {
      require(customer, fn, "customer");
      require(time, fn, "time");
    }
    if (time_unit != CRMKIT_TIME_DAYS && time_unit != CRMKIT_TIME_SECONDS)
      throw InvalidArgument(fn, "time_unit", std::to_string(time_unit), "must be CRMKIT_TIME_DAYS or CRMKIT_TIME_SECONDS");
    const auto len = static_cast<std::size_t>(n);
    crmkit::core::TransactionsView v{{customer, len}, {time, len},
                                     amount ? std::span<const double>(amount, len) : std::span<const double>(),
                                     time_unit == CRMKIT_TIME_DAYS ? crmkit::core::TimeUnit::Days
                                                                   : crmkit::core::TimeUnit::Seconds,
                                     0};
    auto h = std::make_unique<crmkit_transactions>();
    h->view = v.validated(fn);
    h->report.rows_read = len;
    h->report.transactions = len;
    *out = h.release();
  });
}

int32_t crmkit_transactions_set_ids(crmkit_transactions* tx, const char* const* ids, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_transactions_set_ids";
    require(tx, fn, "tx");
    require(ids, fn, "ids");
    if (tx->owned) throw InvalidArgument(fn, "tx", "a table read from CSV", "already has its ids");
    if (n < static_cast<int64_t>(tx->view.n_customers))
      throw InvalidArgument(fn, "n", std::to_string(n), "must be >= n_customers = " + std::to_string(tx->view.n_customers));
    if (static_cast<std::uint64_t>(n) > tx->view.size() + crmkit::core::kMaxUnusedCodes)
      throw InvalidArgument(fn, "n", std::to_string(n),
                            "codes must be dense: at most 16777216 more ids than the " +
                                std::to_string(tx->view.size()) + " rows");
    std::vector<std::string> v;
    v.reserve(static_cast<std::size_t>(n));
    std::unordered_map<std::string_view, int64_t> seen;  // an id must name one customer: codes would merge
    seen.reserve(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      if (!ids[i]) throw InvalidArgument(fn, "ids[" + std::to_string(i) + "]", "NULL", "must not be NULL");
      v.emplace_back(ids[i]);
    }
    for (int64_t i = 0; i < n; ++i) {
      const auto [it, fresh] = seen.emplace(v[static_cast<std::size_t>(i)], i);
      if (!fresh)
        throw InvalidArgument(fn, "ids[" + std::to_string(i) + "]", "'" + v[static_cast<std::size_t>(i)] + "'",
                              "duplicates ids[" + std::to_string(it->second) +
                                  "]: each customer code needs its own id");
    }
    tx->ids = std::move(v);
    tx->view.n_customers = static_cast<std::uint32_t>(n);
    tx->ids_built = false;
  });
}

int32_t crmkit_transactions_len(const crmkit_transactions* tx, int64_t* n) {
  return guard([&] {
    require(tx, "crmkit_transactions_len", "tx");
    require(n, "crmkit_transactions_len", "n_rows");
    *n = static_cast<int64_t>(tx->view.size());
  });
}
int32_t crmkit_transactions_n_customers(const crmkit_transactions* tx, int64_t* n) {
  return guard([&] {
    require(tx, "crmkit_transactions_n_customers", "tx");
    require(n, "crmkit_transactions_n_customers", "n");
    *n = tx->view.n_customers;
  });
}
int32_t crmkit_transactions_time_unit(const crmkit_transactions* tx, int32_t* unit) {
  return guard([&] {
    require(tx, "crmkit_transactions_time_unit", "tx");
    require(unit, "crmkit_transactions_time_unit", "time_unit");
    *unit = tx->view.time_unit == crmkit::core::TimeUnit::Days ? CRMKIT_TIME_DAYS : CRMKIT_TIME_SECONDS;
  });
}
int32_t crmkit_transactions_columns(const crmkit_transactions* tx, const uint32_t** customer, const int64_t** time,
                                    const double** amount) {
  return guard([&] {
    require(tx, "crmkit_transactions_columns", "tx");
    if (customer) *customer = tx->view.customer.data();
    if (time) *time = tx->view.time.data();
    if (amount) *amount = tx->view.amount.empty() ? nullptr : tx->view.amount.data();
  });
}
int32_t crmkit_transactions_ids(const crmkit_transactions* tx, const char** data, const int64_t** offsets,
                                int64_t* n_customers) {
  return guard([&] {
    constexpr const char* fn = "crmkit_transactions_ids";
    require(tx, fn, "tx");
    require(data, fn, "data");
    require(offsets, fn, "offsets");
    require(n_customers, fn, "n_customers");
    auto* m = const_cast<crmkit_transactions*>(tx);  // the cache is logically const
    build_ids(m);
    *data = m->id_bytes.data();
    *offsets = m->id_offsets.data();
    *n_customers = tx->view.n_customers;
  });
}
int32_t crmkit_transactions_read_report(const crmkit_transactions* tx, int64_t* rows_read, int64_t* rows_skipped,
                                        int64_t* n_messages) {
  return guard([&] {
    require(tx, "crmkit_transactions_read_report", "tx");
    if (rows_read) *rows_read = static_cast<int64_t>(tx->report.rows_read);
    if (rows_skipped) *rows_skipped = static_cast<int64_t>(tx->report.rows_skipped);
    if (n_messages) *n_messages = static_cast<int64_t>(tx->report.first_errors.size());
  });
}
int32_t crmkit_transactions_read_count(const crmkit_transactions* tx, const char* name, int64_t* value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_transactions_read_count";
    require(tx, fn, "tx");
    require(name, fn, "name");
    require(value, fn, "value");
    const auto& r = tx->report;
    const std::pair<const char*, std::size_t> counts[] = {
        {"rows_read", r.rows_read},
        {"rows_skipped", r.rows_skipped},
        {"transactions", r.transactions},
        {"orders", r.orders},
        {"lines_folded", r.lines_folded},
        {"zero_amount_days_dropped", r.zero_amount_days_dropped},
        {"zero_amount_rows_dropped", r.zero_amount_rows_dropped},
        {"customers_dropped", r.customers_dropped}};
    std::string names;
    for (const auto& [key, n] : counts) {
      if (std::strcmp(key, name) == 0) {
        *value = static_cast<int64_t>(n);
        return;
      }
      names += (names.empty() ? "" : ", ") + std::string(key);
    }
    throw InvalidArgument(fn, "name", name, "must be one of " + names);
  });
}
int32_t crmkit_transactions_read_message(const crmkit_transactions* tx, int64_t i, const char** message) {
  return guard([&] {
    require(tx, "crmkit_transactions_read_message", "tx");
    require(message, "crmkit_transactions_read_message", "message");
    if (i < 0 || static_cast<std::size_t>(i) >= tx->report.first_errors.size())
      throw InvalidArgument("crmkit_transactions_read_message", "i", std::to_string(i),
                            "must be < " + std::to_string(tx->report.first_errors.size()));
    *message = tx->report.first_errors[static_cast<std::size_t>(i)].c_str();
  });
}
int32_t crmkit_transactions_free(crmkit_transactions* tx) {
  delete tx;
  crmkit::capi::clear_error();
  return CRMKIT_OK;
}

// ---- summaries ----
int32_t crmkit_summary_compute(const crmkit_transactions* tx, const crmkit_options* options, crmkit_summary** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_summary_compute";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"period", "observation_end", "calibration_end"});
    crmkit::summary::SummaryOptions so;
    if (auto v = o.get("period")) so.period = crmkit::summary::parse_period(*v);
    if (auto v = o.get("observation_end")) so.observation_end = crmkit::io::parse_date_arg(*v, fn, "observation_end");
    auto h = std::make_unique<crmkit_summary>();
    if (auto v = o.get("calibration_end")) {
      h->holdout = crmkit::summary::summarize_holdout(tx->view, crmkit::io::parse_date_arg(*v, fn, "calibration_end"), so);
    } else {
      h->s = crmkit::summary::summarize(tx->view, so);
    }
    *out = h.release();
  });
}
int32_t crmkit_summary_merge(const crmkit_summary* a, const crmkit_summary* b, crmkit_summary** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_summary_merge";
    require(a, fn, "a");
    require(b, fn, "b");
    require(out, fn, "out");
    *out = nullptr;
    if (a->holdout || b->holdout)
      throw InvalidArgument(fn, "a/b", "a calibration/holdout summary", "merge takes plain summaries");
    auto h = std::make_unique<crmkit_summary>();
    h->s = crmkit::summary::merge(a->s, b->s);
    *out = h.release();
  });
}
int32_t crmkit_summary_len(const crmkit_summary* s, int64_t* n) {
  return guard([&] {
    require(s, "crmkit_summary_len", "s");
    require(n, "crmkit_summary_len", "n");
    *n = static_cast<int64_t>(s->cal().size());
  });
}
int32_t crmkit_summary_customers(const crmkit_summary* s, uint32_t* out, int64_t n) {
  return guard([&] {
    require(s, "crmkit_summary_customers", "s");
    const auto& c = s->cal();
    check_out(out, n, c.size(), "crmkit_summary_customers");
    std::copy(c.customer.begin(), c.customer.end(), out);
  });
}
int32_t crmkit_summary_column(const crmkit_summary* s, const char* name, double* out, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_summary_column";
    require(s, fn, "s");
    require(name, fn, "name");
    const auto& c = s->cal();
    check_out(out, n, c.size(), fn);
    const std::string k = name;
    auto copy = [&](const auto& v) {
      for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<double>(v[i]);
    };
    if (k == "frequency") copy(c.frequency);
    else if (k == "recency") copy(c.recency);
    else if (k == "T") copy(c.T);
    else if (k == "monetary_value") copy(c.monetary_value);
    else if (k == "first_purchase") copy(c.first_purchase);
    else if (k == "last_purchase") copy(c.last_purchase);
    else if (k == "n_transactions") copy(c.n_transactions);
    else if (k == "total_spend") copy(c.total_spend);
    else if (s->holdout && k == "frequency_holdout") copy(s->holdout->frequency_holdout);
    else if (s->holdout && k == "monetary_holdout") copy(s->holdout->monetary_holdout);
    else if (s->holdout && k == "spend_holdout") copy(s->holdout->spend_holdout);
    else if (s->holdout && k == "duration_holdout") std::fill(out, out + c.size(), s->holdout->duration_holdout);
    else
      throw InvalidArgument(fn, "name", "'" + k + "'",
                            "must be frequency, recency, T, monetary_value, first_purchase, last_purchase, "
                            "n_transactions, total_spend" +
                                std::string(s->holdout ? ", frequency_holdout, monetary_holdout, spend_holdout, duration_holdout"
                                                       : " (holdout columns need calibration_end)"));
  });
}
int32_t crmkit_summary_free(crmkit_summary* s) {
  delete s;
  crmkit::capi::clear_error();
  return CRMKIT_OK;
}

int32_t crmkit_summary_compress(const double* frequency, const double* recency, const double* T, int64_t n,
                                double* out_frequency, double* out_recency, double* out_T, double* out_weight,
                                uint32_t* out_index, int64_t* n_patterns) {
  return guard([&] {
    constexpr const char* fn = "crmkit_summary_compress";
    require(n_patterns, fn, "n_patterns");
    if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
    if (n > 0) {
      require(frequency, fn, "frequency");
      require(recency, fn, "recency");
      require(T, fn, "T");
    }
    const auto len = static_cast<std::size_t>(n);
    const auto p = crmkit::summary::compress({frequency, len}, {recency, len}, {T, len});
    *n_patterns = static_cast<int64_t>(p.size());
    if (out_frequency) std::copy(p.frequency.begin(), p.frequency.end(), out_frequency);
    if (out_recency) std::copy(p.recency.begin(), p.recency.end(), out_recency);
    if (out_T) std::copy(p.T.begin(), p.T.end(), out_T);
    if (out_weight) std::copy(p.weight.begin(), p.weight.end(), out_weight);
    if (out_index) std::copy(p.index.begin(), p.index.end(), out_index);
  });
}

// ---- RFM ----
int32_t crmkit_rfm_compute(const crmkit_transactions* tx, const crmkit_options* options, crmkit_rfm** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_rfm_compute";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"as_of", "bins", "ties", "monetary", "recency_cuts", "frequency_cuts", "monetary_cuts",
                         "segments", "segments_text", "fallback"});
    crmkit::rfm::RfmOptions ro;
    if (auto v = o.get("as_of")) ro.as_of = crmkit::io::parse_date_arg(*v, fn, "as_of");
    ro.bins = static_cast<int>(o.integer("bins", 5, 2, 100));
    if (auto v = o.get("ties")) {
      if (*v == "rank-first") ro.ties = crmkit::rfm::TieMethod::RankFirst;
      else if (*v == "value-quantile") ro.ties = crmkit::rfm::TieMethod::ValueQuantile;
      else throw InvalidArgument(fn, "ties", "'" + *v + "'", "must be rank-first or value-quantile");
    }
    if (auto v = o.get("monetary")) {
      if (*v == "total") ro.monetary = crmkit::rfm::MonetaryKind::Total;
      else if (*v == "mean") ro.monetary = crmkit::rfm::MonetaryKind::Mean;
      else throw InvalidArgument(fn, "monetary", "'" + *v + "'", "must be total or mean");
    }
    ro.recency_cuts = o.numbers("recency_cuts");
    ro.frequency_cuts = o.numbers("frequency_cuts");
    ro.monetary_cuts = o.numbers("monetary_cuts");
    auto h = std::make_unique<crmkit_rfm>();
    h->table = crmkit::rfm::compute(tx->view, ro);
    if (auto v = o.get("segments_text")) {
      h->segmentation = crmkit::rfm::Segmentation::parse(*v, "<segments_text>", ro.bins);
    } else {
      const std::string name = o.get("segments") ? *o.get("segments") : "rf-grid";
      h->segmentation = (name == "rf-grid" || name == "rfm-ranges") ? crmkit::rfm::Segmentation::preset(name)
                                                                   : crmkit::rfm::Segmentation::load(name, ro.bins);
    }
    if (auto v = o.get("fallback")) h->segmentation.fallback = *v;
    h->segment = crmkit::rfm::assign(h->table, h->segmentation);
    h->names = h->segmentation.names();
    h->summary = crmkit::rfm::segment_summary(h->table, h->segment, h->segmentation);
    *out = h.release();
  });
}
int32_t crmkit_rfm_len(const crmkit_rfm* r, int64_t* n) {
  return guard([&] {
    require(r, "crmkit_rfm_len", "rfm");
    require(n, "crmkit_rfm_len", "n");
    *n = static_cast<int64_t>(r->table.size());
  });
}
int32_t crmkit_rfm_as_of(const crmkit_rfm* r, int64_t* day) {
  return guard([&] {
    require(r, "crmkit_rfm_as_of", "rfm");
    require(day, "crmkit_rfm_as_of", "day");
    *day = r->table.as_of;
  });
}
int32_t crmkit_rfm_customers(const crmkit_rfm* r, uint32_t* out, int64_t n) {
  return guard([&] {
    require(r, "crmkit_rfm_customers", "rfm");
    check_out(out, n, r->table.size(), "crmkit_rfm_customers");
    std::copy(r->table.customer.begin(), r->table.customer.end(), out);
  });
}
int32_t crmkit_rfm_values(const crmkit_rfm* r, const char* name, double* out, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_rfm_values";
    require(r, fn, "rfm");
    require(name, fn, "name");
    check_out(out, n, r->table.size(), fn);
    const std::string k = name;
    const std::vector<double>* v = k == "recency"       ? &r->table.recency
                                   : k == "frequency"   ? &r->table.frequency
                                   : k == "monetary"    ? &r->table.monetary
                                   : k == "total_spend" ? &r->table.total_spend
                                                        : nullptr;
    if (!v) throw InvalidArgument(fn, "name", "'" + k + "'", "must be recency, frequency, monetary or total_spend");
    std::copy(v->begin(), v->end(), out);
  });
}
int32_t crmkit_rfm_scores(const crmkit_rfm* r, int32_t* rs, int32_t* fs, int32_t* ms, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_rfm_scores";
    require(r, fn, "rfm");
    const std::size_t len = r->table.size();
    if (n < 0 || static_cast<std::size_t>(n) < len)
      throw BufferTooSmall(std::string(fn) + ": buffers of " + std::to_string(n) + " elements are smaller than the " +
                           std::to_string(len) + " needed");
    for (std::size_t i = 0; i < len; ++i) {
      if (rs) rs[i] = r->table.r[i];
      if (fs) fs[i] = r->table.f[i];
      if (ms) ms[i] = r->table.m[i];
    }
  });
}
int32_t crmkit_rfm_segments(const crmkit_rfm* r, int32_t* out, int64_t n) {
  return guard([&] {
    require(r, "crmkit_rfm_segments", "rfm");
    check_out(out, n, r->segment.size(), "crmkit_rfm_segments");
    for (std::size_t i = 0; i < r->segment.size(); ++i) out[i] = static_cast<int32_t>(r->segment[i]);
  });
}
int32_t crmkit_rfm_segment_count(const crmkit_rfm* r, int64_t* n) {
  return guard([&] {
    require(r, "crmkit_rfm_segment_count", "rfm");
    require(n, "crmkit_rfm_segment_count", "n");
    *n = static_cast<int64_t>(r->names.size());
  });
}
int32_t crmkit_rfm_segment_name(const crmkit_rfm* r, int64_t i, const char** name) {
  return guard([&] {
    require(r, "crmkit_rfm_segment_name", "rfm");
    require(name, "crmkit_rfm_segment_name", "name");
    if (i < 0 || static_cast<std::size_t>(i) >= r->names.size())
      throw InvalidArgument("crmkit_rfm_segment_name", "i", std::to_string(i),
                            "must be < " + std::to_string(r->names.size()));
    *name = r->names[static_cast<std::size_t>(i)].c_str();
  });
}
int32_t crmkit_rfm_segment_summary(const crmkit_rfm* r, const char* name, double* out, int64_t n) {
  return guard([&] {
    constexpr const char* fn = "crmkit_rfm_segment_summary";
    require(r, fn, "rfm");
    require(name, fn, "name");
    check_out(out, n, r->summary.size(), fn);
    const std::string k = name;
    using Row = crmkit::rfm::SegmentSummaryRow;
    double Row::*field = k == "customer_share"   ? &Row::customer_share
                         : k == "revenue"        ? &Row::revenue
                         : k == "revenue_share"  ? &Row::revenue_share
                         : k == "mean_recency"   ? &Row::mean_recency
                         : k == "mean_frequency" ? &Row::mean_frequency
                         : k == "mean_monetary"  ? &Row::mean_monetary
                         : k == "mean_r"         ? &Row::mean_r
                         : k == "mean_f"         ? &Row::mean_f
                         : k == "mean_m"         ? &Row::mean_m
                                                 : nullptr;
    for (std::size_t i = 0; i < r->summary.size(); ++i) {
      if (k == "customers") out[i] = static_cast<double>(r->summary[i].customers);
      else if (field) out[i] = r->summary[i].*field;
      else
        throw InvalidArgument(fn, "name", "'" + k + "'",
                              "must be customers, customer_share, revenue, revenue_share, mean_recency, "
                              "mean_frequency, mean_monetary, mean_r, mean_f or mean_m");
    }
    if (r->summary.empty() && k != "customers" && !field)
      throw InvalidArgument(fn, "name", "'" + k + "'", "unknown summary column");
  });
}
int32_t crmkit_rfm_free(crmkit_rfm* r) {
  delete r;
  crmkit::capi::clear_error();
  return CRMKIT_OK;
}

}  // extern "C"
