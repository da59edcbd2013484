// The search parameters the server knows: the R4 core SearchParameters from
// resources/fhir-r4/search-parameters.ndjson, plus SearchParameter resources from
// resources/profiles/ (and, after $reindex, ones created through the API).
// https://hl7.org/fhir/R4/searchparameter.html, https://hl7.org/fhir/R4/search.html
//
// Every parameter's FHIRPath expression is parsed and statically checked once, at load; a
// parameter whose expression fails either is kept (so a query naming it gets a clear answer) but
// marked not indexable, with the reason. Immutable after loading: share it between threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/value.h"
#include "fhir/path/fhirpath.h"
#include "fhir/status.h"

namespace schakel::fhir::search {

// SearchParameter.type (http://hl7.org/fhir/R4/valueset-search-param-type.html).
enum class ParamType {
  kNumber,
  kDate,
  kString,
  kToken,
  kReference,
  kComposite,
  kQuantity,
  kUri,
  kSpecial,
};

std::string_view ParamTypeName(ParamType type);
std::optional<ParamType> ParamTypeFromName(std::string_view name);

struct SearchParameter;

// One component of a composite parameter: the parameter it takes its type from, and the
// expression evaluated on each item the composite's own expression selects.
struct CompositeComponent {
  std::string definition;                  // canonical URL of the component's parameter
  const SearchParameter* param = nullptr;  // resolved; nullptr when unknown
  std::string expression_text;
  std::optional<path::Expression> expression;
};

struct SearchParameter {
  std::string id;
  std::string url;
  std::string code;  // the name in a query: "patient", "_lastUpdated"
  ParamType type = ParamType::kToken;
  std::vector<std::string> base;  // resource types; "Resource"/"DomainResource" for common ones
  std::string expression_text;
  // Parsed and checked against every base type; nullopt when there is no expression or it
  // failed (see `problem`).
  std::optional<path::Expression> expression;
  std::string problem;                 // why it is not indexable; empty when it is
  std::vector<std::string> targets;    // reference target types ("Patient"); empty: any
  std::vector<std::string> modifiers;  // as declared (informational; the query parser decides)
  std::vector<std::string> chains;     // SearchParameter.chain
  std::vector<CompositeComponent> components;  // composite only, in order
  // Token parameters: the code system implied for the `code` values the expression selects on
  // each base type that has one (Patient -> http://hl7.org/fhir/administrative-gender for
  // `gender`), from the element's required binding; see fhir/search/implicit_system.h. Such
  // codes are indexed with it, so that `system|code` finds them
  // (https://hl7.org/fhir/R4/search.html#token).
  std::map<std::string, std::string, std::less<>> implicit_systems;

  bool indexable() const { return expression.has_value() && problem.empty(); }
  // The implicit system of `code` values on resources of `type` (a concrete type: the entries
  // for Resource and DomainResource apply to it too); nullptr when there is none.
  const std::string* ImplicitSystem(std::string_view type) const;
};

class SearchParameterRegistry {
 public:
  // Loads resources_dir/fhir-r4/search-parameters.ndjson and every SearchParameter in
  // resources_dir/profiles/ (*.json), with resources_dir/fhir-r4/value-sets.ndjson for the
  // implicit systems of `code` elements (without it, a warning, and codes have no system).
  // Problems with single parameters are not errors: they are recorded on the parameter and
  // appended to `warnings` (when not null). Fails only when the core file is missing or
  // unreadable.
  static Result<std::shared_ptr<const SearchParameterRegistry>> Load(
      const std::string& resources_dir, std::shared_ptr<const definitions::Registry> registry,
      std::vector<std::string>* warnings = nullptr);

  // A copy with `resources` (SearchParameter resources, e.g. created through the API) added;
  // one with the same url replaces the earlier one. Invalid ones fail with kUnprocessable.
  Result<std::shared_ptr<const SearchParameterRegistry>> With(
      const std::vector<json::Value>& resources, std::vector<std::string>* warnings) const;

  // The parameter `code` for resources of `type`, including the common ones defined on
  // Resource and DomainResource (_id, _lastUpdated, _tag, _profile, _security, _source, ...).
  const SearchParameter* Find(std::string_view type, std::string_view code) const;
  // Every parameter that applies to `type`, ordered by code.
  std::vector<const SearchParameter*> ForType(std::string_view type) const;
  // By canonical URL.
  const SearchParameter* FindByUrl(std::string_view url) const;

  const definitions::Registry& definitions() const { return *registry_; }
  std::size_t size() const { return params_.size(); }

 private:
  SearchParameterRegistry() = default;
  Status Add(json::Value resource, std::vector<std::string>* warnings);
  void Resolve(std::vector<std::string>* warnings);  // composite components, per-type maps

  std::shared_ptr<const definitions::Registry> registry_;
  // The expanded required value sets, for implicit systems; nullptr when they could not be read.
  std::shared_ptr<const definitions::ValueSetIndex> value_sets_;
  std::vector<std::shared_ptr<SearchParameter>> params_;
  // type -> code -> parameter; "Resource" holds the common parameters.
  std::map<std::string, std::map<std::string, const SearchParameter*, std::less<>>, std::less<>>
      by_type_;
  std::map<std::string, const SearchParameter*, std::less<>> by_url_;
  std::vector<json::Value> sources_;  // the resources the registry was built from, for With()
  // params_[i] was built from sources_[i]; the first core_count_ came from the core file (for
  // them, the first of two parameters with one code on one type wins; otherwise the later).
  std::size_t core_count_ = 0;
};

}  // namespace schakel::fhir::search
