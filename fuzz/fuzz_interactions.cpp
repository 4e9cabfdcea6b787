// Interaction logs (io::parse_interactions, behind io::read_interactions, the C ABI's interaction
// reader and `crmkit escalate` / `churn-features` / `service`), then the default escalation rules over
// what was read.
//
// Input: byte 0 chooses the options — bits 0-2 delimiter (auto, comma, tab, semicolon, whitespace,
// auto...), bit 3 header detected (else required), bit 4 start from a shared dictionary (ids "a", "b"),
// bit 5 date format given (YYYY-MM-DD), bit 6 an as-of day for escalation; the rest is the text.
// Checks: only crmkit errors; a table that is read is consistent (column lengths, codes below their
// dictionaries, csat 1..5 or NaN, response minutes >= 0 or NaN, resolved 1/0/-1; shared ids keep their
// codes); escalations name real customers, rules and rows.
#include <cmath>
#include <cstdint>
#include <string>

#include "crmkit/churn/escalation.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/io/interactions.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t b0 = data[0];
  io::InteractionReadOptions o;
  switch (b0 & 7) {
    case 1: o.table.delimiter = io::Delimiter::Comma; break;
    case 2: o.table.delimiter = io::Delimiter::Tab; break;
    case 3: o.table.delimiter = io::Delimiter::Semicolon; break;
    case 4: o.table.delimiter = io::Delimiter::Whitespace; break;
    default: break;
  }
  if ((b0 >> 3) & 1) o.table.header = std::nullopt;
  core::Dictionary shared;
  const bool use_shared = (b0 >> 4) & 1;
  if (use_shared) {
    (void)shared.encode("a");
    (void)shared.encode("b");
  }
  if ((b0 >> 5) & 1) o.date_format = io::DateFormat{};

  core::InteractionTable t;
  if (!fuzz::expect_ok_or_error("parse_interactions", [&] {
        t = io::parse_interactions(fuzz::as_text(data + 1, size - 1), o, use_shared ? &shared : nullptr, "fuzz.csv");
      }))
    return 0;

  const std::size_t n = t.customer.size();
  fuzz::require(t.time.size() == n, "time length");
  for (auto c : t.customer) fuzz::require(c < t.ids.size(), "customer code >= ids");
  if (use_shared) {
    fuzz::require(t.ids.size() >= 2 && t.ids.decode(0) == "a" && t.ids.decode(1) == "b", "shared ids lost their codes");
  }
  fuzz::require(t.channel.empty() || t.channel.size() == n, "channel length");
  for (auto c : t.channel) fuzz::require(c < t.channel_names.size(), "channel code >= names");
  fuzz::require(t.kind.empty() || t.kind.size() == n, "kind length");
  for (auto c : t.kind) fuzz::require(c < t.kind_names.size(), "kind code >= names");
  fuzz::require(t.csat.empty() || t.csat.size() == n, "csat length");
  for (double v : t.csat) fuzz::require(std::isnan(v) || (v >= 1 && v <= 5 && v == std::floor(v)), "csat outside 1..5");
  fuzz::require(t.first_response_minutes.empty() || t.first_response_minutes.size() == n, "frt length");
  for (double v : t.first_response_minutes) fuzz::require(std::isnan(v) || (std::isfinite(v) && v >= 0), "frt < 0 or inf");
  fuzz::require(t.resolved_first_contact.empty() || t.resolved_first_contact.size() == n, "fcr length");
  for (auto v : t.resolved_first_contact) fuzz::require(v >= -1 && v <= 1, "fcr not 1/0/-1");

  const auto rules = churn::default_escalation_rules();
  std::optional<std::int64_t> as_of;
  if ((b0 >> 6) & 1) as_of = t.time.empty() ? 0 : t.time[t.time.size() / 2];
  fuzz::expect_ok_or_error("escalate", [&] {
    for (const auto& e : churn::escalate(t.view(), rules, as_of)) {
      fuzz::require(e.customer < t.ids.size(), "escalation customer >= ids");
      fuzz::require(e.rule < rules.size(), "escalation rule >= rules");
      fuzz::require(e.row < n, "escalation row >= rows");
      fuzz::require(e.matched >= 1 && e.firings >= 1, "escalation with no match");
    }
  });
  return 0;
}
