// FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html): a Parameters resource whose
// `operation` parameters change a resource at places named by FHIRPath expressions. FHIR
// accepts it as a body of the patch interaction (https://hl7.org/fhir/R4/http.html#patch), sent
// as a FHIR resource (application/fhir+json or application/fhir+xml).
//
// Each operation has parts `type` and `path`, and by type:
//   add      name, value         path selects one element; `name` becomes a child of it: appended
//                                when it repeats, else set (it must not exist yet)
//   insert   value, index        path selects a whole list; value goes in at index (0..size)
//   delete   -                   path selects one element, or nothing (then nothing happens)
//   replace  value               path selects one element; the value replaces it
//   move     source, destination path selects a whole list; the entry at source moves to
//                                destination (both 0..size-1)
// A value is a typed value[x] (valueString, valueCoding, ...; for a choice element the type
// picks the JSON name: `value` + valueQuantity -> valueQuantity), a `resource`, or nested parts
// that build a complex value child by child. Values must fit the element (its type, or a
// primitive written alike in JSON, e.g. valueString for a code); lexical rules are left to the
// validation of the patched resource.
//
// Choices within the specification:
//  - A path must select elements of the resource itself (never a literal, a computed value or a
//    resource reached by resolve() outside it); every path result is located in the resource.
//  - For insert and move the path must select every entry of one list (`Patient.identifier`);
//    an empty selection is an error (use add to start a list).
//  - delete removes the objects it leaves empty (deleting the only `family` of a name removes
//    the name), since FHIR has no empty elements; and removes a primitive's extensions with it.
//
// Errors: Code::kInvalidInput for a malformed patch (not a Parameters, an unknown operation
// type, a missing or duplicated part, an unparseable path); Code::kTooLarge for more operations
// than the limit; Code::kUnprocessable when an operation cannot apply (a path selecting nothing
// or several elements, an index out of range, a value of the wrong type, an element that already
// exists) or evaluating a path fails. Messages name the operation by its position.
//
// Immutable after Parse; Apply may run concurrently from many threads.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/patch/patch_value.h"
#include "fhir/path/fhirpath.h"
#include "fhir/status.h"

namespace schakel::fhir::patch {

struct FhirPathPatchLimits {
  std::size_t max_operations = 1'000;
  // Nesting of the patched resource (as json::ParseLimits::max_depth).
  std::size_t max_depth = 128;
  // FHIRPath evaluation steps of one operation's path (EvaluationLimits::max_steps).
  std::size_t max_steps_per_path = 200'000;
  // Values visited to locate path results, over all operations.
  std::size_t max_work = 50'000'000;
};

enum class FhirPathPatchType { kAdd, kInsert, kDelete, kReplace, kMove };
std::string_view FhirPathPatchTypeName(FhirPathPatchType type);

struct FhirPathPatchOperation {
  FhirPathPatchType type = FhirPathPatchType::kAdd;
  std::optional<path::Expression> path;  // always set after Parse
  std::string name;                      // add
  std::optional<PatchValue> value;       // add, insert, replace
  std::size_t index = 0;                 // insert
  std::size_t source = 0;                // move
  std::size_t destination = 0;           // move
};

class FhirPathPatch {
 public:
  // Reads a Parameters resource (its `operation` parameters, in order). The patch keeps the
  // Parameters (its values point into them); `registry` must outlive it.
  static Result<FhirPathPatch> Parse(json::Value parameters, const definitions::Registry& registry,
                                     const FhirPathPatchLimits& limits = {});

  // Applies every operation in order to `resource` and returns the result; on failure nothing
  // of the caller's changes (the resource was passed by value).
  Result<json::Value> Apply(json::Value resource) const;

  const std::vector<FhirPathPatchOperation>& operations() const { return operations_; }

 private:
  FhirPathPatch(const definitions::Registry& registry, const FhirPathPatchLimits& limits)
      : registry_(&registry), limits_(limits) {}

  const definitions::Registry* registry_;
  FhirPathPatchLimits limits_;
  std::shared_ptr<const json::Value> parameters_;
  std::vector<FhirPathPatchOperation> operations_;
};

}  // namespace schakel::fhir::patch
