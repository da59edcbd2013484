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
// https://hl7.org/fhir/R4/http.html#delete  (delete.cc)
void HandleDelete(ExchangePtr exchange, http::Respond respond);
// https://hl7.org/fhir/R4/http.html#history  (history.cc)
void HandleHistory(ExchangePtr exchange, http::Respond respond);

}  // namespace schakel::server::rest
