// Content negotiation: which format a response is written in, and whether a request body is in
// a format we read. https://hl7.org/fhir/R4/http.html#mime-type
//
// JSON only for now: XML (application/fhir+xml) is recognised so that asking for it gets a clear
// 406/415 rather than a silent JSON answer.
#pragma once

#include <string_view>

#include "fhir/status.h"
#include "server/rest/query.h"

namespace schakel::server::rest {

enum class Format { kJson };

struct ResponseFormat {
  Format format = Format::kJson;
  bool pretty = false;
};

// From `_format` (which wins) or the Accept header, plus `_pretty`. kNotAcceptable when no
// acceptable format is one we write; kInvalidInput for a malformed `_pretty`.
fhir::Result<ResponseFormat> NegotiateResponse(const Target& target, std::string_view accept);

// Checks a request body's Content-Type. A missing Content-Type is read as JSON.
// kUnsupportedMediaType for anything else than FHIR JSON in UTF-8.
fhir::Status CheckRequestContentType(std::string_view content_type);

inline constexpr std::string_view kFhirJsonContentType = "application/fhir+json;charset=utf-8";

}  // namespace schakel::server::rest
