// Turning a request into a parsed search: for search itself (GET, POST _search with a form body,
// compartment searches) and for the conditional interactions that select by search.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/search/query.h"
#include "fhir/status.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// The search a search interaction asks for. kInvalidInput (400) for malformed parameters, an
// unsupported form body, or (Prefer: handling=strict) unknown parameters.
fhir::Result<fhir::search::Query> ParseSearchRequest(const Exchange& ex);

// The search of a conditional create/update/delete on `type` from its parameters (the query
// string of the URL, or If-None-Exist's value). Strict: an unknown parameter is a 400, since
// ignoring it would select more than the client meant.
fhir::Result<fhir::search::Query> ParseConditionalSearch(const Exchange& ex, std::string_view type,
                                                         const std::vector<QueryParam>& params);

}  // namespace schakel::server::rest
