// The router: turns a method and a request path into a FHIR interaction, or an error.
// https://hl7.org/fhir/R4/http.html (the URL patterns of each interaction)
#pragma once

#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/status.h"
#include "server/rest/query.h"

namespace schakel::server::rest {

enum class InteractionKind {
  kCapabilities,
  kRead,
  kVread,
  kUpdate,
  kConditionalUpdate,
  kPatch,
  kConditionalPatch,
  kDelete,
  kConditionalDelete,
  kCreate,
  kSearchType,
  kSearchSystem,
  kSearchCompartment,
  kHistoryInstance,
  kHistoryType,
  kHistorySystem,
  kBatchOrTransaction,
  kOperation,
};
inline constexpr int kInteractionKindCount = static_cast<int>(InteractionKind::kOperation) + 1;

// The FHIR code (CapabilityStatement.rest.resource.interaction.code or rest.interaction.code).
std::string_view InteractionCode(InteractionKind kind);

struct Interaction {
  InteractionKind kind = InteractionKind::kCapabilities;
  bool head = false;             // HEAD: answer as GET, without a body
  std::string type;              // resource type, when the URL names one
  std::string id;                // logical id
  std::string version_id;        // for vread
  std::string operation;         // with its '$', e.g. "$validate"
  std::string compartment_type;  // for Patient/1/Observation
};

// The routing decision. kNotFound for unknown paths and types, kMethodNotAllowed (with `*allow`
// set to the methods the path supports, for the Allow header) and kInvalidInput for bad ids.
fhir::Result<Interaction> Route(std::string_view method, const Target& target,
                                const fhir::definitions::Registry& registry, std::string* allow);

}  // namespace schakel::server::rest
