// Issue 13 (service part): dates in a service or NPS file go through the shared date parser (a bad
// date is a ParseError at its cell), and an undefined statistic is NaN together with n = 0 in C++ and
// null in JSON — never a number.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/service/metrics.hpp"

using namespace crmkit;
using namespace crmkit::service;
using ::testing::HasSubstr;

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string p = ::testing::TempDir() + "/" + name;
  FILE* f = std::fopen(p.c_str(), "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return p;
}

}  // namespace

TEST(ServiceDates, ABadDateIsAParseErrorAtItsCell) {
  try {
    service_metrics_csv(write("d1.csv", "customer,time,csat\nc1,2026-01-05,4\nc2,2026-13-45,5\nc3,2026-01-07,3\n"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 2);
    EXPECT_EQ(e.column_name(), "time");
    EXPECT_EQ(e.found(), "2026-13-45");
  }
  try {
    nps_csv(write("d2.csv", "date,score\n2026-02-01,9\nyesterday,3\n"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column_name(), "date");
  }
  // Good dates pass and change nothing.
  const ServiceReport r = service_metrics_csv(write("d3.csv", "time,csat\n2026-01-05,4\n2026-01-06,2\n"));
  EXPECT_EQ(r.overall.csat.n, 2);
  EXPECT_EQ(r.overall.csat.satisfied, 1);
}

TEST(ServiceUndefined, NoAnswersGiveNZeroAndNullNeverANumber) {
  const NpsReport n = nps_csv(write("u1.csv", "segment,score\nsmb,\nsmb,\n"), "segment");
  EXPECT_EQ(n.overall.n, 0);
  EXPECT_EQ(n.overall.missing, 2);
  EXPECT_TRUE(std::isnan(n.overall.score));
  const nlohmann::json j = to_json(n);
  EXPECT_EQ(j["overall"]["n"], 0);
  EXPECT_TRUE(j["overall"]["nps"].is_null());
  EXPECT_TRUE(j["overall"]["ci_low"].is_null());
  EXPECT_EQ(j.dump().find("NaN"), std::string::npos);
  // An empty SLA tier and a group without CSAT answers.
  const ServiceReport r = service_metrics_csv(
      write("u2.csv", "channel,csat,first_response_minutes,priority\nweb,4,10,urgent\nphone,,,urgent\n"), "channel");
  ASSERT_EQ(r.groups.size(), 2u);
  const GroupMetrics& phone = r.groups[1];
  EXPECT_EQ(phone.csat.n, 0);
  EXPECT_TRUE(std::isnan(phone.csat.csat));
  EXPECT_EQ(phone.sla.tiers[1].n, 0);  // normal: no interactions at all
  const nlohmann::json s = to_json(r);
  EXPECT_TRUE(s["groups"][1]["csat"]["csat"].is_null());
  EXPECT_EQ(s["groups"][1]["csat"]["n"], 0);
  EXPECT_TRUE(s["overall"]["sla"]["tiers"]["normal"]["compliance"].is_null());
  EXPECT_EQ(s["overall"]["sla"]["tiers"]["normal"]["n"], 0);
}
