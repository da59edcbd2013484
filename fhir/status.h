// Status and Result<T>: expected failures as values, with everything an OperationOutcome needs.
//
// A Status is either ok or carries a Code (a protocol-neutral category that the server maps to an
// HTTP status in exactly one place, server/rest/error_response.cc) and one or more Issues (the
// FHIR issue-type code, a message, and where it happened as a FHIRPath expression).
// See https://hl7.org/fhir/R4/operationoutcome.html and
// https://hl7.org/fhir/R4/valueset-issue-type.html
//
// Cheap to copy when ok (no allocation). Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace schakel::fhir {

// FHIR issue-type codes (http://hl7.org/fhir/issue-type) that Schakel produces.
enum class IssueType {
  kInvalid,
  kStructure,
  kRequired,
  kValue,
  kInvariant,
  kSecurity,
  kLogin,
  kForbidden,
  kProcessing,
  kNotSupported,
  kDuplicate,
  kMultipleMatches,
  kNotFound,
  kDeleted,
  kTooLong,
  kCodeInvalid,
  kBusinessRule,
  kConflict,
  kTransient,
  kLockError,
  kException,
  kTimeout,
  kTooCostly,
  kThrottled,
  kInformational,
};
std::string_view IssueTypeCode(IssueType type);

enum class Severity { kFatal, kError, kWarning, kInformation };
std::string_view SeverityCode(Severity severity);

struct Issue {
  Severity severity = Severity::kError;
  IssueType type = IssueType::kProcessing;
  std::string diagnostics;
  std::string expression;  // FHIRPath location of the offending element; empty if none
};

// What went wrong, as a category a transport maps to its own status codes.
enum class Code {
  kOk,
  kInvalidInput,          // malformed request or content that cannot be parsed (HTTP 400)
  kUnprocessable,         // parsed, but violates the specification or a business rule (422)
  kNotFound,              // no such type, resource or version (404)
  kGone,                  // the resource is deleted (410)
  kConflict,              // e.g. id or version conflict (409)
  kPreconditionFailed,    // If-Match or a conditional interaction's precondition (412)
  kNotSupported,          // a valid request for something not implemented (501)
  kMethodNotAllowed,      // (405)
  kNotAcceptable,         // no acceptable response format (406)
  kUnsupportedMediaType,  // (415)
  kTooLarge,              // a body or bundle beyond the configured bound (413)
  kUnauthorized,          // (401)
  kForbidden,             // (403)
  kUnavailable,           // overloaded, busy database, shutting down: try again (503)
  kInternal,              // a bug or an environment failure (500)
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message, std::string expression = {}) {
    return Status(Code::kInvalidInput, IssueType::kInvalid, std::move(message),
                  std::move(expression));
  }
  static Status Unprocessable(std::string message, std::string expression = {},
                              IssueType type = IssueType::kInvalid) {
    return Status(Code::kUnprocessable, type, std::move(message), std::move(expression));
  }
  static Status NotFound(std::string message) {
    return Status(Code::kNotFound, IssueType::kNotFound, std::move(message));
  }
  static Status Gone(std::string message) {
    return Status(Code::kGone, IssueType::kDeleted, std::move(message));
  }
  static Status Conflict(std::string message) {
    return Status(Code::kConflict, IssueType::kConflict, std::move(message));
  }
  static Status PreconditionFailed(std::string message) {
    return Status(Code::kPreconditionFailed, IssueType::kConflict, std::move(message));
  }
  static Status NotSupported(std::string message) {
    return Status(Code::kNotSupported, IssueType::kNotSupported, std::move(message));
  }
  static Status MethodNotAllowed(std::string message) {
    return Status(Code::kMethodNotAllowed, IssueType::kNotSupported, std::move(message));
  }
  static Status NotAcceptable(std::string message) {
    return Status(Code::kNotAcceptable, IssueType::kNotSupported, std::move(message));
  }
  static Status UnsupportedMediaType(std::string message) {
    return Status(Code::kUnsupportedMediaType, IssueType::kNotSupported, std::move(message));
  }
  static Status TooLarge(std::string message) {
    return Status(Code::kTooLarge, IssueType::kTooLong, std::move(message));
  }
  static Status Unauthorized(std::string message) {
    return Status(Code::kUnauthorized, IssueType::kLogin, std::move(message));
  }
  static Status Forbidden(std::string message) {
    return Status(Code::kForbidden, IssueType::kForbidden, std::move(message));
  }
  static Status Unavailable(std::string message, IssueType type = IssueType::kTransient) {
    return Status(Code::kUnavailable, type, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(Code::kInternal, IssueType::kException, std::move(message));
  }
  // A status with several issues (validation). `issues` must not be empty.
  static Status WithIssues(Code code, std::vector<Issue> issues) {
    Status s;
    s.code_ = code;
    s.issues_ = std::move(issues);
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::vector<Issue>& issues() const { return issues_; }
  // The first issue's message, or "ok".
  std::string_view message() const;
  // "NotFound: Patient/1 is not known" style text for logs and test failures.
  std::string ToString() const;

 private:
  Status(Code code, IssueType type, std::string message, std::string expression = {})
      : code_(code), issues_{{Severity::kError, type, std::move(message), std::move(expression)}} {}

  Code code_ = Code::kOk;
  std::vector<Issue> issues_;
};

std::string_view CodeName(Code code);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace schakel::fhir

// Returns early from the enclosing function with the status when it is not ok.
#define SCHAKEL_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::schakel::fhir::Status schakel_status_ = (expr);  \
    if (!schakel_status_.ok()) return schakel_status_; \
  } while (false)
