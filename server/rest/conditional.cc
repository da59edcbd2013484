// Conditional update and delete: the resource to write is chosen by a search.
// https://hl7.org/fhir/R4/http.html#cond-update, https://hl7.org/fhir/R4/http.html#3.1.0.7.1
//
// PUT [type]?[search]: no match -> create (with the body's id, or a new one; 409 if the body's
// id names a live resource the search does not select); one match -> update it (a body id must
// be that one, else 400); several -> 412.
// DELETE [type]?[search]: no match -> 204/200 (nothing to delete); up to the server's limit
// (ApiOptions::max_conditional_deletes, conditionalDelete "multiple") -> delete them all;
// more -> 412 and nothing is deleted.
// The search and the write run in one store write scope (transaction_write.h): no other write
// comes between them, so two concurrent conditional writes with the same criteria cannot both
// create.
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"

namespace schakel::server::rest {

void HandleConditionalUpdate(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));
  fhir::Result<fhir::search::Query> condition =
      ParseConditionalSearch(*ex, ex->interaction.type, ex->target.params);
  if (!condition.ok()) return respond(ErrorResponse(condition.status(), ex->format));
  PlannedWrite plan;
  plan.write.kind = store::WriteKind::kUpdate;
  plan.write.type = ex->interaction.type;
  plan.condition = std::move(condition).value();
  plan.write.resource = std::move(resource).value();
  WriteUpdate(std::move(ex), std::move(plan), std::move(respond));
}

void HandleConditionalDelete(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::search::Query> condition =
      ParseConditionalSearch(*ex, ex->interaction.type, ex->target.params);
  if (!condition.ok()) return respond(ErrorResponse(condition.status(), ex->format));
  PlannedWrite plan;
  plan.write.kind = store::WriteKind::kDelete;
  plan.write.type = ex->interaction.type;
  plan.max_deletes = std::max<std::size_t>(1, ex->api->options.max_conditional_deletes);
  plan.condition = std::move(condition).value();
  // One match more than it may delete, to tell "too many" apart.
  plan.condition->count = plan.max_deletes + 1;
  WriteDelete(std::move(ex), std::move(plan), std::move(respond));
}

}  // namespace schakel::server::rest
