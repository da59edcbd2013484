// Validation of a resource against one constraint profile's snapshot.
// https://hl7.org/fhir/R4/profiling.html and https://hl7.org/fhir/R4/profiling.html#slicing
//
// Meant to run after the base validator (Validator) on the same resource: it reports only what
// the profile adds, so a cardinality the base definition already enforces, or a required binding
// the base definition has too, is not reported twice. Checks, with FHIRPath locations like the
// base validator's ("Observation.code.coding[0].system"):
//  - min/max of every element in the snapshot, including elements the profile forbids (max 0);
//  - the types a choice may take ("value[x]" constrained to Quantity: valueString is an error);
//  - fixed[x] (exact match) and pattern[x] (the instance contains the pattern: objects member by
//    member, arrays item by item where every pattern item has a matching instance item);
//  - required bindings (errors) and extensible ones (warnings) on code, Coding, CodeableConcept
//    and Quantity, against the profile folder's value sets and then the R4 ones; codes of value
//    sets known to neither are not checked;
//  - slicing with discriminators value, pattern, exists and type (type on "$this" only), rules
//    closed/open/openAtEnd, ordered slices, per-slice cardinality, and the elements inside each
//    slice (Observation.code.coding:BodyWeightCode.system). Extensions are sliced by url, taken
//    from the slice's Extension.url fixed value or its type profile.
//  - extensions whose definition (a profile of Extension) is in the registry, against that
//    definition.
// Not checked: invariants (counted in Profile::invariant_count(), evaluated once FHIRPath
// exists), discriminators of type profile (a warning says the slicing was not checked), type
// discriminators on other paths than $this, re-slicing, and type profiles other than extensions.
//
// Holds references only; the caller keeps the registries alive. Stateless between calls and
// safe to use from many threads at once.
#pragma once

#include <cstddef>
#include <vector>

#include "fhir/definitions/profiles.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::validation {

class ProfileValidator {
 public:
  // `value_sets` may be null (then only the profile folder's value sets are used).
  ProfileValidator(const definitions::ProfileRegistry& profiles,
                   const definitions::ValueSetIndex* value_sets)
      : profiles_(profiles), value_sets_(value_sets) {}

  // Appends the issues of `resource` against `profile`, stopping at `max_issues` issues in all.
  // `resource` should be of the profile's type; the caller checks that.
  void Validate(const json::Value& resource, const definitions::Profile& profile,
                std::vector<Issue>& issues, std::size_t max_issues) const;

 private:
  const definitions::ProfileRegistry& profiles_;
  const definitions::ValueSetIndex* value_sets_;
};

}  // namespace schakel::fhir::validation
