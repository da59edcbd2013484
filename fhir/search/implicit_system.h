// Internal to fhir/search: the code system implied for the `code` values a token parameter
// selects. https://hl7.org/fhir/R4/search.html#token: "the system is implicit" for an element of
// type code; it is the one code system of the value set the element is bound to
// (https://hl7.org/fhir/R4/datatypes.html#code, terminologies.html#required). So
// `Patient.gender` is indexed as http://hl7.org/fhir/administrative-gender|male and
// `gender=http://hl7.org/fhir/administrative-gender|male` finds it.
//
// Computed once per (parameter, base type) when the registry loads; stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"

namespace schakel::fhir::search::internal {

// The implicit system of the `code` values `expression` selects on resources of `type` (a base
// of the parameter, "Resource" and "DomainResource" included), or an empty string for none.
//
// The rule: the expression must be one this function can follow: a union of paths from the type
// (or a member of it), each step an element name, `where(...)` (which keeps the positions),
// `ofType(T)` or `as T`; a path that starts at another resource type selects nothing here.
// Among the element positions it can select, at least one must have type `code`, every `code`
// position must have a required binding whose value set (in `value_sets`, the offline expansions)
// draws all its codes from one code system, and that system must be the same for all of them.
// A position that is an Extension (indexed by its value, which may be an unbound code) or an
// expression this does not follow (extension(), resolve(), other functions) gives none: such
// codes keep no system. Positions of other types (CodeableConcept, Coding, Identifier, ...) do
// not count; they carry their own systems.
std::string ImplicitCodeSystem(std::string_view expression, std::string_view type,
                               const definitions::Registry& registry,
                               const definitions::ValueSetIndex& value_sets);

}  // namespace schakel::fhir::search::internal
