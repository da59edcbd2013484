// Building HTTP responses for FHIR: the one place where a Status becomes an HTTP status code,
// and the shared shape of resource and OperationOutcome responses.
#pragma once

#include <string>

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/http/message.h"
#include "server/rest/exchange.h"
#include "store/store.h"

namespace schakel::server::rest {

int HttpStatusFor(fhir::Code code);

// A resource (given as compact JSON) in the negotiated format: FHIR JSON as it is, or converted
// to FHIR XML; pretty-printed when asked.
http::Response FhirResponse(int status, std::string compact_json, const ResponseFormat& format);
// An OperationOutcome for a failed Status, with the mapped HTTP status.
http::Response ErrorResponse(const fhir::Status& status, const ResponseFormat& format);
// An OperationOutcome of severity information, e.g. after a delete.
http::Response InformationResponse(int status, std::string message, const ResponseFormat& format);

// ETag and Last-Modified of a version.
void SetVersionHeaders(http::Response& response, const store::ResourceVersion& version);

// "<base>/Patient/1" and "<base>/Patient/1/_history/2".
std::string ResourceUrl(const ApiOptions& options, const std::string& type, const std::string& id);
std::string VersionUrl(const ApiOptions& options, const store::ResourceVersion& version);

// The response to a create or update, honouring Prefer: return=.
http::Response WriteResponse(const Exchange& exchange, const store::WriteOutcome& outcome);

}  // namespace schakel::server::rest
