// C ABI, interactions section (crmkit/c/interactions.h): interaction tables, churn indicators and
// escalation rules.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "capi_internal.hpp"
#include "crmkit/churn/escalation.hpp"
#include "crmkit/churn/indicators.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/io/interactions.hpp"

struct crmkit_interactions {
  crmkit::core::InteractionTable t;
  std::uint32_t tx_customers = 0;  // customers of the transaction table it was read with
};

struct crmkit_indicators {
  crmkit::churn::IndicatorTable t;
  std::vector<std::string> ids;
};

struct crmkit_escalations {
  std::vector<std::string> customer, rule, channel;
  std::vector<std::int64_t> day, matched, firings;
};

using crmkit::InvalidArgument;
using crmkit::capi::check_out;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;
namespace churn = crmkit::churn;
namespace core = crmkit::core;
namespace io = crmkit::io;

namespace {

/// The customer dictionary of a transaction handle: the CSV's, or the names set on arrays (decimal
/// codes when none).
core::Dictionary tx_dictionary(const crmkit_transactions* tx) {
  if (tx->owned) return tx->owned->ids;
  core::Dictionary d;
  const auto v = tx->view.validated("crmkit_interactions_read_csv");
  for (std::uint32_t c = 0; c < v.n_customers; ++c)
    d.encode(c < tx->ids.size() ? tx->ids[c] : std::to_string(c));
  return d;
}

std::size_t index(std::int64_t i, std::size_t n, const char* fn, const char* arg) {
  if (i < 0 || static_cast<std::size_t>(i) >= n)
    throw InvalidArgument(fn, arg, std::to_string(i), "must be in 0.." + std::to_string(static_cast<std::int64_t>(n) - 1));
  return static_cast<std::size_t>(i);
}

}  // namespace

extern "C" {

int32_t crmkit_interactions_read_csv(const char* path, const crmkit_transactions* tx, const crmkit_options* options,
                                     crmkit_interactions** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_interactions_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    const Opts o(options, fn, {"customer_col", "date_col", "channel_col", "kind_col", "csat_col", "first_response_col",
                               "resolved_col", "date_format", "delimiter"});
    io::InteractionReadOptions ro;
    auto str = [&](const char* key, std::string& dst) {
      if (auto v = o.get(key)) dst = *v;
    };
    str("customer_col", ro.customer);
    str("date_col", ro.time);
    str("channel_col", ro.channel);
    str("kind_col", ro.kind);
    str("csat_col", ro.csat);
    str("first_response_col", ro.first_response_minutes);
    str("resolved_col", ro.resolved_first_contact);
    if (auto v = o.get("date_format")) ro.date_format = io::DateFormat::from_spec(*v);
    if (auto v = o.get("delimiter")) {
      if (*v == "auto") ro.table.delimiter = io::Delimiter::Auto;
      else if (*v == "comma") ro.table.delimiter = io::Delimiter::Comma;
      else if (*v == "tab") ro.table.delimiter = io::Delimiter::Tab;
      else if (*v == "semicolon") ro.table.delimiter = io::Delimiter::Semicolon;
      else if (*v == "whitespace") ro.table.delimiter = io::Delimiter::Whitespace;
      else throw InvalidArgument(fn, "delimiter", "'" + *v + "'", "must be auto, comma, tab, semicolon or whitespace");
    }
    auto h = std::make_unique<crmkit_interactions>();
    if (tx) {
      const core::Dictionary d = tx_dictionary(tx);
      h->tx_customers = static_cast<std::uint32_t>(d.size());
      h->t = io::read_interactions(path, ro, &d);
    } else {
      h->t = io::read_interactions(path, ro);
    }
    *out = h.release();
  });
}

int32_t crmkit_interactions_len(const crmkit_interactions* in, int64_t* n_rows) {
  return guard([&] {
    require(in, "crmkit_interactions_len", "in");
    require(n_rows, "crmkit_interactions_len", "n_rows");
    *n_rows = static_cast<int64_t>(in->t.size());
  });
}

int32_t crmkit_interactions_n_customers(const crmkit_interactions* in, int64_t* n) {
  return guard([&] {
    require(in, "crmkit_interactions_n_customers", "in");
    require(n, "crmkit_interactions_n_customers", "n");
    *n = static_cast<int64_t>(in->t.ids.size());
  });
}

int32_t crmkit_interactions_columns(const crmkit_interactions* in, const uint32_t** customer, const int64_t** time,
                                    const uint32_t** channel, const uint32_t** kind, const double** csat,
                                    const double** first_response_minutes, const int8_t** resolved_first_contact) {
  return guard([&] {
    require(in, "crmkit_interactions_columns", "in");
    const auto& t = in->t;
    if (customer) *customer = t.customer.data();
    if (time) *time = t.time.data();
    if (channel) *channel = t.channel.empty() ? nullptr : t.channel.data();
    if (kind) *kind = t.kind.empty() ? nullptr : t.kind.data();
    if (csat) *csat = t.csat.empty() ? nullptr : t.csat.data();
    if (first_response_minutes)
      *first_response_minutes = t.first_response_minutes.empty() ? nullptr : t.first_response_minutes.data();
    if (resolved_first_contact)
      *resolved_first_contact = t.resolved_first_contact.empty() ? nullptr : t.resolved_first_contact.data();
  });
}

int32_t crmkit_interactions_name(const crmkit_interactions* in, const char* what, int64_t i, const char** name,
                                 int64_t* n_names) {
  return guard([&] {
    constexpr const char* fn = "crmkit_interactions_name";
    require(in, fn, "in");
    require(what, fn, "what");
    const std::string w = what;
    const std::vector<std::string>* names = nullptr;
    if (w == "customer") names = &in->t.ids.ids();
    else if (w == "channel") names = &in->t.channel_names;
    else if (w == "kind") names = &in->t.kind_names;
    else throw InvalidArgument(fn, "what", "'" + w + "'", "must be customer, channel or kind");
    if (n_names) *n_names = static_cast<int64_t>(names->size());
    if (name) *name = (*names)[index(i, names->size(), fn, "i")].c_str();
  });
}

int32_t crmkit_interactions_free(crmkit_interactions* in) {
  delete in;
  return CRMKIT_OK;
}

int32_t crmkit_churn_indicators(const crmkit_transactions* tx, const crmkit_interactions* in,
                                const crmkit_options* options, crmkit_indicators** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_indicators";
    require(tx, fn, "tx");
    require(out, fn, "out");
    *out = nullptr;
    const Opts o(options, fn, {"cutoff", "horizon_days", "recent_days", "low_csat", "complaint_kinds"});
    const std::string* cutoff = o.get("cutoff");
    if (!cutoff) throw InvalidArgument(fn, "options", "cutoff", "is required (YYYY-MM-DD)");
    churn::IndicatorOptions io_opts;
    io_opts.cutoff = io::parse_date_arg(*cutoff, fn, "cutoff");
    io_opts.horizon_days = o.integer("horizon_days", 180, 0, 100000);
    io_opts.recent_days = o.integer("recent_days", 90, 1, 100000);
    io_opts.low_csat = o.number("low_csat", 4);
    if (auto v = o.get("complaint_kinds")) {
      io_opts.complaint_kinds.clear();
      std::size_t p = 0;
      while (p <= v->size()) {
        std::size_t q = v->find(',', p);
        if (q == std::string::npos) q = v->size();
        std::string k = v->substr(p, q - p);
        while (!k.empty() && k.back() == ' ') k.pop_back();
        while (!k.empty() && k.front() == ' ') k.erase(k.begin());
        if (!k.empty()) io_opts.complaint_kinds.push_back(k);
        p = q + 1;
      }
    }
    const core::TransactionsView tv = tx->view.validated(fn);
    if (in && in->tx_customers != tv.n_customers)
      throw InvalidArgument(fn, "in", "an interaction table", "must be read with this transaction table (tx argument "
                            "of crmkit_interactions_read_csv), so customer codes agree");
    auto h = std::make_unique<crmkit_indicators>();
    if (in) {
      const core::InteractionsView iv = in->t.view();
      h->t = churn::churn_indicators(tv, io_opts, &iv);
    } else {
      h->t = churn::churn_indicators(tv, io_opts);
    }
    h->ids.reserve(h->t.rows());
    for (std::uint32_t c : h->t.customer) {
      if (tx->owned) h->ids.push_back(tx->owned->ids.decode(c));
      else h->ids.push_back(c < tx->ids.size() ? tx->ids[c] : std::to_string(c));
    }
    *out = h.release();
  });
}

int32_t crmkit_indicators_shape(const crmkit_indicators* t, int64_t* rows, int64_t* cols) {
  return guard([&] {
    require(t, "crmkit_indicators_shape", "t");
    if (rows) *rows = static_cast<int64_t>(t->t.rows());
    if (cols) *cols = static_cast<int64_t>(t->t.names.size());
  });
}

int32_t crmkit_indicators_name(const crmkit_indicators* t, int64_t j, const char** name) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_name";
    require(t, fn, "t");
    require(name, fn, "name");
    *name = t->t.names[index(j, t->t.names.size(), fn, "j")].c_str();
  });
}

int32_t crmkit_indicators_column(const crmkit_indicators* t, const char* name, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_column";
    require(t, fn, "t");
    require(name, fn, "name");
    const auto col = t->t.column(name);
    check_out(out, capacity, col.size(), fn);
    std::copy(col.begin(), col.end(), out);
  });
}

int32_t crmkit_indicators_matrix(const crmkit_indicators* t, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_matrix";
    require(t, fn, "t");
    const std::size_t n = t->t.rows();
    check_out(out, capacity, n * t->t.names.size(), fn);
    for (std::size_t j = 0; j < t->t.columns.size(); ++j)
      std::copy(t->t.columns[j].begin(), t->t.columns[j].end(), out + j * n);
  });
}

int32_t crmkit_indicators_label(const crmkit_indicators* t, double* out, int64_t capacity, int32_t* has_label) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_label";
    require(t, fn, "t");
    require(has_label, fn, "has_label");
    *has_label = t->t.churned.empty() ? 0 : 1;
    if (!out || t->t.churned.empty()) return;
    check_out(out, capacity, t->t.churned.size(), fn);
    std::copy(t->t.churned.begin(), t->t.churned.end(), out);
  });
}

int32_t crmkit_indicators_customers(const crmkit_indicators* t, uint32_t* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_customers";
    require(t, fn, "t");
    check_out(out, capacity, t->t.rows(), fn);
    std::copy(t->t.customer.begin(), t->t.customer.end(), out);
  });
}

int32_t crmkit_indicators_id(const crmkit_indicators* t, int64_t i, const char** id) {
  return guard([&] {
    constexpr const char* fn = "crmkit_indicators_id";
    require(t, fn, "t");
    require(id, fn, "id");
    *id = t->ids[index(i, t->ids.size(), fn, "i")].c_str();
  });
}

int32_t crmkit_indicators_free(crmkit_indicators* t) {
  delete t;
  return CRMKIT_OK;
}

int32_t crmkit_escalate(const crmkit_interactions* in, const char* rules_path, const crmkit_options* options,
                        crmkit_escalations** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_escalate";
    require(in, fn, "in");
    require(out, fn, "out");
    *out = nullptr;
    const Opts o(options, fn, {"rules_text", "as_of"});
    const std::string* text = o.get("rules_text");
    if (text && rules_path)
      throw InvalidArgument(fn, "rules_path", rules_path, "give either rules_path or the rules_text option, not both");
    std::vector<churn::EscalationRule> rules;
    if (rules_path) rules = churn::read_escalation_rules(rules_path);
    else if (text) rules = churn::parse_escalation_rules(*text, "rules_text");
    else rules = churn::default_escalation_rules();
    std::optional<std::int64_t> as_of;
    if (auto v = o.get("as_of")) as_of = io::parse_date_arg(*v, fn, "as_of");
    const auto e = churn::escalate(in->t.view(), rules, as_of);
    auto h = std::make_unique<crmkit_escalations>();
    for (const auto& x : e) {
      h->customer.push_back(in->t.ids.decode(x.customer));
      h->rule.push_back(rules[x.rule].name);
      h->channel.push_back(in->t.channel.empty() ? std::string() : in->t.channel_names[x.channel]);
      h->day.push_back(core::to_day(x.time, in->t.time_unit));
      h->matched.push_back(x.matched);
      h->firings.push_back(x.firings);
    }
    *out = h.release();
  });
}

int32_t crmkit_escalations_len(const crmkit_escalations* e, int64_t* n) {
  return guard([&] {
    require(e, "crmkit_escalations_len", "e");
    require(n, "crmkit_escalations_len", "n");
    *n = static_cast<int64_t>(e->customer.size());
  });
}

int32_t crmkit_escalations_row(const crmkit_escalations* e, int64_t i, const char** customer, const char** rule,
                               const char** channel, int64_t* day, int64_t* matched, int64_t* firings) {
  return guard([&] {
    constexpr const char* fn = "crmkit_escalations_row";
    require(e, fn, "e");
    const std::size_t k = index(i, e->customer.size(), fn, "i");
    if (customer) *customer = e->customer[k].c_str();
    if (rule) *rule = e->rule[k].c_str();
    if (channel) *channel = e->channel[k].c_str();
    if (day) *day = e->day[k];
    if (matched) *matched = e->matched[k];
    if (firings) *firings = e->firings[k];
  });
}

int32_t crmkit_escalations_free(crmkit_escalations* e) {
  delete e;
  return CRMKIT_OK;
}

}  // extern "C"
