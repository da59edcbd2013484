// Request targets: the path split into decoded segments, and the query string into parameters.
// https://hl7.org/fhir/R4/http.html#general (URL encoding) and RFC 3986.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace schakel::server::rest {

struct QueryParam {
  std::string name;   // decoded; may carry a modifier, e.g. "name:exact"
  std::string value;  // decoded ('+' is a space)
};

struct Target {
  std::vector<std::string> segments;  // decoded path segments
  std::vector<QueryParam> params;     // in order, repeats kept
  std::string query;                  // the raw query string (without '?')

  // The first value of `name`, or nullptr.
  const std::string* Param(std::string_view name) const;
};

// Percent-decodes; `plus_is_space` for query strings. Fails on broken %-escapes and on %00.
fhir::Result<std::string> PercentDecode(std::string_view in, bool plus_is_space);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view in);

// Parses a query string or an application/x-www-form-urlencoded body ("a=1&b=x+y").
fhir::Result<std::vector<QueryParam>> ParseForm(std::string_view query);

// Splits "/fhir/Patient/1?x=y" into segments after `base_path` ("/fhir") and parameters.
// kNotFound when the path is not under base_path; kInvalidInput for bad encoding.
fhir::Result<Target> ParseTarget(std::string_view target, std::string_view base_path);

}  // namespace schakel::server::rest
