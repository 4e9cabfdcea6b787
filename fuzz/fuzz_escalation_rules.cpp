// Escalation rules files (churn::parse_escalation_rules, behind read_escalation_rules, the C ABI and
// `crmkit escalate --rules`), evaluated over a fixed interaction log.
//
// Input: the rules file's text. Checks: only crmkit errors; rules that are read are well formed
// (count >= 1, window >= 0, unique non-empty names) and escalate() over tests/data/escalation_interactions.csv
// either refuses them with a crmkit error or returns escalations that name real customers, rules and rows.
#include <cmath>
#include <cstdint>
#include <set>
#include <string>

#include "crmkit/churn/escalation.hpp"
#include "crmkit/io/interactions.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

namespace {
// tests/data/escalation_interactions.csv
constexpr const char* kLog =
    "customer,time,channel,kind,csat,first_response_minutes,resolved_first_contact\n"
    "e1,2026-02-01,email,support,3,20,1\n"
    "e1,2026-02-03,phone,support,,15,1\n"
    "e1,2026-02-05,email,support,2,40,0\n"
    "e1,2026-02-10,email,support,5,10,1\n"
    "e2,2026-02-01,phone,complaint,4,30,0\n"
    "e2,2026-02-20,email,complaint,5,30,0\n"
    "e2,2026-03-05,phone,complaint,4,30,0\n"
    "e3,2026-03-01,chat,complaint,3,5,0\n"
    "e3,2026-03-31,chat,complaint,5,5,1\n"
    "e3,2026-04-02,chat,complaint,,5,1\n"
    "e4,2026-01-10,email,complaint,2,60,0\n"
    "e4,2026-01-12,email,inquiry,3,60,0\n"
    "e4,2026-01-15,email,complaint,1,60,0\n"
    "e5,2026-01-01,web,inquiry,5,,\n";

const core::InteractionTable& log_table() {
  static const core::InteractionTable t = io::parse_interactions(kLog, {}, nullptr, "escalation_interactions.csv");
  return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& log = log_table();
  std::vector<churn::EscalationRule> rules;
  if (!fuzz::expect_ok_or_error("parse_escalation_rules",
                                [&] { rules = churn::parse_escalation_rules(fuzz::as_text(data, size), "rules.csv"); }))
    return 0;
  std::set<std::string> names;
  for (const auto& r : rules) {
    fuzz::require(!r.name.empty(), "rule without a name");
    fuzz::require(names.insert(r.name).second, "duplicate rule name accepted: " + r.name);
    fuzz::require(r.count >= 1, "rule count < 1 accepted");
    fuzz::require(r.window_days >= 0, "window_days < 0 accepted");
    fuzz::require(std::isfinite(r.csat_below), "csat_below not finite");
  }
  fuzz::expect_ok_or_error("escalate", [&] {
    for (const auto& e : churn::escalate(log.view(), rules)) {
      fuzz::require(e.customer < log.ids.size(), "escalation customer >= ids");
      fuzz::require(e.rule < rules.size(), "escalation rule >= rules");
      fuzz::require(e.row < log.customer.size(), "escalation row >= rows");
    }
  });
  return 0;
}
