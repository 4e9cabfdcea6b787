// Date parsing and formatting. Civil-date arithmetic is the days_from_civil / civil_from_days
// algorithm published by Howard Hinnant ("chrono-Compatible Low-Level Date Algorithms").
#include "crmkit/io/date.hpp"

#include <array>
#include <cstdio>

#include "crmkit/core/error.hpp"

namespace crmkit::io {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2), m, d};
}

namespace {

bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  static constexpr std::array<unsigned, 12> k{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29u : k[m - 1];
}

bool valid_ymd(std::int64_t y, unsigned m, unsigned d) noexcept {
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// Reads exactly n digits at s[pos]; advances pos.
bool digits(std::string_view s, std::size_t& pos, int n, std::int64_t& out) noexcept {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  std::int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  out = v;
  return true;
}

// Reads 1..max_n digits.
bool digits_upto(std::string_view s, std::size_t& pos, int max_n, std::int64_t& out) noexcept {
  std::int64_t v = 0;
  int n = 0;
  while (n < max_n && pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  out = v;
  return n > 0;
}

bool lit(std::string_view s, std::size_t& pos, char c) noexcept {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<std::int64_t> ymd_days(std::int64_t y, std::int64_t m, std::int64_t d) noexcept {
  if (!valid_ymd(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) || m < 1 || d < 1)
    return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<std::int64_t> parse_iso_datetime(std::string_view s) noexcept {
  std::size_t p = 0;
  std::int64_t y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, p, 4, y) || !lit(s, p, '-') || !digits(s, p, 2, mo) || !lit(s, p, '-') ||
      !digits(s, p, 2, d))
    return std::nullopt;
  if (!(lit(s, p, 'T') || lit(s, p, ' '))) return std::nullopt;
  if (!digits(s, p, 2, h) || !lit(s, p, ':') || !digits(s, p, 2, mi)) return std::nullopt;
  if (lit(s, p, ':')) {
    if (!digits(s, p, 2, sec)) return std::nullopt;
    if (lit(s, p, '.') || lit(s, p, ',')) {
      std::int64_t frac;
      if (!digits_upto(s, p, 12, frac)) return std::nullopt;  // fraction is dropped (floor)
    }
  }
  std::int64_t offset = 0;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      ++p;
      std::int64_t oh, om = 0;
      if (!digits(s, p, 2, oh)) return std::nullopt;
      if (lit(s, p, ':')) {
        if (!digits(s, p, 2, om)) return std::nullopt;
      } else if (p < s.size()) {
        if (!digits(s, p, 2, om)) return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset = sign * (oh * 3600 + om * 60);
    }
  }
  if (p != s.size() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const auto days = ymd_days(y, mo, d);
  if (!days) return std::nullopt;
  return *days * 86400 + h * 3600 + mi * 60 + sec - offset;
}

constexpr std::array<const char*, 12> kMonths{"jan", "feb", "mar", "apr", "may", "jun",
                                              "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<std::int64_t> parse_pattern(std::string_view s, std::string_view pat,
                                          bool& has_time) noexcept {
  std::size_t p = 0;
  std::int64_t y = 1970, mo = 1, d = 1, h = 0, mi = 0, sec = 0, doy = -1;
  has_time = false;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    if (pat[i] != '%') {
      if (!lit(s, p, pat[i])) return std::nullopt;
      continue;
    }
    if (++i >= pat.size()) return std::nullopt;
    switch (pat[i]) {
      case 'Y': if (!digits(s, p, 4, y)) return std::nullopt; break;
      case 'y':
        if (!digits(s, p, 2, y)) return std::nullopt;
        y += y < 69 ? 2000 : 1900;  // POSIX strptime's pivot
        break;
      case 'm': if (!digits_upto(s, p, 2, mo)) return std::nullopt; break;
      case 'd': if (!digits_upto(s, p, 2, d)) return std::nullopt; break;
      case 'H': if (!digits_upto(s, p, 2, h)) return std::nullopt; has_time = true; break;
      case 'M': if (!digits_upto(s, p, 2, mi)) return std::nullopt; has_time = true; break;
      case 'S': if (!digits_upto(s, p, 2, sec)) return std::nullopt; has_time = true; break;
      case 'j': if (!digits_upto(s, p, 3, doy)) return std::nullopt; break;
      case 'b': {
        if (p + 3 > s.size()) return std::nullopt;
        std::int64_t found = -1;
        for (std::size_t k = 0; k < 12; ++k) {
          bool eq = true;
          for (std::size_t c = 0; c < 3; ++c) {
            char ch = s[p + c];
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
            if (ch != kMonths[k][c]) eq = false;
          }
          if (eq) found = static_cast<std::int64_t>(k) + 1;
        }
        if (found < 0) return std::nullopt;
        mo = found;
        p += 3;
        break;
      }
      case '%': if (!lit(s, p, '%')) return std::nullopt; break;
      default: return std::nullopt;
    }
  }
  if (p != s.size() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::optional<std::int64_t> days;
  if (doy >= 0) {
    if (doy < 1 || doy > (is_leap(y) ? 366 : 365)) return std::nullopt;
    days = days_from_civil(y, 1, 1) + doy - 1;
  } else {
    days = ymd_days(y, mo, d);
  }
  if (!days) return std::nullopt;
  return has_time ? *days * 86400 + h * 3600 + mi * 60 + sec : *days;
}

bool pattern_has_time(std::string_view pat) noexcept {
  for (std::size_t i = 0; i + 1 < pat.size(); ++i)
    if (pat[i] == '%') {
      const char c = pat[i + 1];
      if (c == 'H' || c == 'M' || c == 'S') return true;
      ++i;
    }
  return false;
}

}  // namespace

bool DateFormat::has_time() const noexcept {
  switch (kind) {
    case Kind::Yyyymmdd:
    case Kind::IsoDate: return false;
    case Kind::IsoDateTime:
    case Kind::UnixSeconds: return true;
    case Kind::Pattern: return pattern_has_time(pattern);
  }
  return false;
}

std::string DateFormat::describe() const {
  switch (kind) {
    case Kind::Yyyymmdd: return "a date as YYYYMMDD";
    case Kind::IsoDate: return "a date as YYYY-MM-DD";
    case Kind::IsoDateTime: return "an ISO 8601 date-time (YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm])";
    case Kind::UnixSeconds: return "Unix seconds (an integer)";
    case Kind::Pattern: return "a date as '" + pattern + "'";
  }
  return "a date";
}

DateFormat DateFormat::from_spec(std::string_view spec) {
  DateFormat f;
  if (spec == "YYYYMMDD" || spec == "yyyymmdd") {
    f.kind = Kind::Yyyymmdd;
  } else if (spec == "YYYY-MM-DD" || spec == "yyyy-mm-dd") {
    f.kind = Kind::IsoDate;
  } else if (spec == "iso" || spec == "ISO" || spec == "iso8601") {
    f.kind = Kind::IsoDateTime;
  } else if (spec == "unix" || spec == "epoch") {
    f.kind = Kind::UnixSeconds;
  } else if (spec.find('%') != std::string_view::npos) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      if (spec[i] != '%') continue;
      if (i + 1 >= spec.size() ||
          std::string_view("YymdHMSjb%").find(spec[i + 1]) == std::string_view::npos)
        throw InvalidArgument("DateFormat::from_spec", "date_format", std::string(spec),
                              "supported directives are %Y %y %m %d %H %M %S %j %b %%");
      ++i;
    }
    f.kind = Kind::Pattern;
    f.pattern = std::string(spec);
  } else {
    throw InvalidArgument("DateFormat::from_spec", "date_format", std::string(spec),
                          "must be YYYYMMDD, YYYY-MM-DD, iso, unix or a strftime pattern with %");
  }
  return f;
}

std::optional<std::int64_t> parse_date(std::string_view s, const DateFormat& fmt) noexcept {
  switch (fmt.kind) {
    case DateFormat::Kind::Yyyymmdd: {
      std::size_t p = 0;
      std::int64_t y, m, d;
      if (s.size() != 8 || !digits(s, p, 4, y) || !digits(s, p, 2, m) || !digits(s, p, 2, d))
        return std::nullopt;
      return ymd_days(y, m, d);
    }
    case DateFormat::Kind::IsoDate: {
      std::size_t p = 0;
      std::int64_t y, m, d;
      if (s.size() != 10 || !digits(s, p, 4, y) || !lit(s, p, '-') || !digits(s, p, 2, m) ||
          !lit(s, p, '-') || !digits(s, p, 2, d))
        return std::nullopt;
      return ymd_days(y, m, d);
    }
    case DateFormat::Kind::IsoDateTime: return parse_iso_datetime(s);
    case DateFormat::Kind::UnixSeconds: {
      std::size_t p = 0;
      bool neg = lit(s, p, '-');
      std::int64_t v;
      if (s.size() - p > 12 || !digits_upto(s, p, 12, v) || p != s.size()) return std::nullopt;
      return neg ? -v : v;
    }
    case DateFormat::Kind::Pattern: {
      bool has_time = false;
      return parse_pattern(s, fmt.pattern, has_time);
    }
  }
  return std::nullopt;
}

std::string format_date(std::int64_t days) {
  const CivilDate c = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string format_datetime(std::int64_t seconds) {
  const std::int64_t day = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const std::int64_t rem = seconds - day * 86400;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", format_date(day).c_str(),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

std::int64_t parse_date_arg(std::string_view text, const char* function, const char* argument) {
  DateFormat iso;
  iso.kind = DateFormat::Kind::IsoDate;
  if (auto d = parse_date(text, iso)) return *d;
  DateFormat compact;
  compact.kind = DateFormat::Kind::Yyyymmdd;
  if (auto d = parse_date(text, compact)) return *d;
  throw InvalidArgument(function, argument, "'" + std::string(text) + "'",
                        "must be a valid date as YYYY-MM-DD or YYYYMMDD");
}

}  // namespace crmkit::io
