#include "fhir/patch/patch_value.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "fhir/patch/element_location.h"

namespace schakel::fhir::patch {
namespace {

using definitions::ElementRef;
using json::Value;

constexpr std::string_view kValuePrefix = "value";

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// "valueString" -> "String"; empty when `member` is not a value[x] name.
std::string_view ValueSuffix(std::string_view member) {
  if (member.size() > kValuePrefix.size() && member.starts_with(kValuePrefix) &&
      IsUpper(member[kValuePrefix.size()])) {
    return member.substr(kValuePrefix.size());
  }
  return {};
}

bool IsResourceLike(std::string_view type) {
  return type == "Resource" || type == "DomainResource";
}

// How a primitive is written in JSON: a boolean, a number or a string.
json::Kind JsonKindOf(std::string_view primitive) {
  if (primitive == "boolean") return json::Kind::kBool;
  if (primitive == "integer" || primitive == "unsignedInt" || primitive == "positiveInt" ||
      primitive == "decimal") {
    return json::Kind::kNumber;
  }
  return json::Kind::kString;
}

// The FHIR type a value[x] suffix names: "String" -> "string", "HumanName" -> "HumanName".
std::optional<std::string> TypeOfSuffix(std::string_view suffix,
                                        const definitions::Registry& registry) {
  std::string lower(suffix);
  lower[0] = static_cast<char>(lower[0] - 'A' + 'a');
  if (registry.IsPrimitive(lower)) return lower;
  const definitions::StructureInfo* info = registry.Find(suffix);
  if (info != nullptr && info->kind == definitions::StructureKind::kComplexType) {
    return std::string(suffix);
  }
  return std::nullopt;
}

std::string Capitalized(std::string_view type) {
  std::string s(type);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string PartName(const Value& part) {
  const std::string* name = part.FindString("name");
  return name != nullptr ? name->substr(0, 64) : std::string("?");
}

Status CheckNestedPartsAt(const Value& parts, const definitions::Registry& registry) {
  for (const Value& part : parts.items()) {
    if (!part.is_object()) return Status::InvalidInput("a nested part is not a JSON object");
    const std::string* name = part.FindString("name");
    if (name == nullptr || name->empty()) {
      return Status::InvalidInput("a nested part has no name (the element it sets)");
    }
    Result<PatchValue> value = ReadPartValue(part, registry);
    if (!value.ok()) return value.status();
    if (value->kind == PatchValue::Kind::kParts) {
      SCHAKEL_RETURN_IF_ERROR(CheckNestedPartsAt(*value->parts, registry));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<PatchValue> ReadPartValue(const Value& part, const definitions::Registry& registry) {
  const std::string where = "part '" + PartName(part) + "'";
  PatchValue result;
  int contents = 0;
  std::string_view suffix;
  const Value* typed = nullptr;
  const Value* companion = nullptr;
  for (const json::Member& m : part.members()) {
    std::string_view name = m.name;
    if (name == "resource") {
      ++contents;
      if (!m.value.is_object() || m.value.FindString("resourceType") == nullptr) {
        return Status::InvalidInput(where + ": resource must be a resource (with a resourceType)");
      }
      result.kind = PatchValue::Kind::kResource;
      result.type = *m.value.FindString("resourceType");
      result.value = m.value;
    } else if (name == "part") {
      ++contents;
      if (!m.value.is_array() || m.value.items().empty()) {
        return Status::InvalidInput(where + ": part must be a non-empty array of parts");
      }
      result.kind = PatchValue::Kind::kParts;
      result.parts = &m.value;
    } else {
      const bool is_companion = name.starts_with('_');
      std::string_view s = ValueSuffix(is_companion ? name.substr(1) : name);
      if (s.empty()) continue;  // name, id, extension, modifierExtension
      if (!suffix.empty() && s != suffix) {
        return Status::InvalidInput(where + " has more than one value[x]");
      }
      if (suffix.empty()) ++contents;
      suffix = s;
      (is_companion ? companion : typed) = &m.value;
    }
  }
  if (contents != 1) {
    return Status::InvalidInput(where + (contents == 0 ? " has no value" : " has more than one") +
                                " (value[x], resource or part)");
  }
  if (suffix.empty()) return result;

  std::optional<std::string> type = TypeOfSuffix(suffix, registry);
  if (!type) {
    return Status::InvalidInput(where + ": value" + std::string(suffix.substr(0, 64)) +
                                " names no FHIR data type");
  }
  const bool primitive = registry.IsPrimitive(*type);
  if (typed != nullptr) {
    const bool fits = primitive ? (typed->is_string() || typed->is_number() || typed->is_bool())
                                : typed->is_object();
    if (!fits) {
      return Status::InvalidInput(where + ": value" + std::string(suffix) + " must be " +
                                  (primitive ? "a JSON string, number or boolean" : "an object"));
    }
    result.value = *typed;
  }
  if (companion != nullptr) {
    if (!primitive || !companion->is_object()) {
      return Status::InvalidInput(where + ": _value" + std::string(suffix) +
                                  " must be an object, beside a primitive value");
    }
    result.companion = *companion;
  }
  result.kind = PatchValue::Kind::kTyped;
  result.type = *std::move(type);
  return result;
}

Status CheckNestedParts(const Value& parts, const definitions::Registry& registry) {
  return CheckNestedPartsAt(parts, registry);
}

Status CheckFits(const ElementRef& element, const PatchValue& value,
                 const definitions::Registry& registry) {
  const std::string_view tc = element.type_code;
  if (tc.empty()) return Status::Ok();
  const std::string path = element.element->path;
  switch (value.kind) {
    case PatchValue::Kind::kParts:
      if (registry.IsPrimitive(tc)) {
        return Status::Unprocessable(path + " is a " + std::string(tc) +
                                     ": give it as value[x], not as parts");
      }
      if (IsResourceLike(tc)) {
        return Status::Unprocessable(path + " holds a resource: give it as `resource`");
      }
      return Status::Ok();
    case PatchValue::Kind::kResource:
      if (IsResourceLike(tc) || tc == value.type) return Status::Ok();
      return Status::Unprocessable(path + " is a " + std::string(tc) + ", not a resource");
    case PatchValue::Kind::kTyped:
      break;
  }
  if (IsResourceLike(tc)) {
    return Status::Unprocessable(path + " holds a resource: give it as `resource`");
  }
  if (tc == value.type) return Status::Ok();
  const bool element_primitive = registry.IsPrimitive(tc);
  const bool value_primitive = registry.IsPrimitive(value.type);
  // Primitives are written alike in JSON (a code is a string); their lexical rules are checked
  // when the patched resource is validated.
  if (element_primitive && value_primitive && JsonKindOf(tc) == JsonKindOf(value.type)) {
    return Status::Ok();
  }
  if (!value_primitive) {
    // A specialization fits its base (an Age is a Quantity).
    std::string type = value.type;
    for (int i = 0; i < 8; ++i) {
      const definitions::StructureInfo* info = registry.Find(type);
      if (info == nullptr || info->base_type.empty()) break;
      type = info->base_type;
      if (type == tc) return Status::Ok();
    }
  }
  return Status::Unprocessable(path + " is a " + std::string(tc) + "; the value is a " +
                               value.type);
}

Result<Placement> PlaceChild(const ElementRef& parent, std::string_view name,
                             const PatchValue& value, const definitions::Registry& registry) {
  const std::string parent_path = parent.element != nullptr ? parent.element->path : "?";
  if (name.empty() || name == "resourceType" || name.starts_with('_')) {
    return Status::Unprocessable("'" + std::string(name.substr(0, 64)) +
                                 "' is not an element name");
  }
  auto [owner, children] = registry.ChildrenOf(parent);
  const definitions::ElementDefinition* def = nullptr;
  for (std::uint32_t index : *children) {
    if (owner->element(index).name == name) {
      def = &owner->element(index);
      break;
    }
  }
  std::string member(name);
  if (def == nullptr) {
    // A choice element may also be named as in JSON (valueQuantity).
    std::optional<ElementRef> ref = registry.ResolveChild(parent, name);
    if (!ref || !ref->element->is_choice) {
      return Status::Unprocessable(parent_path + " has no element '" +
                                   std::string(name.substr(0, 64)) + "'");
    }
  } else if (def->is_choice) {
    if (value.kind != PatchValue::Kind::kTyped) {
      return Status::Unprocessable(def->path +
                                   " is a choice of types: give its value as value[x], whose "
                                   "name says the type");
    }
    member += Capitalized(value.type);
  }
  std::optional<ElementRef> ref = registry.ResolveChild(parent, member);
  if (!ref) {
    std::string types;
    for (const std::string& t : def->type_codes) types += (types.empty() ? "" : ", ") + t;
    return Status::Unprocessable(def->path + " cannot be a " + value.type + " (its types are " +
                                 types + ")");
  }
  SCHAKEL_RETURN_IF_ERROR(CheckFits(*ref, value, registry));
  return Placement{std::move(member), *ref, ref->element->IsArray()};
}

Result<Materialized> Materialize(const PatchValue& value, const ElementRef& element,
                                 const definitions::Registry& registry) {
  if (value.kind != PatchValue::Kind::kParts) return Materialized{value.value, value.companion};
  Value object = Value::Object();
  for (const Value& part : value.parts->items()) {
    const std::string* name = part.FindString("name");
    if (name == nullptr) return Status::InvalidInput("a nested part has no name");
    Result<PatchValue> child = ReadPartValue(part, registry);
    if (!child.ok()) return child.status();
    Result<Placement> placement = PlaceChild(element, *name, *child, registry);
    if (!placement.ok()) return placement.status();
    Result<Materialized> built = Materialize(*child, placement->element, registry);
    if (!built.ok()) return built.status();
    const std::string& member = placement->member;
    if (placement->repeats) {
      InsertEntry(object, member, ListSize(object, member), std::move(built->value),
                  std::move(built->companion));
      continue;
    }
    if (object.Find(member) != nullptr || object.Find("_" + member) != nullptr) {
      return Status::Unprocessable(placement->element.element->path +
                                   " does not repeat but is given more than once");
    }
    if (!built->value.is_null()) object.Set(member, std::move(built->value));
    if (!built->companion.is_null()) object.Set("_" + member, std::move(built->companion));
  }
  return Materialized{std::move(object), Value::Null()};
}

std::size_t NestingDepth(const Value& value) {
  std::size_t deepest = 0;
  std::vector<std::pair<const Value*, std::size_t>> stack{{&value, 0}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (v->is_array()) {
      deepest = std::max(deepest, depth + 1);
      for (const Value& item : v->items()) stack.emplace_back(&item, depth + 1);
    } else if (v->is_object()) {
      deepest = std::max(deepest, depth + 1);
      for (const json::Member& m : v->members()) stack.emplace_back(&m.value, depth + 1);
    }
  }
  return deepest;
}

}  // namespace schakel::fhir::patch
