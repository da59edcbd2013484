// history (instance, type, system): https://hl7.org/fhir/R4/http.html#history
//
// Newest first. Parameters: _count (page size, default 20, at most 1000; 0 gives no entries),
// _since (instant),
// _at (date or dateTime: versions current at some moment in that period). Paging is a keyset
// cursor (_cursor, the sequence number to continue below), so pages do not shift when new
// versions are written and page 1,000 costs what page 1 costs. Stored resources are embedded
// in the Bundle as the bytes they were stored as, without re-parsing.
#include <charconv>

#include "fhir/json/write.h"
#include "fhir/primitives/date_time.h"
#include "server/rest/access.h"
#include "server/rest/interactions.h"
#include "server/rest/responses.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

constexpr std::size_t kDefaultCount = 20;
constexpr std::size_t kMaxCount = 1000;

fhir::Result<std::int64_t> ParseNonNegative(const std::string& text, std::string_view name) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < 0) {
    return Status::InvalidInput(std::string(name) + " must be a non-negative integer, not '" +
                                text.substr(0, 64) + "'");
  }
  return n;
}

struct HistoryParams {
  store::HistoryQuery query;
  std::vector<QueryParam> link_params;  // what the self/next links repeat
};

fhir::Result<HistoryParams> ParseParams(const Exchange& ex) {
  HistoryParams p;
  p.query.type = ex.interaction.type;
  p.query.id = ex.interaction.id;
  p.query.count = kDefaultCount;
  for (const QueryParam& param : ex.target.params) {
    if (param.name == "_count") {
      fhir::Result<std::int64_t> n = ParseNonNegative(param.value, "_count");
      if (!n.ok()) return n.status();
      p.query.count = std::min<std::size_t>(static_cast<std::size_t>(*n), kMaxCount);
    } else if (param.name == "_since") {
      fhir::Result<fhir::DateTimeRange> since = fhir::ParseInstant(param.value, "_since");
      if (!since.ok()) return since.status();
      p.query.since_ms = since->begin_ms;
      p.link_params.push_back(param);
    } else if (param.name == "_at") {
      fhir::Result<fhir::DateTimeRange> at = fhir::ParseDateTime(param.value, "_at");
      if (!at.ok()) return at.status();
      p.query.at_begin_ms = at->begin_ms;
      p.query.at_end_ms = at->end_ms;
      p.link_params.push_back(param);
    } else if (param.name == "_cursor") {
      fhir::Result<std::int64_t> cursor = ParseNonNegative(param.value, "_cursor");
      if (!cursor.ok()) return cursor.status();
      p.query.before_sequence = *cursor;
    } else if (param.name == "_format" || param.name == "_pretty") {
      p.link_params.push_back(param);
    } else if (ex.prefer.handling_strict) {
      return Status::InvalidInput("history does not support the parameter '" +
                                  param.name.substr(0, 64) + "' (Prefer: handling=strict)");
    }
  }
  p.link_params.insert(p.link_params.begin(), {"_count", std::to_string(p.query.count)});
  return p;
}

std::string PageUrl(const Exchange& ex, const std::vector<QueryParam>& params,
                    std::optional<std::int64_t> cursor) {
  std::string url = ex.api->options.base_url;
  for (const std::string& segment : ex.target.segments) {
    url += '/';
    url += PercentEncode(segment);
  }
  char sep = '?';
  for (const QueryParam& p : params) {
    url += sep;
    url += PercentEncode(p.name);
    url += '=';
    url += PercentEncode(p.value);
    sep = '&';
  }
  if (cursor) {
    url += sep;
    url += "_cursor=";
    url += std::to_string(*cursor);
  }
  return url;
}

std::string_view MethodName(store::WriteMethod method) {
  switch (method) {
    case store::WriteMethod::kCreate:
      return "POST";
    case store::WriteMethod::kUpdate:
      return "PUT";
    case store::WriteMethod::kDelete:
      return "DELETE";
  }
  return "PUT";
}

std::string_view ResponseStatus(const store::ResourceVersion& v) {
  if (v.deleted) return "204 No Content";
  return v.version == 1 || v.method == store::WriteMethod::kCreate ? "201 Created" : "200 OK";
}

void WriteLink(fhir::json::JsonWriter& w, std::string_view relation, const std::string& url) {
  w.StartObject();
  w.Member("relation", relation);
  w.Member("url", url);
  w.EndObject();
}

}  // namespace

void HandleHistory(ExchangePtr ex, http::Respond respond) {
  fhir::Result<HistoryParams> params = ParseParams(*ex);
  if (!params.ok()) return respond(ErrorResponse(params.status(), ex->format));
  // _count=0 asks for no entries (as in search); instance history still answers 404 for an
  // unknown resource.
  fhir::Result<store::HistoryPage> page = store::HistoryPage{};
  if (params->query.count > 0) {
    page = ex->api->store->History(ex->ctx, params->query);
  } else if (!ex->interaction.id.empty()) {
    fhir::Result<store::ResourceVersion> current =
        ex->api->store->Read(ex->ctx, ex->interaction.type, ex->interaction.id);
    if (!current.ok()) page = current.status();
  }
  if (!page.ok()) {
    if (page.status().code() == fhir::Code::kNotFound) {
      return respond(ErrorResponse(
          Status::NotFound(ex->interaction.type + "/" + ex->interaction.id + " is not known"),
          ex->format));
    }
    return respond(ErrorResponse(page.status(), ex->format));
  }
  if (ex->principal != nullptr) {
    // An instance's history is the principal's only when its current version is; and of any
    // history, only the versions they may see are shown.
    if (!ex->interaction.id.empty()) {
      fhir::Result<store::ResourceVersion> current =
          ex->api->store->Read(ex->ctx, ex->interaction.type, ex->interaction.id);
      if (!current.ok()) return respond(ErrorResponse(current.status(), ex->format));
      if (Status s = CheckDisclosure(*ex, *current); !s.ok()) {
        return respond(ErrorResponse(s, ex->format));
      }
    }
    std::vector<store::ResourceVersion> disclosed;
    for (store::ResourceVersion& v : page->entries) {
      Status s = CheckDisclosure(*ex, v);
      if (s.ok()) {
        disclosed.push_back(std::move(v));
      } else if (s.code() != fhir::Code::kNotFound) {
        return respond(ErrorResponse(s, ex->format));
      }
    }
    page->entries = std::move(disclosed);
  }
  const ApiOptions& options = ex->api->options;
  fhir::json::JsonWriter w;
  w.StartObject();
  w.Member("resourceType", "Bundle");
  w.Member("id", NewUuid());
  w.Member("type", "history");
  w.Key("link");
  w.StartArray();
  WriteLink(w, "self", PageUrl(*ex, params->link_params, params->query.before_sequence));
  if (page->next_before_sequence) {
    WriteLink(w, "next", PageUrl(*ex, params->link_params, page->next_before_sequence));
  }
  w.EndArray();
  if (!page->entries.empty()) {
    w.Key("entry");
    w.StartArray();
    for (const store::ResourceVersion& v : page->entries) {
      w.StartObject();
      w.Member("fullUrl", ResourceUrl(options, v.type, v.id));
      if (!v.deleted) {
        w.Key("resource");
        w.RawObject(v.json);
      }
      w.Key("request");
      w.StartObject();
      w.Member("method", MethodName(v.method));
      w.Member("url", v.method == store::WriteMethod::kCreate ? v.type : v.type + "/" + v.id);
      w.EndObject();
      w.Key("response");
      w.StartObject();
      w.Member("status", ResponseStatus(v));
      w.Member("etag", VersionETag(v.version));
      w.Member("lastModified", fhir::FormatInstant(v.last_updated_ms));
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  respond(FhirResponse(200, w.Take(), ex->format));
}

}  // namespace schakel::server::rest
