// Reading a resource from a request body (create, update): content type, JSON syntax, the
// resourceType the URL names, and the rules of FHIR JSON that hold for every resource.
#pragma once

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// The request body as FHIR JSON, read as JSON or XML by its Content-Type: 415 for a content type
// we don't read, 400 for a body that does not parse.
fhir::Result<fhir::json::Value> ParseBody(const Exchange& exchange);

// ParseBody, then: 400 for a body that is not a resource of the URL's resourceType, 422 when it
// breaks the definition of its type (one issue each, with its location).
fhir::Result<fhir::json::Value> ReadResourceBody(const Exchange& exchange);

}  // namespace schakel::server::rest
