// InCompartment: the compartment search's rule (compartment_membership.h) on one resource.
// https://hl7.org/fhir/R4/compartmentdefinition.html
#include "fhir/search/compartment_membership.h"

#include <string>
#include <vector>

#include "fhir/search/extract.h"

namespace schakel::fhir::search {

Result<bool> InCompartment(const json::Value& resource, std::string_view compartment,
                           std::string_view id, const SearchParameterRegistry& params,
                           const Compartments& compartments) {
  const std::string* type = resource.FindString("resourceType");
  if (type == nullptr) return Status::InvalidInput("the resource has no resourceType");
  // An empty id would match the entries of absolute, identifier-only and canonical references,
  // whose target_id is empty.
  if (id.empty()) return false;
  if (*type == compartment) {
    const std::string* own_id = resource.FindString("id");
    if (own_id != nullptr && *own_id == id) return true;
  }
  const std::vector<std::string>& codes = compartments.Params(compartment, *type);
  if (codes.empty()) return false;
  // ExtractReferences keeps only the parameters of the type that are indexable reference
  // parameters, as the store's idx_reference rows do.
  Result<std::vector<ReferenceIndex>> references = ExtractReferences(resource, codes, params);
  if (!references.ok()) return references.status();
  for (const ReferenceIndex& r : *references) {
    if (r.target_type == compartment && r.target_id == id) return true;
  }
  return false;
}

}  // namespace schakel::fhir::search
