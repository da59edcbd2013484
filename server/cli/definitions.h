// Loading what the FHIR API works from (StructureDefinitions, value sets, profiles, search
// parameters, compartments) out of a resources/ folder; shared by the commands that run the API
// in-process (`serve`, `import`).
#pragma once

#include <string>

#include "fhir/status.h"
#include "server/log/logger.h"
#include "server/rest/exchange.h"

namespace schakel::server::cli {

// The compiled-in resources/ folder unless `resources_dir` is non-empty. Logs what it loaded and
// the search parameters it skipped.
fhir::Result<rest::ApiDefinitions> LoadApiDefinitions(const std::string& resources_dir,
                                                      Logger& logger);

}  // namespace schakel::server::cli
