// create: https://hl7.org/fhir/R4/http.html#create
// The server assigns the id (a random UUID) and ignores any id or version the client sent.
//
// Conditional create (If-None-Exist: [search parameters],
// https://hl7.org/fhir/R4/http.html#ccreate): no match -> create; one match -> 200 with that
// resource and nothing written; several -> 412. The search and the create run in one store write
// scope (transaction_write.h), so two conditional creates with the same criteria cannot both
// create.
#include "server/rest/indexing.h"
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/transaction_write.h"
#include "server/util/random.h"

namespace schakel::server::rest {

void HandleCreate(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));

  PlannedWrite plan;
  plan.write.kind = store::WriteKind::kCreate;
  plan.write.type = ex->interaction.type;
  plan.write.id = NewUuid();
  if (ex->request.HasHeader("If-None-Exist")) {
    fhir::Result<fhir::search::Query> condition =
        ParseIfNoneExist(*ex, plan.write.type, ex->request.Header("If-None-Exist"));
    if (!condition.ok()) return respond(ErrorResponse(condition.status(), ex->format));
    plan.condition = std::move(condition).value();
  }
  plan.write.resource = std::move(resource).value();
  if (fhir::Status s = AddSearchIndex(*ex->api, plan.write); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }

  const Exchange& exchange = *ex;
  RunPlannedWrite(exchange, std::move(plan),
                  [ex, respond = std::move(respond)](fhir::Result<WriteResult> r) {
                    if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
                    // A match found by If-None-Exist is not created: 200, no Location.
                    respond(WriteResponse(*ex, r->outcomes.front()));
                  });
}

}  // namespace schakel::server::rest
