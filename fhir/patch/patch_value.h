// The values of FHIRPath Patch operations, and where they go. Internal to fhir/patch/.
//
// A `value` part carries its content in one of three ways (https://hl7.org/fhir/R4/fhirpatch.html):
// a typed `value[x]` (valueString, valueCoding, ...; a primitive may have `_value[x]` with its
// id and extensions), a `resource`, or nested `part`s that build a complex value one child
// element at a time (for anonymous types such as Patient.contact, and any other complex type).
// Nested parts are read where they are placed, since only the target element says whether a
// child repeats and which types it takes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::patch {

struct PatchValue {
  enum class Kind { kTyped, kResource, kParts };
  Kind kind = Kind::kTyped;
  // kTyped: the FHIR type its value[x] name gives ("string", "dateTime", "HumanName");
  // kResource: the resource's type.
  std::string type;
  json::Value value;      // kTyped (null when a primitive has only `_value[x]`) and kResource
  json::Value companion;  // kTyped: the `_value[x]` object, or null
  const json::Value* parts = nullptr;  // kParts: the `part` array; points into the patch
};

// Reads the content of one Parameters part (a `value` part, or a nested part). kInvalidInput
// when it has none, several, or a value[x] of a type the definitions do not know. Nested parts
// are checked one level only; CheckNestedParts checks a whole tree.
Result<PatchValue> ReadPartValue(const json::Value& part, const definitions::Registry& registry);

// Checks that nested parts are well-formed all the way down (each an object with a `name` and
// one content), so a malformed patch is refused before anything applies. kInvalidInput.
Status CheckNestedParts(const json::Value& parts, const definitions::Registry& registry);

// Where a child named `name` with content `value` goes inside a value described by `parent`:
// its JSON member (a choice element takes its type's suffix: value + Quantity = valueQuantity),
// its definition, and whether it repeats. kUnprocessable when the parent has no such element or
// the value's type does not fit it.
struct Placement {
  std::string member;
  definitions::ElementRef element;
  bool repeats = false;
};
Result<Placement> PlaceChild(const definitions::ElementRef& parent, std::string_view name,
                             const PatchValue& value, const definitions::Registry& registry);

// Checks that `value` fits `element` (whose type_code is the concrete type). kUnprocessable.
Status CheckFits(const definitions::ElementRef& element, const PatchValue& value,
                 const definitions::Registry& registry);

// The JSON to store for `value` placed at `element`: its value and its companion (null when it
// has none). Nested parts are built into an object here, each placed by PlaceChild.
struct Materialized {
  json::Value value;
  json::Value companion;
};
Result<Materialized> Materialize(const PatchValue& value, const definitions::ElementRef& element,
                                 const definitions::Registry& registry);

// Nesting of objects and arrays in a value (a scalar is 0 deep, `{}` is 1).
std::size_t NestingDepth(const json::Value& value);

}  // namespace schakel::fhir::patch
