// The CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html), generated from
// what the server implements: the resource types in the definitions registry and the
// interactions that have a handler in the dispatch table. Never a hand-written claim.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "fhir/definitions/registry.h"
#include "server/rest/exchange.h"
#include "server/rest/router.h"

namespace schakel::server::rest {

using ImplementedInteractions = std::array<bool, kInteractionKindCount>;

// Serialized compact JSON. `now_ms` becomes CapabilityStatement.date.
std::string BuildCapabilityStatement(const ApiOptions& options,
                                     const fhir::definitions::Registry& registry,
                                     const fhir::search::SearchParameterRegistry& search_params,
                                     const ImplementedInteractions& implemented,
                                     std::int64_t now_ms);

}  // namespace schakel::server::rest
