// Interaction CSV ingestion (io/interactions.hpp).
#include "crmkit/io/interactions.hpp"

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

namespace crmkit::io {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/// The named column (required when named), else the first alias present, else nullopt (or a ParseError
/// when `required`).
std::optional<std::size_t> column(const CsvTable& t, const std::string& name, std::vector<std::string> aliases,
                                  const char* what, bool required) {
  if (!name.empty()) return t.require(std::vector<std::string>{name}, what);
  if (required) return t.require(aliases, what);
  return t.find(aliases);
}

/// Dictionary codes of trimmed cells, blanks allowed (the level "").
std::vector<std::uint32_t> levels(const CsvTable& t, std::size_t col, std::vector<std::string>& names) {
  core::Dictionary d;
  std::vector<std::uint32_t> out(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) out[r] = d.encode(trim(t.cell(r, col)));
  names = d.ids();
  return out;
}

}  // namespace

core::InteractionTable interactions_from_table(const CsvTable& t, const InteractionReadOptions& o,
                                               const core::Dictionary* shared) {
  core::InteractionTable in;
  const auto cc = column(t, o.customer, {"customer_id", "customer", "customerid", "client_id", "user_id", "id"},
                         "the customer column", true);
  const auto tc = column(t, o.time, {"date", "time", "datetime", "timestamp", "created_at", "interaction_date"},
                         "the interaction time column", true);
  const auto chc = column(t, o.channel, {"channel"}, "the channel column", false);
  const auto kc = column(t, o.kind, {"kind", "type", "category", "interaction_type"}, "the kind column", false);
  const auto sc = column(t, o.csat, {"csat", "csat_score", "satisfaction"}, "the CSAT column", false);
  const auto fc = column(t, o.first_response_minutes, {"first_response_minutes", "response_minutes", "frt"},
                         "the first-response-minutes column", false);
  const auto rc = column(t, o.resolved_first_contact,
                         {"resolved_first_contact", "first_contact_resolution", "fcr"},
                         "the resolved-on-first-contact column", false);

  if (shared) in.ids = *shared;
  in.ids.reserve(in.ids.size() + t.rows() / 4);
  in.customer = t.encode(*cc, in.ids);
  in.time = t.days(*tc, o.date_format);
  in.time_unit = core::TimeUnit::Days;
  if (chc) in.channel = levels(t, *chc, in.channel_names);
  if (kc) in.kind = levels(t, *kc, in.kind_names);
  if (sc) {
    in.csat = t.numbers(*sc, Blank::NaN);
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const double v = in.csat[r];
      if (!std::isnan(v) && (v < 1 || v > 5 || v != std::floor(v)))
        t.fail(r, *sc, "a CSAT score 1..5 (whole number) or a blank");
    }
  }
  if (fc) {
    in.first_response_minutes = t.numbers(*fc, Blank::NaN);
    for (std::size_t r = 0; r < t.rows(); ++r)
      if (in.first_response_minutes[r] < 0) t.fail(r, *fc, "minutes >= 0 or a blank");
  }
  if (rc) {
    in.resolved_first_contact.resize(t.rows());
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const std::string_view s = trim(t.cell(r, *rc));
      std::int8_t v = -1;
      if (s.empty()) v = -1;
      else if (s == "1" || iequals(s, "true") || iequals(s, "yes") || iequals(s, "t") || iequals(s, "y")) v = 1;
      else if (s == "0" || iequals(s, "false") || iequals(s, "no") || iequals(s, "f") || iequals(s, "n")) v = 0;
      else t.fail(r, *rc, "a boolean (1/0, true/false, yes/no) or a blank");
      in.resolved_first_contact[r] = v;
    }
  }
  return in;
}

core::InteractionTable read_interactions(const std::string& path, const InteractionReadOptions& options,
                                         const core::Dictionary* shared) {
  return interactions_from_table(read_table(path, options.table), options, shared);
}

core::InteractionTable parse_interactions(std::string_view text, const InteractionReadOptions& options,
                                          const core::Dictionary* shared, std::string source) {
  return interactions_from_table(parse_table(text, options.table, std::move(source)), options, shared);
}

}  // namespace crmkit::io
