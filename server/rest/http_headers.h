// HTTP header values FHIR relies on: dates (RFC 9110 IMF-fixdate), entity tags for versions
// (W/"3"), and the Prefer header (RFC 7240). https://hl7.org/fhir/R4/http.html#versioning
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schakel::server::rest {

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string FormatHttpDate(std::int64_t epoch_ms);
// Milliseconds since the epoch for an IMF-fixdate; nullopt when it is not one (RFC 9110 says to
// ignore an invalid date in conditional headers).
std::optional<std::int64_t> ParseHttpDate(std::string_view text);

// W/"3"
std::string VersionETag(std::int64_t version);

// A parsed entity-tag list: `*`, or version numbers. Tags that are not our version tags are kept
// as "never matches" so that `If-Match: "abc"` fails rather than being ignored.
struct ETagList {
  bool any = false;
  std::vector<std::int64_t> versions;
  bool has_foreign = false;
  bool Matches(std::int64_t version) const;
};
// Parses `W/"3"`, `"3"`, `*`, and comma-separated lists of them. nullopt on syntax errors.
std::optional<ETagList> ParseETagList(std::string_view header);

enum class ReturnPreference { kRepresentation, kMinimal, kOperationOutcome };

struct Prefer {
  ReturnPreference return_preference = ReturnPreference::kRepresentation;
  bool handling_strict = false;
};
Prefer ParsePrefer(std::string_view header);

}  // namespace schakel::server::rest
