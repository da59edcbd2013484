// Helpers of the search tests: running a search over HTTP and following its `next` links,
// comparing the ids found with a table row's expectation, and a fixture that starts one server
// per suite and loads the fixed data set (search_data.h) into it.
//
// Spec: https://hl7.org/fhir/R4/search.html, https://hl7.org/fhir/R4/bundle.html#searchset
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "integration/http_client.h"
#include "integration/search_data.h"
#include "integration/server_process.h"
#include "integration/test_support.h"

namespace schakel::integration {

// One page of a searchset Bundle.
struct SearchPage {
  std::string error;  // non-empty when the response is not a searchset Bundle
  int status = 0;
  std::optional<int> total;
  std::string self;
  std::string next;                   // absolute URL or ""
  std::string previous;               // absolute URL or ""
  std::vector<std::string> matches;   // "Type/id", in order (search.mode match)
  std::vector<std::string> includes;  // "Type/id", in order (search.mode include)
  std::vector<std::string> outcomes;  // diagnostics of the OperationOutcome entries (mode outcome)
};

SearchPage ParseSearchPage(const Response& response);

// Every page of a search, from `target` along the `next` links.
struct SearchResult {
  std::string error;  // a page that was not a Bundle, a repeated link, a match seen twice, ...
  int status = 0;     // of the first page
  std::string body;   // of the first page
  std::optional<int> total;  // of the first page
  int pages = 0;
  std::vector<std::string> matches;  // over all pages, in order
  std::vector<std::string> includes;
  std::vector<std::string> outcomes;
};

// Runs a search (GET `target`, then its next links). A match that appears on two pages is an
// error: paging must give every match once.
SearchResult SearchAll(HttpClient& client, const std::string& target,
                       const HeaderList& headers = {});

// Percent-encodes what a query string must not carry as it is ('+', '|', '#', spaces, brackets,
// non-ASCII bytes) and leaves the rest, so that tables can be written readably:
// "Observation?date=2013-01-14T10:00:00+01:00" sends "%2B01:00".
std::string EncodeTarget(std::string_view target);

// "a b (c d) e" -> {{a}, {b}, {c, d}, {e}}: ids in the order expected, a parenthesized group
// in any order among itself.
std::vector<std::vector<std::string>> ParseExpectedOrder(std::string_view expected);

// `actual` ("Type/id") against `expected` ("id id ..." for resources of `type`, or "Type/id ..."
// when `type` is empty), as sets.
::testing::AssertionResult SameIds(const std::vector<std::string>& actual,
                                   std::string_view expected, std::string_view type);
// The same, in order (groups as ParseExpectedOrder says).
::testing::AssertionResult SameIdsInOrder(const std::vector<std::string>& actual,
                                          std::string_view expected, std::string_view type);

// The resource type a search target is for ("Observation?code=x" -> "Observation"; "?_id=x" and
// "Patient/1/Observation?x" -> "" and "Observation").
std::string TargetType(std::string_view target);

// One row of a table: a search (relative to /fhir/, "{base}" replaced by the server's base URL)
// and the ids it must find (see SameIds).
struct SearchRow {
  const char* query;
  const char* expected;
};

// A row the server does not (yet) answer as the specification says: `expected` is what the spec
// asks, `why` explains the gap. Such rows are run and reported, not asserted.
struct KnownGapRow {
  const char* query;
  const char* expected;
  const char* why;
};

// One server for a whole suite, with the data set loaded. The tests of such a suite only read.
class SearchDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  HttpClient& client() { return *client_; }
  static std::string base() { return server_->base_url(); }
  // "{base}" in `query` replaced, "/fhir/" prepended, encoded (EncodeTarget).
  static std::string Target(std::string_view query);

  // Runs every row and expects its ids (as a set).
  void ExpectRows(const std::vector<SearchRow>& rows);
  // Runs every row; each must fail, and they are reported with GTEST_SKIP. A row that now
  // finds what the spec asks is reported as fixed.
  void ReportKnownGaps(const std::vector<KnownGapRow>& rows);

  static ServerProcess* server_;
  static std::string* setup_error_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace schakel::integration
