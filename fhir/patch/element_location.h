// Where a FHIRPath result lives in the resource, and editing it there. Internal to fhir/patch/.
//
// The FHIRPath engine's node items point into the json::Value they were evaluated on (their
// value, or the `_name` companion of a primitive that has only extensions). FHIRPath Patch needs
// more: the object that holds the element, its member name and array index, and the element
// definitions on the way. Locate finds them by walking the resource for the item's address, so
// the evaluator needs no knowledge of patching; the walk costs one visit per value, counted
// against the patch's work budget. Items that are not in the resource (literals, computed
// values) are reported as such.
//
// FHIR JSON keeps a primitive's id and extensions in a `_name` companion beside `name`, as a
// parallel array when the element repeats (https://hl7.org/fhir/R4/json.html#primitive). The
// entry functions below keep the two in step: they insert, remove and replace both, pad the
// companion with nulls, and drop a companion that holds only nulls.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/path/value.h"
#include "fhir/status.h"

namespace schakel::fhir::patch {

// One step down from an object: into `member` (its JSON name, `_` included for a companion),
// and into entry `index` when the member is an array.
struct PathStep {
  json::Value* object = nullptr;
  std::string member;
  std::optional<std::size_t> index;
};

struct ElementLocation {
  // From the resource down to the element; empty when the element is the resource itself.
  std::vector<PathStep> steps;
  // The last step, with the member's name without `_`.
  json::Value* parent = nullptr;
  std::string member;
  std::optional<std::size_t> index;
  // The definition of the object holding the element, and of the element (for a choice, of
  // the type its JSON name chose); nullopt where the definitions do not know the element.
  std::optional<definitions::ElementRef> parent_element;
  std::optional<definitions::ElementRef> element;
  // What the value is: the element, or the root of a resource's own type (contained resources,
  // Bundle entries, and the resource itself).
  std::optional<definitions::ElementRef> value_type;
  // Arrays and objects around the element's value.
  std::size_t depth = 0;

  bool is_root() const { return steps.empty(); }
};

// Finds a FHIRPath result in `resource` (the value it was evaluated on). kUnprocessable when the
// item is not an element of the resource, or (issue too-costly) when the walk would take more
// than `*budget` more visits; `*budget` is reduced by the visits made.
Result<ElementLocation> Locate(json::Value& resource, const path::Item& item,
                               const definitions::Registry& registry, std::size_t* budget);

// The value and the companion of an entry (nullptr where absent).
json::Value* EntryValue(json::Value& object, std::string_view member,
                        std::optional<std::size_t> index);
json::Value* EntryCompanion(json::Value& object, std::string_view member,
                            std::optional<std::size_t> index);

// The number of entries in the list `member` (the longer of value and companion arrays).
std::size_t ListSize(const json::Value& object, std::string_view member);

// Inserts an entry into the list `member` at `index` (<= ListSize), creating the list when it
// does not exist. A null `value` or `companion` leaves that side empty.
void InsertEntry(json::Value& object, std::string_view member, std::size_t index, json::Value value,
                 json::Value companion);

// Removes an entry: value and companion when `member` has no `_`, only the companion when it
// names one (`_birthDate`). Drops arrays left empty or with only nulls.
void RemoveEntry(json::Value& object, std::string_view member, std::optional<std::size_t> index);

// Replaces an entry's value and companion. Without an index, `new_member` (a choice element's
// other variant, or `member` itself) takes the old member's place in the object.
void ReplaceEntry(json::Value& object, std::string_view member, std::string_view new_member,
                  std::optional<std::size_t> index, json::Value value, json::Value companion);

// Moves the entry at `from` of the list `member` to position `to` (both < ListSize), with its
// companion.
void MoveEntry(json::Value& object, std::string_view member, std::size_t from, std::size_t to);

// The companion object of an entry, created (with padding) when it does not exist yet.
json::Value& EnsureCompanion(json::Value& object, std::string_view member,
                             std::optional<std::size_t> index);

// Removes objects the steps pass through that are now empty, from the deepest up; never the
// resource itself. FHIR has no empty elements, so a delete takes its empty parents with it.
void PruneEmptyParents(const std::vector<PathStep>& steps);

}  // namespace schakel::fhir::patch
