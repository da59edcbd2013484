// The audit trail of administrator tokens: every FHIR request made with one (a token from
// `schakel token` without --client and --patient) is recorded as an AuditEvent in the store
// before its response is sent. https://hl7.org/fhir/R4/auditevent.html
//
// The record says who (the token's subject and jti), when, from where (the peer address), what
// (the interaction, the resource type and id, the request line) and how it ended (the HTTP
// status, as AuditEvent.outcome). It is written as the request starts, in parallel with the
// request's own work, and the response waits for it: an answered administrator request always
// has its durable record.
#pragma once

#include "server/http/message.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// Whether requests of this exchange's principal are audited (an administrator's).
bool AuditsAdministratorUse(const Exchange& exchange);

// Starts the write of the AuditEvent for `exchange` and returns the Respond to answer the
// request with: it sends `respond`'s response only once the record is durable. If the record
// cannot be written, the request's answer is sent anyway and the failure is logged as an error.
http::Respond AuditAdministratorUse(ExchangePtr exchange, http::Respond respond);

}  // namespace schakel::server::rest
