// create: https://hl7.org/fhir/R4/http.html#create
// The server assigns the id (a random UUID) and ignores any id or version the client sent.
//
// Conditional create (If-None-Exist: [search parameters]): no match -> create; one match -> 200
// with that resource and nothing written; several -> 412. The search and the write are two
// steps (see conditional.cc for what that means under concurrency).
#include "server/rest/indexing.h"
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// For If-None-Exist: the one existing match, nullopt for none; an error for several.
fhir::Result<std::optional<store::ResourceVersion>> ExistingMatch(const Exchange& ex) {
  std::string_view header = ex.request.Header("If-None-Exist");
  // The header holds the query part of a search URL, with or without a leading '?'.
  if (header.starts_with('?')) header.remove_prefix(1);
  fhir::Result<std::vector<QueryParam>> params = ParseForm(header);
  if (!params.ok()) return params.status();
  fhir::Result<fhir::search::Query> query =
      ParseConditionalSearch(ex, ex.interaction.type, *params);
  if (!query.ok()) {
    return Status::InvalidInput("If-None-Exist: " + std::string(query.status().message()));
  }
  fhir::Result<store::SearchResult> result = ex.api->store->Search(ex.ctx, *query);
  if (!result.ok()) return result.status();
  if (result->matches.size() > 1) {
    return Status::PreconditionFailed("If-None-Exist selects more than one " + ex.interaction.type);
  }
  if (result->matches.empty()) return std::optional<store::ResourceVersion>();
  return std::optional<store::ResourceVersion>(std::move(result->matches.front()));
}

}  // namespace

void HandleCreate(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));
  if (ex->request.HasHeader("If-None-Exist")) {
    fhir::Result<std::optional<store::ResourceVersion>> existing = ExistingMatch(*ex);
    if (!existing.ok()) return respond(ErrorResponse(existing.status(), ex->format));
    if (existing->has_value()) {
      store::WriteOutcome outcome;
      outcome.version = std::move(**existing);
      outcome.created = false;
      outcome.changed = false;
      http::Response response = WriteResponse(*ex, outcome);
      response.status = 200;
      return respond(std::move(response));
    }
  }

  store::WriteRequest write;
  write.kind = store::WriteKind::kCreate;
  write.type = ex->interaction.type;
  write.id = NewUuid();
  write.resource = std::move(resource).value();
  if (fhir::Status s = AddSearchIndex(*ex->api, write); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }
  ex->api->store->Write(ex->ctx, std::move(write),
                        [ex, respond = std::move(respond)](fhir::Result<store::WriteOutcome> r) {
                          if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
                          respond(WriteResponse(*ex, *r));
                        });
}

}  // namespace schakel::server::rest
