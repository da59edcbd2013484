// POST [base] with a batch or transaction Bundle: reading the Bundle and its entries, and what
// batch.cc and transaction.cc share. https://hl7.org/fhir/R4/http.html#transaction
#include "server/rest/bundle.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>
#include <utility>

#include "fhir/json/write.h"
#include "server/rest/access.h"
#include "server/rest/bundle_references.h"
#include "server/rest/indexing.h"
#include "server/rest/interactions.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"
#include "server/rest/search_support.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;
using fhir::json::Value;

constexpr std::array<std::string_view, 6> kMethods = {"GET", "HEAD",   "POST",
                                                      "PUT", "DELETE", "PATCH"};

// The optional string member `name` of `object` into `out`; kInvalidInput when it is there but
// not a string.
Status OptionalString(const Value& object, std::string_view name, std::string_view where,
                      std::optional<std::string>& out) {
  const Value* value = object.Find(name);
  if (value == nullptr) return Status::Ok();
  if (!value->is_string()) {
    return Status::InvalidInput(std::string(name) + " must be a JSON string",
                                std::string(where) + "." + std::string(name));
  }
  out = value->text();
  return Status::Ok();
}

// entry.request.url as a path under our base: relative ("Patient/1", "Patient?x=y"), or
// absolute with our base URL. nullopt for a URL of another server.
std::optional<std::string> RelativeUrl(const ApiOptions& options, std::string_view url) {
  if (url.starts_with(options.base_url + "/"))
    return std::string(url.substr(options.base_url.size() + 1));
  if (url.substr(0, url.find('?')).find("://") != std::string_view::npos) return std::nullopt;
  if (url.starts_with(options.base_path + "/")) url.remove_prefix(options.base_path.size() + 1);
  while (url.starts_with('/')) url.remove_prefix(1);
  return std::string(url);
}

std::optional<EntryStage> StageOf(InteractionKind kind) {
  using K = InteractionKind;
  switch (kind) {
    case K::kDelete:
    case K::kConditionalDelete:
      return EntryStage::kDelete;
    case K::kCreate:
      return EntryStage::kCreate;
    case K::kUpdate:
    case K::kConditionalUpdate:
    case K::kPatch:
    case K::kConditionalPatch:
      return EntryStage::kUpdate;
    case K::kRead:
    case K::kVread:
    case K::kSearchType:
    case K::kSearchSystem:
    case K::kSearchCompartment:
    case K::kHistoryInstance:
    case K::kHistoryType:
    case K::kHistorySystem:
    case K::kCapabilities:
    case K::kOperation:
      return EntryStage::kRead;
    case K::kBatchOrTransaction:
      return std::nullopt;
  }
  return std::nullopt;
}

// Reads entry.request and entry.resource of `raw` (Bundle.entry[i]) into `entry`.
Status ReadEntry(const Exchange& ex, Value& raw, BundleEntry& entry) {
  const std::string where = "Bundle.entry[" + std::to_string(entry.index) + "]";
  if (!raw.is_object()) return Status::InvalidInput("the entry is not a JSON object", where);
  std::optional<std::string> full_url;
  SCHAKEL_RETURN_IF_ERROR(OptionalString(raw, "fullUrl", where, full_url));
  entry.full_url = full_url.value_or("");
  const Value* request = raw.Find("request");
  if (request == nullptr || !request->is_object()) {
    return Status::InvalidInput("the entry has no request (method and url)", where + ".request");
  }
  const std::string request_where = where + ".request";
  std::optional<std::string> method;
  std::optional<std::string> url;
  SCHAKEL_RETURN_IF_ERROR(OptionalString(*request, "method", request_where, method));
  SCHAKEL_RETURN_IF_ERROR(OptionalString(*request, "url", request_where, url));
  if (!method || std::find(kMethods.begin(), kMethods.end(), *method) == kMethods.end()) {
    return Status::InvalidInput("request.method must be GET, HEAD, POST, PUT, DELETE or PATCH",
                                request_where + ".method");
  }
  if (!url || url->empty()) {
    return Status::InvalidInput("the entry's request has no url", request_where + ".url");
  }
  entry.method = *method;
  entry.url = *url;
  SCHAKEL_RETURN_IF_ERROR(OptionalString(*request, "ifMatch", request_where, entry.if_match));
  SCHAKEL_RETURN_IF_ERROR(
      OptionalString(*request, "ifNoneMatch", request_where, entry.if_none_match));
  SCHAKEL_RETURN_IF_ERROR(
      OptionalString(*request, "ifModifiedSince", request_where, entry.if_modified_since));
  SCHAKEL_RETURN_IF_ERROR(
      OptionalString(*request, "ifNoneExist", request_where, entry.if_none_exist));

  const ApiOptions& options = ex.api->options;
  std::optional<std::string> relative = RelativeUrl(options, entry.url);
  if (!relative) {
    return Status::InvalidInput("request.url '" + entry.url.substr(0, 200) +
                                    "' is not on this server (" + options.base_url + ")",
                                request_where + ".url");
  }
  fhir::Result<Target> target = ParseTarget(options.base_path + "/" + *relative, options.base_path);
  if (!target.ok()) return target.status();
  entry.target = std::move(target).value();
  fhir::Result<Interaction> interaction =
      Route(entry.method, entry.target, *ex.api->registry, nullptr);
  if (!interaction.ok()) return interaction.status();
  entry.interaction = std::move(interaction).value();
  std::optional<EntryStage> stage = StageOf(entry.interaction.kind);
  if (!stage || (*stage == EntryStage::kRead && entry.method != "GET" && entry.method != "HEAD")) {
    return Status::NotSupported(entry.method + " " + entry.url.substr(0, 200) +
                                " is not supported in a batch or transaction");
  }
  entry.stage = *stage;
  // Each entry needs what it would need on its own.
  SCHAKEL_RETURN_IF_ERROR(AuthorizeInteraction(ex, entry.interaction, entry.target.params));

  const bool takes_resource =
      entry.method == "POST" || entry.method == "PUT" || entry.method == "PATCH";
  Value* resource = raw.Find("resource");
  if (!takes_resource) return Status::Ok();
  if (resource == nullptr || !resource->is_object()) {
    return Status::InvalidInput("a " + entry.method + " entry needs a resource",
                                where + ".resource");
  }
  const std::string* resource_type = resource->FindString("resourceType");
  if (resource_type == nullptr) {
    return Status::InvalidInput("the resource has no resourceType (a JSON string)",
                                where + ".resource.resourceType");
  }
  if (entry.method == "PATCH") {
    if (*resource_type != "Binary" && *resource_type != "Parameters") {
      return Status::InvalidInput(
          "a PATCH entry's resource is a Binary holding a JSON Patch, or a Parameters resource "
          "holding a FHIRPath Patch",
          where + ".resource");
    }
    entry.patch = std::move(*resource);
    return Status::Ok();
  }
  const std::string& type = entry.interaction.type;
  if (*resource_type != type) {
    return Status::InvalidInput(
        "the resource is a " + resource_type->substr(0, 64) + " but the url is for " + type,
        where + ".resource.resourceType");
  }
  if (const Value* id = resource->Find("id"); id != nullptr && !id->is_string()) {
    return Status::InvalidInput("id must be a JSON string", where + ".resource.id");
  }
  if (entry.interaction.kind == InteractionKind::kUpdate) {
    // As for PUT [type]/[id] (update.cc): the body carries the id of the url.
    const std::string* body_id = resource->FindString("id");
    if (body_id == nullptr || *body_id != entry.interaction.id) {
      return Status::InvalidInput(
          body_id == nullptr
              ? "an update must carry the resource id in the body (" + entry.interaction.id + ")"
              : "the id in the body (" + body_id->substr(0, 64) +
                    ") differs from the id in the url (" + entry.interaction.id + ")",
          where + ".resource.id");
    }
  }
  entry.plan.write.resource = std::move(*resource);
  return Status::Ok();
}

// Replaces "Bundle.entry[0]" (the one-entry Bundle that was validated) by the entry's index in
// every issue's location and message.
std::string Relocate(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

// A JSON Patch in a Binary (base64 data) as text; kInvalidInput for data that is not base64.
fhir::Result<std::string> DecodeBase64(std::string_view data) {
  auto digit = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(data.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  std::size_t padding = 0;
  for (char c : data) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int d = digit(c);
    if (d < 0 || padding > 0) return Status::InvalidInput("Binary.data is not base64");
    bits = (bits << 6) | static_cast<std::uint32_t>(d);
    if (++count == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xFF));
      out.push_back(static_cast<char>((bits >> 8) & 0xFF));
      out.push_back(static_cast<char>(bits & 0xFF));
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) return Status::InvalidInput("Binary.data is not base64");
  if (count == 2) out.push_back(static_cast<char>((bits >> 4) & 0xFF));
  if (count == 3) {
    out.push_back(static_cast<char>((bits >> 10) & 0xFF));
    out.push_back(static_cast<char>((bits >> 2) & 0xFF));
  }
  return out;
}

// The HTTP request an entry stands for, for its interaction's handler.
fhir::Result<ExchangePtr> EntryExchange(const Exchange& ex, const ApiContext& api,
                                        const BundleEntry& entry) {
  auto sub = std::make_shared<Exchange>();
  sub->api = &api;
  sub->request.method = entry.method;
  sub->request.target = api.options.base_path + "/" + entry.url;
  sub->request.remote_address = ex.request.remote_address;
  sub->principal = ex.principal;
  auto header = [&](std::string name, const std::optional<std::string>& value) {
    if (value) sub->request.headers.push_back({std::move(name), *value});
  };
  header("If-Match", entry.if_match);
  header("If-None-Match", entry.if_none_match);
  header("If-Modified-Since", entry.if_modified_since);
  header("If-None-Exist", entry.if_none_exist);
  if (entry.patch) {
    const Value& patch = *entry.patch;
    if (*patch.FindString("resourceType") == "Binary") {
      const std::string* content_type = patch.FindString("contentType");
      const std::string* data = patch.FindString("data");
      if (content_type == nullptr || data == nullptr) {
        return Status::InvalidInput("the PATCH entry's Binary has no contentType or no data");
      }
      fhir::Result<std::string> body = DecodeBase64(*data);
      if (!body.ok()) return body.status();
      sub->request.headers.push_back({"Content-Type", *content_type});
      sub->request.body = std::move(body).value();
    } else {
      sub->request.headers.push_back({"Content-Type", "application/fhir+json"});
      sub->request.body = fhir::json::Serialize(patch);
    }
  }
  sub->target = entry.target;
  sub->interaction = entry.interaction;
  sub->interaction.head = false;  // a HEAD entry is answered without its body by the bundle
  sub->format.registry = api.registry.get();
  sub->prefer = ex.prefer;
  sub->request_id = ex.request_id;
  sub->ctx = ex.ctx;
  return ExchangePtr(std::move(sub));
}

// Validates a write entry's resource as the resource of a one-entry Bundle of `kind`:
// conditional references are allowed there and nowhere else (fhir/validation/validator.cc).
// The resource is lent to that Bundle for the check and given back, not copied.
Status ValidateEntryResource(const Exchange& ex, BundleKind kind, BundleEntry& entry) {
  Value bundle = Value::Object();
  bundle.Set("resourceType", Value::String("Bundle"));
  bundle.Set("type", Value::String(kind == BundleKind::kTransaction ? "transaction" : "batch"));
  Value& slot = bundle.Set("entry", Value::Array()).Push(Value::Object()).Set("resource", Value());
  slot = std::move(entry.plan.write.resource);
  Status status = ex.api->validator->Check(bundle);
  entry.plan.write.resource = std::move(slot);
  if (status.ok()) return status;
  // Locations and messages name Bundle.entry[0]; make them name this entry.
  const std::string from = "Bundle.entry[0]";
  const std::string to = "Bundle.entry[" + std::to_string(entry.index) + "]";
  std::vector<fhir::Issue> issues = status.issues();
  for (fhir::Issue& issue : issues) {
    issue.expression = Relocate(std::move(issue.expression), from, to);
    issue.diagnostics = Relocate(std::move(issue.diagnostics), from, to);
  }
  return Status::WithIssues(status.code(), std::move(issues));
}

}  // namespace

std::string BundleEntry::Describe() const {
  std::string text = "Bundle.entry[" + std::to_string(index) + "]";
  std::string detail = full_url;
  if (!method.empty()) {
    detail += (detail.empty() ? "" : ", ") + method + " " + url.substr(0, 200);
  }
  if (!detail.empty()) text += " (" + detail + ")";
  return text;
}

Status ForEntry(const BundleEntry& entry, const Status& status) {
  if (status.ok()) return status;
  const std::string prefix = entry.Describe() + ": ";
  const std::string location = "Bundle.entry[" + std::to_string(entry.index) + "]";
  std::vector<fhir::Issue> issues = status.issues();
  for (fhir::Issue& issue : issues) {
    if (!issue.diagnostics.starts_with(location)) issue.diagnostics = prefix + issue.diagnostics;
    if (issue.expression.empty()) issue.expression = location;
  }
  return Status::WithIssues(status.code(), std::move(issues));
}

fhir::Result<BundleRequest> ReadBundleRequest(const Exchange& ex) {
  if (ex.request.body.empty()) {
    SCHAKEL_RETURN_IF_ERROR(RequestBodyFormat(ex.request.Header("Content-Type")).status());
    return Status::InvalidInput(
        "the request has no body; expected a Bundle of type batch or transaction");
  }
  fhir::Result<Value> parsed = ParseBody(ex);
  if (!parsed.ok()) return parsed.status();
  Value& bundle = *parsed;
  if (!bundle.is_object()) {
    return Status::InvalidInput("the body must be a JSON object (a Bundle)");
  }
  const std::string* resource_type = bundle.FindString("resourceType");
  if (resource_type == nullptr || *resource_type != "Bundle") {
    return Status::InvalidInput("POST to the base URL takes a Bundle of type batch or transaction",
                                "resourceType");
  }
  BundleRequest request;
  const std::string* type = bundle.FindString("type");
  if (type != nullptr && *type == "transaction") {
    request.kind = BundleKind::kTransaction;
  } else if (type != nullptr && *type == "batch") {
    request.kind = BundleKind::kBatch;
  } else {
    return Status::InvalidInput("Bundle.type must be batch or transaction, not '" +
                                    (type != nullptr ? type->substr(0, 64) : std::string()) + "'",
                                "Bundle.type");
  }
  Value entries = Value::Array();
  if (Value* found = bundle.Find("entry")) {
    if (!found->is_array())
      return Status::InvalidInput("Bundle.entry must be an array", "Bundle.entry");
    entries = std::move(*found);
    bundle.Remove("entry");
  }
  const std::size_t max_entries = ex.api->options.max_bundle_entries;
  if (entries.items().size() > max_entries) {
    return Status::TooLarge("the Bundle has " + std::to_string(entries.items().size()) +
                            " entries; this server takes at most " + std::to_string(max_entries) +
                            " in one batch or transaction");
  }
  // The Bundle itself, without its entries (validated one by one, see ValidateEntryResource).
  SCHAKEL_RETURN_IF_ERROR(ex.api->validator->Check(bundle));

  request.entries.resize(entries.items().size());
  for (std::size_t i = 0; i < request.entries.size(); ++i) {
    BundleEntry& entry = request.entries[i];
    entry.index = i;
    entry.status = ReadEntry(ex, entries.items()[i], entry);
  }
  return request;
}

void PrepareWrite(const Exchange& ex, BundleKind kind, BundleEntry& entry) {
  PlannedWrite& plan = entry.plan;
  plan.write.type = entry.interaction.type;
  plan.principal = ex.principal;
  auto fail = [&entry](Status status) { entry.status = std::move(status); };
  if (entry.if_match && entry.stage != EntryStage::kCreate) {
    fhir::Result<IfMatch> if_match = ParseIfMatch(*entry.if_match);
    if (!if_match.ok()) return fail(if_match.status());
    plan.if_match = *if_match;
  }
  switch (entry.interaction.kind) {
    case InteractionKind::kCreate:
      plan.write.kind = store::WriteKind::kCreate;
      if (plan.write.id.empty()) plan.write.id = NewUuid();
      if (entry.if_none_exist) {
        fhir::Result<fhir::search::Query> condition =
            ParseIfNoneExist(ex, plan.write.type, *entry.if_none_exist);
        if (!condition.ok()) return fail(condition.status());
        plan.condition = std::move(condition).value();
      }
      break;
    case InteractionKind::kUpdate:
    case InteractionKind::kConditionalUpdate:
      plan.write.kind = store::WriteKind::kUpdate;
      if (entry.interaction.kind == InteractionKind::kUpdate) {
        plan.write.id = entry.interaction.id;
      } else {
        fhir::Result<fhir::search::Query> condition =
            ParseConditionalSearch(ex, plan.write.type, entry.target.params);
        if (!condition.ok()) return fail(condition.status());
        plan.condition = std::move(condition).value();
      }
      if (Status s = SetBodyVersion(plan); !s.ok()) return fail(std::move(s));
      break;
    case InteractionKind::kDelete:
    case InteractionKind::kConditionalDelete:
      plan.write.kind = store::WriteKind::kDelete;
      if (entry.interaction.kind == InteractionKind::kDelete) {
        plan.write.id = entry.interaction.id;
      } else {
        fhir::Result<fhir::search::Query> condition =
            ParseConditionalSearch(ex, plan.write.type, entry.target.params);
        if (!condition.ok()) return fail(condition.status());
        plan.max_deletes = std::max<std::size_t>(1, ex.api->options.max_conditional_deletes);
        condition->count = plan.max_deletes + 1;
        plan.condition = std::move(condition).value();
      }
      return;
    default:
      return;  // PATCH and reads go through their handlers
  }
  if (Status s = ParseConditionalReferences(ex, entry); !s.ok()) return fail(std::move(s));
  if (Status s = ValidateEntryResource(ex, kind, entry); !s.ok()) return fail(std::move(s));
  if (!entry.conditional_references.empty()) entry.references_in_scope = true;
  if (entry.references_in_scope) {
    plan.index_in_scope = true;
  } else if (Status s = AddSearchIndex(*ex.api, plan.write); !s.ok()) {
    return fail(std::move(s));
  }
}

void PrepareWrites(const Exchange& ex, BundleKind kind, std::vector<BundleEntry>& entries,
                   const std::function<bool(const BundleEntry&)>& selected) {
  std::vector<BundleEntry*> work;
  for (BundleEntry& entry : entries) {
    if (selected(entry)) work.push_back(&entry);
  }
  auto prepare = [&ex, kind](BundleEntry& entry) {
    try {
      PrepareWrite(ex, kind, entry);
    } catch (const std::exception& e) {  // std::bad_alloc: fail the entry, not the process
      ex.api->logger->Error("prepare_failed", {{"error", e.what()}});
      entry.status = Status::Internal("internal error; see the server log");
    }
  };
  constexpr std::size_t kPerThread = 128;  // below this, a thread costs more than it saves
  constexpr std::size_t kChunk = 16;
  const std::size_t threads = std::min<std::size_t>(
      std::max(1U, std::thread::hardware_concurrency()), work.size() / kPerThread);
  if (threads <= 1) {
    for (BundleEntry* entry : work) prepare(*entry);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t start; (start = next.fetch_add(kChunk)) < work.size();) {
      const std::size_t end = std::min(work.size(), start + kChunk);
      for (std::size_t i = start; i < end; ++i) prepare(*work[i]);
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(run);
  run();
  for (std::thread& helper : helpers) helper.join();
}

std::vector<std::size_t> ProcessingOrder(const std::vector<BundleEntry>& entries) {
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&entries](std::size_t a, std::size_t b) {
    return static_cast<int>(entries[a].stage) < static_cast<int>(entries[b].stage);
  });
  return order;
}

http::Response RunEntryHandler(const Exchange& ex, const ApiContext& api,
                               const BundleEntry& entry) {
  fhir::Result<ExchangePtr> sub = EntryExchange(ex, api, entry);
  if (!sub.ok()) return ErrorResponse(sub.status(), ResponseFormat{});
  InteractionHandler handler = HandlerFor(entry.interaction.kind);
  if (handler == nullptr) {
    return ErrorResponse(Status::NotSupported(entry.method + " " + entry.url.substr(0, 200) +
                                              " is not implemented by this server"),
                         ResponseFormat{});
  }
  std::optional<http::Response> response;
  try {
    handler(*sub, [&response](http::Response r) { response = std::move(r); });
  } catch (const std::exception& e) {
    api.logger->Error("handler_exception", {{"error", e.what()}});
    return ErrorResponse(Status::Internal("internal error; see the server log"), ResponseFormat{});
  }
  if (!response) {
    return ErrorResponse(Status::Internal("the entry was not answered in the batch"),
                         ResponseFormat{});
  }
  return std::move(*response);
}

void HandleBatchOrTransaction(ExchangePtr ex, http::Respond respond) {
  fhir::Result<BundleRequest> request = ReadBundleRequest(*ex);
  if (!request.ok()) return respond(ErrorResponse(request.status(), ex->format));
  if (request->kind == BundleKind::kTransaction) {
    return RunTransaction(std::move(ex), std::move(request).value(), std::move(respond));
  }
  RunBatch(std::move(ex), std::move(request).value(), std::move(respond));
}

}  // namespace schakel::server::rest
