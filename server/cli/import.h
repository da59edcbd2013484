// `schakel import FILE|DIR... --data DIR`: loads Bundles, resources and NDJSON files into a data
// directory offline, through the same FHIR API (validation, indexing, reference resolution) as
// HTTP requests, without a running server. import_source.h says what each kind of file becomes.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

// Returns the process exit code: 0 when everything was imported, 1 when anything failed, 2 for
// bad arguments.
int RunImport(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
