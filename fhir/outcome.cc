#include "fhir/outcome.h"

namespace schakel::fhir {
namespace {

json::Value IssueValue(const Issue& issue) {
  json::Value v = json::Value::Object();
  v.Set("severity", json::Value::String(std::string(SeverityCode(issue.severity))));
  v.Set("code", json::Value::String(std::string(IssueTypeCode(issue.type))));
  if (!issue.diagnostics.empty()) v.Set("diagnostics", json::Value::String(issue.diagnostics));
  if (!issue.expression.empty()) {
    json::Value expression = json::Value::Array();
    expression.Push(json::Value::String(issue.expression));
    v.Set("expression", std::move(expression));
  }
  return v;
}

json::Value Outcome(json::Value issues) {
  json::Value outcome = json::Value::Object();
  outcome.Set("resourceType", json::Value::String("OperationOutcome"));
  outcome.Set("issue", std::move(issues));
  return outcome;
}

}  // namespace

json::Value OutcomeFromStatus(const Status& status) {
  json::Value issues = json::Value::Array();
  if (status.issues().empty()) {
    issues.Push(IssueValue({Severity::kInformation, IssueType::kInformational, "All OK", {}}));
  }
  for (const Issue& issue : status.issues()) issues.Push(IssueValue(issue));
  return Outcome(std::move(issues));
}

json::Value OutcomeFromIssues(const std::vector<Issue>& issues) {
  json::Value list = json::Value::Array();
  for (const Issue& issue : issues) list.Push(IssueValue(issue));
  return Outcome(std::move(list));
}

json::Value InformationOutcome(std::string message) {
  json::Value issues = json::Value::Array();
  issues.Push(
      IssueValue({Severity::kInformation, IssueType::kInformational, std::move(message), {}}));
  return Outcome(std::move(issues));
}

}  // namespace schakel::fhir
