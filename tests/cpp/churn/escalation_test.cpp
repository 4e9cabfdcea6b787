// Escalation rules over the hand-built tests/data/escalation_interactions.csv; every expected row is
// worked out in docs/models/escalation.md.
#include "crmkit/churn/escalation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crmkit/core/error.hpp"
#include "crmkit/io/interactions.hpp"

using namespace crmkit;
using namespace crmkit::churn;
using testing::HasSubstr;

namespace {
const std::string kData = CRMKIT_TEST_DATA;

struct Row {
  std::string customer, rule, date, channel;
  std::int64_t matched, firings;
};

std::vector<Row> rows(const core::InteractionTable& t, const std::vector<EscalationRule>& rules,
                      std::optional<std::int64_t> as_of = {}) {
  std::vector<Row> out;
  for (const auto& e : escalate(t.view(), rules, as_of))
    out.push_back({t.ids.decode(e.customer), rules[e.rule].name, io::format_date(e.time),
                   t.channel_names[e.channel], e.matched, e.firings});
  return out;
}
}  // namespace

TEST(Escalation, DefaultRulesOnTheHandBuiltFile) {
  const auto t = io::read_interactions(kData + "/escalation_interactions.csv");
  const auto r = rows(t, default_escalation_rules());
  ASSERT_EQ(r.size(), 4u);
  // e1: CSAT 3, (no answer), 2 -> two consecutive answers below 4 on 2026-02-05.
  EXPECT_EQ(r[0].customer, "e1");
  EXPECT_EQ(r[0].rule, "low_csat_streak");
  EXPECT_EQ(r[0].date, "2026-02-05");
  EXPECT_EQ(r[0].matched, 2);
  EXPECT_EQ(r[0].firings, 1);
  // e2: complaints on phone 32 days apart and one on email: no rule. e3: chat complaints 30 days apart
  // (the window's edge counts), then again 2 days later.
  EXPECT_EQ(r[1].customer, "e3");
  EXPECT_EQ(r[1].rule, "repeat_complaints");
  EXPECT_EQ(r[1].date, "2026-03-31");
  EXPECT_EQ(r[1].channel, "chat");
  EXPECT_EQ(r[1].firings, 2);
  // e4: CSAT 2, 3, 1 fires at the second and third; two email complaints 5 days apart.
  EXPECT_EQ(r[2].customer, "e4");
  EXPECT_EQ(r[2].rule, "low_csat_streak");
  EXPECT_EQ(r[2].date, "2026-01-12");
  EXPECT_EQ(r[2].firings, 2);
  EXPECT_EQ(r[3].customer, "e4");
  EXPECT_EQ(r[3].rule, "repeat_complaints");
  EXPECT_EQ(r[3].date, "2026-01-15");
  EXPECT_EQ(r[3].channel, "email");
  EXPECT_EQ(r[3].matched, 2);
  EXPECT_EQ(r[3].firings, 1);
}

TEST(Escalation, RulesFile) {
  const auto rules = read_escalation_rules(kData + "/escalation_rules.csv");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].type, RuleType::CsatStreak);
  EXPECT_EQ(rules[0].count, 3);
  EXPECT_EQ(rules[1].type, RuleType::EventCount);
  EXPECT_FALSE(rules[1].per_channel);
  EXPECT_EQ(rules[1].window_days, 60);
  const auto t = io::read_interactions(kData + "/escalation_interactions.csv");
  const auto r = rows(t, rules);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].customer, "e2");
  EXPECT_EQ(r[0].rule, "complaints_any_channel");
  EXPECT_EQ(r[0].date, "2026-03-05");
  EXPECT_EQ(r[0].matched, 3);
  EXPECT_EQ(r[1].customer, "e3");
  EXPECT_EQ(r[1].date, "2026-04-02");
  EXPECT_EQ(r[2].customer, "e4");
  EXPECT_EQ(r[2].rule, "three_low");
  EXPECT_EQ(r[2].date, "2026-01-15");
  EXPECT_EQ(r[2].matched, 3);
}

TEST(Escalation, AsOfIgnoresLaterInteractions) {
  const auto t = io::read_interactions(kData + "/escalation_interactions.csv");
  const auto r = rows(t, default_escalation_rules(), io::days_from_civil(2026, 1, 31));
  ASSERT_EQ(r.size(), 2u);  // only e4's two rules had fired by the end of January
  EXPECT_EQ(r[0].customer, "e4");
  EXPECT_EQ(r[1].customer, "e4");
}

TEST(Escalation, UnlimitedWindowAndAnyKind) {
  EscalationRule any;
  any.name = "busy";
  any.type = RuleType::EventCount;
  any.count = 4;
  any.kind = "";
  any.window_days = 0;
  any.per_channel = false;
  const auto t = io::read_interactions(kData + "/escalation_interactions.csv");
  const auto r = rows(t, {any});
  ASSERT_EQ(r.size(), 1u);  // e1 is the only customer with four interactions
  EXPECT_EQ(r[0].customer, "e1");
  EXPECT_EQ(r[0].date, "2026-02-10");
}

TEST(Escalation, RuleFileCellsAreTrimmed) {
  const auto r = parse_escalation_rules("name,type,count,window_days,per\n x , event_count , 3 , 7 , Customer \n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "x");
  EXPECT_EQ(r[0].type, RuleType::EventCount);
  EXPECT_EQ(r[0].count, 3);
  EXPECT_EQ(r[0].window_days, 7);
  EXPECT_FALSE(r[0].per_channel);
  EXPECT_EQ(r[0].kind, "complaint");  // no kind column: the default
}

TEST(Escalation, RuleFileErrorsNameTheCell) {
  try {
    parse_escalation_rules("name,type,count\nok,csat_streak,2\nbad,sometimes,2\n", "r.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("r.csv:3:2"));
    EXPECT_THAT(e.what(), HasSubstr("csat_streak or event_count"));
  }
  try {
    parse_escalation_rules("name,type,count\nx,csat_streak,0\n", "r.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("r.csv:2:3"));
  }
  try {
    parse_escalation_rules("name,type\nx,csat_streak\nx,event_count\n", "r.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("r.csv:3:1"));
  }
  try {
    parse_escalation_rules("name,type,per\nx,event_count,store\n", "r.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("channel or customer"));
  }
  EXPECT_THROW(parse_escalation_rules("name,type\n", "r.csv"), InvalidArgument);
}

TEST(Escalation, RulesNeedTheirColumns) {
  const auto t = io::parse_interactions("customer,date\na,2026-01-01\n");
  try {
    escalate(t.view(), default_escalation_rules());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("needs a csat column"));
  }
  auto rules = default_escalation_rules();
  rules[0].count = 0;
  const auto u = io::read_interactions(kData + "/escalation_interactions.csv");
  EXPECT_THROW(escalate(u.view(), rules), InvalidArgument);
}
