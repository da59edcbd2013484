// patch: https://hl7.org/fhir/R4/http.html#patch, and conditional patch (PATCH [type]?[search]).
//
// The body says how to change the current version, by its Content-Type:
//  - application/json-patch+json: JSON Patch (RFC 6902), fhir/patch/json_patch.h;
//  - application/fhir+json or application/fhir+xml: a FHIRPath Patch Parameters resource
//    (https://hl7.org/fhir/R4/fhirpatch.html), fhir/patch/fhirpath_patch.h;
//  - anything else (also XML Patch, and no Content-Type at all): 415, with Accept-Patch.
// The server reads the current version (404 when it never existed, 410 when it is deleted),
// applies the patch to it, checks the result as it checks an update's body, and writes it
// through WriteUpdate, so the answer is an update's (200, ETag, Last-Modified, Prefer).
//
// Conditional patch searches, reads and writes in one store write scope (HandleConditionalPatch).
//
// Version safety: the patch is computed from the version read, so the write expects exactly that
// version (If-Match on the write); a concurrent update between the read and the write makes it
// 412 instead of silently undoing that update. A client's own If-Match must name the current
// version (412 otherwise). The spec requires servers with PATCH to support this contention check.
//
// What a patch may not change: resourceType and id (422: the patch is well-formed, but its
// result is not an update of this resource). meta.versionId and meta.lastUpdated are the
// server's: changes a patch makes to them are ignored, as an update ignores them in a body.
#include <string>
#include <utility>
#include <variant>

#include "fhir/json/parse.h"
#include "fhir/patch/fhirpath_patch.h"
#include "fhir/patch/json_patch.h"
#include "server/http/message.h"
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"
#include "server/rest/transaction_store.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;
using fhir::json::Value;
using Patch = std::variant<fhir::patch::JsonPatch, fhir::patch::FhirPathPatch>;

constexpr std::string_view kJsonPatchType = "application/json-patch+json";
constexpr std::string_view kAcceptPatch =
    "application/json-patch+json, application/fhir+json, application/fhir+xml";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Content-Type application/json-patch+json, with no charset but UTF-8.
fhir::Result<bool> IsJsonPatchType(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  if (!http::EqualsIgnoreCase(Trim(content_type.substr(0, semi)), kJsonPatchType)) return false;
  while (semi != std::string_view::npos) {
    content_type.remove_prefix(semi + 1);
    semi = content_type.find(';');
    std::string_view param = Trim(content_type.substr(0, semi));
    constexpr std::string_view kCharset = "charset=";
    if (param.size() < kCharset.size() ||
        !http::EqualsIgnoreCase(param.substr(0, kCharset.size()), kCharset)) {
      continue;
    }
    std::string_view charset = param.substr(kCharset.size());
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    if (!http::EqualsIgnoreCase(charset, "utf-8")) {
      return Status::UnsupportedMediaType("charset " + std::string(charset.substr(0, 32)) +
                                          " is not supported; JSON is UTF-8");
    }
  }
  return true;
}

fhir::Result<Patch> ReadPatch(const Exchange& ex) {
  const std::string_view content_type = Trim(ex.request.Header("Content-Type"));
  if (content_type.empty()) {
    return Status::UnsupportedMediaType(
        "a PATCH needs a Content-Type: application/json-patch+json for JSON Patch, or "
        "application/fhir+json or application/fhir+xml for FHIRPath Patch");
  }
  fhir::Result<bool> json_patch = IsJsonPatchType(content_type);
  if (!json_patch.ok()) return json_patch.status();
  const std::string_view media_type = Trim(content_type.substr(0, content_type.find(';')));
  if (!*json_patch && http::EqualsIgnoreCase(media_type, "application/xml-patch+xml")) {
    return Status::UnsupportedMediaType(
        "XML Patch is not supported; send JSON Patch (application/json-patch+json) or a "
        "FHIRPath Patch (application/fhir+json or application/fhir+xml)");
  }
  if (!*json_patch && !RequestBodyFormat(media_type).ok()) {
    return Status::UnsupportedMediaType(
        "Content-Type " + std::string(media_type.substr(0, 64)) +
        " is not a patch format this server reads: send JSON Patch as "
        "application/json-patch+json, or a FHIRPath Patch as application/fhir+json or "
        "application/fhir+xml");
  }
  if (ex.request.body.empty()) return Status::InvalidInput("the PATCH request has no body");
  if (*json_patch) {
    fhir::Result<Value> document = fhir::json::Parse(ex.request.body, ex.api->options.json_limits);
    if (!document.ok()) return document.status();
    fhir::Result<fhir::patch::JsonPatch> patch = fhir::patch::JsonPatch::Parse(*document);
    if (!patch.ok()) return patch.status();
    return Patch(std::move(patch).value());
  }
  // ParseBody reads FHIR JSON or XML, and checks the charset.
  fhir::Result<Value> parameters = ParseBody(ex);
  if (!parameters.ok()) return parameters.status();
  if (parameters->is_array()) {
    return Status::UnsupportedMediaType(
        "the body is a JSON array, as a JSON Patch is: send it as application/json-patch+json");
  }
  fhir::Result<fhir::patch::FhirPathPatch> patch =
      fhir::patch::FhirPathPatch::Parse(std::move(parameters).value(), *ex.api->registry);
  if (!patch.ok()) return patch.status();
  return Patch(std::move(patch).value());
}

http::Response PatchError(const Status& status, const Exchange& ex) {
  http::Response response = ErrorResponse(status, ex.format);
  if (status.code() == fhir::Code::kUnsupportedMediaType) {
    response.SetHeader("Accept-Patch", std::string(kAcceptPatch));
  }
  return response;
}

// The version a client's If-Match names (nullopt without one; `*` is any existing version).
fhir::Result<std::optional<std::int64_t>> ClientIfMatch(const Exchange& ex, std::int64_t current) {
  if (!ex.request.HasHeader("If-Match")) return std::optional<std::int64_t>();
  std::optional<ETagList> tags = ParseETagList(ex.request.Header("If-Match"));
  if (!tags) return Status::InvalidInput("If-Match must be an entity tag such as W/\"3\"");
  if (tags->any) return std::optional<std::int64_t>(current);
  if (tags->versions.size() != 1 || tags->has_foreign) {
    return Status::PreconditionFailed("If-Match must name exactly one version, such as W/\"3\"");
  }
  return std::optional<std::int64_t>(tags->versions.front());
}

// What an update checks in a body, for the patched resource: the same type and id, a meta
// object without the server's elements, and validity against the definitions.
Status CheckPatched(const Exchange& ex, const std::string& id, Value& resource) {
  const std::string& type = ex.interaction.type;
  if (!resource.is_object()) return Status::Unprocessable("the patch leaves no resource object");
  const std::string* resource_type = resource.FindString("resourceType");
  if (resource_type == nullptr || *resource_type != type) {
    return Status::Unprocessable("the patch changes resourceType; a patch cannot do that",
                                 "resourceType");
  }
  const std::string* body_id = resource.FindString("id");
  if (body_id == nullptr || *body_id != id) {
    return Status::Unprocessable("the patch changes or removes id; a patch cannot do that",
                                 type + ".id");
  }
  if (Value* meta = resource.Find("meta")) {
    if (!meta->is_object())
      return Status::Unprocessable("meta must be a JSON object", type + ".meta");
    meta->Remove("versionId");
    meta->Remove("lastUpdated");
    if (meta->members().empty()) resource.Remove("meta");
  }
  return ex.api->validator->Check(resource);
}

// The exchange the write goes through: this one, for resource `id`, with If-Match set to the
// version the patch was computed from.
ExchangePtr ForWrite(const Exchange& ex, const std::string& id, std::int64_t version) {
  auto write = std::make_shared<Exchange>(ex);
  write->request.body.clear();
  write->interaction.id = id;
  std::erase_if(write->request.headers, [](const http::HeaderField& h) {
    return http::EqualsIgnoreCase(h.name, "If-Match");
  });
  write->request.headers.push_back({"If-Match", VersionETag(version)});
  return write;
}

void PatchResource(ExchangePtr ex, const std::string& id, const Patch& patch,
                   http::Respond respond) {
  const std::string& type = ex->interaction.type;
  fhir::Result<store::ResourceVersion> current = ex->api->store->Read(ex->ctx, type, id);
  if (!current.ok()) {
    if (current.status().code() == fhir::Code::kNotFound) {
      return respond(
          ErrorResponse(Status::NotFound(type + "/" + id + " does not exist"), ex->format));
    }
    return respond(ErrorResponse(current.status(), ex->format));
  }
  if (current->deleted) {
    return respond(ErrorResponse(
        Status::Gone(type + "/" + id + " is deleted (version " + std::to_string(current->version) +
                     "); there is nothing to patch"),
        ex->format));
  }
  fhir::Result<std::optional<std::int64_t>> if_match = ClientIfMatch(*ex, current->version);
  if (!if_match.ok()) return respond(ErrorResponse(if_match.status(), ex->format));
  if (if_match->has_value() && **if_match != current->version) {
    return respond(ErrorResponse(
        Status::PreconditionFailed("If-Match expects version " + std::to_string(**if_match) +
                                   " of " + type + "/" + id + ", but the current version is " +
                                   std::to_string(current->version)),
        ex->format));
  }

  fhir::Result<Value> stored = fhir::json::Parse(current->json, ex->api->options.json_limits);
  if (!stored.ok()) {
    return respond(ErrorResponse(
        Status::Internal("the stored " + type + "/" + id +
                         " does not parse: " + std::string(stored.status().message())),
        ex->format));
  }
  fhir::Result<Value> patched =
      std::visit([&](const auto& p) { return p.Apply(std::move(stored).value()); }, patch);
  if (!patched.ok()) return respond(ErrorResponse(patched.status(), ex->format));
  if (Status s = CheckPatched(*ex, id, *patched); !s.ok()) {
    return respond(ErrorResponse(s, ex->format));
  }
  WriteUpdate(ForWrite(*ex, id, current->version), id, std::move(patched).value(),
              std::move(respond));
}

}  // namespace

void HandlePatch(ExchangePtr ex, http::Respond respond) {
  fhir::Result<Patch> patch = ReadPatch(*ex);
  if (!patch.ok()) return respond(PatchError(patch.status(), *ex));
  const std::string id = ex->interaction.id;
  PatchResource(std::move(ex), id, *patch, std::move(respond));
}

// Conditional patch: the search, the read, the patch and the write run in one store write scope
// (on the writer thread, through a ScopeStore), so no other write can come between the search
// and the write: a resource that starts to match meanwhile is seen, or it is not there yet.
// Inside a batch or transaction the API's store is already a ScopeStore, whose WriteAtomically
// runs the body at once in the surrounding scope; the code is the same.
void HandleConditionalPatch(ExchangePtr ex, http::Respond respond) {
  fhir::Result<Patch> patch = ReadPatch(*ex);
  if (!patch.ok()) return respond(PatchError(patch.status(), *ex));
  fhir::Result<fhir::search::Query> query =
      ParseConditionalSearch(*ex, ex->interaction.type, ex->target.params);
  if (!query.ok()) return respond(ErrorResponse(query.status(), ex->format));

  struct Scoped {
    ScopeStore store;
    ApiContext api;
    std::shared_ptr<Exchange> exchange;
    fhir::search::Query query;
    Patch patch;
    std::optional<http::Response> response;
  };
  auto scoped = std::make_shared<Scoped>(Scoped{ScopeStore(*ex->api->store), *ex->api, nullptr,
                                                std::move(query).value(), std::move(patch).value(),
                                                std::nullopt});
  scoped->api.store = &scoped->store;
  scoped->exchange = std::make_shared<Exchange>(*ex);
  scoped->exchange->api = &scoped->api;
  auto body = [scoped](store::WriteScope& scope) -> Status {
    scoped->store.Bind(&scope);
    auto answer = [scoped](http::Response r) { scoped->response = std::move(r); };
    const Exchange& in_scope = *scoped->exchange;
    const std::string& type = in_scope.interaction.type;
    fhir::Result<store::SearchResult> result = scope.Search(scoped->query);
    if (!result.ok()) {
      answer(ErrorResponse(result.status(), in_scope.format));
    } else if (result->matches.empty()) {
      answer(
          ErrorResponse(Status::NotFound("no " + type + " matches the search; nothing was patched"),
                        in_scope.format));
    } else if (result->matches.size() > 1) {
      answer(ErrorResponse(Status::PreconditionFailed("the search selects more than one " + type +
                                                      "; a conditional patch needs exactly one"),
                           in_scope.format));
    } else {
      PatchResource(scoped->exchange, result->matches.front().id, scoped->patch, answer);
    }
    scoped->store.Bind(nullptr);
    if (!scoped->response) return Status::Internal("the conditional patch was not answered");
    // A failure rolls the scope back; the answer is the response kept.
    if (scoped->response->status >= 400) return Status::Conflict("the conditional patch failed");
    return Status::Ok();
  };
  ex->api->store->WriteAtomically(
      ex->ctx, std::move(body), [scoped, ex, respond = std::move(respond)](Status status) {
        // The response is sent only now, after the commit; a failed commit answers its error.
        if (status.ok() || (scoped->response && scoped->response->status >= 400)) {
          return respond(std::move(*scoped->response));
        }
        respond(ErrorResponse(status, ex->format));
      });
}

}  // namespace schakel::server::rest
