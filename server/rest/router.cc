#include "server/rest/router.h"

#include <vector>

#include "fhir/resource.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// One row per URL shape: which interaction each method means there.
struct MethodRoute {
  std::string_view method;
  InteractionKind kind;
};

fhir::Result<Interaction> Pick(std::string_view method, const std::vector<MethodRoute>& routes,
                               Interaction base, std::string* allow) {
  bool head = method == "HEAD";
  std::string_view effective = head ? std::string_view("GET") : method;
  for (const MethodRoute& r : routes) {
    if (r.method == effective) {
      base.kind = r.kind;
      base.head = head;
      return base;
    }
  }
  std::string methods;
  for (const MethodRoute& r : routes) {
    if (!methods.empty()) methods += ", ";
    methods += r.method;
    if (r.method == "GET") methods += ", HEAD";
  }
  if (allow != nullptr) *allow = methods;
  return Status::MethodNotAllowed("method " + std::string(method) +
                                  " is not allowed here; allowed: " + methods);
}

Status CheckType(const std::string& type, const fhir::definitions::Registry& registry) {
  if (registry.IsResourceType(type)) return Status::Ok();
  return Status::NotFound("resource type '" + type + "' is not supported by this server");
}

Status CheckId(const std::string& id) {
  if (fhir::IsValidId(id)) return Status::Ok();
  return Status::InvalidInput("'" + id.substr(0, 80) +
                              "' is not a valid resource id (1-64 characters of A-Z a-z 0-9 - .)");
}

bool IsOperation(const std::string& segment) { return segment.size() > 1 && segment[0] == '$'; }

// The R4 CompartmentDefinitions: https://hl7.org/fhir/R4/compartmentdefinition.html
bool IsCompartmentType(std::string_view type) {
  return type == "Patient" || type == "Encounter" || type == "RelatedPerson" ||
         type == "Practitioner" || type == "Device";
}

}  // namespace

std::string_view InteractionCode(InteractionKind kind) {
  switch (kind) {
    case InteractionKind::kCapabilities:
      return "capabilities";
    case InteractionKind::kRead:
      return "read";
    case InteractionKind::kVread:
      return "vread";
    case InteractionKind::kUpdate:
      return "update";
    case InteractionKind::kConditionalUpdate:
      return "update";
    case InteractionKind::kPatch:
      return "patch";
    case InteractionKind::kConditionalPatch:
      return "patch";
    case InteractionKind::kDelete:
      return "delete";
    case InteractionKind::kConditionalDelete:
      return "delete";
    case InteractionKind::kCreate:
      return "create";
    case InteractionKind::kSearchType:
      return "search-type";
    case InteractionKind::kSearchSystem:
      return "search-system";
    case InteractionKind::kSearchCompartment:
      return "search-type";
    case InteractionKind::kHistoryInstance:
      return "history-instance";
    case InteractionKind::kHistoryType:
      return "history-type";
    case InteractionKind::kHistorySystem:
      return "history-system";
    case InteractionKind::kBatchOrTransaction:
      return "transaction";
    case InteractionKind::kOperation:
      return "operation";
  }
  return "unknown";
}

fhir::Result<Interaction> Route(std::string_view method, const Target& target,
                                const fhir::definitions::Registry& registry, std::string* allow) {
  using K = InteractionKind;
  const std::vector<std::string>& s = target.segments;
  Interaction in;
  switch (s.size()) {
    case 0:
      return Pick(method, {{"GET", K::kSearchSystem}, {"POST", K::kBatchOrTransaction}}, in, allow);
    case 1:
      if (s[0] == "metadata") return Pick(method, {{"GET", K::kCapabilities}}, in, allow);
      if (s[0] == "_history") return Pick(method, {{"GET", K::kHistorySystem}}, in, allow);
      if (s[0] == "_search") return Pick(method, {{"POST", K::kSearchSystem}}, in, allow);
      if (IsOperation(s[0])) {
        in.operation = s[0];
        return Pick(method, {{"GET", K::kOperation}, {"POST", K::kOperation}}, in, allow);
      }
      SCHAKEL_RETURN_IF_ERROR(CheckType(s[0], registry));
      in.type = s[0];
      return Pick(method,
                  {{"GET", K::kSearchType},
                   {"POST", K::kCreate},
                   {"PUT", K::kConditionalUpdate},
                   {"PATCH", K::kConditionalPatch},
                   {"DELETE", K::kConditionalDelete}},
                  in, allow);
    default:
      break;
  }
  SCHAKEL_RETURN_IF_ERROR(CheckType(s[0], registry));
  in.type = s[0];
  if (s.size() == 2) {
    if (s[1] == "_history") return Pick(method, {{"GET", K::kHistoryType}}, in, allow);
    if (s[1] == "_search") return Pick(method, {{"POST", K::kSearchType}}, in, allow);
    if (IsOperation(s[1])) {
      in.operation = s[1];
      return Pick(method, {{"GET", K::kOperation}, {"POST", K::kOperation}}, in, allow);
    }
    SCHAKEL_RETURN_IF_ERROR(CheckId(s[1]));
    in.id = s[1];
    return Pick(
        method,
        {{"GET", K::kRead}, {"PUT", K::kUpdate}, {"PATCH", K::kPatch}, {"DELETE", K::kDelete}}, in,
        allow);
  }
  SCHAKEL_RETURN_IF_ERROR(CheckId(s[1]));
  in.id = s[1];
  if (s.size() == 3) {
    if (s[2] == "_history") return Pick(method, {{"GET", K::kHistoryInstance}}, in, allow);
    if (IsOperation(s[2])) {
      in.operation = s[2];
      return Pick(method, {{"GET", K::kOperation}, {"POST", K::kOperation}}, in, allow);
    }
    SCHAKEL_RETURN_IF_ERROR(CheckType(s[2], registry));
    if (!IsCompartmentType(s[0])) {
      return Status::NotFound(s[0] +
                              " is not a compartment; compartment searches start at Patient, "
                              "Encounter, RelatedPerson, Practitioner or Device");
    }
    in.compartment_type = s[2];
    return Pick(method, {{"GET", K::kSearchCompartment}}, in, allow);
  }
  if (s.size() == 4 && s[2] == "_history") {
    in.version_id = s[3];
    return Pick(method, {{"GET", K::kVread}}, in, allow);
  }
  return Status::NotFound("no FHIR interaction has a URL of this shape");
}

}  // namespace schakel::server::rest
