// Exchange: one FHIR request on its way to a response, as the interaction handlers see it.
// The edges (routing, negotiation, request ids, errors) are done once in FhirApi before any
// handler runs; handlers never see bytes on the wire.
#pragma once

#include <memory>
#include <string>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "fhir/search/compartments.h"
#include "fhir/search/search_parameter.h"
#include "fhir/validation/validator.h"
#include "server/auth/principal.h"
#include "server/http/message.h"
#include "server/log/logger.h"
#include "server/rest/http_headers.h"
#include "server/rest/negotiation.h"
#include "server/rest/query.h"
#include "server/rest/router.h"
#include "server/rest/search_params_slot.h"
#include "store/store.h"

namespace schakel::server::auth {
class AccessTokens;
}  // namespace schakel::server::auth

namespace schakel::server::rest {

struct ApiOptions {
  std::string base_url;             // absolute, no trailing slash: "http://127.0.0.1:8080/fhir"
  std::string base_path = "/fhir";  // the path part the router strips
  fhir::json::ParseLimits json_limits;
  std::string software_version = "0.0.0";
  // The most resources one conditional delete may delete (conditionalDelete "multiple"); a
  // search that selects more is 412 and deletes nothing. At least 1.
  std::size_t max_conditional_deletes = 100;
  // The most entries a batch or transaction Bundle may have; more is 413.
  std::size_t max_bundle_entries = 10'000;
  // Serve every request without a token, as if an administrator with every scope sent it
  // (`serve --insecure-no-auth`, and `schakel import`, which has no HTTP side). Never in
  // production.
  bool insecure_no_auth = false;
};

// The definitions the API works from, loaded once at start-up; immutable.
struct ApiDefinitions {
  std::shared_ptr<const fhir::definitions::Registry> registry;
  std::shared_ptr<const fhir::validation::Validator> validator;
  std::shared_ptr<const fhir::search::SearchParameterRegistry> search_params;
  std::shared_ptr<const fhir::search::Compartments> compartments;
};

// What every handler may use; owned by FhirApi, shared by all requests. Thread-safe.
struct ApiContext {
  ApiOptions options;
  store::ResourceStore* store = nullptr;
  std::shared_ptr<const fhir::definitions::Registry> registry;
  std::shared_ptr<const fhir::validation::Validator> validator;
  std::shared_ptr<SearchParamsSlot> search_params;  // Get() for the parameters in force
  // The parameters from resources/ alone; $reindex adds the stored SearchParameters to these.
  std::shared_ptr<const fhir::search::SearchParameterRegistry> base_search_params;
  std::shared_ptr<const fhir::search::Compartments> compartments;
  Logger* logger = nullptr;
  // Verifies bearer tokens (access.h); without it, and without insecure_no_auth, every request
  // that needs a token is refused.
  const auth::AccessTokens* tokens = nullptr;
  std::string capability_statement;  // serialized once at start-up
};

struct Exchange {
  const ApiContext* api = nullptr;
  http::Request request;
  Target target;
  Interaction interaction;
  ResponseFormat format;
  Prefer prefer;
  std::string request_id;
  store::RequestContext ctx;
  // Who the request acts for (access.h); null when authorization is off.
  std::shared_ptr<const auth::Principal> principal;
};

using ExchangePtr = std::shared_ptr<const Exchange>;

// An interaction handler: answers through `respond` exactly once, now or after a durable write.
using InteractionHandler = void (*)(ExchangePtr exchange, http::Respond respond);

}  // namespace schakel::server::rest
