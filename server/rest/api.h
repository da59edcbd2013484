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
  FhirApi(ApiOptions options, store::ResourceStore& store, ApiDefinitions definitions,
          Logger& logger);

  void Handle(http::Request request, http::Respond respond) const;

  // For errors the HTTP layer detects itself (413, 431, 400, 503): an OperationOutcome.
  http::Response ErrorResponse(int status, std::string message) const;

 private:
  ApiContext context_;
};

}  // namespace schakel::server::rest
