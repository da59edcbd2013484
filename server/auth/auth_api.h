// AuthApi: the authorization server's HTTP endpoints, beside the FHIR API (api.h).
//
// So far: GET /.well-known/jwks.json, the public keys that verify the server's access tokens
// (RFC 7517; https://hl7.org/fhir/smart-app-launch/conformance.html). The authorize, token,
// introspection and revocation endpoints, and /fhir/.well-known/smart-configuration that
// announces them, come with the login flows (issue 7).
//
// Thread-safe: Handle() runs on many I/O threads at once.
#pragma once

#include <string_view>

#include "server/auth/signing_keys.h"
#include "server/http/message.h"

namespace schakel::server::auth {

class AuthApi {
 public:
  explicit AuthApi(const SigningKeyRing& keys) : keys_(keys) {}

  // Whether `target` (a request-target) is one of this API's endpoints.
  static bool Handles(std::string_view target);
  void Handle(const http::Request& request, const http::Respond& respond) const;

 private:
  const SigningKeyRing& keys_;
};

}  // namespace schakel::server::auth
