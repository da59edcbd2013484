// Conditional update and delete: the resource to write is chosen by a search.
// https://hl7.org/fhir/R4/http.html#cond-update, https://hl7.org/fhir/R4/http.html#3.1.0.7.1
//
// PUT [type]?[search]: no match -> create (with the body's id, or a new one); one match ->
// update it (a body id must be that one); several -> 412.
// DELETE [type]?[search]: no match -> 204/200 (nothing to delete); one -> delete it;
// several -> 412 (this server deletes one resource per conditional delete).
// The search and the write are two steps: two concurrent conditional writes with the same
// criteria can both see no match (deviation, noted in docs/api.md; transactions, issue 6, will
// close it).
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// The ids of the current resources the request's search selects (at most 2: enough to tell
// none, one and several apart).
fhir::Result<std::vector<std::string>> Matches(const Exchange& ex) {
  fhir::Result<fhir::search::Query> query =
      ParseConditionalSearch(ex, ex.interaction.type, ex.target.params);
  if (!query.ok()) return query.status();
  fhir::Result<store::SearchResult> result = ex.api->store->Search(ex.ctx, *query);
  if (!result.ok()) return result.status();
  std::vector<std::string> ids;
  for (const store::ResourceVersion& v : result->matches) ids.push_back(v.id);
  return ids;
}

Status SeveralMatch(const Exchange& ex) {
  return Status::PreconditionFailed(
      "the search selects more than one " + ex.interaction.type + "; a conditional " +
      (ex.request.method == "PUT" ? "update" : "delete") + " needs at most one");
}

}  // namespace

void HandleConditionalUpdate(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::json::Value> resource = ReadResourceBody(*ex);
  if (!resource.ok()) return respond(ErrorResponse(resource.status(), ex->format));
  fhir::Result<std::vector<std::string>> ids = Matches(*ex);
  if (!ids.ok()) return respond(ErrorResponse(ids.status(), ex->format));
  if (ids->size() > 1) return respond(ErrorResponse(SeveralMatch(*ex), ex->format));
  const std::string* body_id = resource->FindString("id");
  std::string id;
  if (ids->size() == 1) {
    id = ids->front();
    if (body_id != nullptr && *body_id != id) {
      return respond(ErrorResponse(
          Status::InvalidInput("the id in the body (" + body_id->substr(0, 64) +
                                   ") is not the id of the resource the search selects (" + id +
                                   ")",
                               ex->interaction.type + ".id"),
          ex->format));
    }
  } else {
    id = body_id != nullptr ? *body_id : NewUuid();
  }
  resource->Set("id", fhir::json::Value::String(id));
  WriteUpdate(std::move(ex), id, std::move(resource).value(), std::move(respond));
}

void HandleConditionalDelete(ExchangePtr ex, http::Respond respond) {
  fhir::Result<std::vector<std::string>> ids = Matches(*ex);
  if (!ids.ok()) return respond(ErrorResponse(ids.status(), ex->format));
  if (ids->size() > 1) return respond(ErrorResponse(SeveralMatch(*ex), ex->format));
  if (ids->empty()) {
    if (ex->prefer.return_preference == ReturnPreference::kMinimal) {
      http::Response response;
      response.status = 204;
      return respond(std::move(response));
    }
    return respond(InformationResponse(
        200, "no " + ex->interaction.type + " matches the search; nothing was deleted",
        ex->format));
  }
  const std::string id = ids->front();
  WriteDelete(std::move(ex), id, std::move(respond));
}

}  // namespace schakel::server::rest
