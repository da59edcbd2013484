#include "fhir/definitions/registry.h"

#include <algorithm>
#include <fstream>

#include "fhir/json/parse.h"

namespace schakel::fhir::definitions {
namespace {

constexpr std::string_view kDefinitionsFile = "/fhir-r4/structure-definitions.ndjson";

// "Quantity" names type "Quantity", "String" names "string", "DateTime" names "dateTime".
bool SuffixNamesType(std::string_view suffix, std::string_view type) {
  if (suffix.empty() || suffix.size() != type.size()) return false;
  char a = suffix[0];
  char b = type[0];
  if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 'a' + 'A');
  return a == b && suffix.substr(1) == type.substr(1);
}

}  // namespace

Result<std::shared_ptr<const Registry>> Registry::Load(const std::string& resources_dir) {
  const std::string path = resources_dir + std::string(kDefinitionsFile);
  std::ifstream in(path);
  if (!in) {
    return Status::Internal("cannot read " + path +
                            " (set --resources to the folder holding fhir-r4/)");
  }
  auto registry = std::make_shared<Registry>();
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_number);
    Result<json::Value> sd = json::Parse(line);
    if (!sd.ok()) return Status::Internal(where + ": " + std::string(sd.status().message()));
    Result<TypeDefinition> def = TypeDefinition::FromStructureDefinition(*sd);
    if (!def.ok()) return Status::Internal(where + ": " + std::string(def.status().message()));
    const StructureInfo& info = def->info();
    if (info.kind == StructureKind::kResource && !info.is_abstract) {
      registry->resource_types_.push_back(info.type);
    }
    std::string type = info.type;
    registry->types_.emplace(std::move(type), std::move(def).value());
  }
  if (registry->resource_types_.empty()) {
    return Status::Internal(path + " defines no resource types");
  }
  std::sort(registry->resource_types_.begin(), registry->resource_types_.end());
  return std::shared_ptr<const Registry>(std::move(registry));
}

bool Registry::IsResourceType(std::string_view type) const {
  const StructureInfo* info = Find(type);
  return info != nullptr && info->kind == StructureKind::kResource && !info->is_abstract;
}

const StructureInfo* Registry::Find(std::string_view type) const {
  const TypeDefinition* def = Type(type);
  return def == nullptr ? nullptr : &def->info();
}

const TypeDefinition* Registry::Type(std::string_view type) const {
  auto it = types_.find(type);
  return it == types_.end() ? nullptr : &it->second;
}

bool Registry::IsPrimitive(std::string_view type_code) const {
  const StructureInfo* info = Find(type_code);
  return info != nullptr && info->kind == StructureKind::kPrimitiveType;
}

std::optional<ElementRef> Registry::Root(std::string_view type) const {
  const TypeDefinition* def = Type(type);
  if (def == nullptr) return std::nullopt;
  return ElementRef{def, &def->root(), def->info().type};
}

Registry::Children Registry::ChildrenOf(const ElementRef& parent) const {
  static const std::vector<std::uint32_t> kNone;
  const TypeDefinition* owner = parent.owner;
  const std::vector<std::uint32_t>* children = &owner->ChildIndices(*parent.element);
  if (children->empty()) {
    owner = Type(parent.type_code);
    if (owner == nullptr) return {parent.owner, &kNone};
    children = &owner->ChildIndices(owner->root());
  }
  return {owner, children};
}

std::optional<ElementRef> Registry::ResolveChild(const ElementRef& parent,
                                                 std::string_view name) const {
  // Children are inline (backbone elements, contentReference) or those of the value's data type.
  auto [owner, children] = ChildrenOf(parent);
  for (std::uint32_t index : *children) {
    const ElementDefinition& e = owner->element(index);
    if (e.name.size() > name.size() || name.compare(0, e.name.size(), e.name) != 0) continue;
    if (!e.is_choice) {
      if (e.name.size() == name.size()) {
        // An element defined by contentReference has no type of its own in R4: it has the type
        // of the element it refers to (Questionnaire.item.item -> BackboneElement).
        const ElementDefinition& typed =
            e.content_reference >= 0
                ? owner->element(static_cast<std::uint32_t>(e.content_reference))
                : e;
        std::string_view type = typed.type_codes.size() == 1 ? std::string_view(typed.type_codes[0])
                                                             : std::string_view();
        return ElementRef{owner, &e, type};
      }
      continue;
    }
    std::string_view suffix = name.substr(e.name.size());
    for (const std::string& type : e.type_codes) {
      if (SuffixNamesType(suffix, type)) return ElementRef{owner, &e, type};
    }
  }
  return std::nullopt;
}

}  // namespace schakel::fhir::definitions
