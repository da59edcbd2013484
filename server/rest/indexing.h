// Every create and update carries the search index entries of the resource it writes, so the
// store writes them in the same transaction (https://hl7.org/fhir/R4/search.html).
#pragma once

#include "fhir/status.h"
#include "server/rest/exchange.h"
#include "store/store.h"

namespace schakel::server::rest {

// Fills write.index from write.resource with the API's search parameters.
fhir::Status AddSearchIndex(const ApiContext& api, store::WriteRequest& write);

}  // namespace schakel::server::rest
