// delete: https://hl7.org/fhir/R4/http.html#delete
// A delete adds a version that records the deletion; earlier versions stay readable by vread
// and history. Deleting what does not exist (or is already deleted) succeeds without a new
// version, as the specification allows (200 with an OperationOutcome, or 204).
#include "server/rest/interactions.h"
#include "server/rest/preconditions.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {

void HandleDelete(ExchangePtr ex, http::Respond respond) {
  const std::string id = ex->interaction.id;
  WriteDelete(std::move(ex), id, std::move(respond));
}

void WriteDelete(ExchangePtr ex, const std::string& id, http::Respond respond) {
  fhir::Result<std::optional<std::int64_t>> if_match = IfMatchVersion(*ex);
  if (!if_match.ok()) return respond(ErrorResponse(if_match.status(), ex->format));
  store::WriteRequest write;
  write.kind = store::WriteKind::kDelete;
  write.type = ex->interaction.type;
  write.id = id;
  write.if_match = *if_match;
  ex->api->store->Write(
      ex->ctx, std::move(write),
      [ex, id, respond = std::move(respond)](fhir::Result<store::WriteOutcome> r) {
        if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
        const store::ResourceVersion& v = r->version;
        const std::string name = ex->interaction.type + "/" + id;
        http::Response response;
        if (ex->prefer.return_preference == ReturnPreference::kMinimal) {
          response.status = 204;
        } else if (r->changed) {
          response = InformationResponse(200,
                                         "Deleted " + name + "; version " +
                                             std::to_string(v.version) + " records the deletion",
                                         ex->format);
        } else {
          response = InformationResponse(
              200, name + " does not exist or is already deleted; nothing changed", ex->format);
        }
        if (r->changed) SetVersionHeaders(response, v);
        respond(std::move(response));
      });
}

}  // namespace schakel::server::rest
