#include "fhir/status.h"

namespace schakel::fhir {

std::string_view IssueTypeCode(IssueType type) {
  switch (type) {
    case IssueType::kInvalid:
      return "invalid";
    case IssueType::kStructure:
      return "structure";
    case IssueType::kRequired:
      return "required";
    case IssueType::kValue:
      return "value";
    case IssueType::kInvariant:
      return "invariant";
    case IssueType::kSecurity:
      return "security";
    case IssueType::kLogin:
      return "login";
    case IssueType::kForbidden:
      return "forbidden";
    case IssueType::kProcessing:
      return "processing";
    case IssueType::kNotSupported:
      return "not-supported";
    case IssueType::kDuplicate:
      return "duplicate";
    case IssueType::kMultipleMatches:
      return "multiple-matches";
    case IssueType::kNotFound:
      return "not-found";
    case IssueType::kDeleted:
      return "deleted";
    case IssueType::kTooLong:
      return "too-long";
    case IssueType::kCodeInvalid:
      return "code-invalid";
    case IssueType::kBusinessRule:
      return "business-rule";
    case IssueType::kConflict:
      return "conflict";
    case IssueType::kTransient:
      return "transient";
    case IssueType::kLockError:
      return "lock-error";
    case IssueType::kException:
      return "exception";
    case IssueType::kTimeout:
      return "timeout";
    case IssueType::kTooCostly:
      return "too-costly";
    case IssueType::kThrottled:
      return "throttled";
    case IssueType::kInformational:
      return "informational";
  }
  return "processing";
}

std::string_view SeverityCode(Severity severity) {
  switch (severity) {
    case Severity::kFatal:
      return "fatal";
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInformation:
      return "information";
  }
  return "error";
}

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "Ok";
    case Code::kInvalidInput:
      return "InvalidInput";
    case Code::kUnprocessable:
      return "Unprocessable";
    case Code::kNotFound:
      return "NotFound";
    case Code::kGone:
      return "Gone";
    case Code::kConflict:
      return "Conflict";
    case Code::kPreconditionFailed:
      return "PreconditionFailed";
    case Code::kNotSupported:
      return "NotSupported";
    case Code::kMethodNotAllowed:
      return "MethodNotAllowed";
    case Code::kNotAcceptable:
      return "NotAcceptable";
    case Code::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case Code::kTooLarge:
      return "TooLarge";
    case Code::kUnauthorized:
      return "Unauthorized";
    case Code::kForbidden:
      return "Forbidden";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string_view Status::message() const {
  if (issues_.empty()) return "ok";
  return issues_.front().diagnostics;
}

std::string Status::ToString() const {
  std::string out(CodeName(code_));
  for (const Issue& issue : issues_) {
    out += ": ";
    out += issue.diagnostics;
    if (!issue.expression.empty()) out += " @ " + issue.expression;
  }
  return out;
}

}  // namespace schakel::fhir
