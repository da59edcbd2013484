// Shared pieces of the integration tests: a fixture that starts a fresh server per test, JSON and
// FHIR helpers (RapidJSON), and history-bundle paging.
//
// Spec: FHIR R4 RESTful API, https://hl7.org/fhir/R4/http.html
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "integration/http_client.h"
#include "integration/server_process.h"

namespace schakel::integration {

inline constexpr std::string_view kFhirJson = "application/fhir+json;charset=utf-8";

// ---- JSON -------------------------------------------------------------------------------------

// Parses with kParseFullPrecisionFlag; check HasParseError() on the result.
rapidjson::Document ParseJson(const std::string& text);
// The value at a JSON Pointer (e.g. "/meta/versionId", "/issue/0/code"), or nullptr.
const rapidjson::Value* At(const rapidjson::Value& root, const char* pointer);
// The string at a JSON Pointer, or "" when absent or not a string.
std::string StringAt(const rapidjson::Value& root, const char* pointer);
std::string ToJson(const rapidjson::Value& value);

// ---- FHIR / HTTP assertions ---------------------------------------------------------------------

// Lowercase, whitespace removed: "Application/FHIR+json; charset=UTF-8" ->
// "application/fhir+json;charset=utf-8".
std::string NormalizeMediaType(std::string_view value);
// Content-Type is application/fhir+json;charset=utf-8 and the body parses as a JSON object.
::testing::AssertionResult IsFhirJson(const Response& response);
// IsFhirJson, resourceType "OperationOutcome", issue[0].severity == severity, issue[0].code a FHIR
// issue-type code, issue[0].diagnostics a non-empty string.
::testing::AssertionResult IsOperationOutcome(const Response& response,
                                              std::string_view severity = "error");
// The resource with this resourceType (and, when `id` is given, id).
::testing::AssertionResult IsResource(const Response& response, std::string_view type,
                                      std::string_view id = "");
std::string IssueCode(const Response& response);
bool IsIssueTypeCode(std::string_view code);

// W/"3" -> 3; -1 when not a weak ETag with a number.
int EtagVersion(std::string_view etag);
// ".../Patient/abc/_history/2" -> {"Patient", "abc", 2}; empty type when it does not parse.
struct VersionedRef {
  std::string type;
  std::string id;
  int version = -1;
};
VersionedRef ParseLocation(std::string_view location);
bool IsImfFixdate(std::string_view value);
bool IsInstant(std::string_view value);
// A totally ordered key for a FHIR instant (UTC seconds, fraction digits padded), or nullopt.
std::optional<std::pair<std::int64_t, std::string>> InstantKey(std::string_view instant);
// HTTP-date (IMF-fixdate) <-> seconds since the epoch.
std::optional<std::int64_t> ParseHttpDate(std::string_view value);
std::string FormatHttpDate(std::int64_t epoch_seconds);
// Percent-encodes everything but unreserved characters.
std::string UrlEncode(std::string_view text);
// "http://host:port/fhir/x?y" -> "/fhir/x?y".
std::string TargetFromUrl(std::string_view url);

// A minimal Patient: {"resourceType":"Patient",["id":id,]"name":[{"family":family}]<extra>}.
// `extra` is inserted verbatim after the name, starting with a comma, e.g. R"(,"gender":"male")".
std::string PatientJson(std::string_view family, std::string_view id = "",
                        std::string_view extra = "");

// ---- history bundles ----------------------------------------------------------------------------

struct HistoryEntry {
  std::string full_url;
  bool has_resource = false;
  std::string resource_type;
  std::string resource_id;
  std::string version_id;     // resource.meta.versionId
  std::string last_updated;   // resource.meta.lastUpdated
  std::string method;         // request.method
  std::string url;            // request.url
  std::string status;         // response.status
  std::string etag;           // response.etag
  std::string last_modified;  // response.lastModified
  int version = -1;           // from response.etag
};

struct HistoryPage {
  std::string error;  // non-empty when the response was not a valid history bundle
  std::vector<HistoryEntry> entries;
  std::string self;
  std::string next;  // absolute URL or ""
};

HistoryPage ParseHistoryPage(const Response& response);

// Follows `next` links from `target` and returns every entry; sets *error on failure.
// `between_pages` (may be empty) runs after each page is fetched.
std::vector<HistoryEntry> FetchAllHistory(HttpClient& client, const std::string& target,
                                          std::string* error,
                                          const std::function<void()>& between_pages = {});

// ---- fixture --------------------------------------------------------------------------------

// Starts a fresh server (own temp data dir, free port) for each test; prints the server's stderr
// when the test failed.
class ServerTest : public ::testing::Test {
 protected:
  // Extra `schakel serve` options for this fixture.
  virtual std::vector<std::string> ServerArgs() const { return {}; }
  // Whether the server enforces access control; the fixture's suites that are not about it run
  // with --insecure-no-auth.
  virtual bool Secure() const { return false; }

  void SetUp() override;
  void TearDown() override;

  ServerProcess& server() { return *server_; }
  HttpClient& client() { return *client_; }
  std::unique_ptr<HttpClient> NewClient() const;
  // http://127.0.0.1:PORT/fhir
  std::string base() const { return server_->base_url(); }
  // "/fhir/" + path
  static std::string Fhir(std::string_view path);

  // POSTs a Patient and returns its id ("" after a failed expectation).
  std::string CreatePatient(std::string_view family, std::string_view extra = "");
  // The current version number of Type/id from a read (-1 after a failed expectation).
  int CurrentVersion(std::string_view type, std::string_view id);

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace schakel::integration
