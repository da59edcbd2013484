// `schakel fhirpath [--input FILE.json|FILE.xml] [--resources DIR] EXPRESSION`: evaluates a
// FHIRPath expression against a resource (or an empty object) and prints the result as JSON,
// [{"type": ..., "value": ...}, ...]. Errors go to stderr with their position; exit code 1 for
// an expression that does not parse or evaluate, 2 for usage errors and unreadable input.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

int RunFhirPath(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
