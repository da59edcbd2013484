#include "server/rest/search_support.h"

#include "server/rest/access.h"
#include "server/rest/query.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

std::vector<std::pair<std::string, std::string>> Pairs(const std::vector<QueryParam>& params) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(params.size());
  for (const QueryParam& p : params) out.emplace_back(p.name, p.value);
  return out;
}

}  // namespace

fhir::Result<fhir::search::Query> ParseSearchRequest(const Exchange& ex) {
  std::vector<QueryParam> params = ex.target.params;
  if (ex.request.method == "POST") {
    // POST [base]/[type]/_search: parameters in an application/x-www-form-urlencoded body, with
    // those in the URL (https://hl7.org/fhir/R4/http.html#search).
    std::string_view content_type = ex.request.Header("Content-Type");
    std::string_view media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    if (!ex.request.body.empty() && media != "application/x-www-form-urlencoded") {
      return Status::UnsupportedMediaType(
          "POST _search takes an application/x-www-form-urlencoded body");
    }
    fhir::Result<std::vector<QueryParam>> form = ParseForm(ex.request.body);
    if (!form.ok()) return form.status();
    params.insert(params.end(), form->begin(), form->end());
  }
  const ApiContext& api = *ex.api;
  fhir::search::QueryOptions options;
  options.strict = ex.prefer.handling_strict;
  const Interaction& in = ex.interaction;
  std::string type = in.type;
  if (in.kind == InteractionKind::kSearchCompartment) type = in.compartment_type;
  std::shared_ptr<const fhir::search::SearchParameterRegistry> search_params =
      api.search_params->Get();
  std::vector<std::pair<std::string, std::string>> pairs = Pairs(params);
  SCHAKEL_RETURN_IF_ERROR(ConfineSearch(ex, type, pairs));
  fhir::Result<fhir::search::Query> query =
      fhir::search::ParseQuery(type, pairs, *search_params, options);
  if (!query.ok()) return query;
  query->registry = search_params;
  if (in.kind == InteractionKind::kSearchCompartment) {
    // /Patient/123/MedicationStatement: MedicationStatements whose compartment parameters
    // (subject, ...) point at Patient/123, per the R4 CompartmentDefinition.
    fhir::search::CompartmentClause clause;
    clause.type = in.type;
    clause.id = in.id;
    for (const std::string& code : api.compartments->Params(in.type, type)) {
      if (const auto* p = search_params->Find(type, code)) clause.params.push_back(p);
    }
    if (clause.params.empty()) {
      return Status::NotFound(type + " resources are not in the " + in.type + " compartment");
    }
    query->compartment = std::move(clause);
  }
  SCHAKEL_RETURN_IF_ERROR(ConfineQuery(ex, *query));
  return query;
}

fhir::Result<fhir::search::Query> ParseConditionalSearch(const Exchange& ex, std::string_view type,
                                                         const std::vector<QueryParam>& params) {
  fhir::search::QueryOptions options;
  options.strict = true;
  std::vector<std::pair<std::string, std::string>> criteria;
  for (const QueryParam& p : params) {
    if (p.name == "_format" || p.name == "_pretty") continue;
    criteria.emplace_back(p.name, p.value);
  }
  if (criteria.empty()) {
    return Status::InvalidInput("a conditional interaction needs search parameters");
  }
  std::shared_ptr<const fhir::search::SearchParameterRegistry> search_params =
      ex.api->search_params->Get();
  SCHAKEL_RETURN_IF_ERROR(ConfineSearch(ex, type, criteria));
  fhir::Result<fhir::search::Query> query =
      fhir::search::ParseQuery(type, criteria, *search_params, options);
  if (!query.ok()) return query;
  query->registry = search_params;
  SCHAKEL_RETURN_IF_ERROR(ConfineQuery(ex, *query));
  query->count = 2;  // enough to tell none, one and several apart
  query->total = fhir::search::Total::kNone;
  query->includes.clear();
  return query;
}

}  // namespace schakel::server::rest
