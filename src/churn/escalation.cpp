// Escalation rules (churn/escalation.hpp, docs/models/escalation.md).
#include "crmkit/churn/escalation.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace crmkit::churn {

namespace {

constexpr const char* kFn = "escalate";

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

void check_rule(const EscalationRule& r, const char* fn) {
  if (r.name.empty()) throw InvalidArgument(fn, "rule.name", "\"\"", "must not be empty");
  if (r.count < 1) throw InvalidArgument(fn, "rule '" + r.name + "' count", std::to_string(r.count), "must be >= 1");
  if (r.type == RuleType::CsatStreak && !std::isfinite(r.csat_below))
    throw InvalidArgument(fn, "rule '" + r.name + "' csat_below", std::to_string(r.csat_below), "must be finite");
  if (r.type == RuleType::EventCount && r.window_days < 0)
    throw InvalidArgument(fn, "rule '" + r.name + "' window_days", std::to_string(r.window_days),
                          "must be >= 0 (0 = no limit)");
}

}  // namespace

const char* rule_type_name(RuleType t) noexcept {
  return t == RuleType::CsatStreak ? "csat_streak" : "event_count";
}

RuleType parse_rule_type(std::string_view text) {
  if (iequals(text, "csat_streak")) return RuleType::CsatStreak;
  if (iequals(text, "event_count")) return RuleType::EventCount;
  throw InvalidArgument("parse_rule_type", "type", std::string(text), "must be csat_streak or event_count");
}

std::vector<EscalationRule> default_escalation_rules() {
  EscalationRule a;
  a.name = "low_csat_streak";
  a.type = RuleType::CsatStreak;
  a.count = 2;
  a.csat_below = 4;
  EscalationRule b;
  b.name = "repeat_complaints";
  b.type = RuleType::EventCount;
  b.count = 2;
  b.kind = "complaint";
  b.window_days = 30;
  b.per_channel = true;
  return {a, b};
}

std::vector<EscalationRule> rules_from_table(const io::CsvTable& t) {
  const std::size_t nc = t.require({"name", "rule"}, "the rule name column");
  const std::size_t tc = t.require({"type"}, "the rule type column (csat_streak or event_count)");
  const auto cc = t.find({"count"});
  const auto sc = t.find({"csat_below"});
  const auto kc = t.find({"kind"});
  const auto wc = t.find({"window_days"});
  const auto pc = t.find({"per"});
  std::vector<EscalationRule> rules;
  std::set<std::string> names;
  // Trimmed cells of each column, converted once.
  const std::vector<std::string> types = t.strings(tc);
  const std::vector<std::string> kinds = kc ? t.strings(*kc) : std::vector<std::string>();
  const std::vector<std::string> pers = pc ? t.strings(*pc) : std::vector<std::string>();
  const std::vector<double> below = sc ? t.numbers(*sc, io::Blank::NaN) : std::vector<double>();
  auto whole = [&](std::size_t r, std::size_t col, std::int64_t lo, const char* what) -> std::int64_t {
    std::string s(t.cell(r, col));
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(s.begin());
    std::int64_t v = 0;
    std::size_t used = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      t.fail(r, col, what);
    }
    if (used != s.size() || v < lo) t.fail(r, col, what);
    return v;
  };
  for (std::size_t r = 0; r < t.rows(); ++r) {
    EscalationRule rule;
    rule.name = std::string(t.cell(r, nc));
    while (!rule.name.empty() && rule.name.back() == ' ') rule.name.pop_back();
    while (!rule.name.empty() && rule.name.front() == ' ') rule.name.erase(rule.name.begin());
    if (rule.name.empty()) t.fail(r, nc, "a rule name");
    if (!names.insert(rule.name).second) t.fail(r, nc, "a rule name not used before");
    const std::string& type = types[r];
    if (iequals(type, "csat_streak")) rule.type = RuleType::CsatStreak;
    else if (iequals(type, "event_count")) rule.type = RuleType::EventCount;
    else t.fail(r, tc, "csat_streak or event_count");
    if (cc && !t.is_blank(r, *cc)) rule.count = whole(r, *cc, 1, "a whole number >= 1");
    if (sc && !t.is_blank(r, *sc)) rule.csat_below = below[r];
    if (kc) rule.kind = kinds[r];  // blank = any kind
    if (rule.type == RuleType::EventCount && kc && t.is_blank(r, *kc)) rule.kind.clear();
    if (wc && !t.is_blank(r, *wc)) rule.window_days = whole(r, *wc, 0, "a whole number of days >= 0 (0 = no limit)");
    if (pc && !t.is_blank(r, *pc)) {
      const std::string& per = pers[r];
      if (iequals(per, "channel")) rule.per_channel = true;
      else if (iequals(per, "customer")) rule.per_channel = false;
      else t.fail(r, *pc, "channel or customer");
    }
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) throw InvalidArgument("read_escalation_rules", "rules", t.source(), "holds no rule");
  return rules;
}

std::vector<EscalationRule> read_escalation_rules(const std::string& path) {
  return rules_from_table(io::read_table(path));
}

std::vector<EscalationRule> parse_escalation_rules(std::string_view text, std::string source) {
  return rules_from_table(io::parse_table(text, {}, std::move(source)));
}

std::vector<Escalation> escalate(const core::InteractionsView& view, std::span<const EscalationRule> rules,
                                 std::optional<std::int64_t> as_of) {
  const core::InteractionsView in = view.validated(kFn);
  for (const auto& r : rules) {
    check_rule(r, kFn);
    if (r.type == RuleType::CsatStreak && in.csat.empty() && in.size() > 0)
      throw InvalidArgument(kFn, "rule '" + r.name + "'", "csat_streak", "needs a csat column");
    if (r.type == RuleType::EventCount && !r.kind.empty() && in.kind.empty() && in.size() > 0)
      throw InvalidArgument(kFn, "rule '" + r.name + "'", "kind " + r.kind, "needs a kind column");
    if (r.type == RuleType::EventCount && r.per_channel && in.channel.empty() && in.size() > 0)
      throw InvalidArgument(kFn, "rule '" + r.name + "'", "per channel", "needs a channel column");
  }
  const std::size_t n = in.size();
  const std::int64_t per_day = in.time_unit == core::TimeUnit::Days ? 1 : core::seconds_per_day;

  // Rows kept, ordered by (customer, time, input order).
  std::vector<std::uint32_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (!as_of || core::to_day(in.time[i], in.time_unit) <= *as_of) order.push_back(static_cast<std::uint32_t>(i));
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return in.customer[a] != in.customer[b] ? in.customer[a] < in.customer[b] : in.time[a] < in.time[b];
  });

  // Which kinds each rule counts.
  std::vector<std::vector<char>> counts_kind(rules.size());
  for (std::size_t k = 0; k < rules.size(); ++k) {
    counts_kind[k].assign(in.kind_names.size(), 0);
    for (std::size_t q = 0; q < in.kind_names.size(); ++q)
      counts_kind[k][q] = rules[k].kind.empty() || iequals(in.kind_names[q], rules[k].kind) ? 1 : 0;
  }

  std::vector<Escalation> out;
  std::vector<std::uint32_t> sel;
  for (std::size_t b = 0; b < order.size();) {
    std::size_t e = b;
    while (e < order.size() && in.customer[order[e]] == in.customer[order[b]]) ++e;
    const std::span<const std::uint32_t> rows(order.data() + b, e - b);
    for (std::size_t k = 0; k < rules.size(); ++k) {
      const EscalationRule& rule = rules[k];
      Escalation esc;
      esc.customer = in.customer[order[b]];
      esc.rule = k;
      auto fire = [&](std::uint32_t row, std::int64_t matched) {
        if (esc.firings == 0) {
          esc.row = row;
          esc.time = in.time[row];
          esc.channel = in.channel.empty() ? 0 : in.channel[row];
          esc.matched = matched;
        }
        ++esc.firings;
      };
      if (rule.type == RuleType::CsatStreak) {
        std::int64_t streak = 0;
        for (std::uint32_t r : rows) {
          if (std::isnan(in.csat[r])) continue;
          streak = in.csat[r] < rule.csat_below ? streak + 1 : 0;
          if (streak >= rule.count) fire(r, streak);
        }
      } else {
        // Matching rows per channel (or all together), each a sliding window over time. sel and g hold
        // positions in the customer's time order, so firings of all channels merge by position.
        sel.clear();
        for (std::uint32_t p = 0; p < rows.size(); ++p)
          if (in.kind.empty() || counts_kind[k][in.kind[rows[p]]]) sel.push_back(p);
        std::vector<std::uint32_t> groups;  // channel codes present
        if (rule.per_channel) {
          for (std::uint32_t p : sel) groups.push_back(in.channel[rows[p]]);
          std::sort(groups.begin(), groups.end());
          groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
        } else {
          groups.push_back(0);
        }
        std::vector<std::pair<std::uint32_t, std::int64_t>> fired;  // (position, matched)
        std::vector<std::uint32_t> g;
        for (std::uint32_t ch : groups) {
          g.clear();
          for (std::uint32_t p : sel)
            if (!rule.per_channel || in.channel[rows[p]] == ch) g.push_back(p);
          std::size_t lo = 0;
          for (std::size_t hi = 0; hi < g.size(); ++hi) {
            if (rule.window_days > 0)
              while (in.time[rows[g[hi]]] - in.time[rows[g[lo]]] > rule.window_days * per_day) ++lo;
            const auto matched = static_cast<std::int64_t>(hi - lo + 1);
            if (matched >= rule.count) fired.emplace_back(g[hi], matched);
          }
        }
        std::sort(fired.begin(), fired.end());  // positions are distinct
        for (const auto& [p, m] : fired) fire(rows[p], m);
      }
      if (esc.firings > 0) out.push_back(esc);
    }
    b = e;
  }
  return out;
}

}  // namespace crmkit::churn
