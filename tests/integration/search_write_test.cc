// Search while and after the data changes, each test on a fresh server: paging stays stable when
// resources are created, updated and deleted between pages (every match present from the start
// is seen exactly once, nothing twice), and the index follows updates and deletes.
//
// Spec: https://hl7.org/fhir/R4/search.html, https://hl7.org/fhir/R4/http.html#paging
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "integration/search_test_support.h"

namespace schakel::integration {
namespace {

using SearchWriteTest = ServerTest;

constexpr const char* kTag =
    R"(,"meta":{"tag":[{"system":"http://example.org/tags","code":"paging"}]})";
constexpr const char* kTagged = "/fhir/Patient?_tag=http://example.org/tags%7Cpaging";

// A family name per number, in an order unrelated to creation order.
std::string Family(int n) { return "F" + std::to_string((n * 37) % 101 + 100); }

// Creates a tagged Patient with Family(n) and birthDate 19NN; returns its id.
std::string CreateTagged(HttpClient& client, int n) {
  const std::string extra =
      std::string(kTag) + R"(,"birthDate":")" + std::to_string(1900 + (n * 13) % 100) + R"(")";
  Response response = client.Post("/fhir/Patient", PatientJson(Family(n), "", extra));
  EXPECT_EQ(response.status, 201) << response;
  return ParseLocation(response.Header("Location")).id;
}

struct PagedRun {
  std::string error;
  std::vector<std::string> seen;  // ids in the order the pages gave them
};

// Pages through `target` and calls `between(page_number)` after each page.
PagedRun PageThrough(HttpClient& client, const std::string& target,
                     const std::function<void(int)>& between) {
  PagedRun run;
  std::string next = target;
  for (int page = 0; !next.empty(); ++page) {
    if (page > 200) {
      run.error = "too many pages";
      return run;
    }
    Response response = client.Get(next);
    SearchPage parsed = ParseSearchPage(response);
    if (!parsed.error.empty()) {
      run.error = parsed.error;
      return run;
    }
    for (const std::string& match : parsed.matches) run.seen.push_back(match.substr(8));
    next = parsed.next.empty() ? "" : TargetFromUrl(parsed.next);
    if (!next.empty()) between(page);
  }
  return run;
}

// Every id of `originals` exactly once in `seen`; nothing twice; nothing that is neither an
// original nor in `created`.
::testing::AssertionResult SeenOnce(const std::vector<std::string>& seen,
                                    const std::set<std::string>& originals,
                                    const std::set<std::string>& created) {
  std::map<std::string, int> counts;
  for (const std::string& id : seen) ++counts[id];
  for (const auto& [id, n] : counts) {
    if (n > 1) return ::testing::AssertionFailure() << id << " seen " << n << " times";
    if (!originals.contains(id) && !created.contains(id)) {
      return ::testing::AssertionFailure() << id << " was never created";
    }
  }
  for (const std::string& id : originals) {
    if (!counts.contains(id)) return ::testing::AssertionFailure() << id << " was skipped";
  }
  return ::testing::AssertionSuccess();
}

// Creating matching resources between pages: each of the first 30 is seen exactly once, and a
// new one at most once, whatever the order (by the resource key, by one sort key, ascending or
// descending).
TEST_F(SearchWriteTest, PagingIsStableWhileResourcesAreCreated) {
  std::set<std::string> originals;
  for (int i = 0; i < 30; ++i) originals.insert(CreateTagged(client(), i));
  ASSERT_EQ(originals.size(), 30u);
  int n = 1000;
  std::set<std::string> created;
  for (const char* order : {"", "&_sort=family", "&_sort=-family", "&_sort=birthdate",
                            "&_sort=-_lastUpdated", "&_sort=_id"}) {
    SCOPED_TRACE(order);
    PagedRun run = PageThrough(client(), std::string(kTagged) + "&_count=7" + order, [&](int) {
      for (int k = 0; k < 3; ++k) created.insert(CreateTagged(client(), n++));
    });
    ASSERT_TRUE(run.error.empty()) << run.error;
    EXPECT_TRUE(SeenOnce(run.seen, originals, created));
    // The next order's run must see these too.
    originals.insert(created.begin(), created.end());
    created.clear();
  }
}

// Updating and deleting between pages: an updated resource keeps its place (seen once, whether
// its page was read before or after the update), a resource deleted before its page is reached
// is not seen.
TEST_F(SearchWriteTest, PagingIsStableWhileResourcesChange) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(CreateTagged(client(), i));
  std::set<std::string> deleted;
  PagedRun run = PageThrough(client(), std::string(kTagged) + "&_count=5", [&](int page) {
    const auto p = static_cast<std::size_t>(page);
    // ids[p] was seen already, ids[10 + p] is ahead; ids[19 - p] is ahead and goes.
    for (const std::string& id : {ids[p], ids[10 + p]}) {
      Response updated =
          client().Put("/fhir/Patient/" + id, PatientJson("Updated", id, std::string(kTag)));
      EXPECT_EQ(updated.status, 200) << updated;
    }
    ASSERT_EQ(client().Delete("/fhir/Patient/" + ids[19 - p]).status, 200);
    deleted.insert(ids[19 - p]);
  });
  ASSERT_TRUE(run.error.empty()) << run.error;
  EXPECT_EQ(deleted.size(), 3u);
  std::set<std::string> expected;
  for (const std::string& id : ids) {
    if (!deleted.contains(id)) expected.insert(id);
  }
  EXPECT_TRUE(SeenOnce(run.seen, expected, {}));
}

// The same with a sort by two keys: the cursor holds both (keyset paging), so a resource created
// between pages that sorts before the cursor does not shift the rest (an offset would show the
// last match of a page again on the next).
TEST_F(SearchWriteTest, MultiKeySortPagingWhileResourcesAreCreated) {
  std::set<std::string> originals;
  for (int i = 0; i < 20; ++i) originals.insert(CreateTagged(client(), i));
  int n = 2000;
  std::set<std::string> created;
  for (const char* sort : {"birthdate,family", "-birthdate,family", "family,-_id"}) {
    SCOPED_TRACE(sort);
    PagedRun run =
        PageThrough(client(), std::string(kTagged) + "&_count=5&_sort=" + sort, [&](int) {
          // Born 1800 and named A...: sorts first ascending (and last descending).
          const std::string extra = std::string(kTag) + R"(,"birthDate":"1800")";
          Response r =
              client().Post("/fhir/Patient", PatientJson("A" + std::to_string(n++), "", extra));
          EXPECT_EQ(r.status, 201) << r;
          created.insert(ParseLocation(r.Header("Location")).id);
        });
    ASSERT_TRUE(run.error.empty()) << run.error;
    EXPECT_TRUE(SeenOnce(run.seen, originals, created));
    originals.insert(created.begin(), created.end());
    created.clear();
  }
}

// The index follows every write: old values stop matching, new ones start, a delete removes the
// resource from every search (also through chains and _has), and a re-create brings it back.
TEST_F(SearchWriteTest, IndexFollowsUpdatesAndDeletes) {
  auto put = [&](const std::string& path, const std::string& json) {
    Response response = client().Put("/fhir/" + path, json);
    EXPECT_TRUE(response.status == 200 || response.status == 201) << response;
    return response;
  };
  auto expect = [&](const std::string& query, const std::string& ids) {
    SCOPED_TRACE(query);
    SearchResult result = SearchAll(client(), EncodeTarget("/fhir/" + query));
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(SameIds(result.matches, ids, TargetType(query)));
  };
  put("Patient/p0", R"({"resourceType":"Patient","id":"p0","name":[{"family":"Ander"}]})");
  put("Organization/o1", R"({"resourceType":"Organization","id":"o1","name":"Oud"})");
  put("Patient/p1", R"({"resourceType":"Patient","id":"p1","name":[{"family":"Voor"}],
      "gender":"male","birthDate":"1990","identifier":[{"system":"http://example.org/mrn","value":"v1"}],
      "managingOrganization":{"reference":"Organization/o1"}})");
  put("Observation/ob1", R"({"resourceType":"Observation","id":"ob1","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"a"}]},
      "subject":{"reference":"Patient/p1"}})");

  expect("Patient?name=voor", "p1");
  expect("Patient?gender=male", "p1");
  expect("Patient?identifier=http://example.org/mrn|v1", "p1");
  expect("Patient?birthdate=1990", "p1");
  expect("Patient?organization=Organization/o1", "p1");
  expect("Patient?organization.name=oud", "p1");
  expect("Observation?subject:Patient.name=voor", "ob1");
  expect("Patient?_has:Observation:patient:code=http://example.org/codes|a", "p1");

  // The patient changes: old values stop matching, new ones match.
  Response updated =
      put("Patient/p1", R"({"resourceType":"Patient","id":"p1","name":[{"family":"Na"}],
      "gender":"female","birthDate":"1991","identifier":[{"system":"http://example.org/mrn","value":"v2"}],
      "managingOrganization":{"reference":"Organization/o1"}})");
  expect("Patient?name=voor", "");
  expect("Patient?name=na", "p1");
  expect("Patient?gender=male", "");
  expect("Patient?gender=female", "p1");
  expect("Patient?gender:missing=true", "p0");
  expect("Patient?identifier=http://example.org/mrn|v1", "");
  expect("Patient?identifier=http://example.org/mrn|v2", "p1");
  expect("Patient?birthdate=1990", "");
  expect("Patient?birthdate=1991", "p1");
  expect("Observation?subject:Patient.name=voor", "");
  expect("Observation?subject:Patient.name=na", "ob1");
  const std::string last_updated = StringAt(ParseJson(updated.body), "/meta/lastUpdated");
  ASSERT_FALSE(last_updated.empty()) << updated;
  expect("Patient?_lastUpdated=ge" + last_updated, "p1");
  expect("Patient?_lastUpdated=lt" + last_updated, "p0");

  // A chain follows a change of the target.
  put("Organization/o1", R"({"resourceType":"Organization","id":"o1","name":"Nieuw"})");
  expect("Patient?organization.name=oud", "");
  expect("Patient?organization.name=nieuw", "p1");

  // The observation changes: _has follows.
  put("Observation/ob1", R"({"resourceType":"Observation","id":"ob1","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"b"}]},
      "subject":{"reference":"Patient/p1"}})");
  expect("Patient?_has:Observation:patient:code=http://example.org/codes|a", "");
  expect("Patient?_has:Observation:patient:code=http://example.org/codes|b", "p1");

  // Delete: gone from every search; a reference to it still matches as a reference, but the
  // target is neither chained through nor included.
  ASSERT_EQ(client().Delete("/fhir/Patient/p1").status, 200);
  expect("Patient?name=na", "");
  expect("Patient?_id=p1", "");
  expect("Patient", "p0");
  expect("Observation?subject:Patient.name=na", "");
  expect("Observation?subject=Patient/p1", "ob1");
  SearchResult included =
      SearchAll(client(), EncodeTarget("/fhir/Observation?_id=ob1&_include=Observation:subject"));
  ASSERT_TRUE(included.error.empty()) << included.error;
  EXPECT_TRUE(included.includes.empty());
  SearchResult total = SearchAll(client(), "/fhir/Patient?_summary=count");
  EXPECT_EQ(total.total, 1);

  // Re-created: found again, with its new values only.
  put("Patient/p1", R"({"resourceType":"Patient","id":"p1","name":[{"family":"Terug"}]})");
  expect("Patient?name=terug", "p1");
  expect("Patient?name=na", "");
  expect("Patient?gender=female", "");
  expect("Observation?subject:Patient.name=terug", "ob1");

  // Deleting the observation ends the reverse chain.
  ASSERT_EQ(client().Delete("/fhir/Observation/ob1").status, 200);
  expect("Patient?_has:Observation:patient:code=http://example.org/codes|b", "");
  expect("Observation", "");
}

}  // namespace
}  // namespace schakel::integration
