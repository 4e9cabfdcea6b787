#include <gtest/gtest.h>

#include <vector>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"

using namespace crmkit::io;

namespace {
DateFormat kind(DateFormat::Kind k) {
  DateFormat f;
  f.kind = k;
  return f;
}
}  // namespace

TEST(Date, CivilRoundTripOverFourCenturies) {
  for (std::int64_t d = days_from_civil(1800, 1, 1); d < days_from_civil(2200, 1, 1); d += 1) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // 2000 is a leap year
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);  // 1900 is not
}

TEST(Date, NamedFormats) {
  const auto d = days_from_civil(1997, 1, 18);
  EXPECT_EQ(parse_date("19970118", kind(DateFormat::Kind::Yyyymmdd)), d);
  EXPECT_EQ(parse_date("1997-01-18", kind(DateFormat::Kind::IsoDate)), d);
  EXPECT_EQ(parse_date("1997-01-18T10:30:00", kind(DateFormat::Kind::IsoDateTime)), d * 86400 + 37800);
  EXPECT_EQ(parse_date("1997-01-18 10:30", kind(DateFormat::Kind::IsoDateTime)), d * 86400 + 37800);
  EXPECT_EQ(parse_date("1997-01-18T10:30:00.250Z", kind(DateFormat::Kind::IsoDateTime)), d * 86400 + 37800);
  EXPECT_EQ(parse_date("1997-01-18T10:30:00+02:00", kind(DateFormat::Kind::IsoDateTime)), d * 86400 + 37800 - 7200);
  EXPECT_EQ(parse_date("1997-01-18T10:30:00-0130", kind(DateFormat::Kind::IsoDateTime)), d * 86400 + 37800 + 5400);
  EXPECT_EQ(parse_date("853581600", kind(DateFormat::Kind::UnixSeconds)), 853581600);
  EXPECT_EQ(parse_date("-86400", kind(DateFormat::Kind::UnixSeconds)), -86400);
}

TEST(Date, ImpossibleDatesAreRejected) {
  for (const char* s : {"19970230", "19971301", "19970000", "19990229", "1997011", "199701188", "1997O118"})
    EXPECT_FALSE(parse_date(s, kind(DateFormat::Kind::Yyyymmdd))) << s;
  EXPECT_TRUE(parse_date("20000229", kind(DateFormat::Kind::Yyyymmdd)));
  for (const char* s : {"1997-02-30", "1997-1-18", "1997/01/18", "1997-01-18x", ""})
    EXPECT_FALSE(parse_date(s, kind(DateFormat::Kind::IsoDate))) << s;
  EXPECT_FALSE(parse_date("1997-01-18T25:00", kind(DateFormat::Kind::IsoDateTime)));
}

TEST(Date, Patterns) {
  const auto d = days_from_civil(1997, 1, 18);
  EXPECT_EQ(parse_date("18/01/1997", DateFormat::from_spec("%d/%m/%Y")), d);
  EXPECT_EQ(parse_date("1/18/97", DateFormat::from_spec("%m/%d/%y")), d);
  EXPECT_EQ(parse_date("18-Jan-1997", DateFormat::from_spec("%d-%b-%Y")), d);
  EXPECT_EQ(parse_date("1997.018", DateFormat::from_spec("%Y.%j")), d);
  EXPECT_EQ(parse_date("19970118 1030", DateFormat::from_spec("%Y%m%d %H%M")), d * 86400 + 37800);
  EXPECT_TRUE(DateFormat::from_spec("%Y%m%d %H%M").has_time());
  EXPECT_FALSE(DateFormat::from_spec("%Y%m%d").has_time());
  EXPECT_FALSE(parse_date("31/02/1997", DateFormat::from_spec("%d/%m/%Y")));
  EXPECT_THROW(DateFormat::from_spec("%Q"), crmkit::InvalidArgument);
  EXPECT_THROW(DateFormat::from_spec("dd/mm/yyyy"), crmkit::InvalidArgument);
}

TEST(Date, Detection) {
  EXPECT_EQ(detect_date_format(std::vector<std::string>{"19970101", "19970118"})->kind, DateFormat::Kind::Yyyymmdd);
  EXPECT_EQ(detect_date_format(std::vector<std::string>{"1997-01-01"})->kind, DateFormat::Kind::IsoDate);
  EXPECT_EQ(detect_date_format(std::vector<std::string>{"1997-01-01T00:00:00Z"})->kind, DateFormat::Kind::IsoDateTime);
  EXPECT_EQ(detect_date_format(std::vector<std::string>{"853581600"})->kind, DateFormat::Kind::UnixSeconds);
  EXPECT_FALSE(detect_date_format(std::vector<std::string>{"1997-01-01", "19970101"}));
  EXPECT_FALSE(detect_date_format(std::vector<std::string>{"yesterday"}));
}

TEST(Date, FormatAndArguments) {
  EXPECT_EQ(format_date(days_from_civil(1997, 9, 30)), "1997-09-30");
  EXPECT_EQ(format_date(-1), "1969-12-31");
  EXPECT_EQ(format_datetime(86400 + 3661), "1970-01-02T01:01:01Z");
  EXPECT_EQ(parse_date_arg("1997-09-30", "f", "a"), days_from_civil(1997, 9, 30));
  EXPECT_EQ(parse_date_arg("19970930", "f", "a"), days_from_civil(1997, 9, 30));
  try {
    parse_date_arg("30/09/1997", "crmkit", "--as-of");
    FAIL();
  } catch (const crmkit::InvalidArgument& e) {
    EXPECT_EQ(e.argument(), "--as-of");
    EXPECT_NE(std::string(e.what()).find("30/09/1997"), std::string::npos);
  }
}
