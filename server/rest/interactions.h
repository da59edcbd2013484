// The interaction handlers, one file each. Each is an InteractionHandler (see exchange.h).
#pragma once

#include "server/rest/exchange.h"
#include "server/rest/transaction_write.h"

namespace schakel::server::rest {

// https://hl7.org/fhir/R4/http.html#capabilities  (capabilities.cc)
void HandleCapabilities(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#read and #vread  (read.cc)
void HandleRead(ExchangePtr exchange, http::Respond respond);
void HandleVread(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#create  (create.cc)
void HandleCreate(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#update  (update.cc)
void HandleUpdate(ExchangePtr exchange, http::Respond respond);
// The write of an update of Type/id: version checks (If-Match, meta.versionId), index, store.
void WriteUpdate(ExchangePtr exchange, const std::string& id, fhir::json::Value resource,
                 http::Respond respond);
// The same for a planned update (write.kind, type, and id or condition, resource set): a
// conditional update's search runs in the same write scope.
void WriteUpdate(ExchangePtr exchange, PlannedWrite plan, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#cond-update and #3.1.0.7.1 (conditional.cc)
void HandleConditionalUpdate(ExchangePtr exchange, http::Respond respond);
void HandleConditionalDelete(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#patch: JSON Patch and FHIRPath Patch, also conditional
// (patch.cc)
void HandlePatch(ExchangePtr exchange, http::Respond respond);
void HandleConditionalPatch(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#delete  (delete.cc)
void HandleDelete(ExchangePtr exchange, http::Respond respond);
// The write of a delete of Type/id (with If-Match).
void WriteDelete(ExchangePtr exchange, const std::string& id, http::Respond respond);
// The same for a planned delete (write.kind, type, and id or condition set): a conditional
// delete's search runs in the same write scope, and may select up to plan.max_deletes.
void WriteDelete(ExchangePtr exchange, PlannedWrite plan, http::Respond respond);
// What a delete did, in words, for its OperationOutcome ("Deleted Patient/1; version 3 ...").
std::string DescribeDelete(const std::string& type, const WriteResult& result);
// https://hl7.org/fhir/R4/http.html#history  (history.cc)
void HandleHistory(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/search.html  (search.cc)
void HandleSearch(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#transaction: POST [base] with a batch or transaction
// Bundle (bundle.cc, batch.cc, transaction.cc)
void HandleBatchOrTransaction(ExchangePtr exchange, http::Respond respond);

// The handler of an interaction from the dispatch table (api.cc); nullptr where there is none.
InteractionHandler HandlerFor(InteractionKind kind);

}  // namespace schakel::server::rest
