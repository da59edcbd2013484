// Whether one resource is in a compartment (https://hl7.org/fhir/R4/compartmentdefinition.html),
// decided in memory from the resource alone: for the authorization layer, which confines a patient
// token to https://hl7.org/fhir/R4/compartmentdefinition-patient.html before anything is read
// from or written to the store.
//
// The rule is the one the store's compartment search applies (store/sqlite/search_sql.cc, the
// CompartmentClause server/rest/search_support.cc builds), so that a resource is readable under
// a patient token exactly when /Patient/<id>/<type> would return it, plus the focus itself:
//   - The focus (resourceType == compartment and id == id) is a member. The compartment search
//     /Patient/123/Patient does not return Patient/123 itself (only Patients whose `link` points
//     at it); the specification counts the focus in its own compartment, and so does this.
//   - Otherwise, a resource is a member when one of the compartment's parameters for its type
//     (Compartments::Params; only the indexable reference parameters among them, since only they
//     have index rows) gives a reference index entry whose target type and id are exactly
//     `compartment` and `id`. That is the index's reading of a reference (extract_reference.cc):
//     "Patient/123", "Patient/123/_history/2", and an absolute URL whose last two segments are
//     Patient/123, whatever its base ("http://other.example/fhir/Patient/123" included: the index
//     does not tell local from foreign absolute references). "Patient/1234", identifier-only and
//     display-only references, "urn:uuid:" and "#contained" references are not.
//   - References inside contained resources do not count: the compartment search, without
//     _contained, looks only at the resource's own index rows.
//   - Types without parameters for the compartment (Organization, Medication, Practitioner, and
//     Bundle, whatever its entries hold) are never members, except as the focus.
//   - A patient's membership through Patient.link of another Patient is not followed further
//     (the R4 page puts the linked patient's records in the target's compartment; neither the
//     search nor this does).
//
// Pure and thread-safe; the registry and compartments are only read.
#pragma once

#include <string_view>

#include "fhir/json/value.h"
#include "fhir/search/compartments.h"
#include "fhir/search/search_parameter.h"
#include "fhir/status.h"

namespace schakel::fhir::search {

// True when `resource` is in the compartment of `compartment`/`id` ("Patient", "123") by the
// rule above; false for an empty `id` or a compartment the definitions do not know. Evaluates
// only the compartment's parameters for the resource's type (ExtractReferences). Fails with
// kInvalidInput when the resource has no resourceType and with kTooLarge when evaluating one of
// those parameters reaches a FHIRPath limit (such a resource cannot be stored either).
Result<bool> InCompartment(const json::Value& resource, std::string_view compartment,
                           std::string_view id, const SearchParameterRegistry& params,
                           const Compartments& compartments);

}  // namespace schakel::fhir::search
