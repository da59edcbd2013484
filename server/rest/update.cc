// update: https://hl7.org/fhir/R4/http.html#update, with version-aware updates
// (https://hl7.org/fhir/R4/http.html#concurrency).
//
// Two ways to say which version an update is based on:
//  - If-Match: W/"n"  -> 412 Precondition Failed when n is not current (RFC 9110, FHIR
//  concurrency);
//  - meta.versionId in the body -> 409 Conflict when it is not current. The spec lets a server
//    impose version integrity this way (Resource.meta.versionId); a client that means "last
//    writer wins" leaves meta.versionId out.
// A PUT to an id that does not exist creates the resource there (updateCreate).
#include "server/rest/indexing.h"
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

}  // namespace

void HandleUpdate(ExchangePtr ex, http::Respond respond) {
  const Interaction& in = ex->interaction;
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));
  const std::string* body_id = resource->FindString("id");
  if (body_id == nullptr) {
    return respond(ErrorResponse(
        Status::InvalidInput("an update must carry the resource id in the body (" + in.id + ")",
                             in.type + ".id"),
        ex->format));
  }
  if (*body_id != in.id) {
    return respond(
        ErrorResponse(Status::InvalidInput("the id in the body (" + body_id->substr(0, 64) +
                                               ") differs from the id in the URL (" + in.id + ")",
                                           in.type + ".id"),
                      ex->format));
  }
  WriteUpdate(std::move(ex), in.id, std::move(resource).value(), std::move(respond));
}

void WriteUpdate(ExchangePtr ex, const std::string& id, fhir::json::Value resource,
                 http::Respond respond) {
  PlannedWrite plan;
  plan.write.kind = store::WriteKind::kUpdate;
  plan.write.type = ex->interaction.type;
  plan.write.id = id;
  plan.write.resource = std::move(resource);
  WriteUpdate(std::move(ex), std::move(plan), std::move(respond));
}

void WriteUpdate(ExchangePtr ex, PlannedWrite plan, http::Respond respond) {
  if (ex->request.HasHeader("If-Match")) {
    fhir::Result<IfMatch> if_match = ParseIfMatch(ex->request.Header("If-Match"));
    if (!if_match.ok()) return respond(ErrorResponse(if_match.status(), ex->format));
    plan.if_match = *if_match;
  }
  // meta.versionId in the body: version integrity, reported as 409.
  if (Status s = SetBodyVersion(plan); !s.ok()) return respond(ErrorResponse(s, ex->format));
  if (Status s = AddSearchIndex(*ex->api, plan.write); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }

  const Exchange& exchange = *ex;
  RunPlannedWrite(exchange, std::move(plan),
                  [ex, respond = std::move(respond)](fhir::Result<WriteResult> r) {
                    if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
                    respond(WriteResponse(*ex, r->outcomes.front()));
                  });
}

}  // namespace schakel::server::rest
