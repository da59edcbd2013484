// Reference index entries. https://hl7.org/fhir/R4/search.html#reference and
// https://hl7.org/fhir/R4/references.html#literal
#include <charconv>

#include "fhir/search/extract_convert.h"

namespace schakel::fhir::search::internal {
namespace {

constexpr std::string_view kHistory = "/_history/";
constexpr std::size_t kMaxIdLength = 64;

// [A-Za-z0-9\-\.]{1,64} (https://hl7.org/fhir/R4/datatypes.html#id).
bool IsId(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsAbsolute(std::string_view url) {
  return url.find("://") != std::string_view::npos || url.starts_with("urn:");
}

// Fills target_type, target_id and target_version from "Type/id[/_history/v]", or from the
// last segments of an absolute URL ("http://x/fhir/Patient/1"). A relative reference must be
// exactly that; an absolute one may have any base.
void ParseLiteral(std::string_view reference, bool absolute, const definitions::Registry& registry,
                  ReferenceIndex& out) {
  std::string_view path = reference;
  std::optional<std::int64_t> version;
  if (std::size_t history = path.find(kHistory); history != std::string_view::npos) {
    std::string_view v = path.substr(history + kHistory.size());
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && ptr == v.data() + v.size()) version = n;
    path = path.substr(0, history);
  }
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return;
  const std::string_view id = path.substr(slash + 1);
  std::string_view type = path.substr(0, slash);
  const std::size_t type_start = type.rfind('/');
  if (type_start != std::string_view::npos) {
    if (!absolute) return;  // relative references are "Type/id", nothing more
    type = type.substr(type_start + 1);
  }
  if (!IsId(id) || !registry.IsResourceType(type)) return;
  out.target_type = std::string(type);
  out.target_id = std::string(id);
  out.target_version = version;
}

bool HasTarget(const ReferenceIndex& r) {
  return !r.target_id.empty() || !r.url.empty() || r.identifier_value.has_value() ||
         r.identifier_system.has_value();
}

}  // namespace

void AddReferences(const path::Item& item, const std::string& param,
                   const definitions::Registry& registry, std::vector<ReferenceIndex>& out) {
  ReferenceIndex entry;
  entry.param = param;
  if (item.is_node() && item.node != nullptr && item.node->is_object()) {
    if (item.type != "Reference") return;  // resources and other complex values
    const json::Value& node = *item.node;
    if (const std::string* reference = node.FindString("reference");
        reference != nullptr && !reference->empty() && !reference->starts_with("#")) {
      const bool absolute = IsAbsolute(*reference);
      if (absolute) entry.url = *reference;
      ParseLiteral(*reference, absolute, registry, entry);
    }
    if (const json::Value* identifier = node.Find("identifier");
        identifier != nullptr && identifier->is_object()) {
      if (const std::string* system = identifier->FindString("system")) {
        entry.identifier_system = *system;
      }
      if (const std::string* value = identifier->FindString("value")) {
        entry.identifier_value = *value;
      }
    }
  } else if (const std::string* text = StringValue(item)) {
    // canonical, uri, url: the url without its |version; "Questionnaire/1" is also a literal.
    const std::string_view url = std::string_view(*text).substr(0, text->find('|'));
    if (url.empty() || url.starts_with("#")) return;
    entry.url = std::string(url);
    ParseLiteral(url, IsAbsolute(url), registry, entry);
  }
  if (HasTarget(entry)) out.push_back(std::move(entry));
}

}  // namespace schakel::fhir::search::internal
