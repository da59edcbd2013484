// Principal: who a FHIR request acts for, as its bearer token says (server/auth/access_tokens.h).
// The policy decisions (what this principal may see and do) start from here.
#pragma once

#include <cstdint>
#include <string>

#include "server/auth/scopes.h"

namespace schakel::server::auth {

struct Principal {
  enum class Kind {
    kAnonymous,      // no token: only when the server runs with --insecure-no-auth
    kPatient,        // a patient (portal, patient app): confined to their own compartment
    kBackend,        // an organization's system (SMART Backend Services)
    kAdministrator,  // `schakel token` without --client and --patient; limited by its scopes
  };
  Kind kind = Kind::kAnonymous;
  std::string subject;    // "sub"
  std::string client_id;  // the registered client; empty for administrator tokens
  std::string patient;    // kPatient: the Patient's id
  std::string fhir_user;  // "fhirUser", when the token has one
  // kBackend: the organization bound to the client at registration.
  std::string organization_ura;
  std::string organization_type;
  ScopeSet scopes;
  std::string jti;
  std::int64_t expires_at = 0;
};

// "patient", "backend", "administrator" or "anonymous", for logs.
std::string_view PrincipalKindName(Principal::Kind kind);

}  // namespace schakel::server::auth
