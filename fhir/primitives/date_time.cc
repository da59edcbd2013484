#include "fhir/primitives/date_time.h"

#include <cstdio>

namespace schakel::fhir {
namespace {

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerDay = 86'400'000;

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

unsigned DaysInMonth(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

Status Bad(std::string_view what, std::string_view text, std::string_view why) {
  return Status::InvalidInput(std::string(what) + ": '" + std::string(text) +
                              "' is not a valid FHIR dateTime (" + std::string(why) + ")");
}

}  // namespace

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

Result<DateTimeRange> ParseDateTime(std::string_view s, std::string_view what) {
  // Query strings turn '+' into ' '; a zone written "+01:00" unencoded arrives as " 01:00".
  int year = 0;
  int month = 1;
  int day = 1;
  DateTimeRange r;
  if (!Digits(s, 0, 4, year) || year < 1) return Bad(what, s, "expected a four-digit year");
  r.precision = DatePrecision::kYear;
  std::size_t pos = 4;
  if (pos < s.size()) {
    if (s[pos] != '-' || !Digits(s, pos + 1, 2, month) || month < 1 || month > 12) {
      return Bad(what, s, "expected -MM after the year");
    }
    r.precision = DatePrecision::kMonth;
    pos += 3;
  }
  if (pos < s.size()) {
    if (s[pos] != '-' || !Digits(s, pos + 1, 2, day) || day < 1 ||
        static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
      return Bad(what, s, "expected a valid -DD after the month");
    }
    r.precision = DatePrecision::kDay;
    pos += 3;
  }
  const std::int64_t day_start =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMsPerDay;
  if (pos == s.size()) {
    r.begin_ms = day_start;
    if (r.precision == DatePrecision::kYear) {
      r.end_ms = DaysFromCivil(year + 1, 1, 1) * kMsPerDay;
    } else if (r.precision == DatePrecision::kMonth) {
      r.end_ms = month == 12 ? DaysFromCivil(year + 1, 1, 1) * kMsPerDay
                             : DaysFromCivil(year, static_cast<unsigned>(month) + 1, 1) * kMsPerDay;
    } else {
      r.end_ms = day_start + kMsPerDay;
    }
    return r;
  }
  if (r.precision != DatePrecision::kDay || s[pos] != 'T') {
    return Bad(what, s, "expected T and a time after a full date");
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!Digits(s, pos + 1, 2, hour) || s.size() < pos + 9 || s[pos + 3] != ':' ||
      !Digits(s, pos + 4, 2, minute) || s[pos + 6] != ':' || !Digits(s, pos + 7, 2, second) ||
      hour > 23 || minute > 59 || second > 60) {
    return Bad(what, s, "expected a time hh:mm:ss");
  }
  pos += 9;
  std::int64_t millis = 0;
  r.precision = DatePrecision::kSecond;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += static_cast<std::int64_t>(s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return Bad(what, s, "expected digits after the decimal point");
    r.precision = DatePrecision::kMillisecond;
  }
  if (pos == s.size()) return Bad(what, s, "a time must have a time zone (Z or +hh:mm)");
  std::int64_t offset_ms = 0;
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-' || s[pos] == ' ') {
    int oh = 0;
    int om = 0;
    if (!Digits(s, pos + 1, 2, oh) || s.size() < pos + 6 || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 14 || om > 59 || (oh == 14 && om > 0)) {
      return Bad(what, s, "expected a time zone +hh:mm");
    }
    offset_ms =
        static_cast<std::int64_t>(oh * 60 + om) * 60 * kMsPerSecond * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return Bad(what, s, "unexpected characters after the time");
  }
  if (pos != s.size()) return Bad(what, s, "unexpected characters after the time zone");
  r.has_time_zone = true;
  r.begin_ms = day_start + ((hour * 60 + minute) * 60 + second) * kMsPerSecond + millis - offset_ms;
  r.end_ms = r.begin_ms + (r.precision == DatePrecision::kSecond ? kMsPerSecond : 1);
  return r;
}

Result<DateTimeRange> ParseInstant(std::string_view text, std::string_view what) {
  Result<DateTimeRange> r = ParseDateTime(text, what);
  if (r.ok() && !r->has_time_zone) {
    return Status::InvalidInput(
        std::string(what) + ": '" + std::string(text) +
        "' is not a FHIR instant (it needs a time to the second and a zone)");
  }
  return r;
}

std::string FormatInstant(std::int64_t epoch_ms) {
  std::int64_t days = epoch_ms / kMsPerDay;
  std::int64_t rem = epoch_ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  const std::int64_t seconds = rem / kMsPerSecond;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60),
                static_cast<long long>(rem % kMsPerSecond));
  return buf;
}

}  // namespace schakel::fhir
