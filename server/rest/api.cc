#include "server/rest/api.h"

#include <chrono>
#include <exception>

#include "server/rest/access.h"
#include "server/rest/admin_audit.h"
#include "server/rest/capabilities.h"
#include "server/rest/interactions.h"
#include "server/rest/operations.h"
#include "server/rest/responses.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// The dispatch table: one handler per interaction, nullptr where not implemented (501).
// The CapabilityStatement is derived from this table.
constexpr std::array<InteractionHandler, kInteractionKindCount> MakeHandlers() {
  std::array<InteractionHandler, kInteractionKindCount> h{};
  h[static_cast<int>(InteractionKind::kCapabilities)] = HandleCapabilities;
  h[static_cast<int>(InteractionKind::kRead)] = HandleRead;
  h[static_cast<int>(InteractionKind::kVread)] = HandleVread;
  h[static_cast<int>(InteractionKind::kCreate)] = HandleCreate;
  h[static_cast<int>(InteractionKind::kUpdate)] = HandleUpdate;
  h[static_cast<int>(InteractionKind::kDelete)] = HandleDelete;
  h[static_cast<int>(InteractionKind::kHistoryInstance)] = HandleHistory;
  h[static_cast<int>(InteractionKind::kHistoryType)] = HandleHistory;
  h[static_cast<int>(InteractionKind::kHistorySystem)] = HandleHistory;
  h[static_cast<int>(InteractionKind::kConditionalUpdate)] = HandleConditionalUpdate;
  h[static_cast<int>(InteractionKind::kConditionalDelete)] = HandleConditionalDelete;
  h[static_cast<int>(InteractionKind::kPatch)] = HandlePatch;
  h[static_cast<int>(InteractionKind::kConditionalPatch)] = HandleConditionalPatch;
  h[static_cast<int>(InteractionKind::kSearchType)] = HandleSearch;
  h[static_cast<int>(InteractionKind::kSearchSystem)] = HandleSearch;
  h[static_cast<int>(InteractionKind::kSearchCompartment)] = HandleSearch;
  h[static_cast<int>(InteractionKind::kOperation)] = HandleOperation;
  h[static_cast<int>(InteractionKind::kBatchOrTransaction)] = HandleBatchOrTransaction;
  return h;
}
constexpr std::array<InteractionHandler, kInteractionKindCount> kHandlers = MakeHandlers();

}  // namespace

InteractionHandler HandlerFor(InteractionKind kind) { return kHandlers[static_cast<int>(kind)]; }

namespace {

ImplementedInteractions Implemented() {
  ImplementedInteractions implemented{};
  for (int i = 0; i < kInteractionKindCount; ++i) implemented[i] = kHandlers[i] != nullptr;
  return implemented;
}

std::string_view NotImplementedName(InteractionKind kind) {
  switch (kind) {
    case InteractionKind::kConditionalUpdate:
      return "conditional update";
    case InteractionKind::kConditionalDelete:
      return "conditional delete";
    case InteractionKind::kConditionalPatch:
      return "conditional patch";
    case InteractionKind::kSearchCompartment:
      return "compartment search";
    case InteractionKind::kBatchOrTransaction:
      return "batch/transaction";
    default:
      return InteractionCode(kind);
  }
}

bool IsValidRequestId(std::string_view id) {
  constexpr std::size_t kMaxRequestId = 64;
  if (id.empty() || id.size() > kMaxRequestId) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

FhirApi::FhirApi(ApiOptions options, store::ResourceStore& store, ApiDefinitions definitions,
                 Logger& logger, const auth::AccessTokens* tokens) {
  context_.tokens = tokens;
  context_.options = std::move(options);
  context_.store = &store;
  context_.registry = std::move(definitions.registry);
  context_.validator = std::move(definitions.validator);
  context_.search_params = std::make_shared<SearchParamsSlot>(definitions.search_params);
  context_.base_search_params = definitions.search_params;
  context_.compartments = std::move(definitions.compartments);
  context_.logger = &logger;
  context_.capability_statement = BuildCapabilityStatement(
      context_.options, *context_.registry, *definitions.search_params, Implemented(), NowMs());
}

http::Response FhirApi::ErrorResponse(int status, std::string message) const {
  Status s = Status::InvalidInput(message);
  switch (status) {
    case 413:
      s = Status::TooLarge(std::move(message));
      break;
    case 431:
      s = Status::TooLarge(std::move(message));
      break;
    case 503:
      s = Status::Unavailable(std::move(message));
      break;
    case 500:
      s = Status::Internal(std::move(message));
      break;
    default:
      break;
  }
  http::Response response = rest::ErrorResponse(s, ResponseFormat{});
  response.status = status;
  return response;
}

void FhirApi::Handle(http::Request request, http::Respond respond) const {
  Dispatch(std::move(request), std::move(respond), false);
}

void FhirApi::HandleTrusted(http::Request request, http::Respond respond) const {
  Dispatch(std::move(request), std::move(respond), true);
}

void FhirApi::Dispatch(http::Request request, http::Respond respond, bool trusted) const {
  auto ex = std::make_shared<Exchange>();
  ex->api = &context_;
  std::string_view asked_id = request.Header("X-Request-Id");
  ex->request_id = IsValidRequestId(asked_id) ? std::string(asked_id) : RandomHex(8);
  ex->ctx.request_id = ex->request_id;
  ex->request = std::move(request);

  // Every response carries the request id, whoever builds it.
  http::Respond tagged = [id = ex->request_id, respond = std::move(respond)](http::Response r) {
    r.SetHeader("X-Request-Id", id);
    respond(std::move(r));
  };

  try {
    fhir::Result<Target> target = ParseTarget(ex->request.target, context_.options.base_path);
    if (!target.ok()) return tagged(rest::ErrorResponse(target.status(), ex->format));
    ex->target = std::move(target).value();

    std::string allow;
    fhir::Result<Interaction> interaction =
        Route(ex->request.method, ex->target, *context_.registry, &allow);
    if (!interaction.ok()) {
      http::Response response = rest::ErrorResponse(interaction.status(), ex->format);
      if (!allow.empty()) response.SetHeader("Allow", allow);
      return tagged(std::move(response));
    }
    ex->interaction = std::move(interaction).value();

    fhir::Result<ResponseFormat> format =
        NegotiateResponse(ex->target, ex->request.Header("Accept"));
    if (!format.ok()) return tagged(rest::ErrorResponse(format.status(), ex->format));
    ex->format = *format;
    ex->format.registry = context_.registry.get();
    ex->prefer = ParsePrefer(ex->request.Header("Prefer"));

    // Everything but the CapabilityStatement needs a valid token that allows the interaction.
    if (!trusted && ex->interaction.kind != InteractionKind::kCapabilities) {
      if (Status s = Authenticate(*ex); !s.ok()) {
        http::Response response = rest::ErrorResponse(s, ex->format);
        response.SetHeader("WWW-Authenticate", WwwAuthenticate(*ex, s));
        return tagged(std::move(response));
      }
      // From here on, an administrator's request is answered only once it is on record.
      if (AuditsAdministratorUse(*ex)) tagged = AuditAdministratorUse(ex, std::move(tagged));
      if (Status s = AuthorizeInteraction(*ex, ex->interaction, ex->target.params); !s.ok()) {
        if (s.code() == fhir::Code::kForbidden) {
          context_.logger->Info(
              "access_denied",
              {{"request_id", ex->request_id},
               {"principal", std::string(auth::PrincipalKindName(ex->principal->kind))},
               {"client_id", ex->principal->client_id},
               {"reason", std::string(s.message())}});
        }
        return tagged(rest::ErrorResponse(s, ex->format));
      }
    }

    InteractionHandler handler = kHandlers[static_cast<int>(ex->interaction.kind)];
    if (handler == nullptr) {
      return tagged(rest::ErrorResponse(
          Status::NotSupported("the " + std::string(NotImplementedName(ex->interaction.kind)) +
                               " interaction is not implemented by this server yet"),
          ex->format));
    }
    // A copy, so the catch below can still answer if the handler throws before responding.
    handler(std::move(ex), tagged);
  } catch (const std::exception& e) {
    context_.logger->Error("handler_exception", {{"error", e.what()}});
    tagged(rest::ErrorResponse(Status::Internal("internal error; see the server log"),
                               ResponseFormat{}));
  }
}

}  // namespace schakel::server::rest
