#include "fhir/search/subset.h"

#include <algorithm>

namespace schakel::fhir::search {
namespace {

constexpr const char* kObservationValue =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

// The element definition a top-level JSON member stands for (choices included), or nullptr.
const definitions::ElementDefinition* TopLevelElement(const definitions::Registry& registry,
                                                      std::string_view type,
                                                      std::string_view member) {
  std::optional<definitions::ElementRef> root = registry.Root(type);
  if (!root) return nullptr;
  std::string_view name = member;
  if (name.starts_with('_')) name.remove_prefix(1);  // a primitive's companion
  std::optional<definitions::ElementRef> child = registry.ResolveChild(*root, name);
  return child ? child->element : nullptr;
}

void AddSubsettedTag(json::Value& resource) {
  json::Value* meta = resource.Find("meta");
  if (meta == nullptr || !meta->is_object()) meta = &resource.Set("meta", json::Value::Object());
  json::Value* tags = meta->Find("tag");
  if (tags == nullptr || !tags->is_array()) tags = &meta->Set("tag", json::Value::Array());
  for (const json::Value& tag : tags->items()) {
    const std::string* code = tag.FindString("code");
    if (code != nullptr && *code == "SUBSETTED") return;
  }
  json::Value tag = json::Value::Object();
  tag.Set("system", json::Value::String(kObservationValue));
  tag.Set("code", json::Value::String("SUBSETTED"));
  tag.Set("display", json::Value::String("subsetted"));
  tags->Push(std::move(tag));
}

}  // namespace

bool Subsets(Summary summary, const std::vector<std::string>& elements) {
  return summary == Summary::kTrue || summary == Summary::kText || summary == Summary::kData ||
         !elements.empty();
}

json::Value Subset(const json::Value& resource, Summary summary,
                   const std::vector<std::string>& elements,
                   const definitions::Registry& registry) {
  const std::string* type_ptr = resource.FindString("resourceType");
  const std::string type = type_ptr != nullptr ? *type_ptr : "";
  json::Value out = json::Value::Object();
  for (const json::Member& m : resource.members()) {
    bool keep = false;
    if (m.name == "resourceType" || m.name == "id" || m.name == "meta") {
      keep = true;
    } else if (summary == Summary::kData) {
      keep = m.name != "text" && m.name != "_text";
    } else {
      const definitions::ElementDefinition* e = TopLevelElement(registry, type, m.name);
      if (!elements.empty()) {
        keep =
            e != nullptr && std::find(elements.begin(), elements.end(), e->name) != elements.end();
      } else if (summary == Summary::kTrue) {
        keep = e != nullptr && e->is_summary;
      } else if (summary == Summary::kText) {
        keep = m.name == "text" || (e != nullptr && e->min >= 1);
      }
    }
    if (keep) out.Set(m.name, m.value);
  }
  AddSubsettedTag(out);
  return out;
}

}  // namespace schakel::fhir::search
