// Interaction CSV ingestion: columns by alias and by name, shared customer codes, blanks, and errors
// naming file:line:column.
#include "crmkit/io/interactions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "crmkit/core/error.hpp"
#include "crmkit/io/csv.hpp"

using namespace crmkit;
using testing::HasSubstr;

namespace {
const std::string kData = CRMKIT_TEST_DATA;
}

TEST(Interactions, ReadsTheServiceInteractionFile) {
  const auto t = io::read_interactions(kData + "/service_interactions.csv");
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t.ids.decode(t.customer[0]), "c01");
  EXPECT_EQ(t.time[0], io::days_from_civil(2026, 1, 5));
  EXPECT_EQ(t.channel_names[t.channel[0]], "email");
  EXPECT_EQ(t.kind_names[t.kind[2]], "complaint");
  EXPECT_EQ(t.csat[2], 2.0);
  EXPECT_EQ(t.first_response_minutes[3], 1500.0);
  EXPECT_EQ(t.resolved_first_contact[2], 0);
  EXPECT_EQ(t.resolved_first_contact[0], 1);
  const auto v = t.view().validated("test");
  EXPECT_EQ(v.n_customers, t.ids.size());
}

TEST(Interactions, BlanksAreMissingValues) {
  const auto t = io::read_interactions(kData + "/indicator_interactions.csv");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_TRUE(std::isnan(t.first_response_minutes[1]));
  EXPECT_EQ(t.resolved_first_contact[2], -1);
  EXPECT_EQ(t.csat[4], 4.0);
}

TEST(Interactions, SharesTheTransactionDictionary) {
  const auto tx = io::read_transactions(kData + "/indicator_transactions.csv");
  const auto in = io::read_interactions(kData + "/indicator_interactions.csv", {}, &tx.ids);
  // a, b, c keep their codes; d (only in the interactions) comes next.
  EXPECT_EQ(in.ids.size(), 4u);
  EXPECT_EQ(in.customer[0], tx.ids.find("a"));
  EXPECT_EQ(in.ids.decode(in.customer[4]), "d");
  EXPECT_EQ(in.customer[4], 3u);
}

TEST(Interactions, ColumnsByNameAndMissingOptionalColumns) {
  io::InteractionReadOptions o;
  o.customer = "who";
  o.time = "when";
  const auto t = io::parse_interactions("who;when;note\nx;2026-01-02;hi\ny;2026-01-03;yo\n", o);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t.channel.empty());
  EXPECT_TRUE(t.csat.empty());
  EXPECT_TRUE(t.resolved_first_contact.empty());
  o.csat = "score";
  try {
    io::parse_interactions("who,when\nx,2026-01-02\n", o, nullptr, "in.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("in.csv:1"));
    EXPECT_THAT(e.what(), HasSubstr("score"));
  }
}

TEST(Interactions, BadCellsNameFileLineColumn) {
  try {
    io::parse_interactions("customer,date,csat\na,2026-01-01,4\nb,2026-01-02,6\n", {}, nullptr, "x.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("x.csv:3:3"));
    EXPECT_THAT(e.what(), HasSubstr("CSAT score 1..5"));
    EXPECT_THAT(e.what(), HasSubstr("'6'"));
  }
  try {
    io::parse_interactions("customer,date,fcr\na,2026-01-01,maybe\n", {}, nullptr, "y.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("y.csv:2:3"));
    EXPECT_THAT(e.what(), HasSubstr("boolean"));
  }
  try {
    io::parse_interactions("customer,date,frt\na,2026-01-01,-5\n", {}, nullptr, "z.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("z.csv:2:3"));
  }
  try {
    io::parse_interactions("customer,date\na,notadate\n", {}, nullptr, "d.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("d.csv:2:2"));
  }
  try {
    io::parse_interactions("client,date\na,2026-01-01\n", {}, nullptr, "h.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("customer column"));
  }
  EXPECT_THROW(io::read_interactions(kData + "/no_such_file.csv"), IoError);
}

TEST(Interactions, ViewValidationNamesTheRow) {
  const auto t = io::read_interactions(kData + "/indicator_interactions.csv");
  auto v = t.view();
  std::vector<double> bad(t.csat.begin(), t.csat.end());
  bad[3] = 7;
  v.csat = bad;
  try {
    (void)v.validated("f");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("csat[3]"));
  }
  v = t.view();
  std::vector<double> shorter(2, 1.0);
  v.csat = shorter;
  EXPECT_THROW((void)v.validated("f"), InvalidArgument);
}
