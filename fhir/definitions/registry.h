// The R4 definitions the server knows, loaded once at start-up from resources/ and immutable
// afterwards (safe to share between threads without locking).
//
// It answers which types exist and what their elements are, and resolves a JSON member name to
// the element it stands for, across data types (Patient.name -> HumanName's children) and choice
// types (valueQuantity -> Observation.value[x] with type Quantity).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/definitions/type_definition.h"
#include "fhir/status.h"

namespace schakel::fhir::definitions {

// An element as it occurs in an instance: its definition, the TypeDefinition that owns it, and
// the concrete type of this occurrence (for a choice, the type its JSON name chose).
struct ElementRef {
  const TypeDefinition* owner = nullptr;
  const ElementDefinition* element = nullptr;
  std::string_view type_code;
};

class Registry {
 public:
  // Loads resources_dir/fhir-r4/structure-definitions.ndjson (written by
  // scripts/import-definitions).
  static Result<std::shared_ptr<const Registry>> Load(const std::string& resources_dir);

  // A concrete (non-abstract) resource type such as "Patient".
  bool IsResourceType(std::string_view type) const;
  // All concrete resource types, sorted.
  const std::vector<std::string>& resource_types() const { return resource_types_; }
  // The structure for a type name, or nullptr.
  const StructureInfo* Find(std::string_view type) const;
  const TypeDefinition* Type(std::string_view type) const;

  // True for the FHIR primitive types (string, code, dateTime, ...).
  bool IsPrimitive(std::string_view type_code) const;

  // The element a JSON member `name` stands for inside a value described by `parent` (with
  // `parent.type_code` its concrete type). Handles inline backbone elements, contentReference,
  // data types and choice types. nullopt when no such element exists.
  std::optional<ElementRef> ResolveChild(const ElementRef& parent, std::string_view name) const;

  // The definitions of the children a value described by `parent` can have (inline, through
  // contentReference, or its data type's): the owning TypeDefinition and the element indices.
  struct Children {
    const TypeDefinition* owner = nullptr;
    const std::vector<std::uint32_t>* indices = nullptr;
  };
  Children ChildrenOf(const ElementRef& parent) const;

  // The root of a type, as an ElementRef (e.g. for a resource's top level).
  std::optional<ElementRef> Root(std::string_view type) const;

 private:
  // Transparent hashing: lookups by string_view do not allocate (they run per element).
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, TypeDefinition, NameHash, std::equal_to<>> types_;
  std::vector<std::string> resource_types_;
};

}  // namespace schakel::fhir::definitions
