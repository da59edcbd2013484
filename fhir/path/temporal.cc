// Partial dates, dateTimes and times: parsing, formatting and comparison at mixed precision.
// http://hl7.org/fhirpath/N1/#datetime-equality
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "fhir/path/value.h"
#include "fhir/primitives/date_time.h"

namespace schakel::fhir::path {
namespace {

bool ReadInt(std::string_view text, std::size_t& i, std::size_t digits, int& out) {
  if (i + digits > text.size()) return false;
  int v = 0;
  for (std::size_t k = 0; k < digits; ++k) {
    char c = text[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  i += digits;
  return true;
}

// hh(:mm(:ss(.f+)?)?)? into v, starting at precision 4; returns false when malformed.
bool ReadTime(std::string_view text, std::size_t& i, DateTimeValue& v) {
  if (!ReadInt(text, i, 2, v.hour) || v.hour > 23) return false;
  v.precision = 4;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!ReadInt(text, i, 2, v.minute) || v.minute > 59) return false;
    v.precision = 5;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!ReadInt(text, i, 2, v.second) || v.second > 59) return false;
      v.precision = 6;
      if (i < text.size() && text[i] == '.') {
        ++i;
        std::size_t start = i;
        int ms = 0;
        int digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (digits < 3) ms = ms * 10 + (text[i] - '0');
          ++digits;
          ++i;
        }
        if (i == start) return false;
        for (; digits < 3; ++digits) ms *= 10;
        v.millisecond = ms;
        v.precision = 7;
      }
    }
  }
  return true;
}

}  // namespace

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

namespace {

// Minutes since the epoch of the value's fields (ignoring the zone).
std::int64_t EpochMinutes(const DateTimeValue& v) {
  return DaysFromCivil(v.year, static_cast<unsigned>(v.month), static_cast<unsigned>(v.day)) *
             1440 +
         std::int64_t{v.hour} * 60 + v.minute;
}

// Shifts a value with a zone and at least hour precision to UTC.
DateTimeValue ToUtc(const DateTimeValue& v) {
  if (!v.has_zone || v.zone_minutes == 0 || v.precision < 4) return v;
  DateTimeValue out = v;
  std::int64_t minutes = EpochMinutes(v) - v.zone_minutes;
  std::int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  std::int64_t rest = minutes - days * 1440;
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  out.year = static_cast<int>(y);
  out.month = static_cast<int>(m);
  out.day = static_cast<int>(d);
  out.hour = static_cast<int>(rest / 60);
  out.minute = static_cast<int>(rest % 60);
  out.zone_minutes = 0;
  return out;
}

}  // namespace

// Compares field by field down to the coarser precision; seconds and milliseconds count as one
// precision (http://hl7.org/fhirpath/N1/#datetime-equality).
std::optional<int> CompareDateTimeValues(const DateTimeValue& a0, const DateTimeValue& b0,
                                         bool is_time) {
  // With only one side in a known zone, the instant of the other is unknown.
  if (!is_time && a0.has_zone != b0.has_zone && a0.precision >= 4 && b0.precision >= 4) {
    return std::nullopt;
  }
  DateTimeValue a = is_time ? a0 : ToUtc(a0);
  DateTimeValue b = is_time ? b0 : ToUtc(b0);
  auto level = [](int precision) { return precision == 7 ? 6 : precision; };
  const std::int64_t fa[] = {a.year, a.month,  a.day,
                             a.hour, a.minute, a.second * 1000 + a.millisecond};
  const std::int64_t fb[] = {b.year, b.month,  b.day,
                             b.hour, b.minute, b.second * 1000 + b.millisecond};
  const int la = level(a.precision);
  const int lb = level(b.precision);
  const int start = is_time ? 3 : 0;
  for (int k = start; k < std::min(la, lb); ++k) {
    if (fa[k] != fb[k]) return fa[k] < fb[k] ? -1 : 1;
  }
  if (la != lb) return std::nullopt;
  return 0;
}

std::optional<DateTimeValue> ParseDateTimeValue(std::string_view text) {
  DateTimeValue v;
  std::size_t i = 0;
  if (!ReadInt(text, i, 4, v.year)) return std::nullopt;
  v.precision = 1;
  if (i < text.size() && text[i] == '-') {
    ++i;
    if (!ReadInt(text, i, 2, v.month) || v.month < 1 || v.month > 12) return std::nullopt;
    v.precision = 2;
    if (i < text.size() && text[i] == '-') {
      ++i;
      if (!ReadInt(text, i, 2, v.day) || v.day < 1 || v.day > DaysInMonth(v.year, v.month)) {
        return std::nullopt;
      }
      v.precision = 3;
    }
  }
  if (i < text.size() && text[i] == 'T') {
    ++i;
    if (i == text.size()) return v;  // "2020-01-01T": a dateTime at day precision
    if (v.precision != 3 || !ReadTime(text, i, v)) return std::nullopt;
    if (i < text.size() && text[i] == 'Z') {
      ++i;
      v.has_zone = true;
    } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      int sign = text[i] == '-' ? -1 : 1;
      ++i;
      int h = 0;
      int m = 0;
      if (!ReadInt(text, i, 2, h) || i >= text.size() || text[i] != ':') return std::nullopt;
      ++i;
      if (!ReadInt(text, i, 2, m)) return std::nullopt;
      v.has_zone = true;
      v.zone_minutes = sign * (h * 60 + m);
    }
  }
  if (i != text.size()) return std::nullopt;
  return v;
}

std::optional<DateTimeValue> ParseTimeValue(std::string_view text) {
  DateTimeValue v;
  std::size_t i = 0;
  if (!ReadTime(text, i, v) || i != text.size()) return std::nullopt;
  return v;
}

std::string FormatDateTimeValue(const DateTimeValue& v, bool has_date, bool has_time) {
  char buffer[64];
  std::string out;
  if (has_date) {
    std::snprintf(buffer, sizeof buffer, "%04d", v.year);
    out += buffer;
    if (v.precision >= 2) {
      std::snprintf(buffer, sizeof buffer, "-%02d", v.month);
      out += buffer;
    }
    if (v.precision >= 3) {
      std::snprintf(buffer, sizeof buffer, "-%02d", v.day);
      out += buffer;
    }
    if (!has_time) return out;
    out += 'T';
    if (v.precision < 4) return out;
  }
  std::snprintf(buffer, sizeof buffer, "%02d", v.hour);
  out += buffer;
  if (v.precision >= 5) {
    std::snprintf(buffer, sizeof buffer, ":%02d", v.minute);
    out += buffer;
  }
  if (v.precision >= 6) {
    std::snprintf(buffer, sizeof buffer, ":%02d", v.second);
    out += buffer;
  }
  if (v.precision >= 7) {
    std::snprintf(buffer, sizeof buffer, ".%03d", v.millisecond);
    out += buffer;
  }
  if (has_date && v.has_zone) {
    if (v.zone_minutes == 0) {
      out += 'Z';
    } else {
      int z = std::abs(v.zone_minutes);
      std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", v.zone_minutes < 0 ? '-' : '+', z / 60,
                    z % 60);
      out += buffer;
    }
  }
  return out;
}

}  // namespace schakel::fhir::path
