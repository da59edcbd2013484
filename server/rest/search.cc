// search (type, system, compartment; GET and POST _search): https://hl7.org/fhir/R4/search.html
//
// The query is parsed and checked against the search-parameter registry (fhir/search/query.h),
// run by the store (one page, the total, _include/_revinclude), and answered as a searchset
// Bundle: entries with fullUrl and search.mode (match, include, and one outcome entry listing
// ignored parameters), self, previous and next links that repeat the parameters actually used, and
// the total when it was counted. Paging is a keyset cursor (_cursor) in the next and previous
// links.
#include <string>
#include <utility>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/search/subset.h"
#include "server/rest/access.h"
#include "server/rest/interactions.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// The URL of this search with `params` and, when set, a cursor.
std::string PageUrl(const Exchange& ex,
                    const std::vector<std::pair<std::string, std::string>>& params,
                    const std::string& cursor) {
  std::string url = ex.api->options.base_url;
  for (const std::string& segment : ex.target.segments) {
    if (segment == "_search") continue;  // POST /_search pages continue as GET
    url += '/';
    url += PercentEncode(segment);
  }
  char sep = '?';
  for (const auto& [name, value] : params) {
    url += sep;
    url += PercentEncode(name);
    url += '=';
    url += PercentEncode(value);
    sep = '&';
  }
  if (!cursor.empty()) {
    url += sep;
    url += "_cursor=";
    url += PercentEncode(cursor);
  }
  return url;
}

void WriteLink(fhir::json::JsonWriter& w, std::string_view relation, const std::string& url) {
  w.StartObject();
  w.Member("relation", relation);
  w.Member("url", url);
  w.EndObject();
}

void WriteEntry(fhir::json::JsonWriter& w, const Exchange& ex, const store::ResourceVersion& v,
                std::string_view mode, const fhir::search::Query& query) {
  w.StartObject();
  w.Member("fullUrl", ResourceUrl(ex.api->options, v.type, v.id));
  w.Key("resource");
  if (fhir::search::Subsets(query.summary, query.elements)) {
    fhir::Result<fhir::json::Value> parsed = fhir::json::Parse(v.json);
    if (parsed.ok()) {
      fhir::json::Value subset =
          fhir::search::Subset(*parsed, query.summary, query.elements, *ex.api->registry);
      w.RawObject(fhir::json::Serialize(subset));
    } else {
      w.RawObject(v.json);
    }
  } else {
    w.RawObject(v.json);
  }
  w.Key("search");
  w.StartObject();
  w.Member("mode", mode);
  w.EndObject();
  w.EndObject();
}

void WriteOutcomeEntry(fhir::json::JsonWriter& w, const std::vector<std::string>& ignored) {
  w.StartObject();
  w.Key("resource");
  w.StartObject();
  w.Member("resourceType", "OperationOutcome");
  w.Key("issue");
  w.StartArray();
  for (const std::string& message : ignored) {
    w.StartObject();
    w.Member("severity", "warning");
    w.Member("code", "not-supported");
    w.Key("diagnostics");
    w.String(message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("search");
  w.StartObject();
  w.Member("mode", "outcome");
  w.EndObject();
  w.EndObject();
}

}  // namespace

void HandleSearch(ExchangePtr ex, http::Respond respond) {
  fhir::Result<fhir::search::Query> query = ParseSearchRequest(*ex);
  if (!query.ok()) return respond(ErrorResponse(query.status(), ex->format));
  fhir::Result<store::SearchResult> result = ex->api->store->Search(ex->ctx, *query);
  if (!result.ok()) return respond(ErrorResponse(result.status(), ex->format));
  // Matches are what the principal may see (the query is confined); what they include is not
  // necessarily.
  if (ex->principal != nullptr) {
    std::vector<store::ResourceVersion> disclosed;
    for (store::ResourceVersion& v : result->included) {
      Status s = CheckDisclosure(*ex, v);
      if (s.ok()) {
        disclosed.push_back(std::move(v));
      } else if (s.code() != fhir::Code::kNotFound) {
        return respond(ErrorResponse(s, ex->format));
      }
    }
    result->included = std::move(disclosed);
  }

  fhir::json::JsonWriter w;
  w.StartObject();
  w.Member("resourceType", "Bundle");
  w.Member("id", NewUuid());
  w.Member("type", "searchset");
  if (result->total) {
    w.Key("total");
    w.Int(*result->total);
  }
  w.Key("link");
  w.StartArray();
  WriteLink(w, "self", PageUrl(*ex, query->used, query->cursor));
  if (!result->previous_cursor.empty()) {
    WriteLink(w, "previous", PageUrl(*ex, query->used, result->previous_cursor));
  }
  if (!result->next_cursor.empty()) {
    WriteLink(w, "next", PageUrl(*ex, query->used, result->next_cursor));
  }
  w.EndArray();
  if (!result->matches.empty() || !result->included.empty() || !query->ignored.empty()) {
    w.Key("entry");
    w.StartArray();
    for (const store::ResourceVersion& v : result->matches) WriteEntry(w, *ex, v, "match", *query);
    for (const store::ResourceVersion& v : result->included) {
      WriteEntry(w, *ex, v, "include", *query);
    }
    if (!query->ignored.empty()) WriteOutcomeEntry(w, query->ignored);
    w.EndArray();
  }
  w.EndObject();
  respond(FhirResponse(200, w.Take(), ex->format));
}

}  // namespace schakel::server::rest
