#include "fhir/resource.h"

#include <string>

#include "fhir/primitives/date_time.h"

namespace schakel::fhir {

bool IsValidId(std::string_view id) {
  constexpr std::size_t kMaxIdLength = 64;
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void StampMeta(json::Value& resource, std::string_view id, std::int64_t version,
               std::int64_t last_updated_ms) {
  json::Value meta = json::Value::Object();
  meta.Set("versionId", json::Value::String(std::to_string(version)));
  meta.Set("lastUpdated", json::Value::String(FormatInstant(last_updated_ms)));
  if (const json::Value* old = resource.Find("meta"); old != nullptr && old->is_object()) {
    for (const json::Member& m : old->members()) {
      if (m.name != "versionId" && m.name != "lastUpdated") meta.members().push_back(m);
    }
  }
  resource.Remove("id");
  resource.Remove("meta");
  std::size_t position = 0;
  const auto& members = resource.members();
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].name == "resourceType") position = i + 1;
  }
  resource.SetAt(position, "id", json::Value::String(std::string(id)));
  resource.SetAt(position + 1, "meta", std::move(meta));
}

}  // namespace schakel::fhir
