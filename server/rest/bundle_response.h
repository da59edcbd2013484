// The response Bundle of a batch (batch-response) or a transaction (transaction-response).
// https://hl7.org/fhir/R4/http.html#transaction-response, https://hl7.org/fhir/R4/bundle.html
//
// One entry per request entry, in the request's order. Each has response.status ("201 Created")
// and, as the interaction alone would answer: response.location (relative,
// "Patient/1/_history/1") for what it created, etag and lastModified of the version it wrote or
// read, and the resource (Prefer: return=representation, the default), nothing
// (return=minimal) or an OperationOutcome in response.outcome (return=OperationOutcome, a
// delete's answer, and every failed entry of a batch).
#pragma once

#include <string>
#include <vector>

#include "server/rest/bundle.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// The response Bundle, as compact JSON.
std::string ResponseBundle(const Exchange& exchange, BundleKind kind,
                           const std::vector<BundleEntry>& entries);

// "201 Created": an HTTP status code with its reason phrase, as Bundle.entry.response.status.
std::string StatusLine(int status);

}  // namespace schakel::server::rest
