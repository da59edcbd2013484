#include "server/rest/bundle_response.h"

#include <optional>
#include <string_view>

#include "fhir/json/write.h"
#include "fhir/outcome.h"
#include "fhir/primitives/date_time.h"
#include "server/rest/http_headers.h"
#include "server/rest/interactions.h"
#include "server/rest/responses.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::json::JsonWriter;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

// What goes into one response entry.
struct EntryParts {
  std::string full_url;
  std::optional<std::string> resource;  // compact JSON
  int status = 200;
  std::string location;
  std::string etag;
  std::string last_modified;           // a FHIR instant
  std::optional<std::string> outcome;  // compact JSON of an OperationOutcome
};

void WriteParts(JsonWriter& w, const EntryParts& parts) {
  w.StartObject();
  if (!parts.full_url.empty()) w.Member("fullUrl", parts.full_url);
  if (parts.resource) {
    w.Key("resource");
    w.RawObject(*parts.resource);
  }
  w.Key("response");
  w.StartObject();
  w.Member("status", StatusLine(parts.status));
  if (!parts.location.empty()) w.Member("location", parts.location);
  if (!parts.etag.empty()) w.Member("etag", parts.etag);
  if (!parts.last_modified.empty()) w.Member("lastModified", parts.last_modified);
  if (parts.outcome) {
    w.Key("outcome");
    w.RawObject(*parts.outcome);
  }
  w.EndObject();
  w.EndObject();
}

std::string Information(std::string message) {
  return fhir::json::Serialize(fhir::InformationOutcome(std::move(message)));
}

void SetVersion(EntryParts& parts, const store::ResourceVersion& v) {
  parts.etag = VersionETag(v.version);
  parts.last_modified = fhir::FormatInstant(v.last_updated_ms);
}

// A create or update (or a conditional create that found its match).
EntryParts ResultParts(const Exchange& ex, const WriteResult& result) {
  EntryParts parts;
  const store::WriteOutcome& outcome = result.outcomes.front();
  const store::ResourceVersion& v = outcome.version;
  parts.status = outcome.created ? 201 : 200;
  parts.full_url = ResourceUrl(ex.api->options, v.type, v.id);
  SetVersion(parts, v);
  if (outcome.created) {
    parts.location = v.type + "/" + v.id + "/_history/" + std::to_string(v.version);
  }
  switch (ex.prefer.return_preference) {
    case ReturnPreference::kRepresentation:
      parts.resource = v.json;
      break;
    case ReturnPreference::kMinimal:
      break;
    case ReturnPreference::kOperationOutcome: {
      std::string name = v.type + "/" + v.id + " (version " + std::to_string(v.version) + ")";
      parts.outcome = Information(result.existing   ? name + " matches ifNoneExist; nothing created"
                                  : outcome.created ? "Created " + name
                                                    : "Updated " + name);
      break;
    }
  }
  return parts;
}

EntryParts DeleteParts(const Exchange& ex, const BundleEntry& entry, const WriteResult& result) {
  EntryParts parts;
  if (ex.prefer.return_preference == ReturnPreference::kMinimal) {
    parts.status = 204;
  } else {
    parts.outcome = Information(DescribeDelete(entry.plan.write.type, result));
  }
  std::size_t changed = 0;
  for (const store::WriteOutcome& outcome : result.outcomes) changed += outcome.changed ? 1 : 0;
  if (changed == 1 && result.outcomes.size() == 1)
    SetVersion(parts, result.outcomes.front().version);
  return parts;
}

// An entry answered by its interaction's handler (reads, PATCH).
EntryParts HandlerParts(const Exchange& ex, const BundleEntry& entry,
                        const http::Response& response) {
  EntryParts parts;
  parts.status = response.status;
  std::string_view location = response.Header("Location");
  if (location.starts_with(ex.api->options.base_url + "/")) {
    location.remove_prefix(ex.api->options.base_url.size() + 1);
  }
  parts.location = std::string(location);
  parts.etag = std::string(response.Header("ETag"));
  if (std::optional<std::int64_t> ms = ParseHttpDate(response.Header("Last-Modified"))) {
    parts.last_modified = fhir::FormatInstant(*ms);
  }
  if (response.body.empty()) return parts;
  if (response.status >= 400) {
    parts.outcome = response.body;
  } else if (entry.method != "HEAD") {
    const bool outcome = entry.stage != EntryStage::kRead &&
                         ex.prefer.return_preference == ReturnPreference::kOperationOutcome;
    if (outcome) {
      parts.outcome = response.body;
    } else {
      parts.resource = response.body;
      const Interaction& in = entry.interaction;
      if (!in.id.empty() &&
          (in.kind == InteractionKind::kRead || in.kind == InteractionKind::kVread ||
           in.kind == InteractionKind::kPatch)) {
        parts.full_url = ResourceUrl(ex.api->options, in.type, in.id);
      }
    }
  }
  return parts;
}

}  // namespace

std::string StatusLine(int status) {
  std::string_view reason = ReasonPhrase(status);
  return std::to_string(status) + (reason.empty() ? "" : " ") + std::string(reason);
}

std::string ResponseBundle(const Exchange& ex, BundleKind kind,
                           const std::vector<BundleEntry>& entries) {
  JsonWriter w;
  w.StartObject();
  w.Member("resourceType", "Bundle");
  w.Member("id", NewUuid());
  w.Member("type", kind == BundleKind::kTransaction ? "transaction-response" : "batch-response");
  if (!entries.empty()) {
    w.Key("entry");
    w.StartArray();
    for (const BundleEntry& entry : entries) {
      EntryParts parts;
      if (!entry.status.ok()) {
        parts.status = HttpStatusFor(entry.status.code());
        parts.outcome = fhir::json::Serialize(fhir::OutcomeFromStatus(entry.status));
      } else if (entry.response) {
        parts = HandlerParts(ex, entry, *entry.response);
      } else if (entry.result && entry.plan.write.kind == store::WriteKind::kDelete) {
        parts = DeleteParts(ex, entry, *entry.result);
      } else if (entry.result && !entry.result->outcomes.empty()) {
        parts = ResultParts(ex, *entry.result);
      } else {
        parts.status = 500;
        parts.outcome = fhir::json::Serialize(
            fhir::OutcomeFromStatus(fhir::Status::Internal("the entry was not processed")));
      }
      WriteParts(w, parts);
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace schakel::server::rest
