#include "fhir/definitions/value_sets.h"

#include <algorithm>
#include <fstream>

#include "fhir/json/parse.h"

namespace schakel::fhir::definitions {
namespace {

constexpr std::string_view kValueSetsFile = "/fhir-r4/value-sets.ndjson";

std::string_view WithoutVersion(std::string_view url) { return url.substr(0, url.find('|')); }

bool IsNonEmptyString(const json::Value& v) { return v.is_string() && !v.text().empty(); }

}  // namespace

Result<std::shared_ptr<const ValueSetIndex>> ValueSetIndex::Load(const std::string& resources_dir) {
  const std::string path = resources_dir + std::string(kValueSetsFile);
  std::ifstream in(path);
  if (!in) {
    return Status::Internal("cannot read " + path +
                            " (set --resources to the folder holding fhir-r4/; "
                            "scripts/import-definitions writes the file)");
  }
  auto index = std::make_shared<ValueSetIndex>();
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    Result<json::Value> entry = json::Parse(line);
    if (!entry.ok()) return Status::Internal(where + std::string(entry.status().message()));
    if (!entry->is_object()) return Status::Internal(where + "expected a JSON object");
    const std::string* url = entry->FindString("url");
    if (url == nullptr || url->empty() || url->find('|') != std::string::npos) {
      return Status::Internal(where + "a value set needs a versionless url");
    }
    auto [it, inserted] = index->value_sets_.try_emplace(*url);
    if (!inserted) return Status::Internal(where + "value set " + *url + " appears twice");
    ValueSet& value_set = it->second;

    const json::Value* open = entry->Find("open");
    const json::Value* codes = entry->Find("codes");
    if (open != nullptr && open->is_bool() && open->bool_value()) {
      const json::Value* systems = entry->Find("systems");
      if (codes != nullptr || systems == nullptr || !systems->is_array()) {
        return Status::Internal(where + "an open value set has systems and no codes");
      }
      for (const json::Value& system : systems->items()) {
        if (!IsNonEmptyString(system)) {
          return Status::Internal(where + "systems must be non-empty strings");
        }
        value_set.systems.push_back({system.text(), {}});
      }
      value_set.open = true;
      continue;
    }
    if (open != nullptr) return Status::Internal(where + "open must be true when present");
    if (codes == nullptr || !codes->is_array() || codes->items().empty()) {
      return Status::Internal(where + "value set " + *url + " has neither codes nor open: true");
    }
    for (const json::Value& pair : codes->items()) {
      if (!pair.is_array() || pair.size() != 2 || !IsNonEmptyString(pair.items()[0]) ||
          !IsNonEmptyString(pair.items()[1])) {
        return Status::Internal(where + "codes must be [system, code] pairs of non-empty strings");
      }
    }
    // Systems first, so that the vector no longer moves once codes point into it.
    for (const json::Value& pair : codes->items()) {
      const std::string& system = pair.items()[0].text();
      bool known = false;
      for (const SystemCodes& s : value_set.systems) known = known || s.system == system;
      if (!known) value_set.systems.push_back({system, {}});
    }
    for (const json::Value& pair : codes->items()) {
      const std::string& system = pair.items()[0].text();
      std::uint32_t i = 0;
      while (value_set.systems[i].system != system) ++i;
      auto [code, added] = value_set.systems[i].codes.insert(pair.items()[1].text());
      if (added) value_set.ordered.emplace_back(i, *code);
    }
  }
  if (index->value_sets_.empty()) return Status::Internal(path + " defines no value sets");
  return std::shared_ptr<const ValueSetIndex>(std::move(index));
}

const ValueSetIndex::ValueSet* ValueSetIndex::Find(std::string_view value_set_url) const {
  auto it = value_sets_.find(WithoutVersion(value_set_url));
  return it == value_sets_.end() ? nullptr : &it->second;
}

bool ValueSetIndex::Contains(std::string_view value_set_url) const {
  return Find(value_set_url) != nullptr;
}

std::string_view ValueSetIndex::SingleSystem(std::string_view value_set_url) const {
  const ValueSet* value_set = Find(value_set_url);
  if (value_set == nullptr || value_set->systems.size() != 1) return {};
  return value_set->systems.front().system;
}

ValueSetIndex::Membership ValueSetIndex::Check(std::string_view value_set_url,
                                               std::string_view system,
                                               std::string_view code) const {
  const ValueSet* value_set = Find(value_set_url);
  if (value_set == nullptr) return Membership::kUnknownValueSet;
  if (value_set->open) {
    if (system.empty() || value_set->systems.empty()) return Membership::kNotCheckable;
    for (const SystemCodes& s : value_set->systems) {
      if (s.system == system) return Membership::kNotCheckable;
    }
    return Membership::kNotMember;
  }
  for (const SystemCodes& s : value_set->systems) {
    if (system.empty() || s.system == system) {
      if (s.codes.contains(code)) return Membership::kMember;
      if (!system.empty()) return Membership::kNotMember;
    }
  }
  return Membership::kNotMember;
}

std::string ValueSetIndex::DescribeCodes(std::string_view value_set_url,
                                         std::size_t max_codes) const {
  const ValueSet* value_set = Find(value_set_url);
  if (value_set == nullptr) return {};
  std::string out;
  if (value_set->open) {
    out = "any code";
    for (std::size_t i = 0; i < value_set->systems.size(); ++i) {
      out += i == 0 ? " from " : ", ";
      out += value_set->systems[i].system;
    }
    return out;
  }
  const bool qualify = value_set->systems.size() > 1;
  const std::size_t shown = std::min(max_codes, value_set->ordered.size());
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    const auto& [system, code] = value_set->ordered[i];
    if (qualify) {
      out += value_set->systems[system].system;
      out += '#';
    }
    out += code;
  }
  if (shown < value_set->ordered.size()) {
    out += shown > 0 ? ", ... (" : "... (";
    out += std::to_string(value_set->ordered.size()) + " in all)";
  }
  return out;
}

}  // namespace schakel::fhir::definitions
