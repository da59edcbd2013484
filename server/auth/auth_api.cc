#include "server/auth/auth_api.h"

#include "fhir/json/write.h"

namespace schakel::server::auth {
namespace {

constexpr std::string_view kJwksPath = "/.well-known/jwks.json";

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// An OAuth-style JSON error (RFC 6749 section 5.2).
http::Response JsonError(int status, std::string_view error, std::string_view description) {
  fhir::json::Value body = fhir::json::Value::Object();
  body.Set("error", fhir::json::Value::String(std::string(error)));
  body.Set("error_description", fhir::json::Value::String(std::string(description)));
  http::Response response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("Cache-Control", "no-store");
  response.body = fhir::json::Serialize(body);
  return response;
}

}  // namespace

bool AuthApi::Handles(std::string_view target) { return PathOf(target) == kJwksPath; }

void AuthApi::Handle(const http::Request& request, const http::Respond& respond) const {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = JsonError(405, "invalid_request", "only GET is allowed here");
    response.SetHeader("Allow", "GET, HEAD");
    return respond(std::move(response));
  }
  http::Response response;
  response.status = 200;
  response.SetHeader("Content-Type", "application/json");
  // Keys rotate; a client may cache them briefly and refetches on an unknown kid.
  response.SetHeader("Cache-Control", "public, max-age=300");
  response.body = fhir::json::Serialize(keys_.Jwks());  // the session drops it for HEAD
  respond(std::move(response));
}

}  // namespace schakel::server::auth
