#include "fhir/outcome.h"

#include <gtest/gtest.h>

#include <string>

#include "fhir/json/write.h"

namespace schakel::fhir {
namespace {

TEST(OutcomeFromStatusTest, Table) {
  struct Case {
    Status status;
    std::string expected;
  };
  const Case cases[] = {
      {Status::NotFound("Patient/1 is not known"),
       R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found",)"
       R"("diagnostics":"Patient/1 is not known"}]})"},
      {Status::InvalidInput("bad date", "Patient.birthDate"),
       R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",)"
       R"("diagnostics":"bad date","expression":["Patient.birthDate"]}]})"},
      {Status::Internal(""),  // no diagnostics member for an empty message
       R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]})"},
      {Status::WithIssues(
           Code::kUnprocessable,
           {{Severity::kError, IssueType::kRequired, "status is required", "Observation.status"},
            {Severity::kWarning, IssueType::kValue, "unusual unit", "Observation.valueQuantity"},
            {Severity::kFatal, IssueType::kStructure, "", ""}}),
       R"({"resourceType":"OperationOutcome","issue":[)"
       R"({"severity":"error","code":"required","diagnostics":"status is required",)"
       R"("expression":["Observation.status"]},)"
       R"({"severity":"warning","code":"value","diagnostics":"unusual unit",)"
       R"("expression":["Observation.valueQuantity"]},)"
       R"({"severity":"fatal","code":"structure"}]})"},
      // An OperationOutcome needs at least one issue, even for success.
      {Status::Ok(), R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",)"
                     R"("code":"informational","diagnostics":"All OK"}]})"},
      {Status::Unavailable("busy", IssueType::kTransient),
       R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient",)"
       R"("diagnostics":"busy"}]})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    EXPECT_EQ(json::Serialize(OutcomeFromStatus(c.status)), c.expected);
  }
}

TEST(OutcomeFromStatusTest, EscapesDiagnostics) {
  EXPECT_EQ(json::Serialize(OutcomeFromStatus(Status::InvalidInput("'\"x\"'\n"))),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",)"
            R"("diagnostics":"'\"x\"'\n"}]})");
}

TEST(InformationOutcomeTest, SingleInformationIssue) {
  EXPECT_EQ(json::Serialize(InformationOutcome("Deleted Patient/1")),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",)"
            R"("code":"informational","diagnostics":"Deleted Patient/1"}]})");
}

}  // namespace
}  // namespace schakel::fhir
