// Rebuilding the search index: for `POST /fhir/$reindex` and `schakel reindex`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fhir/search/search_parameter.h"
#include "fhir/status.h"
#include "store/store.h"

namespace schakel::server::rest {

// `base` plus every SearchParameter resource stored through the API (so that a created
// SearchParameter takes effect at the next reindex). Problems with single parameters are
// appended to `warnings`.
fhir::Result<std::shared_ptr<const fhir::search::SearchParameterRegistry>>
WithStoredSearchParameters(store::ResourceStore& store, const store::RequestContext& ctx,
                           const fhir::search::SearchParameterRegistry& base,
                           std::vector<std::string>* warnings);

// Rebuilds the index entries of every current resource with `params`.
fhir::Result<store::ReindexResult> ReindexAll(store::ResourceStore& store,
                                              const store::RequestContext& ctx,
                                              const fhir::search::SearchParameterRegistry& params,
                                              store::ReindexProgress progress);

}  // namespace schakel::server::rest
