// Loading example data into an empty server: every *.json file in a folder, each a resource or a
// Bundle of resources, sent through the FHIR API as PUT (or POST when there is no id), so it
// passes the same checks as any client's data.
#pragma once

#include <string>

#include "fhir/status.h"
#include "server/log/logger.h"
#include "server/rest/api.h"

namespace schakel::server::cli {

// Returns the number of resources stored, or the first failure (naming the file and entry).
fhir::Result<int> SeedFromDirectory(const rest::FhirApi& api, const std::string& dir);

}  // namespace schakel::server::cli
