#include "fhir/primitives/formats.h"

#include <cstddef>

namespace schakel::fhir {
namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;
constexpr std::int64_t kMinInt32 = -2147483648LL;
constexpr std::size_t kMaxIdLength = 64;
constexpr std::size_t kUuidHexLength = 36;  // 8-4-4-4-12
constexpr std::string_view kOidPrefix = "urn:oid:";
constexpr std::string_view kUuidPrefix = "urn:uuid:";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Java's \s, which the R4 regexes use.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Below U+0020 and not tab, LF or CR.
bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' || c == '/';
}

std::string_view KindName(json::Kind kind) {
  switch (kind) {
    case json::Kind::kNull:
      return "null";
    case json::Kind::kBool:
      return "a boolean";
    case json::Kind::kNumber:
      return "a number";
    case json::Kind::kString:
      return "a string";
    case json::Kind::kArray:
      return "an array";
    case json::Kind::kObject:
      return "an object";
  }
  return "a value";
}

std::string Invalid(PrimitiveType type, std::string_view why) {
  std::string out = "not a valid ";
  out += PrimitiveTypeCode(type);
  out += ": ";
  out += why;
  return out;
}

std::string TwoDigits(int v) {
  return {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

std::string ControlCharacter(PrimitiveType type, std::string_view s, std::size_t at) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto u = static_cast<unsigned char>(s[at]);
  std::string why = "control character U+00";
  why += kHex[u >> 4];
  why += kHex[u & 0xF];
  why += " at offset " + std::to_string(at);
  return Invalid(type, why);
}

// string and markdown: any text without control characters, at most kMaxStringLength code points.
std::string CheckText(PrimitiveType type, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (IsControl(s[i])) return ControlCharacter(type, s, i);
  }
  if (s.size() > kMaxStringLength) {
    // Only long strings need counting: a code point is at least one byte.
    std::size_t code_points = 0;
    for (char c : s) code_points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (code_points > kMaxStringLength) {
      return Invalid(type, "longer than " + std::to_string(kMaxStringLength) + " characters");
    }
  }
  return {};
}

// code: [^\s]+(\s[^\s]+)*
std::string CheckCode(std::string_view s) {
  constexpr PrimitiveType kType = PrimitiveType::kCode;
  bool previous_space = true;  // so that a leading space is caught
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (IsControl(c)) return ControlCharacter(kType, s, i);
    const bool space = IsSpace(c);
    if (space && i == 0) return Invalid(kType, "leading whitespace");
    if (space && previous_space) return Invalid(kType, "consecutive whitespace");
    previous_space = space;
  }
  if (previous_space) return Invalid(kType, "trailing whitespace");
  return {};
}

// id: [A-Za-z0-9\-\.]{1,64}
std::string CheckId(std::string_view s) {
  if (s.size() > kMaxIdLength) return Invalid(PrimitiveType::kId, "longer than 64 characters");
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '.')) {
      return Invalid(PrimitiveType::kId, "only letters, digits, '-' and '.' are allowed");
    }
  }
  return {};
}

// uri, url, canonical: \S*
std::string CheckUri(PrimitiveType type, std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (IsSpace(s[i])) return Invalid(type, "contains whitespace");
    if (IsControl(s[i])) return ControlCharacter(type, s, i);
  }
  return {};
}

// oid: urn:oid:[0-2](\.(0|[1-9][0-9]*))+
std::string CheckOid(std::string_view s) {
  constexpr PrimitiveType kType = PrimitiveType::kOid;
  if (!s.starts_with(kOidPrefix)) return Invalid(kType, "must start with urn:oid:");
  std::size_t pos = kOidPrefix.size();
  if (pos >= s.size() || s[pos] < '0' || s[pos] > '2') {
    return Invalid(kType, "the first arc must be 0, 1 or 2");
  }
  ++pos;
  if (pos == s.size()) return Invalid(kType, "needs at least two arcs");
  while (pos < s.size()) {
    if (s[pos] != '.') return Invalid(kType, "arcs are numbers separated by '.'");
    const std::size_t start = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return Invalid(kType, "empty arc");
    if (s[start] == '0' && pos - start > 1) return Invalid(kType, "arc with a leading zero");
  }
  return {};
}

// uuid: urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
std::string CheckUuid(std::string_view s) {
  constexpr PrimitiveType kType = PrimitiveType::kUuid;
  if (!s.starts_with(kUuidPrefix)) return Invalid(kType, "must start with urn:uuid:");
  const std::string_view hex = s.substr(kUuidPrefix.size());
  if (hex.size() != kUuidHexLength) return Invalid(kType, "expected 8-4-4-4-12 hex digits");
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return Invalid(kType, "expected 8-4-4-4-12 hex digits");
    } else if (c >= 'A' && c <= 'F') {
      return Invalid(kType, "hex digits must be lowercase");
    } else if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) {
      return Invalid(kType, "expected 8-4-4-4-12 hex digits");
    }
  }
  return {};
}

// base64Binary: (\s*([0-9a-zA-Z\+/=]){4}\s*)+ with '=' only as padding of the last group.
std::string CheckBase64(std::string_view s) {
  constexpr PrimitiveType kType = PrimitiveType::kBase64Binary;
  std::size_t n = 0;  // base64 characters so far
  bool padded = false;
  for (char c : s) {
    if (IsSpace(c)) {
      if (n % 4 != 0) return Invalid(kType, "whitespace inside a group of four characters");
    } else if (c == '=') {
      if (n % 4 < 2) return Invalid(kType, "misplaced '=' padding");
      padded = true;
      ++n;
    } else if (IsBase64Char(c)) {
      if (padded) return Invalid(kType, "data after '=' padding");
      ++n;
    } else {
      return Invalid(kType, "invalid character");
    }
  }
  if (n == 0) return Invalid(kType, "no data");
  if (n % 4 != 0) return Invalid(kType, "length is not a multiple of 4");
  return {};
}

// xhtml: only that it is a div; the narrative rules live with the XHTML checks.
std::string CheckXhtml(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  const std::string_view rest = s.substr(pos);
  if (!rest.starts_with("<div") || rest.size() == 4 ||
      !(IsSpace(rest[4]) || rest[4] == '>' || rest[4] == '/')) {
    return Invalid(PrimitiveType::kXhtml, "must be a <div> element");
  }
  return {};
}

// The digits of a JSON number, per type: integer -?(0|[1-9][0-9]*), unsignedInt 0|([1-9][0-9]*),
// positiveInt [1-9][0-9]*, each within 32 bits.
std::string CheckInteger(PrimitiveType type, std::string_view s) {
  std::size_t pos = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) {
    if (type != PrimitiveType::kInteger) return Invalid(type, "must not be negative");
    ++pos;
  }
  const std::size_t start = pos;
  std::int64_t magnitude = 0;
  while (pos < s.size() && IsDigit(s[pos])) {
    // Stop accumulating once out of range; the digits are still scanned for the message.
    if (magnitude <= kMaxInt32 + 1) magnitude = magnitude * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos == start) return Invalid(type, "expected digits");
  if (pos != s.size()) return Invalid(type, "has a fraction or exponent");
  if (s[start] == '0' && pos - start > 1) return Invalid(type, "leading zero");
  const std::int64_t v = negative ? -magnitude : magnitude;
  if (v > kMaxInt32 || v < kMinInt32) return Invalid(type, "out of the 32-bit range");
  if (type == PrimitiveType::kPositiveInt && v == 0) return Invalid(type, "must be at least 1");
  return {};
}

// decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (the JSON number grammar).
std::string CheckDecimal(std::string_view s) {
  constexpr PrimitiveType kType = PrimitiveType::kDecimal;
  std::size_t pos = 0;
  if (pos < s.size() && s[pos] == '-') ++pos;
  const std::size_t start = pos;
  while (pos < s.size() && IsDigit(s[pos])) ++pos;
  if (pos == start) return Invalid(kType, "expected digits");
  if (s[start] == '0' && pos - start > 1) return Invalid(kType, "leading zero");
  if (pos < s.size() && s[pos] == '.') {
    const std::size_t fraction = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == fraction) return Invalid(kType, "expected digits after '.'");
  }
  if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
    ++pos;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) ++pos;
    const std::size_t exponent = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == exponent) return Invalid(kType, "expected digits in the exponent");
  }
  if (pos != s.size()) return Invalid(kType, "unexpected characters");
  return {};
}

// Reads `n` digits at `pos` into `out`.
bool ReadDigits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// hh:mm:ss(\.[0-9]+)? at `pos`, advancing it. Seconds may be 60 (a leap second).
std::string CheckTimeOfDay(PrimitiveType type, std::string_view s, std::size_t& pos) {
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ReadDigits(s, pos, 2, hour) || pos + 8 > s.size() || s[pos + 2] != ':' ||
      !ReadDigits(s, pos + 3, 2, minute) || s[pos + 5] != ':' ||
      !ReadDigits(s, pos + 6, 2, second)) {
    return Invalid(type, "expected a time hh:mm:ss");
  }
  if (hour > 23) return Invalid(type, "hour " + TwoDigits(hour));
  if (minute > 59) return Invalid(type, "minute " + TwoDigits(minute));
  if (second > 60) return Invalid(type, "second " + TwoDigits(second));
  pos += 8;
  if (pos < s.size() && s[pos] == '.') {
    const std::size_t fraction = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == fraction) return Invalid(type, "expected digits after '.'");
  }
  return {};
}

// date, dateTime and instant:
//   YYYY(-MM(-DD(Thh:mm:ss(.f+)?(Z|(+|-)hh:mm))?)?)?
// with years 0001-9999, real calendar days, and zone offsets up to 14:00.
std::string CheckDateTime(PrimitiveType type, std::string_view s) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (!ReadDigits(s, 0, 4, year)) return Invalid(type, "expected a four-digit year");
  if (year == 0) return Invalid(type, "year 0000");
  std::size_t pos = 4;
  int parts = 1;
  if (pos < s.size() && s[pos] == '-') {
    if (!ReadDigits(s, pos + 1, 2, month)) return Invalid(type, "expected a two-digit month");
    if (month < 1 || month > 12) return Invalid(type, "month " + TwoDigits(month));
    pos += 3;
    ++parts;
    if (pos < s.size() && s[pos] == '-') {
      if (!ReadDigits(s, pos + 1, 2, day)) return Invalid(type, "expected a two-digit day");
      if (day < 1 || day > DaysInMonth(year, month)) {
        return Invalid(type,
                       "day " + TwoDigits(day) + " does not exist in " + std::string(s, 0, 7));
      }
      pos += 3;
      ++parts;
    }
  }
  if (pos == s.size()) {
    if (type == PrimitiveType::kInstant) {
      return Invalid(type, "needs a time to the second with a time zone");
    }
    return {};
  }
  if (s[pos] != 'T') return Invalid(type, "unexpected characters after the date");
  if (type == PrimitiveType::kDate) return Invalid(type, "has a time (that is a dateTime)");
  if (parts != 3) return Invalid(type, "a time needs a full date");
  ++pos;
  std::string time = CheckTimeOfDay(type, s, pos);
  if (!time.empty()) return time;
  if (pos == s.size()) return Invalid(type, "a time needs a time zone (Z or +hh:mm)");
  if (s[pos] == 'Z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int zone_hour = 0;
    int zone_minute = 0;
    if (!ReadDigits(s, pos + 1, 2, zone_hour) || pos + 6 > s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, zone_minute)) {
      return Invalid(type, "expected a time zone Z or +hh:mm");
    }
    if (zone_minute > 59 || zone_hour > 14 || (zone_hour == 14 && zone_minute != 0)) {
      return Invalid(type, "time zone offset beyond 14:00");
    }
    pos += 6;
  } else {
    return Invalid(type, "a time needs a time zone (Z or +hh:mm)");
  }
  if (pos != s.size()) return Invalid(type, "unexpected characters after the time zone");
  return {};
}

// time: hh:mm:ss(.f+)?
std::string CheckTime(std::string_view s) {
  std::size_t pos = 0;
  std::string why = CheckTimeOfDay(PrimitiveType::kTime, s, pos);
  if (!why.empty()) return why;
  if (pos != s.size()) return Invalid(PrimitiveType::kTime, "unexpected characters after the time");
  return {};
}

json::Kind ExpectedKind(PrimitiveType type) {
  switch (type) {
    case PrimitiveType::kBoolean:
      return json::Kind::kBool;
    case PrimitiveType::kInteger:
    case PrimitiveType::kDecimal:
    case PrimitiveType::kUnsignedInt:
    case PrimitiveType::kPositiveInt:
      return json::Kind::kNumber;
    default:
      return json::Kind::kString;
  }
}

std::string WrongKind(json::Kind expected, json::Kind actual) {
  std::string out = "expected ";
  switch (expected) {
    case json::Kind::kBool:
      out += "JSON true or false";
      break;
    case json::Kind::kNumber:
      out += "a JSON number";
      break;
    default:
      out += "a JSON string";
      break;
  }
  out += ", not ";
  out += KindName(actual);
  return out;
}

}  // namespace

std::optional<PrimitiveType> PrimitiveTypeFromCode(std::string_view code) {
  // Switch on the length first: most codes are then settled by one comparison.
  switch (code.size()) {
    case 2:
      if (code == "id") return PrimitiveType::kId;
      break;
    case 3:
      if (code == "uri") return PrimitiveType::kUri;
      if (code == "url") return PrimitiveType::kUrl;
      if (code == "oid") return PrimitiveType::kOid;
      break;
    case 4:
      if (code == "code") return PrimitiveType::kCode;
      if (code == "date") return PrimitiveType::kDate;
      if (code == "time") return PrimitiveType::kTime;
      if (code == "uuid") return PrimitiveType::kUuid;
      break;
    case 5:
      if (code == "xhtml") return PrimitiveType::kXhtml;
      break;
    case 6:
      if (code == "string") return PrimitiveType::kString;
      break;
    case 7:
      if (code == "boolean") return PrimitiveType::kBoolean;
      if (code == "integer") return PrimitiveType::kInteger;
      if (code == "decimal") return PrimitiveType::kDecimal;
      if (code == "instant") return PrimitiveType::kInstant;
      break;
    case 8:
      if (code == "dateTime") return PrimitiveType::kDateTime;
      if (code == "markdown") return PrimitiveType::kMarkdown;
      break;
    case 9:
      if (code == "canonical") return PrimitiveType::kCanonical;
      break;
    case 11:
      if (code == "unsignedInt") return PrimitiveType::kUnsignedInt;
      if (code == "positiveInt") return PrimitiveType::kPositiveInt;
      break;
    case 12:
      if (code == "base64Binary") return PrimitiveType::kBase64Binary;
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::string_view PrimitiveTypeCode(PrimitiveType type) {
  switch (type) {
    case PrimitiveType::kBoolean:
      return "boolean";
    case PrimitiveType::kInteger:
      return "integer";
    case PrimitiveType::kString:
      return "string";
    case PrimitiveType::kDecimal:
      return "decimal";
    case PrimitiveType::kUri:
      return "uri";
    case PrimitiveType::kUrl:
      return "url";
    case PrimitiveType::kCanonical:
      return "canonical";
    case PrimitiveType::kBase64Binary:
      return "base64Binary";
    case PrimitiveType::kInstant:
      return "instant";
    case PrimitiveType::kDate:
      return "date";
    case PrimitiveType::kDateTime:
      return "dateTime";
    case PrimitiveType::kTime:
      return "time";
    case PrimitiveType::kCode:
      return "code";
    case PrimitiveType::kOid:
      return "oid";
    case PrimitiveType::kId:
      return "id";
    case PrimitiveType::kMarkdown:
      return "markdown";
    case PrimitiveType::kUnsignedInt:
      return "unsignedInt";
    case PrimitiveType::kPositiveInt:
      return "positiveInt";
    case PrimitiveType::kUuid:
      return "uuid";
    case PrimitiveType::kXhtml:
      return "xhtml";
  }
  return "unknown";
}

std::string CheckPrimitive(PrimitiveType type, const json::Value& value) {
  const json::Kind expected = ExpectedKind(type);
  if (value.kind() != expected) return WrongKind(expected, value.kind());
  if (type == PrimitiveType::kBoolean) return {};
  const std::string_view s = value.text();
  if (s.empty()) return Invalid(type, "empty string (omit the element instead)");
  switch (type) {
    case PrimitiveType::kBoolean:
      return {};
    case PrimitiveType::kInteger:
    case PrimitiveType::kUnsignedInt:
    case PrimitiveType::kPositiveInt:
      return CheckInteger(type, s);
    case PrimitiveType::kDecimal:
      return CheckDecimal(s);
    case PrimitiveType::kString:
    case PrimitiveType::kMarkdown:
      return CheckText(type, s);
    case PrimitiveType::kUri:
    case PrimitiveType::kUrl:
    case PrimitiveType::kCanonical:
      return CheckUri(type, s);
    case PrimitiveType::kBase64Binary:
      return CheckBase64(s);
    case PrimitiveType::kInstant:
    case PrimitiveType::kDate:
    case PrimitiveType::kDateTime:
      return CheckDateTime(type, s);
    case PrimitiveType::kTime:
      return CheckTime(s);
    case PrimitiveType::kCode:
      return CheckCode(s);
    case PrimitiveType::kOid:
      return CheckOid(s);
    case PrimitiveType::kId:
      return CheckId(s);
    case PrimitiveType::kUuid:
      return CheckUuid(s);
    case PrimitiveType::kXhtml:
      return CheckXhtml(s);
  }
  return {};
}

std::string CheckPrimitive(std::string_view type_code, const json::Value& value) {
  const std::optional<PrimitiveType> type = PrimitiveTypeFromCode(type_code);
  return type ? CheckPrimitive(*type, value) : std::string();
}

}  // namespace schakel::fhir
