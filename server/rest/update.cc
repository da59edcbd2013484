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
#include <charconv>

#include "server/rest/indexing.h"
#include "server/rest/interactions.h"
#include "server/rest/preconditions.h"
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
  const Interaction& in = ex->interaction;
  fhir::Result<std::optional<std::int64_t>> if_match = IfMatchVersion(*ex);
  if (!if_match.ok()) return respond(ErrorResponse(if_match.status(), ex->format));

  // meta.versionId in the body: version integrity, reported as 409.
  std::optional<std::int64_t> body_version;
  bool body_version_unusable = false;
  if (const fhir::json::Value* meta = resource.Find("meta")) {
    if (const std::string* vid = meta->FindString("versionId")) {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(vid->data(), vid->data() + vid->size(), v);
      if (ec == std::errc() && end == vid->data() + vid->size()) {
        body_version = v;
      } else {
        body_version_unusable = true;
      }
    }
  }
  const bool conflict_is_409 = !if_match->has_value() && (body_version || body_version_unusable);
  if (body_version_unusable ||
      (if_match->has_value() && body_version && **if_match != *body_version)) {
    return respond(ErrorResponse(
        Status::Conflict("meta.versionId in the body does not match the version being updated"),
        ex->format));
  }

  store::WriteRequest write;
  write.kind = store::WriteKind::kUpdate;
  write.type = in.type;
  write.id = id;
  if (if_match->has_value()) {
    write.if_match = *if_match;
  } else {
    write.if_match_existing = body_version;
  }
  write.resource = std::move(resource);
  if (fhir::Status s = AddSearchIndex(*ex->api, write); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }
  ex->api->store->Write(
      ex->ctx, std::move(write),
      [ex, conflict_is_409, respond = std::move(respond)](fhir::Result<store::WriteOutcome> r) {
        if (!r.ok()) {
          if (conflict_is_409 && r.status().code() == fhir::Code::kPreconditionFailed) {
            return respond(ErrorResponse(
                Status::Conflict("version conflict: meta.versionId in the body is not the current "
                                 "version (" +
                                 std::string(r.status().message()) + ")"),
                ex->format));
          }
          return respond(ErrorResponse(r.status(), ex->format));
        }
        respond(WriteResponse(*ex, *r));
      });
}

}  // namespace schakel::server::rest
