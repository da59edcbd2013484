// POST [base]/$reindex: rebuilds the search index of every stored resource, first taking in the
// SearchParameter resources created through the API (a new parameter becomes searchable here).
// Answers with an OperationOutcome that counts what was done. Runs on the request's thread
// until done (minutes for millions of resources); normal requests continue meanwhile, and
// writes interleave with the reindex batches.
#include <string>
#include <vector>

#include "server/rest/operations.h"
#include "server/rest/reindexing.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {

void HandleReindex(ExchangePtr ex, http::Respond respond) {
  if (ex->request.method != "POST") {
    return respond(ErrorResponse(
        fhir::Status::MethodNotAllowed("$reindex changes the server's state: use POST"),
        ex->format));
  }
  const ApiContext& api = *ex->api;
  std::vector<std::string> warnings;
  auto params = WithStoredSearchParameters(*api.store, ex->ctx, *api.base_search_params, &warnings);
  if (!params.ok()) return respond(ErrorResponse(params.status(), ex->format));
  for (const std::string& warning : warnings) {
    api.logger->Warn("search_parameter_skipped", {{"detail", warning}});
  }
  api.search_params->Set(*params);
  api.logger->Info("reindex_started", {{"parameters", std::to_string((*params)->size())}});
  auto progress = [&api](std::int64_t done, std::int64_t total) {
    api.logger->Info("reindex_progress",
                     {{"done", std::to_string(done)}, {"total", std::to_string(total)}});
  };
  fhir::Result<store::ReindexResult> result = ReindexAll(*api.store, ex->ctx, **params, progress);
  if (!result.ok()) return respond(ErrorResponse(result.status(), ex->format));
  std::string message = "Reindexed " + std::to_string(result->resources) + " resources (" +
                        std::to_string(result->entries) + " index entries) with " +
                        std::to_string((*params)->size()) + " search parameters";
  if (result->skipped > 0) {
    message += "; " + std::to_string(result->skipped) + " changed meanwhile and kept their own";
  }
  if (result->failed > 0) {
    message += "; " + std::to_string(result->failed) + " failed";
    for (const std::string& failure : result->failures) message += "; " + failure;
  }
  api.logger->Info("reindex_done", {{"resources", std::to_string(result->resources)},
                                    {"failed", std::to_string(result->failed)}});
  respond(InformationResponse(200, message, ex->format));
}

}  // namespace schakel::server::rest
