#include "fhir/search/search_parameter.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include "fhir/json/parse.h"
#include "fhir/search/implicit_system.h"

namespace schakel::fhir::search {
namespace {

constexpr std::array<std::string_view, 9> kTypeNames = {
    "number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"};

constexpr std::string_view kResource = "Resource";
constexpr std::string_view kDomainResource = "DomainResource";

bool IsCommonBase(std::string_view base) { return base == kResource || base == kDomainResource; }

std::vector<std::string> StringList(const json::Value& resource, std::string_view key) {
  std::vector<std::string> out;
  const json::Value* list = resource.Find(key);
  if (list == nullptr || !list->is_array()) return out;
  for (const json::Value& item : list->items()) {
    if (item.is_string()) out.push_back(item.text());
  }
  return out;
}

std::string CutVersion(std::string_view canonical) {
  return std::string(canonical.substr(0, canonical.find('|')));
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Internal("cannot read " + path.string());
  return text.str();
}

void Warn(std::vector<std::string>* warnings, std::string message) {
  if (warnings != nullptr) warnings->push_back(std::move(message));
}

// "SearchParameter Patient-name" for messages.
std::string Describe(const SearchParameter& p) {
  return "SearchParameter " + (p.id.empty() ? p.url : p.id);
}

}  // namespace

const std::string* SearchParameter::ImplicitSystem(std::string_view type) const {
  if (implicit_systems.empty()) return nullptr;
  for (std::string_view key : {type, kDomainResource, kResource}) {
    auto it = implicit_systems.find(key);
    if (it != implicit_systems.end()) return &it->second;
  }
  return nullptr;
}

std::string_view ParamTypeName(ParamType type) {
  const auto index = static_cast<std::size_t>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : std::string_view("unknown");
}

std::optional<ParamType> ParamTypeFromName(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<ParamType>(i);
  }
  return std::nullopt;
}

Result<std::shared_ptr<const SearchParameterRegistry>> SearchParameterRegistry::Load(
    const std::string& resources_dir, std::shared_ptr<const definitions::Registry> registry,
    std::vector<std::string>* warnings) {
  if (registry == nullptr) return Status::Internal("SearchParameterRegistry needs definitions");
  const std::filesystem::path dir(resources_dir);
  const std::filesystem::path core = dir / "fhir-r4" / "search-parameters.ndjson";
  Result<std::string> text = ReadFile(core);
  if (!text.ok()) return text.status();

  std::shared_ptr<SearchParameterRegistry> out(new SearchParameterRegistry());
  out->registry_ = std::move(registry);
  Result<std::shared_ptr<const definitions::ValueSetIndex>> value_sets =
      definitions::ValueSetIndex::Load(resources_dir);
  if (value_sets.ok()) {
    out->value_sets_ = std::move(value_sets).value();
  } else {
    Warn(warnings, "codes are indexed without their implicit system: " +
                       std::string(value_sets.status().message()));
  }
  std::string_view rest = *text;
  for (std::size_t line = 1; !rest.empty(); ++line) {
    const std::size_t end = rest.find('\n');
    std::string_view current = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (current.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Result<json::Value> resource = json::Parse(current);
    if (!resource.ok()) {
      Warn(warnings, core.string() + " line " + std::to_string(line) + ": " +
                         std::string(resource.status().message()));
      continue;
    }
    Status added = out->Add(std::move(resource).value(), warnings);
    if (!added.ok()) {
      Warn(warnings,
           core.string() + " line " + std::to_string(line) + ": " + std::string(added.message()));
    }
  }
  out->core_count_ = out->params_.size();

  // SearchParameters among the profiles (the other files there are for ProfileRegistry).
  std::error_code ec;
  const std::filesystem::path profiles = dir / "profiles";
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(profiles, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(profiles, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    Result<std::string> content = ReadFile(file);
    Result<json::Value> resource =
        content.ok() ? json::Parse(*content) : Result<json::Value>(content.status());
    if (!resource.ok()) {
      Warn(warnings, file.string() + ": " + std::string(resource.status().message()));
      continue;
    }
    const std::string* type = resource->FindString("resourceType");
    if (type == nullptr || *type != "SearchParameter") continue;
    Status added = out->Add(std::move(resource).value(), warnings);
    if (!added.ok()) Warn(warnings, file.string() + ": " + std::string(added.message()));
  }
  out->Resolve(warnings);
  return std::shared_ptr<const SearchParameterRegistry>(std::move(out));
}

Result<std::shared_ptr<const SearchParameterRegistry>> SearchParameterRegistry::With(
    const std::vector<json::Value>& resources, std::vector<std::string>* warnings) const {
  std::shared_ptr<SearchParameterRegistry> out(new SearchParameterRegistry());
  out->registry_ = registry_;
  out->value_sets_ = value_sets_;
  // These were accepted before; their warnings were reported then.
  for (const json::Value& source : sources_) SCHAKEL_RETURN_IF_ERROR(out->Add(source, nullptr));
  out->core_count_ = core_count_;
  std::vector<std::string> urls;
  for (const json::Value& resource : resources) {
    SCHAKEL_RETURN_IF_ERROR(out->Add(resource, warnings));
    urls.push_back(*resource.FindString("url"));
  }
  out->Resolve(nullptr);
  for (const std::string& url : urls) {
    const SearchParameter* p = out->FindByUrl(url);
    if (p != nullptr && !p->problem.empty()) {
      return Status::Unprocessable(Describe(*p) + ": " + p->problem);
    }
  }
  return std::shared_ptr<const SearchParameterRegistry>(std::move(out));
}

Status SearchParameterRegistry::Add(json::Value resource, std::vector<std::string>* warnings) {
  const std::string* resource_type = resource.FindString("resourceType");
  if (resource_type == nullptr || *resource_type != "SearchParameter") {
    return Status::Unprocessable("not a SearchParameter");
  }
  auto p = std::make_shared<SearchParameter>();
  if (const std::string* id = resource.FindString("id")) p->id = *id;
  const std::string* url = resource.FindString("url");
  const std::string* code = resource.FindString("code");
  const std::string* type = resource.FindString("type");
  const std::string name = p->id.empty() ? std::string("SearchParameter") : p->id;
  if (url == nullptr || url->empty()) return Status::Unprocessable(name + " has no url");
  p->url = *url;
  if (code == nullptr || code->empty()) return Status::Unprocessable(name + " has no code");
  p->code = *code;
  std::optional<ParamType> param_type = type != nullptr ? ParamTypeFromName(*type) : std::nullopt;
  if (!param_type.has_value()) {
    return Status::Unprocessable(name + " has no valid type (number, date, string, token, " +
                                 "reference, composite, quantity, uri, special)");
  }
  p->type = *param_type;
  p->base = StringList(resource, "base");
  p->targets = StringList(resource, "target");
  p->modifiers = StringList(resource, "modifier");
  p->chains = StringList(resource, "chain");
  if (const std::string* expression = resource.FindString("expression")) {
    p->expression_text = *expression;
  }

  // The first problem found is the one reported.
  auto fail = [&p](std::string why) {
    if (p->problem.empty()) p->problem = std::move(why);
  };
  if (p->base.empty()) fail("it has no base resource type");
  // _text, _content, _query, _filter and a few extension parameters: nothing to evaluate.
  const bool has_expression = !p->expression_text.empty();
  if (!has_expression) fail("it has no expression");
  for (const std::string& base : p->base) {
    if (registry_->Find(base) == nullptr) fail("its base " + base + " is not a known type");
  }
  std::optional<path::Expression> expression;
  if (has_expression) {
    Result<path::Expression> parsed = path::Expression::Parse(p->expression_text);
    if (parsed.ok()) {
      expression = std::move(parsed).value();
    } else {
      fail("its expression does not parse: " + std::string(parsed.status().message()));
    }
  }
  if (expression.has_value() && p->problem.empty()) {
    path::CheckOptions options;
    options.allow_other_resource_types = true;
    for (const std::string& base : p->base) {
      Status checked = expression->Check(base, *registry_, options);
      if (!checked.ok()) {
        fail("its expression fails the check against " + base + ": " +
             std::string(checked.message()));
        break;
      }
    }
  }

  if (const json::Value* components = resource.Find("component");
      components != nullptr && components->is_array()) {
    for (const json::Value& c : components->items()) {
      CompositeComponent component;
      if (const std::string* d = c.FindString("definition")) component.definition = *d;
      if (const std::string* e = c.FindString("expression")) component.expression_text = *e;
      // Component expressions are only parsed: their context is an element of the composite's
      // result (often a BackboneElement such as Observation.component), not a named type the
      // checker can start from.
      Result<path::Expression> parsed = path::Expression::Parse(component.expression_text);
      if (parsed.ok()) {
        component.expression = std::move(parsed).value();
      } else {
        fail("its component expression '" + component.expression_text +
             "' does not parse: " + std::string(parsed.status().message()));
      }
      p->components.push_back(std::move(component));
    }
  }
  if (p->type == ParamType::kComposite && p->components.empty()) {
    fail("it is a composite parameter without components");
  }

  if (p->problem.empty()) {
    p->expression = std::move(expression);
    if (p->type == ParamType::kToken && value_sets_ != nullptr) {
      for (const std::string& base : p->base) {
        std::string system =
            internal::ImplicitCodeSystem(p->expression_text, base, *registry_, *value_sets_);
        if (!system.empty()) p->implicit_systems.emplace(base, std::move(system));
      }
    }
  } else if (has_expression && !p->base.empty()) {
    Warn(warnings, Describe(*p) + " is not indexable: " + p->problem);
  }

  // The same url again replaces the earlier definition in place.
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (params_[i]->url == p->url) {
      params_[i] = std::move(p);
      sources_[i] = std::move(resource);
      return Status::Ok();
    }
  }
  params_.push_back(std::move(p));
  sources_.push_back(std::move(resource));
  return Status::Ok();
}

void SearchParameterRegistry::Resolve(std::vector<std::string>* warnings) {
  by_url_.clear();
  by_type_.clear();
  for (const std::shared_ptr<SearchParameter>& p : params_) by_url_[p->url] = p.get();

  for (const std::shared_ptr<SearchParameter>& p : params_) {
    for (CompositeComponent& component : p->components) {
      component.param = FindByUrl(CutVersion(component.definition));
      std::string why;
      if (component.param == nullptr) {
        why = "its component " + component.definition + " is not a known SearchParameter";
      } else if (component.param->type == ParamType::kComposite ||
                 component.param->type == ParamType::kSpecial) {
        why = "its component " + component.definition + " is of type " +
              std::string(ParamTypeName(component.param->type));
      }
      if (!why.empty() && p->problem.empty()) {
        p->problem = why;
        p->expression.reset();
        Warn(warnings, Describe(*p) + " is not indexable: " + p->problem);
      }
    }
  }

  // Two parameters with one code on one type: among the core ones the first wins (the R4
  // package has example parameters that reuse core codes); a later one (profiles, the API)
  // replaces an earlier one.
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const SearchParameter* p = params_[i].get();
    for (const std::string& base : p->base) {
      auto& codes = by_type_[base];
      auto [it, inserted] = codes.emplace(p->code, p);
      if (inserted || it->second == p) continue;
      const bool both_core = i < core_count_;
      const SearchParameter* kept = both_core ? it->second : p;
      const SearchParameter* dropped = both_core ? p : it->second;
      it->second = kept;
      Warn(warnings, Describe(*dropped) + " is ignored for " + base + ": " + Describe(*kept) +
                         " has the same code '" + p->code + "'");
    }
  }
}

const SearchParameter* SearchParameterRegistry::Find(std::string_view type,
                                                     std::string_view code) const {
  auto lookup = [this, code](std::string_view key) -> const SearchParameter* {
    auto t = by_type_.find(key);
    if (t == by_type_.end()) return nullptr;
    auto c = t->second.find(code);
    return c == t->second.end() ? nullptr : c->second;
  };
  if (const SearchParameter* p = lookup(type)) return p;
  const definitions::StructureInfo* info = registry_->Find(type);
  if (info == nullptr || info->kind != definitions::StructureKind::kResource) return nullptr;
  if (type == kDomainResource || info->base_type == kDomainResource) {
    if (const SearchParameter* p = lookup(kDomainResource)) return p;
  }
  return lookup(kResource);
}

std::vector<const SearchParameter*> SearchParameterRegistry::ForType(std::string_view type) const {
  std::map<std::string_view, const SearchParameter*> merged;
  auto add = [this, &merged](std::string_view key) {
    auto t = by_type_.find(key);
    if (t == by_type_.end()) return;
    for (const auto& [code, p] : t->second) merged[code] = p;
  };
  const definitions::StructureInfo* info = registry_->Find(type);
  if (info != nullptr && info->kind == definitions::StructureKind::kResource) {
    add(kResource);
    if (type == kDomainResource || info->base_type == kDomainResource) add(kDomainResource);
  }
  if (!IsCommonBase(type)) add(type);
  std::vector<const SearchParameter*> out;
  out.reserve(merged.size());
  for (const auto& [code, p] : merged) out.push_back(p);
  return out;
}

const SearchParameter* SearchParameterRegistry::FindByUrl(std::string_view url) const {
  auto it = by_url_.find(url);
  return it == by_url_.end() ? nullptr : it->second;
}

}  // namespace schakel::fhir::search
