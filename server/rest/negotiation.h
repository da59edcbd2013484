// Content negotiation: which format a response is written in, and which format a request body
// is in. https://hl7.org/fhir/R4/http.html#mime-type
//
// FHIR JSON and FHIR XML, both in UTF-8. `_format` wins over Accept; among Accept's media ranges
// the highest q-value wins, JSON on a tie (and for */*).
#pragma once

#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/status.h"
#include "server/rest/query.h"

namespace schakel::server::rest {

enum class Format { kJson, kXml };

struct ResponseFormat {
  Format format = Format::kJson;
  bool pretty = false;
  // Needed to write XML (element order, which elements repeat); set once the API knows it.
  const fhir::definitions::Registry* registry = nullptr;
};

// From `_format` (which wins) or the Accept header, plus `_pretty`. kNotAcceptable when no
// acceptable format is one we write; kInvalidInput for a malformed `_pretty`.
fhir::Result<ResponseFormat> NegotiateResponse(const Target& target, std::string_view accept);

// The format of a request body from its Content-Type; a missing Content-Type is read as JSON.
// kUnsupportedMediaType for anything but FHIR JSON or FHIR XML in UTF-8.
fhir::Result<Format> RequestBodyFormat(std::string_view content_type);

inline constexpr std::string_view kFhirJsonContentType = "application/fhir+json;charset=utf-8";
inline constexpr std::string_view kFhirXmlContentType = "application/fhir+xml;charset=utf-8";

}  // namespace schakel::server::rest
