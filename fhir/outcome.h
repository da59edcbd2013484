// Building OperationOutcome resources: https://hl7.org/fhir/R4/operationoutcome.html
#pragma once

#include <string>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir {

// One issue per Status issue, with severity, code, diagnostics and expression.
json::Value OutcomeFromStatus(const Status& status);

// A single issue of severity `information` (e.g. the result of a successful delete).
json::Value InformationOutcome(std::string message);

}  // namespace schakel::fhir
