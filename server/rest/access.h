// Access control of the FHIR API: who a request acts for, and what that principal may see and do.
// https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
//
// Every /fhir request except `metadata` carries a bearer access token (server/auth/
// access_tokens.h); FhirApi authenticates it before any handler runs and stores the Principal
// in the Exchange. From there, one policy applies everywhere, for the request itself and for each
// entry of a batch or transaction:
//   - Scopes, per interaction (AuthorizeInteraction): read, vread and instance history need
//     `r`; search and type history `s`; create `c`; update and patch `u`; delete `d`, on the
//     resource type or `*`. A patient's token uses its patient/ and user/ scopes, a backend's its
//     system/ scopes, an administrator's any. What is not granted is 403.
//   - A patient's data only (ConfineSearch, ConfineQuery, CheckDisclosure, CheckWrite): a patient
//     token reaches the resources of its patient's compartment
//     (https://hl7.org/fhir/R4/compartmentdefinition-patient.html, fhir/search/
//     compartment_membership.h) and its own Patient resource, nothing else. Searches get the
//     compartment as a clause before paging and totals; reads of anything else are 404, so that
//     its existence is not revealed; _include and _revinclude leave out what is not disclosed;
//     writes must stay in the compartment. Type and system level history and system search are
//     refused to patient tokens (they cannot be confined before paging).
//   - SMART 2.x search restrictions (`patient/Observation.rs?category=laboratory`): a search
//     gets the restriction's parameters added (one restricted scope per search); a read is
//     allowed when a search for the id with the restriction finds it. Restricted scopes grant
//     no writes.
// A null principal means authorization is off (--insecure-no-auth, or the in-process import):
// everything is allowed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/search/query.h"
#include "fhir/status.h"
#include "server/auth/principal.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// Reads the request's bearer token into `ex.principal`. kUnauthorized (401) when the token is
// missing or invalid; Ok with a null principal when authorization is off.
fhir::Status Authenticate(Exchange& ex);

// The WWW-Authenticate header of a 401 (RFC 6750 section 3), naming the error when a token was
// sent but refused.
std::string WwwAuthenticate(const Exchange& ex, const fhir::Status& failure);

// Whether the principal may perform `in` (with the request's query parameters `params`) at all:
// kForbidden (403) with the reason, or kNotFound for a compartment search in the compartment of
// another patient. Batch and transaction entries are checked one by one.
fhir::Status AuthorizeInteraction(const Exchange& ex, const Interaction& in,
                                  const std::vector<QueryParam>& params);

// Adds to the decoded parameters of a search on `type` what the principal's access implies: the
// search restriction of a restricted scope and, for a patient token searching Patients, the
// patient's own id. Call before parsing the query.
fhir::Status ConfineSearch(const Exchange& ex, std::string_view type,
                           std::vector<std::pair<std::string, std::string>>& params);

// Confines a parsed query to the patient's compartment (a patient token only): kForbidden for a
// type that is never in a patient's compartment. The query may already be a compartment search
// of the patient's own compartment.
fhir::Status ConfineQuery(const Exchange& ex, fhir::search::Query& query);

// Ok when `version` may be shown to the principal; kNotFound when not (its existence stays
// hidden). A deleted version is judged by the version before it.
fhir::Status CheckDisclosure(const Exchange& ex, const store::ResourceVersion& version);

// Whether a write by `principal` may replace `current` (the live version, or null when there is
// none) with `next` (null for a delete): for a patient token, both must be in the patient's
// compartment: kNotFound when `current` is not, kForbidden when `next` is not.
fhir::Status CheckWrite(const auth::Principal* principal, const ApiContext& api,
                        const fhir::json::Value* current, const fhir::json::Value* next);

}  // namespace schakel::server::rest
