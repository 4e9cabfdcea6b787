// Calendar dates and date-times: parsing in the formats crmkit ingests, and formatting back.
// Days are counted from 1970-01-01 (proleptic Gregorian, UTC); seconds from the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crmkit::io {

/// Days since 1970-01-01 of a civil date; month 1..12, day 1..31 (not range-checked here).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;

/// Civil date of a day number.
struct CivilDate {
  std::int64_t year;
  unsigned month, day;
};
CivilDate civil_from_days(std::int64_t days) noexcept;

/// "YYYY-MM-DD" of a day number.
std::string format_date(std::int64_t days);
/// "YYYY-MM-DDTHH:MM:SSZ" of a Unix time in seconds.
std::string format_datetime(std::int64_t seconds);

/// How a date column is written. Auto-detection (detect_date_format) picks one of the named kinds;
/// a strftime-style pattern covers the rest.
struct DateFormat {
  enum class Kind : std::uint8_t {
    Yyyymmdd,      ///< 19970101
    IsoDate,       ///< 1997-01-01
    IsoDateTime,   ///< 1997-01-01T12:30:00, optional fraction, optional Z or +hh:mm (converted to UTC);
                   ///< a space may stand for the T
    UnixSeconds,   ///< integer seconds since the epoch
    Pattern,       ///< strftime-style: %Y %m %d %H %M %S %y %b (month name) %j, %% and literals
  };
  Kind kind = Kind::IsoDate;
  std::string pattern;  ///< for Kind::Pattern

  /// True when values carry a time of day (the column is then stored in seconds).
  bool has_time() const noexcept;
  /// A human-readable name used in error messages, e.g. "a date as YYYYMMDD".
  std::string describe() const;

  /// Parses a user's format spec: "YYYYMMDD", "YYYY-MM-DD", "iso", "unix", or a pattern containing '%'.
  /// Throws InvalidArgument for anything else.
  static DateFormat from_spec(std::string_view spec);
};

/// Parses one value. Returns days (formats without time) or seconds (formats with time), or nullopt
/// when `text` does not match or names an impossible date (e.g. 1997-02-30).
std::optional<std::int64_t> parse_date(std::string_view text, const DateFormat& fmt) noexcept;

/// Picks the first named format (Yyyymmdd, IsoDate, IsoDateTime, UnixSeconds) that parses every one of
/// `samples`; nullopt when none does. 8-digit values are read as YYYYMMDD, never as Unix seconds.
template <class Range>
std::optional<DateFormat> detect_date_format(const Range& samples);

/// Parses a date given on a command line or in an option: YYYY-MM-DD or YYYYMMDD. Returns days.
/// Throws InvalidArgument(function, argument, text, rule) when it is neither.
std::int64_t parse_date_arg(std::string_view text, const char* function, const char* argument);

// ---- template implementation ----
template <class Range>
std::optional<DateFormat> detect_date_format(const Range& samples) {
  for (auto kind : {DateFormat::Kind::Yyyymmdd, DateFormat::Kind::IsoDate,
                    DateFormat::Kind::IsoDateTime, DateFormat::Kind::UnixSeconds}) {
    DateFormat f;
    f.kind = kind;
    bool all = true, any = false;
    for (const auto& s : samples) {
      any = true;
      if (!parse_date(std::string_view(s), f)) {
        all = false;
        break;
      }
    }
    if (all && any) return f;
  }
  return std::nullopt;
}

}  // namespace crmkit::io
