#include "server/rest/capabilities.h"

#include "fhir/json/write.h"
#include "fhir/primitives/date_time.h"
#include "server/rest/interactions.h"
#include "server/rest/operations.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {
namespace {

using fhir::json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

Value CodeList(std::initializer_list<std::string_view> codes) {
  Value list = Value::Array();
  for (std::string_view c : codes) list.Push(Str(std::string(c)));
  return list;
}

Value InteractionList(const ImplementedInteractions& implemented,
                      std::initializer_list<InteractionKind> kinds) {
  Value list = Value::Array();
  for (InteractionKind k : kinds) {
    if (!implemented[static_cast<int>(k)]) continue;
    Value entry = Value::Object();
    entry.Set("code", Str(std::string(InteractionCode(k))));
    list.Push(std::move(entry));
  }
  return list;
}

bool Has(const ImplementedInteractions& implemented, InteractionKind k) {
  return implemented[static_cast<int>(k)];
}

// The searchParam list of a resource type: every parameter a query on it can use.
Value SearchParams(const fhir::search::SearchParameterRegistry& search_params,
                   const std::string& type) {
  Value list = Value::Array();
  for (const fhir::search::SearchParameter* p : search_params.ForType(type)) {
    if (!p->indexable() && p->code != "_id" && p->code != "_lastUpdated") continue;
    Value entry = Value::Object();
    entry.Set("name", Str(p->code));
    if (!p->url.empty()) entry.Set("definition", Str(p->url));
    entry.Set("type", Str(std::string(fhir::search::ParamTypeName(p->type))));
    list.Push(std::move(entry));
  }
  return list;
}

Value IncludeList(const fhir::search::SearchParameterRegistry& search_params,
                  const std::string& type) {
  Value list = Value::Array();
  list.Push(Str("*"));
  for (const fhir::search::SearchParameter* p : search_params.ForType(type)) {
    if (p->type == fhir::search::ParamType::kReference && p->indexable()) {
      list.Push(Str(type + ":" + p->code));
    }
  }
  return list;
}

}  // namespace

std::string BuildCapabilityStatement(const ApiOptions& options,
                                     const fhir::definitions::Registry& registry,
                                     const fhir::search::SearchParameterRegistry& search_params,
                                     const ImplementedInteractions& implemented,
                                     std::int64_t now_ms) {
  using K = InteractionKind;
  Value cs = Value::Object();
  cs.Set("resourceType", Str("CapabilityStatement"));
  cs.Set("status", Str("active"));
  cs.Set("date", Str(fhir::FormatInstant(now_ms)));
  cs.Set("publisher", Str("Schakel"));
  cs.Set("kind", Str("instance"));
  Value software = Value::Object();
  software.Set("name", Str("Schakel"));
  software.Set("version", Str(options.software_version));
  cs.Set("software", std::move(software));
  Value implementation = Value::Object();
  implementation.Set("description", Str("Schakel FHIR R4 server"));
  implementation.Set("url", Str(options.base_url));
  cs.Set("implementation", std::move(implementation));
  cs.Set("fhirVersion", Str("4.0.1"));
  cs.Set("format", CodeList({"application/fhir+json", "json", "application/fhir+xml", "xml"}));

  Value rest = Value::Object();
  rest.Set("mode", Str("server"));
  rest.Set("documentation",
           Str("Resources are validated against the base R4 definitions and the profiles they "
               "claim that the server knows; invariants (constraint expressions) are not "
               "evaluated yet. See docs/api.md for where this server deviates from the "
               "specification."));
  Value resources = Value::Array();
  for (const std::string& type : registry.resource_types()) {
    Value r = Value::Object();
    r.Set("type", Str(type));
    r.Set("profile", Str("http://hl7.org/fhir/StructureDefinition/" + type));
    r.Set("interaction",
          InteractionList(implemented,
                          {K::kRead, K::kVread, K::kUpdate, K::kPatch, K::kDelete,
                           K::kHistoryInstance, K::kHistoryType, K::kCreate, K::kSearchType}));
    r.Set("versioning", Str("versioned-update"));
    r.Set("readHistory", Value::Bool(Has(implemented, K::kVread)));
    r.Set("updateCreate", Value::Bool(Has(implemented, K::kUpdate)));
    r.Set("conditionalCreate", Value::Bool(Has(implemented, K::kSearchType)));
    r.Set("conditionalRead", Str("full-support"));
    r.Set("conditionalUpdate", Value::Bool(Has(implemented, K::kConditionalUpdate)));
    // Several matches are deleted, up to ApiOptions::max_conditional_deletes (more: 412).
    r.Set("conditionalDelete", Str(!Has(implemented, K::kConditionalDelete) ? "not-supported"
                                   : options.max_conditional_deletes > 1    ? "multiple"
                                                                            : "single"));
    Value operations = Value::Array();
    for (const OperationEntry& op : Operations()) {
      if (!op.type_level && !op.instance_level) continue;
      Value o = Value::Object();
      o.Set("name", Str(std::string(op.name.substr(1))));
      o.Set("definition", Str(std::string(op.definition)));
      operations.Push(std::move(o));
    }
    if (Has(implemented, K::kOperation) && !operations.items().empty()) {
      r.Set("operation", std::move(operations));
    }
    if (Has(implemented, K::kSearchType)) {
      r.Set("searchInclude", IncludeList(search_params, type));
      r.Set("searchParam", SearchParams(search_params, type));
    }
    resources.Push(std::move(r));
  }
  rest.Set("resource", std::move(resources));
  Value system =
      InteractionList(implemented, {K::kBatchOrTransaction, K::kSearchSystem, K::kHistorySystem});
  if (Has(implemented, K::kBatchOrTransaction)) {
    // One interaction serves both (bundle.cc); the table knows it as "transaction".
    Value batch = Value::Object();
    batch.Set("code", Str("batch"));
    system.Push(std::move(batch));
  }
  rest.Set("interaction", std::move(system));
  Value rests = Value::Array();
  rests.Push(std::move(rest));
  cs.Set("rest", std::move(rests));
  return fhir::json::Serialize(cs);
}

void HandleCapabilities(ExchangePtr ex, http::Respond respond) {
  respond(FhirResponse(200, ex->api->capability_statement, ex->format));
}

}  // namespace schakel::server::rest
