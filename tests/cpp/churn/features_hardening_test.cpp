// Issue 13, defect 11: a feature table refuses what would silently change the model — a bad cell in a
// numeric column, identifier columns, high-cardinality categoricals — and names the column and the
// option that fixes it; missing markers and the drop policy.
#include "crmkit/churn/features.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

using namespace crmkit;
using namespace crmkit::churn;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// n rows: row,customer_number,tenure,plan,churned with a row number, a distinct customer number, a
// repeating tenure and three plans.
std::string table(std::size_t n, const char* tenure_at_3 = nullptr) {
  std::string s = "row,customer_number,tenure,plan,churned\n";
  for (std::size_t i = 0; i < n; ++i) {
    const std::string tenure = i == 3 && tenure_at_3 ? std::string(tenure_at_3) : std::to_string(i % 7);
    s += std::to_string(i + 1) + "," + std::to_string(15634602 + 37 * i) + "," + tenure + "," +
         (i % 3 == 0 ? "basic" : i % 3 == 1 ? "pro" : "plus") + "," + (i % 2 ? "yes" : "no") + "\n";
  }
  return s;
}

FeatureOptions base() {
  FeatureOptions o;
  o.label = "churned";
  o.exclude = {"row", "customer_number"};
  return o;
}

template <class E, class F>
E thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  ADD_FAILURE() << "no exception";
  throw std::logic_error("no exception");
}

}  // namespace

TEST(ChurnFeatureChecks, ABadCellInANumericColumnIsAnErrorNotACategorical) {
  for (const char* bad : {"abc", "12x", "inf", "1e999"}) {
    const auto e = thrown<ParseError>([&] { build_features(io::parse_table(table(40, bad), {}, "t.csv"), base()); });
    EXPECT_EQ(e.line(), 5) << bad;  // row index 3 is line 5
    EXPECT_EQ(e.column(), 3);
    EXPECT_EQ(e.column_name(), "tenure");
    EXPECT_EQ(e.found(), bad);
    EXPECT_THAT(e.what(), HasSubstr("39 of 40 cells of this column are numbers"));
    EXPECT_THAT(e.what(), HasSubstr("--categorical tenure"));
  }
  // Forced categorical, the same table is accepted and the bad text is a level.
  FeatureOptions o = base();
  o.categorical = {"tenure"};
  const auto t = build_features(io::parse_table(table(40, "abc"), {}, "t.csv"), o);
  EXPECT_EQ(t.encoding.columns[0].name, "tenure");
  EXPECT_TRUE(t.encoding.columns[0].categorical);
}

TEST(ChurnFeatureChecks, MissingMarkersAreMissingValuesWithTheFlagsNamed) {
  for (const char* marker : {"", "NA", "n/a", "NaN", "nan", "NULL"}) {
    const auto e = thrown<ParseError>([&] { build_features(io::parse_table(table(40, marker), {}, "t.csv"), base()); });
    EXPECT_EQ(e.line(), 5) << marker;
    EXPECT_EQ(e.column_name(), "tenure");
    EXPECT_THAT(e.what(), HasSubstr("--missing impute"));
    EXPECT_THAT(e.what(), HasSubstr("--missing drop"));
  }
  FeatureOptions o = base();
  o.missing = MissingPolicy::Impute;
  const auto t = build_features(io::parse_table(table(40, "NA"), {}, "t.csv"), o);
  EXPECT_EQ(t.rows(), 40u);
  EXPECT_EQ(t.names[1], "tenure_missing");
  EXPECT_EQ(t.x(3, 1), 1.0);
  EXPECT_EQ(t.dropped, 0u);
}

TEST(ChurnFeatureChecks, DropPolicyLeavesRowsOutWithTheirLabelsAndIds) {
  FeatureOptions o = base();
  o.missing = MissingPolicy::Drop;
  o.exclude = {"customer_number"};
  o.id = "row";
  const auto t = build_features(io::parse_table(table(40, "NA"), {}, "t.csv"), o);
  EXPECT_EQ(t.dropped, 1u);
  EXPECT_EQ(t.rows(), 39u);
  EXPECT_EQ(t.ids.size(), 39u);
  EXPECT_EQ(t.label.size(), 39u);
  EXPECT_EQ(t.ids[3], "5");  // row "4" is gone
  EXPECT_EQ(t.x(3, 0), 4.0);  // tenure of input row 4 (4 % 7)
  EXPECT_EQ(t.label[3], 0.0);  // input row 4: "no"
  EXPECT_THAT(t.names, ElementsAre("tenure", "plan=plus", "plan=pro"));  // no indicator under drop
  // The policy survives JSON, and scoring drops the same row.
  const nlohmann::json j = t.encoding;
  const FeatureEncoding back = j.get<FeatureEncoding>();
  EXPECT_EQ(back.missing, MissingPolicy::Drop);
  const auto s = apply_features(io::parse_table(table(40, ""), {}, "s.csv"), back, "row");
  EXPECT_EQ(s.dropped, 1u);
  EXPECT_EQ(s.ids.size(), 39u);
}

TEST(ChurnFeatureChecks, IdLikeColumnsAreRefusedNamingColumnAndFlags) {
  FeatureOptions o;
  o.label = "churned";
  const auto e = thrown<ParseError>([&] { build_features(io::parse_table(table(40), {}, "t.csv"), o); });
  EXPECT_EQ(e.column_name(), "row");
  EXPECT_THAT(e.what(), HasSubstr("distinct integers in all 40 rows"));
  EXPECT_THAT(e.what(), HasSubstr("--id-col row"));
  EXPECT_THAT(e.what(), HasSubstr("--keep row"));
  EXPECT_THAT(e.what(), HasSubstr("also refused: customer_number"));
  // Naming it the id, excluding or keeping it each resolves it.
  o.id = "row";
  o.exclude = {"customer_number"};
  EXPECT_EQ(build_features(io::parse_table(table(40), {}, "t.csv"), o).ids.size(), 40u);
  o.exclude.clear();
  o.keep = {"customer_number"};
  const auto t = build_features(io::parse_table(table(40), {}, "t.csv"), o);
  EXPECT_EQ(t.names[0], "customer_number");
  // Below 20 rows an unnamed distinct-integer column is not evidence enough; an id-like name is.
  FeatureOptions small;
  small.label = "churned";
  small.exclude = {"row"};
  const auto e2 = thrown<ParseError>([&] { build_features(io::parse_table(table(10), {}, "t.csv"), small); });
  EXPECT_EQ(e2.column_name(), "customer_number");
  EXPECT_THAT(e2.what(), HasSubstr("id-like name"));
  const std::string renamed = "n,tenure,churned\n5,1,0\n9,2,1\n14,3,0\n";
  FeatureOptions r;
  r.label = "churned";
  EXPECT_EQ(build_features(io::parse_table(renamed, {}, "r.csv"), r).cols(), 2u);
}

TEST(ChurnFeatureChecks, TextIdsAndHighCardinalityCategoricals) {
  // customerID: all distinct text; surname: 60 levels in 200 rows.
  std::string s = "customerID,surname,plan,churned\n";
  for (int i = 0; i < 200; ++i)
    s += "C" + std::to_string(1000 + i) + ",S" + std::to_string(i % 60) + "," + (i % 2 ? "a" : "b") + "," +
         std::to_string(i % 2) + "\n";
  FeatureOptions o;
  o.label = "churned";
  auto e = thrown<ParseError>([&] { build_features(io::parse_table(s, {}, "c.csv"), o); });
  EXPECT_EQ(e.column_name(), "customerID");
  EXPECT_EQ(e.found(), "200 distinct values in 200 rows and an id-like name; also refused: surname");
  o.id = "customerID";
  e = thrown<ParseError>([&] { build_features(io::parse_table(s, {}, "c.csv"), o); });
  EXPECT_EQ(e.column_name(), "surname");
  EXPECT_EQ(e.found(), "60 categories in 200 rows");
  EXPECT_THAT(e.what(), HasSubstr("at most 50 categories"));
  EXPECT_THAT(e.what(), HasSubstr("--max-levels N"));
  EXPECT_THAT(e.what(), HasSubstr("--exclude surname"));
  o.max_levels = 60;
  EXPECT_EQ(build_features(io::parse_table(s, {}, "c.csv"), o).cols(), 60u);  // 59 + plan=b
  o.max_levels = 0;  // no limit
  EXPECT_EQ(build_features(io::parse_table(s, {}, "c.csv"), o).cols(), 60u);
  o.max_levels = 50;
  o.keep = {"surname"};
  EXPECT_EQ(build_features(io::parse_table(s, {}, "c.csv"), o).cols(), 60u);
}

TEST(ChurnFeatureChecks, ColumnsFromCallersGetTheSameChecks) {
  std::vector<double> num(30), tenure(30);
  std::vector<std::string> text(30);
  for (int i = 0; i < 30; ++i) {
    num[i] = i;
    tenure[i] = i % 4;
    text[i] = std::to_string(i % 5);
  }
  text[7] = "abc";
  std::vector<InputColumn> cols = {{"tenure", tenure, {}}, {"score_text", {}, text}};
  const auto e = thrown<InvalidArgument>([&] { build_features(cols, {}, {}, {}); });
  EXPECT_THAT(e.what(), HasSubstr("column 'score_text' row 7"));
  EXPECT_THAT(e.what(), HasSubstr("'abc'"));
  cols = {{"tenure", tenure, {}}, {"seq", num, {}}};
  const auto e2 = thrown<InvalidArgument>([&] { build_features(cols, {}, {}, {}); });
  EXPECT_THAT(e2.what(), HasSubstr("column 'seq'"));
  EXPECT_THAT(e2.what(), HasSubstr("distinct integers in all 30 rows"));
}
