// create: https://hl7.org/fhir/R4/http.html#create
// The server assigns the id (a random UUID) and ignores any id or version the client sent.
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/util/random.h"

namespace schakel::server::rest {

void HandleCreate(ExchangePtr ex, http::Respond respond) {
  if (ex->request.HasHeader("If-None-Exist")) {
    return respond(ErrorResponse(
        fhir::Status::NotSupported("conditional create (If-None-Exist) needs search, which this "
                                   "server does not implement yet"),
        ex->format));
  }
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));

  store::WriteRequest write;
  write.kind = store::WriteKind::kCreate;
  write.type = ex->interaction.type;
  write.id = NewUuid();
  write.resource = std::move(resource).value();
  ex->api->store->Write(ex->ctx, std::move(write),
                        [ex, respond = std::move(respond)](fhir::Result<store::WriteOutcome> r) {
                          if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
                          respond(WriteResponse(*ex, *r));
                        });
}

}  // namespace schakel::server::rest
