#include "server/rest/http_headers.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "fhir/primitives/date_time.h"
#include "server/http/wire.h"

namespace schakel::server::rest {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::int64_t kMsPerDay = 86'400'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string FormatHttpDate(std::int64_t epoch_ms) {
  // Whole seconds, rounded down (also before 1970).
  std::int64_t seconds = epoch_ms / 1000 - (epoch_ms % 1000 < 0 ? 1 : 0);
  return http::FormatHttpDate(static_cast<std::time_t>(seconds));
}

std::optional<std::int64_t> ParseHttpDate(std::string_view s) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
  s = Trim(s);
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ParseInt(s.substr(5, 2), day) || !ParseInt(s.substr(12, 4), year) ||
      !ParseInt(s.substr(17, 2), hour) || !ParseInt(s.substr(20, 2), minute) ||
      !ParseInt(s.substr(23, 2), second)) {
    return std::nullopt;
  }
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0 || day < 1 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  // Reject 31 February rather than reading it as 2 March.
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  fhir::CivilFromDays(
      fhir::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)), y, m, d);
  if (static_cast<int>(d) != day || static_cast<int>(m) != month) return std::nullopt;
  std::int64_t days =
      fhir::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * kMsPerDay + ((hour * 60 + minute) * 60 + second) * 1000LL;
}

std::string VersionETag(std::int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

bool ETagList::Matches(std::int64_t version) const {
  if (any) return true;
  for (std::int64_t v : versions) {
    if (v == version) return true;
  }
  return false;
}

std::optional<ETagList> ParseETagList(std::string_view header) {
  ETagList list;
  std::string_view rest = header;
  bool seen = false;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view tag = Trim(rest.substr(0, comma));
    if (tag.empty()) {
      // RFC 9110 5.6.1: empty list elements are allowed and do not count.
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
      continue;
    }
    if (tag == "*") {
      list.any = true;
    } else {
      if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
      if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') {
        // Be lenient with a bare version number, which some clients send.
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(tag.data(), tag.data() + tag.size(), v);
        if (tag.empty() || ec != std::errc() || p != tag.data() + tag.size()) return std::nullopt;
        list.versions.push_back(v);
      } else {
        std::string_view inner = tag.substr(1, tag.size() - 2);
        std::int64_t v = 0;
        auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), v);
        if (!inner.empty() && ec == std::errc() && p == inner.data() + inner.size()) {
          list.versions.push_back(v);
        } else {
          list.has_foreign = true;
        }
      }
    }
    seen = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!seen) return std::nullopt;
  return list;
}

Prefer ParsePrefer(std::string_view header) {
  Prefer prefer;
  std::string_view rest = header;
  while (!rest.empty()) {
    std::size_t sep = rest.find_first_of(",;");
    std::string_view raw = Trim(rest.substr(0, sep));
    rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
    // Normalize `name = "value"` to `name=value` (RFC 7240 allows quoted values and spaces).
    std::string token(raw);
    if (std::size_t eq = raw.find('='); eq != std::string_view::npos) {
      std::string_view value = Trim(raw.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      token = std::string(Trim(raw.substr(0, eq))) + "=" + std::string(value);
    }
    if (token == "return=minimal") prefer.return_preference = ReturnPreference::kMinimal;
    if (token == "return=representation") {
      prefer.return_preference = ReturnPreference::kRepresentation;
    }
    if (token == "return=OperationOutcome") {
      prefer.return_preference = ReturnPreference::kOperationOutcome;
    }
    if (token == "handling=strict") prefer.handling_strict = true;
    if (token == "handling=lenient") prefer.handling_strict = false;
  }
  return prefer;
}

}  // namespace schakel::server::rest
