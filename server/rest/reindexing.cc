#include "server/rest/reindexing.h"

#include "fhir/json/parse.h"
#include "fhir/search/extract.h"

namespace schakel::server::rest {

fhir::Result<std::shared_ptr<const fhir::search::SearchParameterRegistry>>
WithStoredSearchParameters(store::ResourceStore& store, const store::RequestContext& ctx,
                           const fhir::search::SearchParameterRegistry& base,
                           std::vector<std::string>* warnings) {
  std::vector<fhir::json::Value> resources;
  fhir::search::Query query;
  query.type = "SearchParameter";
  query.count = 1000;
  query.total = fhir::search::Total::kNone;
  while (true) {
    fhir::Result<store::SearchResult> page = store.Search(ctx, query);
    if (!page.ok()) return page.status();
    for (const store::ResourceVersion& v : page->matches) {
      fhir::Result<fhir::json::Value> resource = fhir::json::Parse(v.json);
      if (!resource.ok()) return resource.status();
      resources.push_back(std::move(resource).value());
    }
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  return base.With(resources, warnings);
}

fhir::Result<store::ReindexResult> ReindexAll(store::ResourceStore& store,
                                              const store::RequestContext& ctx,
                                              const fhir::search::SearchParameterRegistry& params,
                                              store::ReindexProgress progress) {
  auto compute = [&params](std::string_view,
                           std::string_view json) -> fhir::Result<fhir::search::IndexValues> {
    fhir::Result<fhir::json::Value> resource = fhir::json::Parse(json);
    if (!resource.ok()) return resource.status();
    return fhir::search::ExtractIndex(*resource, params);
  };
  return store.Reindex(ctx, compute, std::move(progress));
}

}  // namespace schakel::server::rest
