// FhirApi: the FHIR RESTful API as an http::Handler.
//
// One request path: request id -> route -> negotiate the response format -> dispatch to the
// interaction's handler -> response. Every failure becomes an OperationOutcome here or in
// responses.cc; nothing else maps errors to HTTP. Thread-safe: Handle() runs on many I/O
// threads at once.
#pragma once

#include <memory>

#include "fhir/definitions/registry.h"
#include "server/http/message.h"
#include "server/log/logger.h"
#include "server/rest/exchange.h"
#include "store/store.h"

namespace schakel::server::rest {

class FhirApi {
 public:
  // `tokens` verifies the bearer tokens of requests (access.h); it must outlive the API. With
  // options.insecure_no_auth it may be null.
  FhirApi(ApiOptions options, store::ResourceStore& store, ApiDefinitions definitions,
          Logger& logger, const auth::AccessTokens* tokens);

  void Handle(http::Request request, http::Respond respond) const;
  // Handle() without access control, for callers inside the process that act with the data
  // directory's own authority (seeding at start, `schakel import`): no token is asked for.
  void HandleTrusted(http::Request request, http::Respond respond) const;

  // For errors the HTTP layer detects itself (413, 431, 400, 503): an OperationOutcome.
  http::Response ErrorResponse(int status, std::string message) const;

 private:
  void Dispatch(http::Request request, http::Respond respond, bool trusted) const;

  ApiContext context_;
};

}  // namespace schakel::server::rest
