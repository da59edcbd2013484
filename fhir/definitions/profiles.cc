#include "fhir/definitions/profiles.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/json/parse.h"

namespace schakel::fhir::definitions {
namespace {

constexpr std::string_view kSystemPrefix = "http://hl7.org/fhirpath/System.";

std::uint32_t ParseMax(const std::string* max, std::uint32_t fallback) {
  if (max == nullptr) return fallback;
  if (*max == "*") return kUnbounded;
  std::uint32_t n = fallback;
  std::from_chars(max->data(), max->data() + max->size(), n);
  return n;
}

std::uint32_t ParseMin(const json::Value* min) {
  return min == nullptr ? 0 : static_cast<std::uint32_t>(min->AsInt64().value_or(0));
}

BindingStrength ParseStrength(std::string_view s) {
  if (s == "required") return BindingStrength::kRequired;
  if (s == "extensible") return BindingStrength::kExtensible;
  if (s == "preferred") return BindingStrength::kPreferred;
  if (s == "example") return BindingStrength::kExample;
  return BindingStrength::kNone;
}

std::optional<DiscriminatorType> ParseDiscriminatorType(std::string_view s) {
  if (s == "value") return DiscriminatorType::kValue;
  if (s == "exists") return DiscriminatorType::kExists;
  if (s == "pattern") return DiscriminatorType::kPattern;
  if (s == "type") return DiscriminatorType::kType;
  if (s == "profile") return DiscriminatorType::kProfile;
  return std::nullopt;
}

// "fixedUri" -> true for prefix "fixed": the prefix followed by a type name.
bool IsTypedMember(std::string_view name, std::string_view prefix) {
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         name[prefix.size()] >= 'A' && name[prefix.size()] <= 'Z';
}

Result<Slicing> ParseSlicing(const json::Value& s) {
  Slicing slicing;
  if (const json::Value* d = s.Find("discriminator"); d != nullptr && d->is_array()) {
    for (const json::Value& item : d->items()) {
      const std::string* type = item.FindString("type");
      const std::string* path = item.FindString("path");
      std::optional<DiscriminatorType> t = type ? ParseDiscriminatorType(*type) : std::nullopt;
      if (!t || path == nullptr) return Status::Internal("a discriminator needs a type and path");
      slicing.discriminators.push_back({*t, *path});
    }
  }
  if (const std::string* rules = s.FindString("rules")) {
    if (*rules == "closed") slicing.rules = SlicingRules::kClosed;
    if (*rules == "openAtEnd") slicing.rules = SlicingRules::kOpenAtEnd;
  }
  const json::Value* ordered = s.Find("ordered");
  slicing.ordered = ordered != nullptr && ordered->is_bool() && ordered->bool_value();
  return slicing;
}

Result<ProfileElement> ParseElement(const json::Value& e, const Registry& registry) {
  ProfileElement out;
  if (const std::string* path = e.FindString("path")) out.path = *path;
  if (out.path.empty()) return Status::Internal("an element has no path");
  if (const std::string* slice = e.FindString("sliceName")) out.slice_name = *slice;
  if (const std::string* id = e.FindString("id")) {
    out.id = *id;
  } else {
    out.id = out.slice_name.empty() ? out.path : out.path + ":" + out.slice_name;
  }
  std::size_t dot = out.path.rfind('.');
  out.name = dot == std::string::npos ? out.path : out.path.substr(dot + 1);
  if (out.name.size() > 3 && out.name.ends_with("[x]")) {
    out.is_choice = true;
    out.name.resize(out.name.size() - 3);
  }
  out.min = ParseMin(e.Find("min"));
  out.max = ParseMax(e.FindString("max"), kUnbounded);
  out.base_min = out.min;
  out.base_max = out.max;
  std::string base_path = out.path;
  if (const json::Value* base = e.Find("base")) {
    out.base_min = ParseMin(base->Find("min"));
    out.base_max = ParseMax(base->FindString("max"), out.max);
    if (const std::string* p = base->FindString("path")) base_path = *p;
  }
  if (const json::Value* types = e.Find("type"); types != nullptr && types->is_array()) {
    for (const json::Value& t : types->items()) {
      const std::string* code = t.FindString("code");
      if (code == nullptr) continue;
      out.types.push_back(code->starts_with(kSystemPrefix) ? "string" : *code);
      if (const json::Value* profiles = t.Find("profile"); profiles && profiles->is_array()) {
        for (const json::Value& p : profiles->items()) {
          if (p.is_string()) out.type_profiles.push_back(p.text());
        }
      }
    }
  }
  for (const json::Member& m : e.members()) {
    if (IsTypedMember(m.name, "fixed")) out.fixed = m.value;
    if (IsTypedMember(m.name, "pattern")) out.pattern = m.value;
  }
  if (const json::Value* binding = e.Find("binding")) {
    if (const std::string* strength = binding->FindString("strength")) {
      out.binding = ParseStrength(*strength);
    }
    if (const std::string* vs = binding->FindString("valueSet")) {
      out.value_set = vs->substr(0, vs->find('|'));
    }
  }
  // A binding the base definition has already (same set, same strength) is checked there.
  const TypeDefinition* base_type = registry.Type(base_path.substr(0, base_path.find('.')));
  const ElementDefinition* base_element =
      base_type != nullptr ? base_type->FindPath(base_path) : nullptr;
  if (base_element != nullptr && base_element->binding == out.binding &&
      base_element->value_set == out.value_set) {
    out.binding_is_new = false;
  }
  if (const json::Value* slicing = e.Find("slicing")) {
    Result<Slicing> parsed = ParseSlicing(*slicing);
    if (!parsed.ok())
      return Status::Internal(out.id + ": " + std::string(parsed.status().message()));
    out.slicing = std::move(parsed).value();
  }
  if (const json::Value* constraints = e.Find("constraint");
      constraints && constraints->is_array()) {
    out.invariants = static_cast<std::uint32_t>(constraints->items().size());
  }
  return out;
}

Result<json::Value> ReadJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  Result<json::Value> parsed = json::Parse(text.str());
  if (!parsed.ok()) {
    return Status::Internal(path.string() + ": " + std::string(parsed.status().message()));
  }
  return parsed;
}

// Every code of a CodeSystem's concept tree, depth first.
void CollectConcepts(const json::Value& concepts, std::vector<std::string>& out) {
  if (!concepts.is_array()) return;
  for (const json::Value& c : concepts.items()) {
    if (const std::string* code = c.FindString("code")) out.push_back(*code);
    if (const json::Value* nested = c.Find("concept")) CollectConcepts(*nested, out);
  }
}

}  // namespace

Result<std::unique_ptr<Profile>> Profile::FromStructureDefinition(const json::Value& sd,
                                                                  const std::string& file,
                                                                  const Registry& registry) {
  auto fail = [&file](const std::string& why) { return Status::Internal(file + ": " + why); };
  const std::string* url = sd.FindString("url");
  const std::string* type = sd.FindString("type");
  const std::string* derivation = sd.FindString("derivation");
  const std::string* kind = sd.FindString("kind");
  if (url == nullptr || type == nullptr) return fail("a StructureDefinition needs url and type");
  if (derivation == nullptr || *derivation != "constraint") {
    return fail(*url + " is not a constraint profile (derivation must be \"constraint\")");
  }
  if (kind == nullptr || (*kind != "resource" && *kind != "complex-type")) {
    return fail(*url + ": only profiles of resources and complex types are supported");
  }
  if (registry.Type(*type) == nullptr) return fail(*url + " constrains unknown type " + *type);
  const json::Value* snapshot = sd.Find("snapshot");
  const json::Value* elements = snapshot != nullptr ? snapshot->Find("element") : nullptr;
  if (elements == nullptr || !elements->is_array() || elements->items().empty()) {
    return fail(*url +
                " has no snapshot; snapshot generation is not supported, so publish the profile "
                "with its snapshot (e.g. from the IG publisher or SUSHI)");
  }
  auto profile = std::make_unique<Profile>();
  profile->url_ = *url;
  profile->type_ = *type;
  profile->file_ = file;
  if (const std::string* v = sd.FindString("version")) profile->version_ = *v;
  if (const std::string* n = sd.FindString("name")) profile->name_ = *n;

  std::unordered_map<std::string, std::uint32_t> by_id;
  for (const json::Value& e : elements->items()) {
    Result<ProfileElement> parsed = ParseElement(e, registry);
    if (!parsed.ok()) return fail(*url + ": " + std::string(parsed.status().message()));
    ProfileElement element = std::move(parsed).value();
    const auto index = static_cast<std::uint32_t>(profile->elements_.size());
    profile->invariant_count_ += element.invariants;
    if (index == 0) {
      if (element.path != *type) return fail(*url + ": the first element must be " + *type);
    } else {
      const std::size_t dot = element.id.rfind('.');
      if (dot == std::string::npos)
        return fail(*url + ": element " + element.id + " has no parent");
      const std::string last = element.id.substr(dot + 1);
      const std::size_t colon = last.find(':');
      // Re-slicing ("coding:a/b") is not supported: such slices and their elements are skipped.
      if (colon != std::string::npos && last.find('/', colon) != std::string::npos) continue;
      const std::string owner = colon == std::string::npos ? element.id.substr(0, dot)
                                                           : element.id.substr(0, dot + 1 + colon);
      auto it = by_id.find(owner);
      if (it == by_id.end()) {
        if (owner.find('/') != std::string::npos) continue;  // inside a skipped re-slice
        return fail(*url + ": element " + element.id + " comes before " + owner);
      }
      std::vector<std::uint32_t>& list = colon == std::string::npos
                                             ? profile->elements_[it->second].children
                                             : profile->elements_[it->second].slices;
      list.push_back(index);
    }
    by_id.emplace(element.id, index);
    profile->elements_.push_back(std::move(element));
  }
  return profile;
}

Result<std::shared_ptr<const ProfileRegistry>> ProfileRegistry::Load(const std::string& dir,
                                                                     const Registry& registry) {
  auto out = std::make_shared<ProfileRegistry>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return std::shared_ptr<const ProfileRegistry>(std::move(out));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  if (ec) return Status::Internal("cannot list " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());

  std::unordered_map<std::string, std::vector<std::string>> code_systems;  // url -> codes
  std::vector<std::pair<std::string, json::Value>> value_sets;             // file, ValueSet
  for (const std::filesystem::path& path : files) {
    const std::string file = path.string();
    Result<json::Value> resource = ReadJsonFile(path);
    if (!resource.ok()) return resource.status();
    const std::string* type = resource->FindString("resourceType");
    const std::string* url = resource->FindString("url");
    if (type == nullptr || url == nullptr)
      return Status::Internal(file + ": needs resourceType and url");
    if (*type == "StructureDefinition") {
      Result<std::unique_ptr<Profile>> profile =
          Profile::FromStructureDefinition(*resource, file, registry);
      if (!profile.ok()) return profile.status();
      const Profile* p = profile->get();
      if (!p->version().empty() && out->by_url_.contains(p->url() + "|" + p->version())) {
        return Status::Internal(file + ": " + p->url() + "|" + p->version() + " is loaded twice");
      }
      out->by_url_[p->url()] = p;
      if (!p->version().empty()) out->by_url_[p->url() + "|" + p->version()] = p;
      out->profiles_.push_back(std::move(profile).value());
    } else if (*type == "CodeSystem") {
      const json::Value* concepts = resource->Find("concept");
      const std::string* content = resource->FindString("content");
      if (concepts != nullptr && (content == nullptr || *content == "complete")) {
        CollectConcepts(*concepts, code_systems[*url]);
      }
    } else if (*type == "ValueSet") {
      value_sets.emplace_back(file, std::move(resource).value());
    } else if (*type == "SearchParameter") {
      continue;  // the search-parameter registry (fhir/search) loads these
    } else {
      return Status::Internal(file + ": " + *type +
                              " does not belong here (StructureDefinition, ValueSet, CodeSystem, "
                              "SearchParameter)");
    }
  }

  for (const auto& [file, vs] : value_sets) {
    LocalValueSet& set = out->value_sets_[*vs.FindString("url")];
    auto add = [&set](const std::string& system, const std::string& code) {
      std::string key = system;
      key += '|';
      key += code;
      set.codes.insert(std::move(key));
      set.bare.insert(code);
    };
    const json::Value* expansion = vs.Find("expansion");
    const json::Value* contains = expansion != nullptr ? expansion->Find("contains") : nullptr;
    if (contains != nullptr && contains->is_array()) {
      for (const json::Value& c : contains->items()) {
        const std::string* system = c.FindString("system");
        const std::string* code = c.FindString("code");
        if (system != nullptr && code != nullptr) add(*system, *code);
      }
      continue;
    }
    const json::Value* compose = vs.Find("compose");
    const json::Value* includes = compose != nullptr ? compose->Find("include") : nullptr;
    if (includes == nullptr || !includes->is_array()) {
      set.open = true;
      continue;
    }
    for (const json::Value& include : includes->items()) {
      const std::string* system = include.FindString("system");
      const json::Value* concepts = include.Find("concept");
      if (system == nullptr || include.Find("filter") != nullptr ||
          include.Find("valueSet") != nullptr) {
        set.open = true;
      } else if (concepts != nullptr && concepts->is_array()) {
        for (const json::Value& c : concepts->items()) {
          if (const std::string* code = c.FindString("code")) add(*system, *code);
        }
      } else if (auto cs = code_systems.find(*system); cs != code_systems.end()) {
        for (const std::string& code : cs->second) add(*system, code);
      } else {
        set.open = true;  // a whole system we cannot list
      }
    }
    if (const json::Value* excludes = compose->Find("exclude"); excludes && excludes->is_array()) {
      for (const json::Value& exclude : excludes->items()) {
        const std::string* system = exclude.FindString("system");
        const json::Value* concepts = exclude.Find("concept");
        if (system == nullptr || concepts == nullptr || !concepts->is_array()) continue;
        for (const json::Value& c : concepts->items()) {
          if (const std::string* code = c.FindString("code"))
            set.codes.erase(*system + "|" + *code);
        }
      }
      set.bare.clear();
      for (const std::string& code : set.codes) set.bare.insert(code.substr(code.rfind('|') + 1));
    }
  }
  return std::shared_ptr<const ProfileRegistry>(std::move(out));
}

const Profile* ProfileRegistry::Find(std::string_view canonical) const {
  auto it = by_url_.find(std::string(canonical));
  return it == by_url_.end() ? nullptr : it->second;
}

ValueSetIndex::Membership ProfileRegistry::CheckCode(std::string_view value_set_url,
                                                     std::string_view system,
                                                     std::string_view code) const {
  auto it = value_sets_.find(std::string(value_set_url.substr(0, value_set_url.find('|'))));
  if (it == value_sets_.end()) return ValueSetIndex::Membership::kUnknownValueSet;
  const LocalValueSet& set = it->second;
  const bool member = system.empty()
                          ? set.bare.contains(std::string(code))
                          : set.codes.contains(std::string(system) + "|" + std::string(code));
  if (member) return ValueSetIndex::Membership::kMember;
  return set.open ? ValueSetIndex::Membership::kNotCheckable
                  : ValueSetIndex::Membership::kNotMember;
}

}  // namespace schakel::fhir::definitions
