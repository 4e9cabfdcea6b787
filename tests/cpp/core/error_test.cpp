// How errors quote input: control bytes escaped, long text cut, numbers in their shortest exact form.
#include "crmkit/core/error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

using namespace crmkit;
using testing::HasSubstr;

TEST(ErrorText, NulAndControlBytesAreEscapedNotCutAt) {
  const std::string v("ab\0cd\n\x01", 7);
  EXPECT_EQ(quoted_text(v), "ab\\0cd\\n\\x01");
  const InvalidArgument e("f", "x", v, "rule");
  EXPECT_EQ(std::string(e.what()), "f: argument 'x' = ab\\0cd\\n\\x01: rule");
  const ParseError p("a.csv", 2, 3, "id", "an id", v);
  EXPECT_THAT(p.what(), HasSubstr("found 'ab\\0cd\\n\\x01'"));
}

TEST(ErrorText, LongTextIsCutWithItsSize) {
  const std::string header(10'000'000, 'h');  // a 10 MB header was echoed whole
  EXPECT_THAT(InvalidArgument("f", "x", header, "r").what(), HasSubstr("hhh\xE2\x80\xA6 (10000000 bytes): r"));
  const ParseError p("a.csv", 1, 1, "", "a header", header);
  EXPECT_LT(std::string(p.what()).size(), 1100u);  // found-text is cut after about 1000 bytes
  EXPECT_THAT(p.what(), HasSubstr("\xE2\x80\xA6 (10000000 bytes)"));
  // a cut never splits a UTF-8 character
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";  // é
  const std::string q = quoted_text(accents);
  EXPECT_EQ(q.substr(0, 120), accents.substr(0, 120));
  EXPECT_THAT(q, HasSubstr("\xE2\x80\xA6 (200 bytes)"));
}

TEST(ErrorText, NumbersInShortestExactForm) {
  EXPECT_EQ(number_text(0.999999999999), "0.999999999999");  // std::to_string said 1.000000
  EXPECT_EQ(number_text(1e300), "1e+300");                   // not 301 digits
  EXPECT_EQ(number_text(0.5), "0.5");
  EXPECT_EQ(number_text(-3.0), "-3");
}
