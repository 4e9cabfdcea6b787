// Kano analysis against hand-computed examples (tests/data/kano_survey.csv, worked in
// docs/models/kano.md), the published evaluation table (Berger et al. 1993), Fong's (1996) test, the
// DuMouchel scale, properties (shares sum to 1, Better in [0,1], Worse in [-1,0]) and every error path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/kano/kano.hpp"

using namespace crmkit;
using namespace crmkit::kano;
using ::testing::HasSubstr;

namespace {

const std::string kData = CRMKIT_TEST_DATA;
const std::string kSurvey = kData + "/kano_survey.csv";

const FeatureResult& by_name(const KanoResult& r, const std::string& name) {
  for (const auto& f : r.features)
    if (f.feature == name) return f;
  throw std::runtime_error("no feature " + name);
}

// Tolerance: every value is a ratio of small integers; 1e-12 covers the last-bit rounding of the
// division (and of the weighted sums of integers).
constexpr double kTol = 1e-12;

// The survey's "maybe" (line 43) is an unknown answer: an error by default, so the hand-computed
// results are read with the explicit opt-in to skip it.
KanoOptions skipping() {
  KanoOptions o;
  o.invalid = InvalidPolicy::Skip;
  return o;
}

}  // namespace

TEST(KanoTable, StandardTableIsBerger1993) {
  const auto t = EvaluationTable::standard();
  // Berger et al. (1993), CQM Journal 2(4), the Kano evaluation table (functional rows, dysfunctional columns).
  const char* rows[5] = {"QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ"};
  for (int f = 1; f <= 5; ++f)
    for (int d = 1; d <= 5; ++d) EXPECT_EQ(letter(t.classify(f, d)), rows[f - 1][d - 1]) << f << "," << d;
}

TEST(KanoTable, ParsesAlternativeTableAndRejectsBadCells) {
  // A variant that calls identical answers questionable (the diagonal is Q).
  const auto t = EvaluationTable::parse("Q,A,A,A,O\nR,Q,I,I,M\nR,I,Q,I,M\nR,I,I,Q,M\nR,R,R,R,Q\n");
  EXPECT_EQ(t.classify(3, 3), Category::Q);
  EXPECT_EQ(t.classify(1, 5), Category::O);
  const auto ws = EvaluationTable::parse("Q A A A O\nR I I I M\nR I I I M\nR I I I M\nR R R R Q\n");
  EXPECT_EQ(ws.classify(2, 5), Category::M);
  try {
    EvaluationTable::parse("Q,A,A,A,O\nR,I,X,I,M\nR,I,I,I,M\nR,I,I,I,M\nR,R,R,R,Q\n", "alt.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("alt.csv:2:3"));
    EXPECT_THAT(e.what(), HasSubstr("found 'X'"));
  }
  EXPECT_THROW(EvaluationTable::parse("Q,A,A,A,O\nR,I,I,I,M\n"), ParseError);
  EXPECT_THROW(EvaluationTable::load(kData + "/no_such_table.csv"), IoError);
}

TEST(KanoAnswers, CodesWordsAndCustomMap) {
  const AnswerMap m;
  EXPECT_EQ(m.code("1"), 1);
  EXPECT_EQ(m.code(" 5 "), 5);
  EXPECT_EQ(m.code("3.0"), 3);
  EXPECT_EQ(m.code("Like"), 1);
  EXPECT_EQ(m.code("must-be"), 2);
  EXPECT_EQ(m.code("Must be"), 2);
  EXPECT_EQ(m.code("I expect it"), 2);
  EXPECT_EQ(m.code("I am neutral"), 3);
  EXPECT_EQ(m.code("live_with"), 4);
  EXPECT_EQ(m.code("I can tolerate it."), 4);
  EXPECT_EQ(m.code("DISLIKE"), 5);
  EXPECT_EQ(m.code(""), kMissingAnswer);
  EXPECT_EQ(m.code("  "), kMissingAnswer);
  EXPECT_EQ(m.code("6"), -1);
  EXPECT_EQ(m.code("0"), -1);
  EXPECT_EQ(m.code("2.5"), -1);
  EXPECT_EQ(m.code("maybe"), -1);
  const auto g = AnswerMap::parse("gern=1, erwarte=2, egal=3, nehme hin=4, stört=5");
  EXPECT_EQ(g.code("Gern"), 1);
  EXPECT_EQ(g.code("nehme-hin"), 4);
  EXPECT_EQ(g.code("like"), -1);  // parse replaces the default words
  EXPECT_EQ(g.code("4"), 4);      // codes always work
  EXPECT_THROW(AnswerMap::parse("gern=7"), InvalidArgument);
  EXPECT_THROW(AnswerMap::parse("gern"), InvalidArgument);
  EXPECT_THROW(AnswerMap::parse(""), InvalidArgument);
}

// The worked example of docs/models/kano.md: 10 respondents x 4 features, plus two bad rows.
TEST(KanoSurvey, HandComputedExample) {
  const SurveyTable s = read_survey(kSurvey);
  const KanoResult r = analyze(s.view(), skipping());
  ASSERT_EQ(r.features.size(), 4u);

  const auto& pw = by_name(r, "password_reset");
  EXPECT_EQ(pw.counts, (std::array<std::int64_t, 6>{1, 2, 6, 1, 0, 0}));
  EXPECT_EQ(pw.n, 10);
  EXPECT_EQ(pw.category, Category::M);
  EXPECT_FALSE(pw.tie_broken);
  EXPECT_NEAR(pw.better, 0.3, kTol);
  EXPECT_NEAR(pw.worse, -0.8, kTol);
  EXPECT_NEAR(pw.category_strength, 0.4, kTol);
  EXPECT_NEAR(pw.total_strength, 0.9, kTol);
  // Fong: a = 6, b = 2, n = 10: 1.65 sqrt(8 * 12 / 20) = 3.61497; |6 - 2| = 4 >= it.
  EXPECT_NEAR(pw.fong_critical, 1.65 * std::sqrt(4.8), kTol);
  EXPECT_TRUE(pw.fong_significant);
  // DuMouchel: functional scores 2,0,0,-1,0,0,4,0,4,4 -> 13/10; dysfunctional 4 x 8, 0 x 2 -> 32/10.
  EXPECT_NEAR(pw.functional_mean, 1.3, kTol);
  EXPECT_NEAR(pw.dysfunctional_mean, 3.2, kTol);
  // Sample sd of the functional scores: sum of squares 4+1+16*3 = 53; (53 - 13^2/10)/9.
  EXPECT_NEAR(pw.functional_sd, std::sqrt((53 - 16.9) / 9), kTol);
  EXPECT_NEAR(pw.dysfunctional_sd, std::sqrt((128 - 102.4) / 9), kTol);

  const auto& ex = by_name(r, "export_csv");
  EXPECT_EQ(ex.counts, (std::array<std::int64_t, 6>{2, 5, 3, 0, 0, 0}));
  EXPECT_EQ(ex.category, Category::O);
  EXPECT_NEAR(ex.better, 0.7, kTol);
  EXPECT_NEAR(ex.worse, -0.8, kTol);
  EXPECT_NEAR(ex.category_strength, 0.2, kTol);
  EXPECT_NEAR(ex.total_strength, 1.0, kTol);
  EXPECT_FALSE(ex.fong_significant);  // |5 - 3| = 2 < 3.61497
  EXPECT_NEAR(ex.functional_mean, 2.9, kTol);
  EXPECT_NEAR(ex.dysfunctional_mean, 3.3, kTol);

  const auto& dm = by_name(r, "dark_mode");
  EXPECT_EQ(dm.counts, (std::array<std::int64_t, 6>{5, 1, 0, 2, 1, 1}));
  EXPECT_EQ(dm.category, Category::A);
  EXPECT_NEAR(dm.better, 0.75, kTol);   // (5 + 1) / 8
  EXPECT_NEAR(dm.worse, -0.125, kTol);  // -(1 + 0) / 8
  EXPECT_NEAR(dm.category_strength, 0.3, kTol);
  EXPECT_NEAR(dm.total_strength, 0.6, kTol);
  EXPECT_NEAR(dm.fong_critical, 1.65 * std::sqrt(7.0 * 13.0 / 20.0), kTol);
  EXPECT_FALSE(dm.fong_significant);  // 3 < 3.51957
  EXPECT_NEAR(dm.functional_mean, 26.0 / 8, kTol);  // R and Q pairs are left out
  EXPECT_NEAR(dm.dysfunctional_mean, 1.0, kTol);

  const auto& ai = by_name(r, "ai_summary");
  EXPECT_EQ(ai.counts, (std::array<std::int64_t, 6>{4, 1, 0, 4, 0, 1}));
  EXPECT_EQ(ai.category, Category::A);  // A and I tie at 0.4: M > O > A > I picks A
  EXPECT_TRUE(ai.tie_broken);
  EXPECT_NEAR(ai.category_strength, 0.0, kTol);
  EXPECT_NEAR(ai.better, 5.0 / 9, kTol);
  EXPECT_NEAR(ai.worse, -1.0 / 9, kTol);
  EXPECT_EQ(ai.fong_difference, 0);
  EXPECT_FALSE(ai.fong_significant);
  EXPECT_NEAR(ai.functional_mean, 21.0 / 9, kTol);
  EXPECT_NEAR(ai.dysfunctional_mean, 7.0 / 9, kTol);

  // Importance (self-stated, 1..5); r09 left one blank.
  EXPECT_TRUE(r.has_importance);
  EXPECT_NEAR(pw.importance_mean, 4.4, kTol);
  EXPECT_NEAR(ai.importance_mean, 23.0 / 9, kTol);
  // password_reset weights: A 4; O 4 + 5; M 5+5+4+5+4+5 = 28; I 3: better = 13/44, worse = -37/44.
  EXPECT_NEAR(pw.weighted_better, 13.0 / 44, kTol);
  EXPECT_NEAR(pw.weighted_worse, -37.0 / 44, kTol);
  EXPECT_NEAR(pw.weighted_functional_mean, 57.0 / 44, kTol);

  // Priority: M first, O, then the two A features by benefit = (weighted better - weighted worse) / 2.
  EXPECT_EQ(pw.priority, 1);
  EXPECT_EQ(ex.priority, 2);
  EXPECT_EQ(dm.priority, 3);
  EXPECT_EQ(ai.priority, 4);
  EXPECT_NEAR(pw.benefit, (13.0 + 37.0) / 88, kTol);

  // Quality: r11's two rows are skipped (a blank and the word "maybe"), reported by line and answer.
  const auto& q = r.quality;
  EXPECT_EQ(q.rows, 42);
  EXPECT_EQ(q.used_rows, 40);
  EXPECT_EQ(q.skipped_rows, 2);
  EXPECT_EQ(q.missing_answers, 1);
  EXPECT_EQ(q.invalid_answers, 1);
  EXPECT_EQ(q.missing_importance, 1);
  EXPECT_EQ(q.respondents, 10);
  ASSERT_EQ(q.issues.size(), 2u);
  EXPECT_EQ(q.issues[0].line, 42);
  EXPECT_EQ(q.issues[0].column, "functional");
  EXPECT_EQ(q.issues[0].problem, "missing");
  EXPECT_EQ(q.issues[1].line, 43);
  EXPECT_EQ(q.issues[1].column, "dysfunctional");
  EXPECT_EQ(q.issues[1].answer, "maybe");
  EXPECT_EQ(q.issues[1].problem, "invalid");
  EXPECT_EQ(q.straightliners, std::vector<std::string>{"r10"});
  EXPECT_EQ(q.questionable_respondents, std::vector<std::string>{"r09"});
}

TEST(KanoSurvey, CostQuadrants) {
  const SurveyTable s = read_survey(kSurvey);
  const auto in = read_feature_inputs(kData + "/kano_costs.csv", s.feature_names());
  const KanoResult r = analyze(s.view(), skipping(), in.inputs());
  // Medians: benefit (0.5682 + 0.5556) / 2, cost 5.5, frequency 27.5 (docs/models/kano.md).
  EXPECT_EQ(by_name(r, "password_reset").recommendation, "fix now");   // M, asked for 120 times
  EXPECT_EQ(by_name(r, "export_csv").recommendation, "roadmap");       // high benefit, cost 8
  EXPECT_EQ(by_name(r, "dark_mode").recommendation, "fill-in");        // lower benefit, cost 2
  EXPECT_EQ(by_name(r, "ai_summary").recommendation, "deprioritise");  // lower benefit, cost 13
  EXPECT_EQ(by_name(r, "ai_summary").cost, 13);
  EXPECT_EQ(by_name(r, "ai_summary").frequency, 5);
  // Explicit splits: everything cheap and beneficial -> quick win (the M feature is still fixed now).
  KanoOptions o = skipping();
  o.benefit_split = 0.1;
  o.cost_split = 100;
  const KanoResult r2 = analyze(s.view(), o, in.inputs());
  EXPECT_EQ(by_name(r2, "password_reset").recommendation, "fix now");
  EXPECT_EQ(by_name(r2, "dark_mode").recommendation, "quick win");
  // Without costs there is no quadrant.
  EXPECT_EQ(by_name(analyze(s.view(), skipping()), "dark_mode").recommendation, "");
  // A cost for an unknown feature names the file and line.
  try {
    parse_feature_inputs("feature,cost\nteleport,3\n", s.feature_names(), "costs.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("costs.csv:2:1"));
    EXPECT_THAT(e.what(), HasSubstr("teleport"));
  }
}

TEST(KanoSurvey, TieThresholdAndExclusions) {
  const SurveyTable s = read_survey(kSurvey);
  KanoOptions o = skipping();
  o.tie_threshold = 0.2;  // export_csv: O 0.5, M 0.3 -> close -> M wins (M > O)
  EXPECT_EQ(by_name(analyze(s.view(), o), "export_csv").category, Category::M);
  o.tie_threshold = 0.0;  // exact ties still go by the rule
  EXPECT_EQ(by_name(analyze(s.view(), o), "ai_summary").category, Category::A);

  KanoOptions x = skipping();
  x.exclude_straightliners = true;
  x.exclude_questionable = true;
  const KanoResult r = analyze(s.view(), x);
  EXPECT_EQ(r.quality.excluded_rows, 8);
  EXPECT_EQ(r.quality.used_rows, 32);
  // password_reset without r09 (A) and r10 (O): M 6, O 1, I 1.
  EXPECT_EQ(by_name(r, "password_reset").counts, (std::array<std::int64_t, 6>{0, 1, 6, 1, 0, 0}));
}

TEST(KanoSurvey, FailPolicyNamesRowAndAnswer) {
  const SurveyTable s = read_survey(kSurvey);
  KanoOptions o;
  o.missing = InvalidPolicy::Fail;  // the blank on line 42 comes first
  try {
    analyze(s.view(), o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("kano_survey.csv:42:3: column 'functional'"));
    EXPECT_THAT(e.what(), HasSubstr("missing"));
  }
  const SurveyTable bad = parse_survey("respondent,feature,functional,dysfunctional\na,f,1,9\n", {}, "s.csv");
  try {
    analyze(bad.view(), o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.csv:2:4: column 'dysfunctional'"));
    EXPECT_THAT(e.what(), HasSubstr("found '1 answer(s) not in the word map, 1 distinct: \"9\" (1)'"));
  }
  // From columns: InvalidArgument naming the row and the answer.
  std::vector<std::string_view> resp{"a", "a"}, feat{"x", "y"}, fu{"like", "sometimes"}, dy{"dislike", "neutral"};
  const SurveyTable cols = SurveyTable::from_strings(resp, feat, fu, dy);
  try {
    analyze(cols.view(), o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"sometimes\" (1)"));
  }
  // Skip (the explicit opt-in) counts it.
  EXPECT_EQ(analyze(cols.view(), skipping()).quality.invalid_answers, 1);
}

TEST(KanoSurvey, ReaderErrors) {
  EXPECT_THROW(read_survey(kData + "/no_such_survey.csv"), IoError);
  try {
    parse_survey("respondent,functional,dysfunctional\na,1,5\n", {}, "s.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("feature"));
  }
  // Negative importance.
  const SurveyTable s = parse_survey("respondent,feature,functional,dysfunctional,importance\na,f,1,5,-2\n", {}, "s.csv");
  EXPECT_THROW(analyze(s.view(), skipping()), ParseError);
  // Cost columns in the survey must agree per feature.
  try {
    parse_survey("respondent,feature,functional,dysfunctional,cost\na,f,1,5,3\nb,f,1,5,4\n", {}, "s.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.csv:3:5"));
  }
  const SurveyTable c = parse_survey("respondent,feature,functional,dysfunctional,cost,frequency\na,f,1,5,3,7\nb,f,3,5,,7\n");
  EXPECT_EQ(c.cost(), std::vector<double>{3});
  EXPECT_EQ(c.frequency(), std::vector<double>{7});
}

TEST(KanoColumns, CodeColumnsAndArgumentErrors) {
  const std::vector<std::string> names{"f0", "f1"};
  const std::vector<std::uint32_t> resp{0, 0, 1, 1}, feat{0, 1, 0, 1};
  const std::vector<std::int32_t> fu{1, 3, 1, 0}, dy{5, 3, 3, 5};
  SurveyView v;
  v.respondent = resp;
  v.feature = feat;
  v.functional = fu;
  v.dysfunctional = dy;
  v.feature_names = names;
  const KanoResult r = analyze(v);
  EXPECT_EQ(r.features[0].counts[0], 1);  // (1,3) A
  EXPECT_EQ(r.features[0].counts[1], 1);  // (1,5) O
  EXPECT_EQ(r.features[1].counts[3], 1);  // (3,3) I
  EXPECT_EQ(r.quality.missing_answers, 1);
  EXPECT_FALSE(r.has_importance);
  EXPECT_TRUE(std::isnan(r.features[0].weighted_better));

  const std::vector<std::int32_t> short_dy{5};
  SurveyView bad = v;
  bad.dysfunctional = short_dy;
  EXPECT_THROW(analyze(bad), InvalidArgument);
  const std::vector<std::uint32_t> badfeat{0, 1, 2, 0};
  bad = v;
  bad.feature = badfeat;
  EXPECT_THROW(analyze(bad), InvalidArgument);
  KanoOptions o;
  o.tie_threshold = -1;
  EXPECT_THROW(analyze(v, o), InvalidArgument);
  o = {};
  o.fong_z = 0;
  EXPECT_THROW(analyze(v, o), InvalidArgument);
  const std::vector<double> cost{1};
  EXPECT_THROW(analyze(v, {}, FeatureInputs{cost, {}}), InvalidArgument);
  // A feature whose every answer was skipped: no category, NaN Better/Worse, ranked last.
  const std::vector<std::int32_t> fu2{1, 9, 1, 9};
  v.functional = fu2;
  const KanoResult r2 = analyze(v, skipping());
  EXPECT_EQ(r2.features[1].n, 0);
  EXPECT_TRUE(std::isnan(r2.features[1].better));
  EXPECT_EQ(r2.features[1].priority, 2);
  const auto j = to_json(r2);
  EXPECT_TRUE(j["features"][1]["category"].is_null());
  EXPECT_TRUE(j["features"][1]["better"].is_null());
}

// Properties over random surveys: shares sum to 1, Better in [0,1], Worse in [-1,0], strengths in
// [0,1], DuMouchel means inside the scale, and the counts add up to the rows used.
TEST(KanoProperties, RandomSurveys) {
  std::mt19937_64 rng(20261125);
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t nf = 1 + rng() % 6, nr = 1 + rng() % 40;
    std::vector<std::string> names;
    for (std::size_t k = 0; k < nf; ++k) {
      std::string name = "f";  // appended piecewise: GCC 12 -Wrestrict false positive on "f" + to_string
      name += std::to_string(k);
      names.push_back(name);
    }
    std::vector<std::uint32_t> resp, feat;
    std::vector<std::int32_t> fu, dy;
    std::vector<double> imp;
    for (std::uint32_t i = 0; i < nr; ++i)
      for (std::uint32_t k = 0; k < nf; ++k) {
        resp.push_back(i);
        feat.push_back(k);
        fu.push_back(static_cast<std::int32_t>(rng() % 7));  // 0 missing, 6 invalid
        dy.push_back(static_cast<std::int32_t>(1 + rng() % 5));
        imp.push_back(static_cast<double>(rng() % 10));
      }
    SurveyView v;
    v.respondent = resp;
    v.feature = feat;
    v.functional = fu;
    v.dysfunctional = dy;
    v.importance = imp;
    v.feature_names = names;
    const KanoResult r = analyze(v, skipping());
    std::int64_t used = 0;
    for (const auto& f : r.features) {
      used += f.n;
      if (f.n == 0) continue;
      double sum = 0;
      for (double s : f.shares) sum += s;
      EXPECT_NEAR(sum, 1.0, 1e-12);
      if (!std::isnan(f.better)) {
        EXPECT_GE(f.better, 0);
        EXPECT_LE(f.better, 1);
        EXPECT_GE(f.worse, -1);
        EXPECT_LE(f.worse, 0);
        EXPECT_GE(f.functional_mean, -2);
        EXPECT_LE(f.functional_mean, 4);
        EXPECT_GE(f.dysfunctional_mean, -2);
        EXPECT_LE(f.dysfunctional_mean, 4);
      }
      EXPECT_GE(f.category_strength, 0);
      EXPECT_LE(f.category_strength, 1);
      EXPECT_GE(f.total_strength, 0);
      EXPECT_LE(f.total_strength, 1 + 1e-12);
      EXPECT_GT(f.counts[static_cast<std::size_t>(f.category)], 0);
      if (!std::isnan(f.weighted_better)) {
        EXPECT_GE(f.weighted_better, 0);
        EXPECT_LE(f.weighted_better, 1);
        EXPECT_LE(f.weighted_worse, 0);
      }
    }
    EXPECT_EQ(used, r.quality.used_rows);
    EXPECT_EQ(r.quality.used_rows + r.quality.skipped_rows, r.quality.rows);
    // Priorities are a permutation of 1..nf.
    std::vector<int> seen(nf + 1, 0);
    for (const auto& f : r.features) ++seen.at(static_cast<std::size_t>(f.priority));
    for (std::size_t p = 1; p <= nf; ++p) EXPECT_EQ(seen[p], 1);
  }
}

TEST(KanoJson, PromisedKeys) {
  const SurveyTable s = read_survey(kSurvey);
  const auto j = to_json(analyze(s.view(), skipping()));
  ASSERT_EQ(j["features"].size(), 4u);
  const auto& f = j["features"][0];
  EXPECT_EQ(f["feature"], "password_reset");  // priority order
  for (const char* k : {"feature", "counts", "category", "better", "worse", "category_strength", "total_strength",
                        "fong_significant", "functional_mean", "dysfunctional_mean", "priority"})
    EXPECT_TRUE(f.contains(k)) << k;
  for (const char* k : {"A", "O", "M", "I", "R", "Q"}) EXPECT_TRUE(f["counts"].contains(k)) << k;
  EXPECT_EQ(f["counts"]["M"], 6);
  EXPECT_EQ(f["category"], "M");
  EXPECT_EQ(j["quality"]["invalid_answers"], 1);
  EXPECT_EQ(j["quality"]["issues"][1]["answer"], "maybe");
  EXPECT_EQ(j["quality"]["issues"][1]["line"], 43);
}
