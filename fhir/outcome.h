// Building OperationOutcome resources: https://hl7.org/fhir/R4/operationoutcome.html
#pragma once

#include <string>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir {

// One issue per Status issue, with severity, code, diagnostics and expression.
json::Value OutcomeFromStatus(const Status& status);

// One issue per entry, whatever their severities (e.g. the result of $validate).
json::Value OutcomeFromIssues(const std::vector<Issue>& issues);

// A single issue of severity `information` (e.g. the result of a successful delete).
json::Value InformationOutcome(std::string message);

}  // namespace schakel::fhir
