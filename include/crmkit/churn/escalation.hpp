// Escalation rules as data, evaluated over an interaction table into the customers to escalate, with
// the rule that fired and when. docs/models/escalation.md.
//
//   auto rules = churn::default_escalation_rules();      // or churn::read_escalation_rules("rules.csv")
//   std::vector<churn::Escalation> e = churn::escalate(interactions.view(), rules);
//
// Each customer's interactions are taken in time order (rows of one time keep their input order).
// Two kinds of rule:
// - csat_streak: the customer's last `count` CSAT answers are all below `csat_below` (interactions
//   without an answer are skipped, so "consecutive" means consecutive answers). Default
//   "low_csat_streak": CSAT < 4 on 2 consecutive interactions.
// - event_count: at least `count` interactions of `kind` ("" = any kind) whose days lie within
//   `window_days` of each other (last day - first day <= window_days; 0 = no limit), on one channel
//   when per_channel, else across channels. Default "repeat_complaints": >= 2 complaints on one
//   channel within 30 days.
// A rule holds at an interaction when its condition is met by that interaction and the ones before it.
// One Escalation per (customer, rule) that held at least once: the first interaction where it held,
// its time and channel, and how many interactions it held at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/interactions.hpp"
#include "crmkit/io/table.hpp"

namespace crmkit::churn {

enum class RuleType : std::uint8_t { CsatStreak, EventCount };

/// "csat_streak", "event_count"; parse_rule_type throws InvalidArgument for anything else.
const char* rule_type_name(RuleType t) noexcept;
RuleType parse_rule_type(std::string_view text);

struct EscalationRule {
  std::string name;
  RuleType type = RuleType::CsatStreak;
  std::int64_t count = 2;         ///< >= 1
  double csat_below = 4;          ///< csat_streak: an answer below this counts
  std::string kind = "complaint"; ///< event_count: kind counted (ASCII case ignored); "" = any
  std::int64_t window_days = 30;  ///< event_count: >= 0; 0 = no limit
  bool per_channel = true;        ///< event_count: count per channel
};

/// low_csat_streak (csat_streak, count 2, csat_below 4) and repeat_complaints (event_count, count 2,
/// kind complaint, window_days 30, per channel): the source requirements' two rules.
std::vector<EscalationRule> default_escalation_rules();

/// A rules CSV (docs/models/escalation.md): columns name, type (required), count, csat_below, kind,
/// window_days, per (channel | customer); blank cells take the defaults above. ParseError naming
/// file:line:column for a bad cell or a duplicate name; InvalidArgument for a file without rules.
std::vector<EscalationRule> rules_from_table(const io::CsvTable& table);
std::vector<EscalationRule> read_escalation_rules(const std::string& path);
std::vector<EscalationRule> parse_escalation_rules(std::string_view text, std::string source = "<rules>");

struct Escalation {
  std::uint32_t customer = 0;  ///< code
  std::size_t rule = 0;        ///< index into the rules
  std::size_t row = 0;         ///< interaction row where the rule first held
  std::int64_t time = 0;       ///< its time (the view's unit)
  std::uint32_t channel = 0;   ///< its channel code (valid when the view has a channel column)
  std::int64_t matched = 0;    ///< interactions in the triggering run (the streak or window count)
  std::int64_t firings = 0;    ///< interactions at which the rule held
};

/// Evaluates the rules; rows with a day after `as_of` (day number) are ignored when given. Ordered by
/// customer code, then rule. InvalidArgument when a rule needs a column the view lacks (csat for
/// csat_streak, kind for a kind filter, channel for per_channel) or a rule is malformed.
std::vector<Escalation> escalate(const core::InteractionsView& interactions, std::span<const EscalationRule> rules,
                                 std::optional<std::int64_t> as_of = std::nullopt);

}  // namespace crmkit::churn
