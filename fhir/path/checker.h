// Static (semantic) checking of an expression against its context type; see checker.cc.
// Internal to fhir/path/: callers use Expression::Check.
#pragma once

#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/path/ast.h"
#include "fhir/path/fhirpath.h"
#include "fhir/status.h"

namespace schakel::fhir::path {

Status CheckAgainstType(const Node& root, std::string_view context_type,
                        const definitions::Registry& registry, const CheckOptions& options);

}  // namespace schakel::fhir::path
