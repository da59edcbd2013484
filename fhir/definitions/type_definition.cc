#include "fhir/definitions/type_definition.h"

#include <charconv>
#include <unordered_map>

namespace schakel::fhir::definitions {
namespace {

constexpr std::string_view kFhirTypeExtension =
    "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
constexpr std::string_view kSystemPrefix = "http://hl7.org/fhirpath/System.";

std::optional<StructureKind> ParseKind(std::string_view kind) {
  if (kind == "primitive-type") return StructureKind::kPrimitiveType;
  if (kind == "complex-type") return StructureKind::kComplexType;
  if (kind == "resource") return StructureKind::kResource;
  if (kind == "logical") return StructureKind::kLogical;
  return std::nullopt;
}

std::uint32_t ParseMax(const std::string* max) {
  if (max == nullptr) return 1;
  if (*max == "*") return kUnbounded;
  std::uint32_t n = 1;
  std::from_chars(max->data(), max->data() + max->size(), n);
  return n;
}

BindingStrength ParseStrength(std::string_view s) {
  if (s == "required") return BindingStrength::kRequired;
  if (s == "extensible") return BindingStrength::kExtensible;
  if (s == "preferred") return BindingStrength::kPreferred;
  if (s == "example") return BindingStrength::kExample;
  return BindingStrength::kNone;
}

// "http://hl7.org/fhirpath/System.String" plus the fhir-type extension -> "uri", "id", ...
std::string TypeCode(const json::Value& type) {
  const std::string* code = type.FindString("code");
  if (code == nullptr) return {};
  if (code->compare(0, kSystemPrefix.size(), kSystemPrefix) != 0) return *code;
  if (const json::Value* extensions = type.Find("extension");
      extensions && extensions->is_array()) {
    for (const json::Value& ext : extensions->items()) {
      const std::string* url = ext.FindString("url");
      const std::string* value = ext.FindString("valueUrl");
      if (url != nullptr && value != nullptr && *url == kFhirTypeExtension) return *value;
    }
  }
  std::string system = code->substr(kSystemPrefix.size());
  if (system == "String") return "string";
  if (system == "Boolean") return "boolean";
  if (system == "Integer") return "integer";
  if (system == "Decimal") return "decimal";
  if (system == "Date") return "date";
  if (system == "DateTime") return "dateTime";
  if (system == "Time") return "time";
  return "string";
}

ElementDefinition ParseElement(const json::Value& e, const StructureInfo& info) {
  ElementDefinition out;
  if (const std::string* path = e.FindString("path")) out.path = *path;
  std::size_t dot = out.path.rfind('.');
  out.name = dot == std::string::npos ? out.path : out.path.substr(dot + 1);
  constexpr std::string_view kChoice = "[x]";
  if (out.name.size() > kChoice.size() &&
      out.name.compare(out.name.size() - kChoice.size(), kChoice.size(), kChoice) == 0) {
    out.is_choice = true;
    out.name.resize(out.name.size() - kChoice.size());
  }
  if (const json::Value* min = e.Find("min"))
    out.min = static_cast<std::uint32_t>(min->AsInt64().value_or(0));
  out.max = ParseMax(e.FindString("max"));
  out.base_max = out.max;
  if (const json::Value* base = e.Find("base")) out.base_max = ParseMax(base->FindString("max"));
  if (const json::Value* types = e.Find("type"); types && types->is_array()) {
    for (const json::Value& t : types->items()) {
      std::string code = TypeCode(t);
      if (code.empty()) continue;
      // R4 types Resource.id as a FHIRPath String; its rules are those of `id`.
      if (info.kind == StructureKind::kResource && out.path == info.type + ".id") code = "id";
      out.type_codes.push_back(std::move(code));
      if (const json::Value* targets = t.Find("targetProfile"); targets && targets->is_array()) {
        for (const json::Value& target : targets->items()) {
          if (target.is_string()) out.target_profiles.push_back(target.text());
        }
      }
    }
  }
  if (const json::Value* binding = e.Find("binding")) {
    if (const std::string* strength = binding->FindString("strength")) {
      out.binding = ParseStrength(*strength);
    }
    if (const std::string* vs = binding->FindString("valueSet")) {
      out.value_set = vs->substr(0, vs->find('|'));
    }
  }
  if (const json::Value* v = e.Find("isSummary")) out.is_summary = v->is_bool() && v->bool_value();
  if (const json::Value* v = e.Find("isModifier"))
    out.is_modifier = v->is_bool() && v->bool_value();
  if (const json::Value* rep = e.Find("representation"); rep && rep->is_array()) {
    for (const json::Value& r : rep->items()) {
      if (r.is_string() && r.text() == "xmlAttr") out.xml_attribute = true;
    }
  }
  if (const json::Value* constraints = e.Find("constraint");
      constraints && constraints->is_array()) {
    for (const json::Value& c : constraints->items()) {
      Constraint constraint;
      if (const std::string* key = c.FindString("key")) constraint.key = *key;
      if (const std::string* severity = c.FindString("severity"))
        constraint.is_error = *severity == "error";
      if (const std::string* human = c.FindString("human")) constraint.human = *human;
      if (const std::string* expression = c.FindString("expression"))
        constraint.expression = *expression;
      if (!constraint.expression.empty()) out.constraints.push_back(std::move(constraint));
    }
  }
  return out;
}

}  // namespace

bool ElementDefinition::HasType(std::string_view code) const {
  for (const std::string& t : type_codes) {
    if (t == code) return true;
  }
  return false;
}

Result<TypeDefinition> TypeDefinition::FromStructureDefinition(const json::Value& sd) {
  TypeDefinition def;
  const std::string* type = sd.FindString("type");
  const std::string* url = sd.FindString("url");
  const std::string* kind_text = sd.FindString("kind");
  std::optional<StructureKind> kind = kind_text ? ParseKind(*kind_text) : std::nullopt;
  if (type == nullptr || url == nullptr || !kind) {
    return Status::Internal("StructureDefinition without type, url or kind");
  }
  def.info_.type = *type;
  def.info_.url = *url;
  def.info_.kind = *kind;
  const json::Value* abstract = sd.Find("abstract");
  def.info_.is_abstract = abstract != nullptr && abstract->is_bool() && abstract->bool_value();
  if (const std::string* base = sd.FindString("baseDefinition")) {
    def.info_.base_type = base->substr(base->rfind('/') + 1);
  }

  const json::Value* snapshot = sd.Find("snapshot");
  const json::Value* elements = snapshot != nullptr ? snapshot->Find("element") : nullptr;
  if (elements == nullptr || !elements->is_array() || elements->items().empty()) {
    return Status::Internal("StructureDefinition " + *url + " has no snapshot");
  }
  std::unordered_map<std::string, std::uint32_t> by_path;
  std::vector<std::string> content_references(elements->items().size());
  for (const json::Value& e : elements->items()) {
    if (e.Find("sliceName") != nullptr) continue;  // slices belong to profiles, not base types
    ElementDefinition element = ParseElement(e, def.info_);
    const auto index = static_cast<std::uint32_t>(def.elements_.size());
    if (const std::string* ref = e.FindString("contentReference")) content_references[index] = *ref;
    if (index > 0) {
      std::size_t dot = element.path.rfind('.');
      auto parent =
          by_path.find(dot == std::string::npos ? std::string() : element.path.substr(0, dot));
      if (parent == by_path.end()) {
        return Status::Internal(*url + ": element " + element.path + " has no parent element");
      }
      def.elements_[parent->second].children.push_back(index);
    }
    by_path.emplace(element.path, index);
    def.elements_.push_back(std::move(element));
  }
  for (std::uint32_t i = 0; i < def.elements_.size(); ++i) {
    const std::string& ref = content_references[i];
    if (ref.empty()) continue;
    auto target = by_path.find(ref.substr(ref.find('#') + 1));
    if (target == by_path.end()) {
      return Status::Internal(*url + ": contentReference " + ref + " does not resolve");
    }
    def.elements_[i].content_reference = static_cast<std::int32_t>(target->second);
  }
  return def;
}

const std::vector<std::uint32_t>& TypeDefinition::ChildIndices(
    const ElementDefinition& parent) const {
  if (parent.content_reference >= 0) return elements_[parent.content_reference].children;
  return parent.children;
}

const ElementDefinition* TypeDefinition::FindPath(std::string_view path) const {
  for (const ElementDefinition& e : elements_) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

}  // namespace schakel::fhir::definitions
