#include "server/rest/admin_audit.h"

#include <chrono>
#include <memory>
#include <utility>

#include "fhir/primitives/date_time.h"
#include "server/rest/indexing.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::json::Value;

constexpr std::size_t kMaxRequestLine = 1000;

Value Coding(std::string_view system, std::string_view code, std::string_view display = {}) {
  Value coding = Value::Object();
  coding.Set("system", Value::String(std::string(system)));
  coding.Set("code", Value::String(std::string(code)));
  if (!display.empty()) coding.Set("display", Value::String(std::string(display)));
  return coding;
}

// AuditEvent.action: https://hl7.org/fhir/R4/valueset-audit-event-action.html
std::string_view ActionOf(InteractionKind kind) {
  using K = InteractionKind;
  switch (kind) {
    case K::kCreate:
      return "C";
    case K::kUpdate:
    case K::kConditionalUpdate:
    case K::kPatch:
    case K::kConditionalPatch:
      return "U";
    case K::kDelete:
    case K::kConditionalDelete:
      return "D";
    case K::kOperation:
    case K::kBatchOrTransaction:
      return "E";
    default:
      return "R";
  }
}

// AuditEvent.outcome: 0 success, 4 minor failure (the request was refused), 8 serious failure.
std::string_view OutcomeOf(int status) {
  if (status < 400) return "0";
  return status < 500 ? "4" : "8";
}

Value BuildAuditEvent(const Exchange& ex, int status) {
  const auth::Principal& who = *ex.principal;
  const Interaction& in = ex.interaction;
  Value event = Value::Object();
  event.Set("resourceType", Value::String("AuditEvent"));
  event.Set("type", Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest",
                           "RESTful Operation"));
  event.Set("subtype", Value::Array())
      .Push(Coding("http://hl7.org/fhir/restful-interaction", InteractionCode(in.kind)));
  event.Set("action", Value::String(std::string(ActionOf(in.kind))));
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  event.Set("recorded", Value::String(fhir::FormatInstant(now)));
  event.Set("outcome", Value::String(std::string(OutcomeOf(status))));
  event.Set("outcomeDesc", Value::String("HTTP " + std::to_string(status)));

  Value agent = Value::Object();
  Value agent_who = Value::Object();
  agent_who.Set("display", Value::String("administrator token (sub " + who.subject + ")"));
  agent.Set("who", std::move(agent_who));
  agent.Set("altId", Value::String(who.jti));
  agent.Set("requestor", Value::Bool(true));
  Value network = Value::Object();
  network.Set("address", Value::String(ex.request.remote_address));
  network.Set("type", Value::String("2"));  // IP address
  agent.Set("network", std::move(network));
  event.Set("agent", Value::Array()).Push(std::move(agent));

  Value source = Value::Object();
  Value observer = Value::Object();
  observer.Set("display", Value::String("Schakel FHIR server " + ex.api->options.base_url));
  source.Set("observer", std::move(observer));
  source.Set("type", Value::Array())
      .Push(Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                   "Application Server"));
  event.Set("source", std::move(source));

  Value entity = Value::Object();
  if (!in.type.empty() && !in.id.empty()) {
    Value what = Value::Object();
    what.Set("reference", Value::String(in.type + "/" + in.id));
    entity.Set("what", std::move(what));
  }
  Value detail = Value::Object();
  detail.Set("type", Value::String("request"));
  detail.Set("valueString",
             Value::String(ex.request.method + " " + ex.request.target.substr(0, kMaxRequestLine)));
  entity.Set("detail", Value::Array()).Push(std::move(detail));
  event.Set("entity", Value::Array()).Push(std::move(entity));
  return event;
}

}  // namespace

bool AuditsAdministratorUse(const Exchange& exchange) {
  return exchange.principal != nullptr &&
         exchange.principal->kind == auth::Principal::Kind::kAdministrator;
}

http::Respond AuditAdministratorUse(ExchangePtr exchange, http::Respond respond) {
  return [ex = std::move(exchange), respond = std::move(respond)](http::Response response) {
    const ApiContext& api = *ex->api;
    store::WriteRequest write;
    write.kind = store::WriteKind::kCreate;
    write.type = "AuditEvent";
    write.id = NewUuid();
    write.resource = BuildAuditEvent(*ex, response.status);
    if (fhir::Status s = AddSearchIndex(api, write); !s.ok()) {
      api.logger->Error("admin_audit_failed",
                        {{"request_id", ex->request_id}, {"error", s.ToString()}});
      return respond(std::move(response));
    }
    auto held = std::make_shared<http::Response>(std::move(response));
    api.store->Write(
        ex->ctx, std::move(write), [ex, held, respond](fhir::Result<store::WriteOutcome> outcome) {
          if (!outcome.ok()) {
            ex->api->logger->Error("admin_audit_failed", {{"request_id", ex->request_id},
                                                          {"error", outcome.status().ToString()}});
          }
          respond(std::move(*held));
        });
  };
}

}  // namespace schakel::server::rest
