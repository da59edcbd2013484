#include "fhir/search/compartments.h"

#include <fstream>

#include "fhir/json/parse.h"

namespace schakel::fhir::search {

Result<std::shared_ptr<const Compartments>> Compartments::Load(const std::string& resources_dir) {
  const std::string path = resources_dir + "/fhir-r4/compartments.ndjson";
  std::ifstream in(path);
  if (!in) return Status::Internal("cannot read " + path);
  auto compartments = std::shared_ptr<Compartments>(new Compartments());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Result<json::Value> cd = json::Parse(line);
    if (!cd.ok()) return Status::Internal(path + ": " + std::string(cd.status().message()));
    const std::string* code = cd->FindString("code");
    const json::Value* resources = cd->Find("resource");
    if (code == nullptr || resources == nullptr || !resources->is_array()) continue;
    auto& by_type = compartments->params_[*code];
    for (const json::Value& r : resources->items()) {
      const std::string* type = r.FindString("code");
      const json::Value* params = r.Find("param");
      if (type == nullptr || params == nullptr || !params->is_array()) continue;
      std::vector<std::string>& codes = by_type[*type];
      for (const json::Value& p : params->items()) {
        // "{def}" marks a link the definition leaves open; it has no parameter to search.
        if (p.is_string() && p.text() != "{def}") codes.push_back(p.text());
      }
    }
  }
  return std::shared_ptr<const Compartments>(std::move(compartments));
}

bool Compartments::IsCompartment(std::string_view compartment) const {
  return params_.find(compartment) != params_.end();
}

const std::vector<std::string>& Compartments::Params(std::string_view compartment,
                                                     std::string_view type) const {
  static const std::vector<std::string> kNone;
  auto c = params_.find(compartment);
  if (c == params_.end()) return kNone;
  auto t = c->second.find(type);
  return t == c->second.end() ? kNone : t->second;
}

}  // namespace schakel::fhir::search
