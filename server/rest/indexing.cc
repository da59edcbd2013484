#include "server/rest/indexing.h"

#include "fhir/search/extract.h"

namespace schakel::server::rest {

fhir::Status AddSearchIndex(const ApiContext& api, store::WriteRequest& write) {
  fhir::Result<fhir::search::IndexValues> index =
      fhir::search::ExtractIndex(write.resource, *api.search_params->Get());
  if (!index.ok()) return index.status();
  write.index = std::move(index).value();
  return fhir::Status::Ok();
}

}  // namespace schakel::server::rest
