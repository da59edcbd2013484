// The interaction handlers, one file each. Each is an InteractionHandler (see exchange.h).
#pragma once

#include "server/rest/exchange.h"

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
// The write of an update (also a conditional update's): version checks, index, store.
void WriteUpdate(ExchangePtr exchange, const std::string& id, fhir::json::Value resource,
                 http::Respond respond);
// https://hl7.org/fhir/R4/http.html#cond-update and #3.1.0.7.1 (conditional.cc)
void HandleConditionalUpdate(ExchangePtr exchange, http::Respond respond);
void HandleConditionalDelete(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#patch: JSON Patch and FHIRPath Patch, also conditional
// (patch.cc)
void HandlePatch(ExchangePtr exchange, http::Respond respond);
void HandleConditionalPatch(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#delete  (delete.cc)
void HandleDelete(ExchangePtr exchange, http::Respond respond);
// The write of a delete (also a conditional delete's).
void WriteDelete(ExchangePtr exchange, const std::string& id, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#history  (history.cc)
void HandleHistory(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/search.html  (search.cc)
void HandleSearch(ExchangePtr exchange, http::Respond respond);

}  // namespace schakel::server::rest
