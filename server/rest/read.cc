// read and vread: https://hl7.org/fhir/R4/http.html#read, #vread, and conditional read
// (If-None-Match, If-Modified-Since): https://hl7.org/fhir/R4/http.html#cread
#include <charconv>

#include "server/rest/access.h"
#include "server/rest/interactions.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// 304 when the client's copy is current.
bool NotModified(const http::Request& request, const store::ResourceVersion& v) {
  if (request.HasHeader("If-None-Match")) {
    std::optional<ETagList> tags = ParseETagList(request.Header("If-None-Match"));
    return tags && tags->Matches(v.version);
  }
  if (request.HasHeader("If-Modified-Since")) {
    std::optional<std::int64_t> since = ParseHttpDate(request.Header("If-Modified-Since"));
    // HTTP dates have whole seconds; lastUpdated has milliseconds.
    return since && v.last_updated_ms / 1000 * 1000 <= *since;
  }
  return false;
}

http::Response VersionResponse(const Exchange& ex, const store::ResourceVersion& v) {
  if (v.deleted) {
    http::Response gone =
        ErrorResponse(Status::Gone(v.type + "/" + v.id + " was deleted (version " +
                                   std::to_string(v.version) + ")"),
                      ex.format);
    SetVersionHeaders(gone, v);
    return gone;
  }
  http::Response response = FhirResponse(200, v.json, ex.format);
  SetVersionHeaders(response, v);
  return response;
}

}  // namespace

void HandleRead(ExchangePtr ex, http::Respond respond) {
  const Interaction& in = ex->interaction;
  fhir::Result<store::ResourceVersion> current = ex->api->store->Read(ex->ctx, in.type, in.id);
  if (!current.ok()) {
    if (current.status().code() == fhir::Code::kNotFound) {
      return respond(
          ErrorResponse(Status::NotFound(in.type + "/" + in.id + " is not known"), ex->format));
    }
    return respond(ErrorResponse(current.status(), ex->format));
  }
  if (Status s = CheckDisclosure(*ex, *current); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }
  if (!current->deleted && NotModified(ex->request, *current)) {
    http::Response not_modified;
    not_modified.status = 304;
    SetVersionHeaders(not_modified, *current);
    return respond(std::move(not_modified));
  }
  respond(VersionResponse(*ex, *current));
}

void HandleVread(ExchangePtr ex, http::Respond respond) {
  const Interaction& in = ex->interaction;
  std::int64_t version = 0;
  const std::string& vid = in.version_id;
  auto [end, ec] = std::from_chars(vid.data(), vid.data() + vid.size(), version);
  if (ec != std::errc() || end != vid.data() + vid.size() || version < 1) {
    return respond(ErrorResponse(
        Status::NotFound(in.type + "/" + in.id + " has no version '" + vid.substr(0, 64) + "'"),
        ex->format));
  }
  fhir::Result<store::ResourceVersion> v =
      ex->api->store->ReadVersion(ex->ctx, in.type, in.id, version);
  if (!v.ok()) {
    if (v.status().code() == fhir::Code::kNotFound) {
      return respond(ErrorResponse(
          Status::NotFound(in.type + "/" + in.id + " has no version " + std::to_string(version)),
          ex->format));
    }
    return respond(ErrorResponse(v.status(), ex->format));
  }
  if (Status s = CheckDisclosure(*ex, *v); !s.ok()) return respond(ErrorResponse(s, ex->format));
  respond(VersionResponse(*ex, *v));
}

}  // namespace schakel::server::rest
