#include "fhir/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schakel::fhir {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_TRUE(s.issues().empty());
  EXPECT_EQ(s.message(), "ok");
  EXPECT_EQ(s.ToString(), "Ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, FactoriesSetCodeAndIssueType) {
  struct Case {
    Status status;
    Code code;
    std::string_view code_name;
    std::string_view issue_type;
  };
  const Case cases[] = {
      {Status::InvalidInput("m"), Code::kInvalidInput, "InvalidInput", "invalid"},
      {Status::Unprocessable("m"), Code::kUnprocessable, "Unprocessable", "invalid"},
      {Status::Unprocessable("m", "Patient.x", IssueType::kBusinessRule), Code::kUnprocessable,
       "Unprocessable", "business-rule"},
      {Status::NotFound("m"), Code::kNotFound, "NotFound", "not-found"},
      {Status::Gone("m"), Code::kGone, "Gone", "deleted"},
      {Status::Conflict("m"), Code::kConflict, "Conflict", "conflict"},
      {Status::PreconditionFailed("m"), Code::kPreconditionFailed, "PreconditionFailed",
       "conflict"},
      {Status::NotSupported("m"), Code::kNotSupported, "NotSupported", "not-supported"},
      {Status::MethodNotAllowed("m"), Code::kMethodNotAllowed, "MethodNotAllowed", "not-supported"},
      {Status::NotAcceptable("m"), Code::kNotAcceptable, "NotAcceptable", "not-supported"},
      {Status::UnsupportedMediaType("m"), Code::kUnsupportedMediaType, "UnsupportedMediaType",
       "not-supported"},
      {Status::TooLarge("m"), Code::kTooLarge, "TooLarge", "too-long"},
      {Status::Unauthorized("m"), Code::kUnauthorized, "Unauthorized", "login"},
      {Status::Forbidden("m"), Code::kForbidden, "Forbidden", "forbidden"},
      {Status::Unavailable("m"), Code::kUnavailable, "Unavailable", "transient"},
      {Status::Unavailable("m", IssueType::kThrottled), Code::kUnavailable, "Unavailable",
       "throttled"},
      {Status::Internal("m"), Code::kInternal, "Internal", "exception"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code_name);
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(CodeName(c.status.code()), c.code_name);
    ASSERT_EQ(c.status.issues().size(), 1u);
    const Issue& issue = c.status.issues()[0];
    EXPECT_EQ(issue.severity, Severity::kError);
    EXPECT_EQ(IssueTypeCode(issue.type), c.issue_type);
    EXPECT_EQ(issue.diagnostics, "m");
    EXPECT_EQ(c.status.message(), "m");
  }
}

TEST(StatusTest, ExpressionIsKept) {
  Status s = Status::InvalidInput("bad name", "Patient.name[0]");
  EXPECT_EQ(s.issues()[0].expression, "Patient.name[0]");
  EXPECT_EQ(s.ToString(), "InvalidInput: bad name @ Patient.name[0]");
  EXPECT_EQ(Status::Unprocessable("x", "Observation.code").issues()[0].expression,
            "Observation.code");
  EXPECT_TRUE(Status::NotFound("x").issues()[0].expression.empty());
}

TEST(StatusTest, ToString) {
  EXPECT_EQ(Status::NotFound("Patient/1 is not known").ToString(),
            "NotFound: Patient/1 is not known");
  EXPECT_EQ(Status::Internal("").ToString(), "Internal: ");
}

TEST(StatusTest, WithIssues) {
  Status s = Status::WithIssues(
      Code::kUnprocessable,
      {{Severity::kError, IssueType::kRequired, "status is required", "Observation.status"},
       {Severity::kWarning, IssueType::kValue, "odd value", ""}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kUnprocessable);
  ASSERT_EQ(s.issues().size(), 2u);
  EXPECT_EQ(s.issues()[1].severity, Severity::kWarning);
  EXPECT_EQ(s.message(), "status is required");
  EXPECT_EQ(s.ToString(), "Unprocessable: status is required @ Observation.status: odd value");
}

TEST(StatusTest, CopiesCarryTheIssues) {
  Status a = Status::Conflict("version clash");
  Status b = a;
  EXPECT_EQ(b.code(), Code::kConflict);
  EXPECT_EQ(b.message(), "version clash");
  Status c = std::move(b);
  EXPECT_EQ(c.ToString(), "Conflict: version clash");
}

TEST(StatusTest, CodeNamesAndIssueCodes) {
  EXPECT_EQ(CodeName(Code::kOk), "Ok");
  EXPECT_EQ(SeverityCode(Severity::kFatal), "fatal");
  EXPECT_EQ(SeverityCode(Severity::kError), "error");
  EXPECT_EQ(SeverityCode(Severity::kWarning), "warning");
  EXPECT_EQ(SeverityCode(Severity::kInformation), "information");
  // Every issue type has its code from http://hl7.org/fhir/issue-type.
  struct Case {
    IssueType type;
    std::string_view code;
  };
  const Case cases[] = {
      {IssueType::kInvalid, "invalid"},
      {IssueType::kStructure, "structure"},
      {IssueType::kRequired, "required"},
      {IssueType::kValue, "value"},
      {IssueType::kInvariant, "invariant"},
      {IssueType::kSecurity, "security"},
      {IssueType::kLogin, "login"},
      {IssueType::kForbidden, "forbidden"},
      {IssueType::kProcessing, "processing"},
      {IssueType::kNotSupported, "not-supported"},
      {IssueType::kDuplicate, "duplicate"},
      {IssueType::kMultipleMatches, "multiple-matches"},
      {IssueType::kNotFound, "not-found"},
      {IssueType::kDeleted, "deleted"},
      {IssueType::kTooLong, "too-long"},
      {IssueType::kCodeInvalid, "code-invalid"},
      {IssueType::kBusinessRule, "business-rule"},
      {IssueType::kConflict, "conflict"},
      {IssueType::kTransient, "transient"},
      {IssueType::kLockError, "lock-error"},
      {IssueType::kException, "exception"},
      {IssueType::kTimeout, "timeout"},
      {IssueType::kTooCostly, "too-costly"},
      {IssueType::kThrottled, "throttled"},
      {IssueType::kInformational, "informational"},
  };
  for (const Case& c : cases) EXPECT_EQ(IssueTypeCode(c.type), c.code);
}

TEST(ResultTest, HoldsAValue) {
  Result<std::string> r = std::string("hello");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.status().code(), Code::kOk);
  EXPECT_EQ(r.value(), "hello");
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r->size(), 5u);
  r.value() += "!";
  EXPECT_EQ(*r, "hello!");
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr.value(), "hello!");
  EXPECT_EQ(cr->size(), 6u);
  std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "hello!");
}

TEST(ResultTest, HoldsAStatus) {
  Result<int> r = Status::NotFound("nothing");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(), "nothing");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

// Helpers for SCHAKEL_RETURN_IF_ERROR.
Status Step(Status s, int& calls) {
  ++calls;
  return s;
}

Status TwoSteps(Status first, Status second, int& calls, bool& reached_end) {
  SCHAKEL_RETURN_IF_ERROR(Step(std::move(first), calls));
  SCHAKEL_RETURN_IF_ERROR(Step(std::move(second), calls));
  reached_end = true;
  return Status::Ok();
}

Result<int> ParsePositive(int n, int& calls) {
  SCHAKEL_RETURN_IF_ERROR(Step(n > 0 ? Status::Ok() : Status::InvalidInput("not positive"), calls));
  return n;
}

TEST(ReturnIfErrorTest, ContinuesOnOk) {
  int calls = 0;
  bool reached_end = false;
  Status s = TwoSteps(Status::Ok(), Status::Ok(), calls, reached_end);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(reached_end);
}

TEST(ReturnIfErrorTest, ReturnsTheFirstError) {
  int calls = 0;
  bool reached_end = false;
  Status s = TwoSteps(Status::Conflict("first"), Status::Internal("second"), calls, reached_end);
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(s.message(), "first");
  EXPECT_EQ(calls, 1);  // the expression is evaluated once, the rest skipped
  EXPECT_FALSE(reached_end);

  calls = 0;
  s = TwoSteps(Status::Ok(), Status::Internal("second"), calls, reached_end);
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(calls, 2);
  EXPECT_FALSE(reached_end);
}

TEST(ReturnIfErrorTest, WorksInFunctionsReturningResult) {
  int calls = 0;
  Result<int> ok = ParsePositive(5, calls);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  Result<int> bad = ParsePositive(-1, calls);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidInput);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace schakel::fhir
