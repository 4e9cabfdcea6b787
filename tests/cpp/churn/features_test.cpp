// Feature tables from CSV and from columns: encoding, reference levels, blanks, ids and labels.
#include "crmkit/churn/features.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

using namespace crmkit;
using namespace crmkit::churn;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

const char* kCsv =
    "id,tenure,plan,region,churned\n"
    "a,10,pro,north,yes\n"
    "b,,basic,south,no\n"
    "c,30,plus,north,TRUE\n"
    "d,20,basic,,0\n";

FeatureOptions opts(MissingPolicy m = MissingPolicy::Impute) {
  FeatureOptions o;
  o.id = "id";
  o.label = "churned";
  o.missing = m;
  return o;
}

}  // namespace

TEST(ChurnFeatures, OneHotDropsTheFirstSortedLevelAndImputesWithAnIndicator) {
  const auto t = build_features(io::parse_table(kCsv, {}, "f.csv"), opts());
  EXPECT_THAT(t.names, ElementsAre("tenure", "tenure_missing", "plan=plus", "plan=pro", "region=north", "region=south"));
  EXPECT_THAT(t.ids, ElementsAre("a", "b", "c", "d"));
  EXPECT_THAT(t.label, ElementsAre(1, 0, 1, 0));
  ASSERT_EQ(t.x.rows(), 4);
  EXPECT_DOUBLE_EQ(t.x(1, 0), 20.0);  // mean of 10, 30, 20
  EXPECT_EQ(t.x(1, 1), 1.0);
  EXPECT_EQ(t.x(0, 1), 0.0);
  EXPECT_EQ(t.x(0, 3), 1.0);  // pro
  EXPECT_EQ(t.x(1, 2) + t.x(1, 3), 0.0);  // basic = reference
  EXPECT_EQ(t.x(2, 2), 1.0);
  // The blank region is its own (first, reference) level "" under impute.
  EXPECT_EQ(t.x(3, 4) + t.x(3, 5), 0.0);
  EXPECT_EQ(t.encoding.columns[2].levels[0], "");
}

TEST(ChurnFeatures, BlankUnderTheErrorPolicyNamesFileLineColumn) {
  try {
    build_features(io::parse_table(kCsv, {}, "f.csv"), opts(MissingPolicy::Error));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 2);
    EXPECT_EQ(e.column_name(), "tenure");
    EXPECT_THAT(e.what(), HasSubstr("f.csv:3:2"));
  }
}

TEST(ChurnFeatures, LabelsAndMissingColumns) {
  FeatureOptions o = opts();
  o.label = "nope";
  EXPECT_THROW(build_features(io::parse_table(kCsv, {}, "f.csv"), o), ParseError);
  try {
    FeatureOptions g;
    g.label = "y";
    g.id = "id";
    build_features(io::parse_table("id,x,y\na,1,maybe\nb,2,no\n", {}, "g.csv"), g);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("g.csv:2:3"));
    EXPECT_EQ(e.found(), "maybe");
  }
}

TEST(ChurnFeatures, ScoringReusesTheEncodingAndHandlesUnseenLevels) {
  const auto train = build_features(io::parse_table(kCsv, {}, "f.csv"), opts());
  const char* score = "id,region,plan,tenure\nx,south,pro,5\ny,east,basic,\n";
  try {
    apply_features(io::parse_table(score, {}, "s.csv"), train.encoding);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.csv:3:2"));
    EXPECT_THAT(e.what(), HasSubstr("a level seen in training"));
  }
  FeatureEncoding enc = train.encoding;
  enc.unseen = UnseenLevel::Zero;
  const auto s = apply_features(io::parse_table(score, {}, "s.csv"), enc);
  EXPECT_THAT(s.ids, ElementsAre("x", "y"));  // the encoding's id column
  EXPECT_TRUE(s.label.empty());
  EXPECT_EQ(s.x.cols(), 6);
  EXPECT_EQ(s.x(0, 3), 1.0);
  EXPECT_EQ(s.x(0, 5), 1.0);
  EXPECT_EQ(s.x(1, 4) + s.x(1, 5), 0.0);  // unseen "east" = all zeros
  EXPECT_EQ(s.x(1, 0), 20.0);
  EXPECT_EQ(s.x(1, 1), 1.0);
  // A column of the model missing from the scoring file is named.
  try {
    apply_features(io::parse_table("id,plan,tenure\nx,pro,1\n", {}, "m.csv"), enc);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("region"));
  }
}

TEST(ChurnFeatures, EncodingRoundTripsThroughJson) {
  const auto t = build_features(io::parse_table(kCsv, {}, "f.csv"), opts());
  nlohmann::json j = t.encoding;
  EXPECT_EQ(j["columns"][1]["reference"], "basic");
  const auto back = j.get<FeatureEncoding>();
  EXPECT_EQ(back.feature_names(), t.names);
  EXPECT_EQ(back.missing, MissingPolicy::Impute);
  EXPECT_EQ(back.id, "id");
}

TEST(ChurnFeatures, ForcedCategoricalExcludedAndNoFeatures) {
  FeatureOptions o = opts();
  o.categorical = {"tenure"};
  o.exclude = {"region"};
  const auto t = build_features(io::parse_table("id,tenure,region,churned\na,1,n,1\nb,2,s,0\nc,2,s,0\n"), o);
  EXPECT_THAT(t.names, ElementsAre("tenure=2"));
  FeatureOptions none;
  none.id = "id";
  EXPECT_THROW(build_features(io::parse_table("id,k\na,x\nb,x\n"), none), InvalidArgument);  // one level: no column
}

TEST(ChurnFeatures, FromColumns) {
  const std::vector<double> age = {1, NAN, 3};
  std::vector<InputColumn> cols(2);
  cols[0].name = "age";
  cols[0].numbers = age;
  cols[1].name = "plan";
  cols[1].strings = {"b", "a", "b"};
  const std::vector<double> y = {1, 0, 1};
  FeatureOptions o;
  o.missing = MissingPolicy::Impute;
  const auto t = build_features(cols, y, {"u", "v", "w"}, o);
  EXPECT_THAT(t.names, ElementsAre("age", "age_missing", "plan=b"));
  EXPECT_EQ(t.x(1, 0), 2.0);
  EXPECT_EQ(t.x(0, 2), 1.0);
  o.missing = MissingPolicy::Error;
  try {
    build_features(cols, y, {}, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("column 'age' row 1"));
  }
  const std::vector<double> bad = {1, 2, 0};
  o.missing = MissingPolicy::Impute;
  EXPECT_THROW(build_features(cols, bad, {}, o), InvalidArgument);
}

TEST(ChurnFeatures, ReadsTheTestTable) {
  FeatureOptions o;
  o.id = "customer_id";
  o.label = "churned";
  const auto t = read_features(std::string(CRMKIT_TEST_DATA) + "/churn_customers.csv", o);
  EXPECT_EQ(t.rows(), 240u);
  EXPECT_THAT(t.names, ElementsAre("tenure", "spend", "complaints", "plan=plus", "plan=pro"));
  double pos = 0;
  for (double v : t.label) pos += v;
  EXPECT_EQ(pos, 88);
}
