// Validation of a resource against the base R4 definitions of its type.
// https://hl7.org/fhir/R4/validation.html
//
// Checks, with one issue per problem and its FHIRPath location:
//  - every member is an element of the type (unknown elements are errors), choice types name one
//    of their types, and only one variant of a choice is present;
//  - cardinality: required elements present, repeats within max, arrays exactly where the
//    element repeats;
//  - JSON kinds and primitive formats (dates, decimals, ids, codes, uris, ...), no empty values,
//    `null` only where the primitive-extension arrays need it, and `_element` companions hold
//    only id and extension;
//  - codes of required bindings (code, Coding, CodeableConcept) against the value set;
//  - Reference.reference syntax, and for relative references the target type;
//  - resources inside resources (contained, Bundle.entry.resource, Parameters) by their own type.
//  - profiles named in meta.profile that the ProfileRegistry knows, by ProfileValidator; an
//    unknown profile is a warning, never an error.
// Not yet: invariants (constraint expressions need the FHIRPath engine).
//
// Immutable after construction; Validate() may run concurrently from many threads.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "fhir/definitions/profiles.h"
#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::validation {

class Validator {
 public:
  // `value_sets` may be null: required bindings are then not checked. `profiles` may be null:
  // every profile in meta.profile is then unknown.
  Validator(std::shared_ptr<const definitions::Registry> registry,
            std::shared_ptr<const definitions::ValueSetIndex> value_sets,
            std::shared_ptr<const definitions::ProfileRegistry> profiles = nullptr);

  // Appends the issues found in `resource` (errors and warnings); at most kMaxIssues.
  void Validate(const json::Value& resource, std::vector<Issue>& issues) const;

  // Validate() and, in addition, against `profile_url` ("url" or "url|version"), as $validate's
  // `profile` parameter asks; a profile the server does not know is a warning.
  void ValidateAgainst(const json::Value& resource, std::string_view profile_url,
                       std::vector<Issue>& issues) const;

  // Ok when there are no errors; otherwise Code::kUnprocessable with every issue.
  Status Check(const json::Value& resource) const;

  const definitions::Registry& registry() const { return *registry_; }

  static constexpr std::size_t kMaxIssues = 200;

 private:
  std::shared_ptr<const definitions::Registry> registry_;
  std::shared_ptr<const definitions::ValueSetIndex> value_sets_;
  std::shared_ptr<const definitions::ProfileRegistry> profiles_;
};

}  // namespace schakel::fhir::validation
