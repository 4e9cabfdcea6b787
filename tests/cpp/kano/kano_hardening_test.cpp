// Issue 13, defects 12 and 13 (Kano): answers outside the word map are an error listing every distinct
// unknown wording with its count; typographic quotes and blanks are normalised; a word map from a CSV
// (wordings with commas); a feature listed twice in the costs file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/kano/kano.hpp"

using namespace crmkit;
using namespace crmkit::kano;
using ::testing::HasSubstr;

namespace {

// Three respondents x two features in Spanish wordings none of the defaults know.
const char* kSpanish =
    "respondent,feature,functional,dysfunctional\n"
    "a,x,Me gusta,Me disgusta\n"
    "a,y,Lo espero,Me disgusta\n"
    "b,x,Me gusta,\"Me da igual, la verdad\"\n"
    "b,y,Me gusta,Me disgusta\n"
    "c,x,ME  GUSTA,Me disgusta\n"
    "c,y,neutral,Me disgusta\n";

}  // namespace

TEST(KanoUnknownAnswers, AreAnErrorByDefaultListingEveryWordingWithItsCount) {
  const SurveyTable s = parse_survey(kSpanish, {}, "es.csv");
  try {
    analyze(s.view());
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 3);
    EXPECT_EQ(e.column_name(), "functional");
    // Distinct after normalisation ("ME  GUSTA" is "Me gusta"), in order of first appearance.
    EXPECT_EQ(e.found(),
              "11 answer(s) not in the word map, 4 distinct: \"Me gusta\" (4), \"Me disgusta\" (5), "
              "\"Lo espero\" (1), \"Me da igual, la verdad\" (1)");
    EXPECT_THAT(e.what(), HasSubstr("--words-file FILE"));
    EXPECT_THAT(e.what(), HasSubstr("--invalid skip"));
  }
  // The explicit opt-in skips and counts them.
  KanoOptions o;
  o.invalid = InvalidPolicy::Skip;
  const KanoResult r = analyze(s.view(), o);
  EXPECT_EQ(r.quality.invalid_answers, 11);
  EXPECT_EQ(r.quality.skipped_rows, 6);
  EXPECT_EQ(r.quality.used_rows, 0);
  // From columns: InvalidArgument with the same list.
  std::vector<std::string_view> resp{"a", "b"}, feat{"x", "x"}, fu{"like", "sometimes"}, dy{"often", "dislike"};
  const SurveyTable cols = SurveyTable::from_strings(resp, feat, fu, dy);
  try {
    analyze(cols.view());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 answer(s) not in the word map, 2 distinct: \"often\" (1), \"sometimes\" (1)"));
  }
}

TEST(KanoUnknownAnswers, MissingAnswersAreSkippedAndCountedUnlessAskedToFail) {
  const SurveyTable s = parse_survey("respondent,feature,functional,dysfunctional\na,x,1,5\nb,x,,5\n", {}, "m.csv");
  const KanoResult r = analyze(s.view());
  EXPECT_EQ(r.quality.missing_answers, 1);
  EXPECT_EQ(r.quality.skipped_rows, 1);
  KanoOptions o;
  o.missing = InvalidPolicy::Fail;
  try {
    analyze(s.view(), o);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 3);
    EXPECT_THAT(e.what(), HasSubstr("missing answers are rejected"));
  }
}

TEST(KanoWords, TypographicQuotesAndBlanksAreNormalised) {
  const AnswerMap m;
  EXPECT_EQ(m.code("I\xE2\x80\x99m neutral"), 3);               // U+2019
  EXPECT_EQ(m.code("I\xE2\x80\x98m neutral"), 3);               // U+2018
  EXPECT_EQ(m.code("  I'M \t  NEUTRAL  "), 3);
  EXPECT_EQ(m.code("I\xC2\xA0" "can tolerate it"), 4);           // no-break space
  AnswerMap q;
  q.clear();
  q.set("\"Great\" feature", 1);
  EXPECT_EQ(q.code("\xE2\x80\x9CGreat\xE2\x80\x9D feature"), 1);  // U+201C / U+201D
}

TEST(KanoWords, AWordMapFromCsvHoldsCommasAndRejectsDuplicates) {
  const AnswerMap m = AnswerMap::parse_csv(
      "wording,answer\n"
      "Me gusta,1\n"
      "Lo espero,must-be\n"
      "\"Me da igual, la verdad\",3\n"
      "Lo tolero,4\n"
      "Me disgusta,dislike\n",
      "w.csv");
  EXPECT_EQ(m.code("me gusta"), 1);
  EXPECT_EQ(m.code("Lo espero"), 2);
  EXPECT_EQ(m.code("Me da igual, la verdad"), 3);
  EXPECT_EQ(m.code("Me disgusta"), 5);
  EXPECT_EQ(m.code("like"), -1);  // the file replaces the default words
  // "neutral" (c,y) is no longer a word: the one unknown answer left.
  try {
    analyze(parse_survey(kSpanish, m, "es.csv").view());
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 7);
    EXPECT_EQ(e.found(), "1 answer(s) not in the word map, 1 distinct: \"neutral\" (1)");
  }
  AnswerMap m2 = m;
  m2.set("neutral", 3);
  const KanoResult r = analyze(parse_survey(kSpanish, m2, "es.csv").view());
  EXPECT_EQ(r.quality.used_rows, 6);
  EXPECT_EQ(r.quality.invalid_answers, 0);
}

TEST(KanoWords, WordMapErrorsNameTheCell) {
  try {
    AnswerMap::parse_csv("Me gusta,1\nme  GUSTA,2\n", "w.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 1);
    EXPECT_THAT(e.what(), HasSubstr("line 1 already maps 'Me gusta'"));
  }
  try {
    AnswerMap::parse_csv("Me gusta,7\n", "w.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.column(), 2);
    EXPECT_EQ(e.found(), "7");
  }
  EXPECT_THROW(AnswerMap::parse_csv("Me gusta,1,extra\n", "w.csv"), ParseError);
  EXPECT_THROW(AnswerMap::parse_csv("wording,answer\n", "w.csv"), ParseError);
  EXPECT_THROW(AnswerMap::load("/no/such/words.csv"), IoError);
}

TEST(KanoCosts, AFeatureListedTwiceIsRefusedNamingBothLines) {
  const std::vector<std::string> names{"x", "y"};
  try {
    parse_feature_inputs("feature,cost\nx,3\ny,1\nx,5\n", names, "costs.csv");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.column(), 1);
    EXPECT_THAT(e.what(), HasSubstr("feature 'x' is already on line 2"));
  }
  const FeatureInputTable ok = parse_feature_inputs("feature,cost\nx,3\ny,1\n", names, "costs.csv");
  EXPECT_EQ(ok.cost, (std::vector<double>{3, 1}));
}
