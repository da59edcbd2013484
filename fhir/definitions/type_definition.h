// TypeDefinition: one StructureDefinition's snapshot, indexed for the validator, the XML
// reader/writer and FHIRPath. https://hl7.org/fhir/R4/elementdefinition.html
//
// Elements are kept in snapshot order; element 0 is the root ("Patient"). Each element knows its
// direct children (inline backbone elements) or, through contentReference, whose children it
// shares (Questionnaire.item.item -> Questionnaire.item). Elements whose content is a data type
// (Patient.name: HumanName) have no children here: the Registry resolves those through the type's
// own TypeDefinition. Immutable after loading; safe to share between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::definitions {

inline constexpr std::uint32_t kUnbounded = std::numeric_limits<std::uint32_t>::max();

enum class StructureKind { kPrimitiveType, kComplexType, kResource, kLogical };

enum class BindingStrength { kNone, kRequired, kExtensible, kPreferred, kExample };

struct Constraint {
  std::string key;         // "pat-1"
  bool is_error = true;    // severity error (else warning)
  std::string human;       // the rule in words
  std::string expression;  // FHIRPath
};

struct ElementDefinition {
  std::string path;  // "Patient.contact.name"; a choice keeps its "[x]": "Patient.deceased[x]"
  std::string name;  // the last path segment; for a choice without "[x]": "deceased"
  bool is_choice = false;
  std::uint32_t min = 0;
  std::uint32_t max = 1;       // kUnbounded for "*"
  std::uint32_t base_max = 1;  // the base definition's max: decides whether JSON uses an array
  // The FHIR type codes ("HumanName", "string", "Reference", "BackboneElement", "Resource").
  // FHIRPath System types in the snapshot are given as the FHIR type they stand for.
  std::vector<std::string> type_codes;
  std::vector<std::string> target_profiles;  // Reference/canonical targets
  BindingStrength binding = BindingStrength::kNone;
  std::string value_set;  // canonical URL, without a |version
  bool is_summary = false;
  bool is_modifier = false;
  bool xml_attribute = false;  // represented as an XML attribute (Element.id, Extension.url)
  std::vector<Constraint> constraints;
  // Children: indices of direct children in the owning TypeDefinition; or, when this element has
  // a contentReference, the index of the element whose children it shares (else -1).
  std::vector<std::uint32_t> children;
  std::int32_t content_reference = -1;

  bool IsArray() const { return base_max != 1; }
  bool HasType(std::string_view code) const;
};

struct StructureInfo {
  std::string type;  // e.g. "Patient", "HumanName", "string"
  std::string url;
  StructureKind kind = StructureKind::kResource;
  bool is_abstract = false;
  std::string base_type;  // e.g. "DomainResource" for Patient; empty for Base/Element/Resource
};

class TypeDefinition {
 public:
  // Builds the index from a (compacted) StructureDefinition with a snapshot.
  static Result<TypeDefinition> FromStructureDefinition(const json::Value& sd);

  const StructureInfo& info() const { return info_; }
  const std::vector<ElementDefinition>& elements() const { return elements_; }
  const ElementDefinition& root() const { return elements_.front(); }

  // The elements that describe `parent`'s children within this definition (following
  // contentReference); empty when the children come from the element's data type.
  const std::vector<std::uint32_t>& ChildIndices(const ElementDefinition& parent) const;
  bool HasInlineChildren(const ElementDefinition& parent) const {
    return !ChildIndices(parent).empty();
  }
  const ElementDefinition& element(std::uint32_t index) const { return elements_[index]; }
  // The element with this exact path, or nullptr.
  const ElementDefinition* FindPath(std::string_view path) const;

 private:
  StructureInfo info_;
  std::vector<ElementDefinition> elements_;
};

}  // namespace schakel::fhir::definitions
