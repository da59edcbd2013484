// FHIR operations ($name): https://hl7.org/fhir/R4/operations.html
//
// One table maps an operation name and level (type or instance) to its handler; the kOperation
// interaction dispatches through it, and the CapabilityStatement lists what is in it.
#pragma once

#include <string_view>
#include <vector>

#include "server/rest/exchange.h"

namespace schakel::server::rest {

struct OperationEntry {
  std::string_view name;        // "$validate"
  std::string_view definition;  // canonical URL of the OperationDefinition
  bool type_level = false;      // [base]/[type]/$name
  bool instance_level = false;  // [base]/[type]/[id]/$name
  bool system_level = false;    // [base]/$name
  InteractionHandler handler = nullptr;
};

const std::vector<OperationEntry>& Operations();

// The kOperation interaction: finds the operation for the exchange and runs it.
void HandleOperation(ExchangePtr exchange, http::Respond respond);

// $validate: https://hl7.org/fhir/R4/operation-resource-validate.html  (validate.cc)
void HandleValidate(ExchangePtr exchange, http::Respond respond);
// $reindex (POST [base]/$reindex): rebuilds the search index (reindex_operation.cc).
void HandleReindex(ExchangePtr exchange, http::Respond respond);

}  // namespace schakel::server::rest
