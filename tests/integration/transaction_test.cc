// Transactions: POST [base] with a Bundle of type transaction. All entries succeed or fail
// together; urn:uuid references, conditional creates, updates, deletes and references are
// resolved inside the one store transaction; the response is a transaction-response Bundle.
// Spec: https://hl7.org/fhir/R4/http.html#transaction, #trules, #transaction-response;
// https://hl7.org/fhir/R4/bundle.html
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

// {"fullUrl":..., "resource":..., "request":{"method":..., "url":... <request_extra>}}
std::string Entry(const std::string& method, const std::string& url,
                  const std::string& resource = "", const std::string& full_url = "",
                  const std::string& request_extra = "") {
  std::string entry = "{";
  if (!full_url.empty()) entry += R"("fullUrl":")" + full_url + R"(",)";
  if (!resource.empty()) entry += R"("resource":)" + resource + ",";
  entry += R"("request":{"method":")" + method + R"(","url":")" + url + "\"" + request_extra + "}}";
  return entry;
}

std::string Bundle(const std::string& type, const std::vector<std::string>& entries) {
  std::string bundle = R"({"resourceType":"Bundle","type":")" + type + R"(","entry":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) bundle += (i > 0 ? "," : "") + entries[i];
  return bundle + "]}";
}

std::string Transaction(const std::vector<std::string>& entries) {
  return Bundle("transaction", entries);
}

std::string WithMrn(const std::string& family, const std::string& mrn,
                    const std::string& extra = "") {
  return R"({"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn","value":")" +
         mrn + R"("}],"name":[{"family":")" + family + R"("}])" + extra + "}";
}

std::string ObservationAbout(const std::string& subject, const std::string& extra = "") {
  return R"({"resourceType":"Observation","status":"final","code":{"text":"bp"},"subject":{"reference":")" +
         subject + R"("})" + extra + "}";
}

// Matches of a search URL (made with Fhir("Type?...")); -1 when the search fails.
int Count(HttpClient& client, const std::string& url) {
  Response response =
      client.Get(url + (url.find('?') == std::string::npos ? "?" : "&") + "_summary=count");
  const rapidjson::Value* total = At(ParseJson(response.body), "/total");
  return total != nullptr && total->IsInt() ? total->GetInt() : -1;
}

// "Patient/abc/_history/1" -> "Patient/abc"
std::string Versionless(const std::string& location) {
  return location.substr(0, location.find("/_history/"));
}

class TransactionTest : public ServerTest {
 protected:
  // Posts a transaction and returns the response.
  Response Post(const std::vector<std::string>& entries, const HeaderList& headers = {}) {
    return client().Post(Fhir(""), Transaction(entries), headers);
  }
  // The response's entries ("" after a failed expectation).
  static const rapidjson::Value* Entries(const rapidjson::Document& bundle) {
    return At(bundle, "/entry");
  }
};

TEST_F(TransactionTest, CreatesEverythingAndRewritesUrnUuidAndUrnOidReferences) {
  const std::string patient = "urn:uuid:0b3e5a4c-1111-4c8e-9d43-000000000001";
  const std::string org = "urn:oid:2.16.528.1.1007.3.3.1234567";
  // References in a top-level element, in nested elements, in an extension, in a contained
  // resource, and one to an entry that comes later in the Bundle.
  const std::string observation =
      R"({"resourceType":"Observation","status":"final","code":{"text":"bp"},)"
      R"("subject":{"reference":")" +
      patient + R"("},"performer":[{"reference":")" + org +
      R"("}],"extension":[{"url":"http://example.org/x","valueReference":{"reference":")" +
      patient +
      R"("}}],"contained":[{"resourceType":"Provenance","id":"p","recorded":"2024-01-01T00:00:00Z",)"
      R"("target":[{"reference":")" +
      patient + R"("}],"agent":[{"who":{"reference":")" + org + R"("}}]}]})";
  Response response = Post(
      {Entry("POST", "Observation", observation, "urn:uuid:0b3e5a4c-1111-4c8e-9d43-000000000003"),
       Entry("POST", "Patient",
             WithMrn("Jansen", "tx1", R"(,"managingOrganization":{"reference":")" + org + "\"}"),
             patient),
       Entry("POST", "Organization", R"({"resourceType":"Organization","name":"Praktijk"})", org)});
  ASSERT_EQ(response.status, 200) << response;
  ASSERT_TRUE(IsFhirJson(response));
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/resourceType"), "Bundle");
  EXPECT_EQ(StringAt(bundle, "/type"), "transaction-response");
  EXPECT_FALSE(StringAt(bundle, "/id").empty());
  const rapidjson::Value* entries = Entries(bundle);
  ASSERT_TRUE(entries != nullptr && entries->IsArray() && entries->Size() == 3) << response;

  // Response entries in request order, each with status, location, etag, lastModified, and
  // (return=representation by default) the resource and its fullUrl.
  std::vector<std::string> refs;
  const char* types[] = {"Observation", "Patient", "Organization"};
  for (rapidjson::SizeType i = 0; i < 3; ++i) {
    const rapidjson::Value& e = (*entries)[i];
    SCOPED_TRACE(ToJson(e));
    EXPECT_EQ(StringAt(e, "/response/status"), "201 Created");
    const std::string location = StringAt(e, "/response/location");
    VersionedRef ref = ParseLocation("http://x/fhir/" + location);
    EXPECT_EQ(ref.type, types[i]);
    EXPECT_EQ(ref.version, 1);
    EXPECT_EQ(StringAt(e, "/response/etag"), "W/\"1\"");
    EXPECT_TRUE(IsInstant(StringAt(e, "/response/lastModified")));
    EXPECT_EQ(StringAt(e, "/resource/id"), ref.id);
    EXPECT_EQ(StringAt(e, "/fullUrl"), base() + "/" + Versionless(location));
    refs.push_back(Versionless(location));
  }
  const std::string& observation_ref = refs[0];
  const std::string& patient_ref = refs[1];
  const std::string& org_ref = refs[2];

  // What was stored refers to the new ids everywhere.
  rapidjson::Document stored = ParseJson(client().Get(Fhir(observation_ref)).body);
  EXPECT_EQ(StringAt(stored, "/subject/reference"), patient_ref);
  EXPECT_EQ(StringAt(stored, "/performer/0/reference"), org_ref);
  EXPECT_EQ(StringAt(stored, "/extension/0/valueReference/reference"), patient_ref);
  EXPECT_EQ(StringAt(stored, "/contained/0/target/0/reference"), patient_ref);
  EXPECT_EQ(StringAt(stored, "/contained/0/agent/0/who/reference"), org_ref);
  EXPECT_EQ(
      StringAt(ParseJson(client().Get(Fhir(patient_ref)).body), "/managingOrganization/reference"),
      org_ref);
  // And the search index has the rewritten references.
  EXPECT_EQ(Count(client(), Fhir("Observation?subject=" + patient_ref)), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?organization=" + org_ref)), 1);
}

TEST_F(TransactionTest, AFailingLastEntryLeavesNothing) {
  const std::string kept = CreatePatient("Blijft");
  ASSERT_FALSE(kept.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/existing"), PatientJson("Oud", "existing")).status, 201);
  Response response = Post({
      Entry("POST", "Patient", WithMrn("Nieuw", "tx-fail"), "urn:uuid:new-patient"),
      Entry("PUT", "Patient/existing", PatientJson("Gewijzigd", "existing")),
      Entry("PUT", "Patient/brand-new", PatientJson("Vers", "brand-new")),
      Entry("DELETE", "Patient/" + kept),
      Entry("POST", "Observation", ObservationAbout("urn:uuid:new-patient")),
      Entry("POST", "Observation",
            R"({"resourceType":"Observation","status":"bogus","code":{"text":"x"}})",
            "urn:uuid:the-bad-one"),
  });
  EXPECT_EQ(response.status, 422) << response;
  ASSERT_TRUE(IsOperationOutcome(response));
  rapidjson::Document outcome = ParseJson(response.body);
  // One OperationOutcome that names the failing entry (index, fullUrl) and its element.
  EXPECT_EQ(StringAt(outcome, "/issue/0/expression/0"), "Bundle.entry[5].resource.status");
  EXPECT_NE(response.body.find("Bundle.entry[5]"), std::string::npos) << response;
  EXPECT_NE(response.body.find("urn:uuid:the-bad-one"), std::string::npos) << response;

  // Nothing of it happened.
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|tx-fail")), 0);
  EXPECT_EQ(StringAt(ParseJson(client().Get(Fhir("Patient/existing")).body), "/name/0/family"),
            "Oud");
  EXPECT_EQ(CurrentVersion("Patient", "existing"), 1);
  EXPECT_EQ(client().Get(Fhir("Patient/brand-new")).status, 404);
  EXPECT_EQ(client().Get(Fhir("Patient/" + kept)).status, 200);
  EXPECT_EQ(Count(client(), Fhir("Observation")), 0);
}

// A failure only the store can see (If-Match, which needs the current version) also undoes
// the entries written before it in the same transaction.
TEST_F(TransactionTest, AStoreFailureMidwayUndoesTheEarlierEntries) {
  ASSERT_EQ(client().Put(Fhir("Patient/v2"), PatientJson("Een", "v2")).status, 201);
  ASSERT_EQ(client().Put(Fhir("Patient/v2"), PatientJson("Twee", "v2")).status, 200);
  Response response = Post({
      Entry("POST", "Patient", PatientJson("Voor")),
      Entry("PUT", "Patient/v2", PatientJson("Drie", "v2"), "", R"(,"ifMatch":"W/\"1\"")"),
  });
  EXPECT_EQ(response.status, 412) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_NE(response.body.find("Bundle.entry[1]"), std::string::npos) << response;
  EXPECT_EQ(Count(client(), Fhir("Patient?family=Voor")), 0);
  EXPECT_EQ(CurrentVersion("Patient", "v2"), 2);

  // meta.versionId in the body: 409, as for a PUT of its own.
  Response stale = Post({Entry(
      "PUT", "Patient/v2",
      R"({"resourceType":"Patient","id":"v2","meta":{"versionId":"1"},"name":[{"family":"X"}]})")});
  EXPECT_EQ(stale.status, 409) << stale;
  // A create of an id that exists cannot happen (ids are the server's), but an update to the
  // right version goes through.
  Response fresh =
      Post({Entry("PUT", "Patient/v2", PatientJson("Drie", "v2"), "", R"(,"ifMatch":"W/\"2\"")")});
  EXPECT_EQ(fresh.status, 200) << fresh;
  EXPECT_EQ(StringAt(ParseJson(fresh.body), "/entry/0/response/status"), "200 OK");
  EXPECT_EQ(StringAt(ParseJson(fresh.body), "/entry/0/response/etag"), "W/\"3\"");
}

TEST_F(TransactionTest, ConditionalCreateUpdateAndDelete) {
  Response existing = client().Post(Fhir("Patient"), WithMrn("Bestaand", "c-exists"));
  ASSERT_EQ(existing.status, 201) << existing;
  const std::string existing_id = StringAt(ParseJson(existing.body), "/id");
  Response doomed = client().Post(Fhir("Patient"), WithMrn("Weg", "c-delete"));
  ASSERT_EQ(doomed.status, 201) << doomed;
  const std::string doomed_id = StringAt(ParseJson(doomed.body), "/id");
  Response to_update = client().Post(Fhir("Patient"), WithMrn("Voor", "c-update"));
  ASSERT_EQ(to_update.status, 201) << to_update;
  const std::string update_id = StringAt(ParseJson(to_update.body), "/id");

  Response response = Post({
      // Matches: nothing created; references to its fullUrl point at the match.
      Entry("POST", "Patient", WithMrn("Dubbel", "c-exists"), "urn:uuid:match",
            R"(,"ifNoneExist":"identifier=http://example.org/mrn|c-exists")"),
      // No match: created. (ifNoneExist as a relative URL, as R4's Bundle-xds example has it.)
      Entry("POST", "Patient", WithMrn("Nieuw", "c-new"), "urn:uuid:fresh",
            R"(,"ifNoneExist":"Patient?identifier=http://example.org/mrn|c-new")"),
      Entry("PUT", "Patient?identifier=http://example.org/mrn|c-update", WithMrn("Na", "c-update"),
            "urn:uuid:updated"),
      Entry("PUT", "Patient?identifier=http://example.org/mrn|c-upsert",
            WithMrn("Ingevoegd", "c-upsert"), "urn:uuid:upserted"),
      Entry("DELETE", "Patient?identifier=http://example.org/mrn|c-delete"),
      Entry("POST", "Observation", ObservationAbout("urn:uuid:match")),
      Entry("POST", "Observation", ObservationAbout("urn:uuid:fresh")),
      Entry("POST", "Observation", ObservationAbout("urn:uuid:updated")),
      Entry("POST", "Observation", ObservationAbout("urn:uuid:upserted")),
  });
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/id"), existing_id);
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/name/0/family"), "Bestaand");
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/location"), "");
  EXPECT_EQ(StringAt(bundle, "/entry/1/response/status"), "201 Created");
  EXPECT_EQ(StringAt(bundle, "/entry/2/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/2/resource/id"), update_id);
  EXPECT_EQ(StringAt(bundle, "/entry/2/response/etag"), "W/\"2\"");
  EXPECT_EQ(StringAt(bundle, "/entry/3/response/status"), "201 Created");
  EXPECT_EQ(StringAt(bundle, "/entry/4/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/4/response/outcome/resourceType"), "OperationOutcome");

  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|c-exists")), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|c-new")), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|c-upsert")), 1);
  EXPECT_EQ(client().Get(Fhir("Patient/" + doomed_id)).status, 410);
  EXPECT_EQ(StringAt(ParseJson(client().Get(Fhir("Patient/" + update_id)).body), "/name/0/family"),
            "Na");
  const std::string fresh_ref = Versionless(StringAt(bundle, "/entry/1/response/location"));
  const std::string upsert_ref = Versionless(StringAt(bundle, "/entry/3/response/location"));
  EXPECT_EQ(StringAt(bundle, "/entry/5/resource/subject/reference"), "Patient/" + existing_id);
  EXPECT_EQ(StringAt(bundle, "/entry/6/resource/subject/reference"), fresh_ref);
  EXPECT_EQ(StringAt(bundle, "/entry/7/resource/subject/reference"), "Patient/" + update_id);
  EXPECT_EQ(StringAt(bundle, "/entry/8/resource/subject/reference"), upsert_ref);
  // The index was made from the rewritten references.
  EXPECT_EQ(Count(client(), Fhir("Observation?subject=Patient/" + existing_id)), 1);
  EXPECT_EQ(Count(client(), Fhir("Observation?subject=" + upsert_ref)), 1);
}

TEST_F(TransactionTest, ConditionalReferencesNeedExactlyOneMatch) {
  ASSERT_EQ(client().Post(Fhir("Patient"), WithMrn("Enkel", "r-one")).status, 201);
  ASSERT_EQ(client().Post(Fhir("Patient"), WithMrn("Twee-a", "r-two")).status, 201);
  ASSERT_EQ(client().Post(Fhir("Patient"), WithMrn("Twee-b", "r-two")).status, 201);
  Response one = client().Get(Fhir("Patient?identifier=http://example.org/mrn|r-one"));
  const std::string one_id = StringAt(ParseJson(one.body), "/entry/0/resource/id");
  ASSERT_FALSE(one_id.empty());

  // One match: rewritten to Type/id (also inside a contained resource), and indexed so.
  Response ok = Post(
      {Entry("POST", "Observation",
             ObservationAbout(
                 "Patient?identifier=http://example.org/mrn|r-one",
                 R"(,"performer":[{"reference":"#c"}],"contained":[{"resourceType":)"
                 R"("Practitioner","id":"c","name":[{"family":"P"}]}],)"
                 R"("focus":[{"reference":"Patient?identifier=http://example.org/mrn|r-one"}])"))});
  ASSERT_EQ(ok.status, 200) << ok;
  rapidjson::Document bundle = ParseJson(ok.body);
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/subject/reference"), "Patient/" + one_id);
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/focus/0/reference"), "Patient/" + one_id);
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/performer/0/reference"), "#c");
  EXPECT_EQ(Count(client(), Fhir("Observation?subject=Patient/" + one_id)), 1);

  // None, or several: the transaction fails (412) and writes nothing.
  for (const char* mrn : {"r-none", "r-two"}) {
    SCOPED_TRACE(mrn);
    Response failed = Post({
        Entry("POST", "Patient", WithMrn("Mee", "r-along")),
        Entry("POST", "Observation",
              ObservationAbout(std::string("Patient?identifier=http://example.org/mrn|") + mrn)),
    });
    EXPECT_EQ(failed.status, 412) << failed;
    EXPECT_TRUE(IsOperationOutcome(failed));
    EXPECT_NE(failed.body.find("Bundle.entry[1]"), std::string::npos) << failed;
    EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|r-along")), 0);
  }
  // A conditional reference with parameters the server does not know: 400.
  Response unknown = Post({Entry("POST", "Observation", ObservationAbout("Patient?frobnicate=1"))});
  EXPECT_EQ(unknown.status, 400) << unknown;
  EXPECT_EQ(Count(client(), Fhir("Observation")), 1);
}

// Deletes, then creates, then updates, then reads, whatever the order in the Bundle; the
// conditional create's search sees the delete, and the reads see everything.
TEST_F(TransactionTest, ProcessesDeletesCreatesUpdatesThenReads) {
  Response old = client().Post(Fhir("Patient"), WithMrn("Oud", "order"));
  ASSERT_EQ(old.status, 201) << old;
  const std::string old_id = StringAt(ParseJson(old.body), "/id");
  Response response = Post({
      Entry("GET", "Patient?identifier=http://example.org/mrn|order"),
      Entry("GET", "Patient/ordered"),
      Entry("PUT", "Patient/ordered", PatientJson("Geordend", "ordered")),
      Entry("POST", "Patient", WithMrn("Nieuw", "order"), "",
            R"(,"ifNoneExist":"identifier=http://example.org/mrn|order")"),
      Entry("DELETE", "Patient?identifier=http://example.org/mrn|order"),
  });
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/entry/4/response/status"), "200 OK");       // the delete
  EXPECT_EQ(StringAt(bundle, "/entry/3/response/status"), "201 Created");  // no match left
  EXPECT_EQ(StringAt(bundle, "/entry/2/response/status"), "201 Created");
  // The search: only the new Patient (the old one is deleted).
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/type"), "searchset");
  const rapidjson::Value* total = At(bundle, "/entry/0/resource/total");
  ASSERT_TRUE(total != nullptr && total->IsInt()) << response;
  EXPECT_EQ(total->GetInt(), 1);
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/entry/0/resource/name/0/family"), "Nieuw");
  // The read sees the update.
  EXPECT_EQ(StringAt(bundle, "/entry/1/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/1/resource/name/0/family"), "Geordend");
  EXPECT_EQ(StringAt(bundle, "/entry/1/response/etag"), "W/\"1\"");
  EXPECT_EQ(client().Get(Fhir("Patient/" + old_id)).status, 410);

  // A read that fails fails the transaction.
  Response missing =
      Post({Entry("POST", "Patient", PatientJson("Niet")), Entry("GET", "Patient/does-not-exist")});
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_TRUE(IsOperationOutcome(missing));
  EXPECT_NE(missing.body.find("Bundle.entry[1]"), std::string::npos) << missing;
  EXPECT_EQ(Count(client(), Fhir("Patient?family=Niet")), 0);
}

TEST_F(TransactionTest, TwoEntriesMayNotWriteTheSameResource) {
  ASSERT_EQ(
      client().Put(Fhir("Patient/twice"), WithMrn("Twee", "twice", R"(,"id":"twice")")).status,
      201);
  std::vector<std::vector<std::string>> cases = {
      {Entry("PUT", "Patient/twice", PatientJson("A", "twice")),
       Entry("PUT", "Patient/twice", PatientJson("B", "twice"))},
      {Entry("PUT", "Patient/twice", PatientJson("A", "twice")), Entry("DELETE", "Patient/twice")},
      // The conditional delete resolves to the resource the other entry writes.
      {Entry("DELETE", "Patient?identifier=http://example.org/mrn|twice"),
       Entry("PUT", "Patient/twice", PatientJson("C", "twice"))},
      {Entry("PUT", "Patient/twice", WithMrn("A", "twice", R"(,"id":"twice")")),
       Entry("POST", "Patient", WithMrn("D", "twice"), "",
             R"(,"ifNoneExist":"identifier=http://example.org/mrn|twice")")},
  };
  // A conditional patch of a resource another entry writes.
  const std::string patch =
      R"({"resourceType":"Parameters","parameter":[{"name":"operation","part":[)"
      R"({"name":"type","valueCode":"delete"},{"name":"path","valueString":"Patient.gender"}]}]})";
  cases.push_back({Entry("PUT", "Patient/twice", WithMrn("E", "twice", R"(,"id":"twice")")),
                   Entry("PATCH", "Patient?identifier=http://example.org/mrn|twice", patch)});
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    Response response = Post(cases[i]);
    EXPECT_EQ(response.status, 400) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
    EXPECT_NE(response.body.find("Patient/twice"), std::string::npos) << response;
  }
  EXPECT_EQ(CurrentVersion("Patient", "twice"), 1);
  // Two entries with one fullUrl: 400.
  Response same_url = Post({Entry("POST", "Patient", PatientJson("E"), "urn:uuid:same"),
                            Entry("POST", "Patient", PatientJson("F"), "urn:uuid:same")});
  EXPECT_EQ(same_url.status, 400) << same_url;
}

// Transactions that write the same resource at the same time: each one either commits whole
// or fails whole (412 on a stale If-Match); no update is lost, and no Observation is left
// without the version it was written with.
TEST_F(TransactionTest, ConcurrentTransactionsOnOneResourceCommitOrFailWhole) {
  ASSERT_EQ(client().Put(Fhir("Patient/shared"), PatientJson("Gedeeld", "shared")).status, 201);
  constexpr int kThreads = 8;
  constexpr int kAttempts = 10;
  std::mutex mutex;
  std::vector<std::string> failures;
  std::atomic<int> committed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient writer(server().port());
      for (int a = 0; a < kAttempts; ++a) {
        Response read = writer.Get(Fhir("Patient/shared"));
        const int version = EtagVersion(read.Header("ETag"));
        const std::string tag = std::to_string(t) + "-" + std::to_string(a);
        Response response = writer.Post(
            Fhir(""),
            Transaction(
                {Entry("PUT", "Patient/shared", PatientJson("T" + tag, "shared"), "",
                       R"(,"ifMatch":"W/\")" + std::to_string(version) + R"(\"")"),
                 Entry("POST", "Observation",
                       ObservationAbout("Patient/shared", R"(,"valueString":"v)" +
                                                              std::to_string(version + 1) + "\"")),
                 Entry(
                     "POST", "Observation",
                     ObservationAbout("Patient/shared", R"(,"valueString":"w)" +
                                                            std::to_string(version + 1) + "\""))}));
        std::lock_guard lock(mutex);
        if (response.status == 200) {
          ++committed;
        } else if (response.status != 412) {
          failures.push_back(response.Describe());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first:\n" << failures.front();
  ASSERT_GT(committed.load(), 0);
  // Every committed transaction made exactly one version and two Observations.
  EXPECT_EQ(CurrentVersion("Patient", "shared"), 1 + committed.load());
  EXPECT_EQ(Count(client(), Fhir("Observation")), 2 * committed.load());
  for (int v = 2; v <= 1 + committed.load(); ++v) {
    EXPECT_EQ(Count(client(), Fhir("Observation?value-string=v" + std::to_string(v))), 1) << v;
    EXPECT_EQ(Count(client(), Fhir("Observation?value-string=w" + std::to_string(v))), 1) << v;
  }
}

TEST_F(TransactionTest, MalformedBundlesAre400) {
  struct Case {
    const char* name;
    std::string body;
    int status;
  };
  const std::vector<Case> cases = {
      {"not JSON", "{\"resourceType\":", 400},
      {"an array", "[]", 400},
      {"not a Bundle", PatientJson("X"), 400},
      {"no type", R"({"resourceType":"Bundle","entry":[]})", 400},
      {"a searchset", R"({"resourceType":"Bundle","type":"searchset"})", 400},
      {"a collection", Bundle("collection", {Entry("POST", "Patient", PatientJson("X"))}), 400},
      {"entry not an array", R"({"resourceType":"Bundle","type":"transaction","entry":{}})", 400},
      {"entry without request",
       R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)" + PatientJson("X") +
           "}]}",
       400},
      {"unknown method", Transaction({Entry("COPY", "Patient", PatientJson("X"))}), 400},
      {"POST without resource", Transaction({Entry("POST", "Patient")}), 400},
      {"resource of another type", Transaction({Entry("POST", "Observation", PatientJson("X"))}),
       400},
      {"PUT without id", Transaction({Entry("PUT", "Patient/a", PatientJson("X"))}), 400},
      {"PUT with another id", Transaction({Entry("PUT", "Patient/a", PatientJson("X", "b"))}), 400},
      {"url of another server",
       Transaction({Entry("POST", "http://elsewhere.example/fhir/Patient", PatientJson("X"))}),
       400},
      {"unknown type", Transaction({Entry("POST", "Frobnicator", PatientJson("X"))}), 404},
      {"invalid resource",
       Transaction({Entry("POST", "Patient", R"({"resourceType":"Patient","gender":"x"})")}), 422},
      {"unknown element in the Bundle",
       R"({"resourceType":"Bundle","type":"transaction","frobnicate":1,"entry":[]})", 422},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Response response = client().Post(Fhir(""), c.body);
    EXPECT_EQ(response.status, c.status) << response;
    EXPECT_TRUE(IsOperationOutcome(response)) << response;
  }
  EXPECT_EQ(Count(client(), Fhir("Patient")), 0);
}

TEST_F(TransactionTest, EmptyTransactionAndPreferMinimal) {
  Response empty = Post({});
  ASSERT_EQ(empty.status, 200) << empty;
  rapidjson::Document bundle = ParseJson(empty.body);
  EXPECT_EQ(StringAt(bundle, "/type"), "transaction-response");
  EXPECT_EQ(At(bundle, "/entry"), nullptr);

  Response minimal = Post({Entry("POST", "Patient", PatientJson("Min"), "urn:uuid:m"),
                           Entry("DELETE", "Patient/nothing-here")},
                          {{"Prefer", "return=minimal"}});
  ASSERT_EQ(minimal.status, 200) << minimal;
  rapidjson::Document m = ParseJson(minimal.body);
  EXPECT_EQ(At(m, "/entry/0/resource"), nullptr);
  EXPECT_EQ(StringAt(m, "/entry/0/response/status"), "201 Created");
  EXPECT_FALSE(StringAt(m, "/entry/0/response/location").empty());
  EXPECT_EQ(StringAt(m, "/entry/1/response/status"), "204 No Content");

  Response outcome = Post({Entry("POST", "Patient", PatientJson("Uitkomst"))},
                          {{"Prefer", "return=OperationOutcome"}});
  ASSERT_EQ(outcome.status, 200) << outcome;
  rapidjson::Document o = ParseJson(outcome.body);
  EXPECT_EQ(At(o, "/entry/0/resource"), nullptr);
  EXPECT_EQ(StringAt(o, "/entry/0/response/outcome/resourceType"), "OperationOutcome");
}

TEST_F(TransactionTest, PatchEntries) {
  ASSERT_EQ(client().Put(Fhir("Patient/p1"), PatientJson("Voor", "p1")).status, 201);
  ASSERT_EQ(client().Put(Fhir("Patient/p2"), WithMrn("Voor", "p2", R"(,"id":"p2")")).status, 201);
  // A JSON Patch in a Binary ([{"op":"replace","path":"/name/0/family","value":"Json"}]), and
  // a FHIRPath Patch in a Parameters resource, by conditional url.
  const std::string binary =
      R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":")"
      R"(W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9uYW1lLzAvZmFtaWx5IiwidmFsdWUiOiJKc29uIn1d"})";
  const std::string parameters =
      R"({"resourceType":"Parameters","parameter":[{"name":"operation","part":[)"
      R"({"name":"type","valueCode":"replace"},{"name":"path","valueString":"Patient.name[0].family"},)"
      R"({"name":"value","valueString":"FhirPath"}]}]})";
  Response response =
      Post({Entry("PATCH", "Patient/p1", binary),
            Entry("PATCH", "Patient?identifier=http://example.org/mrn|p2", parameters)});
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/status"), "200 OK");
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/etag"), "W/\"2\"");
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/name/0/family"), "Json");
  EXPECT_EQ(StringAt(ParseJson(client().Get(Fhir("Patient/p2")).body), "/name/0/family"),
            "FhirPath");

  // A patch that fails (a path that is not there) fails the transaction.
  const std::string bad =
      R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":")"
      R"(W3sib3AiOiJyZW1vdmUiLCJwYXRoIjoiL2JpcnRoRGF0ZSJ9XQ=="})";  // remove /birthDate
  Response failed =
      Post({Entry("POST", "Patient", PatientJson("Mee")), Entry("PATCH", "Patient/p1", bad)});
  EXPECT_GE(failed.status, 400) << failed;
  EXPECT_TRUE(IsOperationOutcome(failed));
  EXPECT_NE(failed.body.find("Bundle.entry[1]"), std::string::npos) << failed;
  EXPECT_EQ(Count(client(), Fhir("Patient?family=Mee")), 0);
  EXPECT_EQ(CurrentVersion("Patient", "p1"), 2);
}

TEST_F(TransactionTest, XmlInAndOut) {
  const std::string xml =
      R"(<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>)"
      R"(<entry><fullUrl value="urn:uuid:x1"/><resource><Patient><name><family value="Xml"/></name>)"
      R"(</Patient></resource><request><method value="POST"/><url value="Patient"/></request></entry>)"
      R"(<entry><resource><Observation><status value="final"/><code><text value="t"/></code>)"
      R"(<subject><reference value="urn:uuid:x1"/></subject></Observation></resource>)"
      R"(<request><method value="POST"/><url value="Observation"/></request></entry></Bundle>)";
  Response response =
      client().Post(Fhir(""), xml,
                    {{"Content-Type", "application/fhir+xml"}, {"Accept", "application/fhir+xml"}});
  ASSERT_EQ(response.status, 200) << response;
  EXPECT_NE(response.Header("Content-Type").find("xml"), std::string::npos);
  EXPECT_NE(response.body.find("<type value=\"transaction-response\"/>"), std::string::npos)
      << response;
  EXPECT_NE(response.body.find("<status value=\"201 Created\"/>"), std::string::npos) << response;
  EXPECT_EQ(Count(client(), Fhir("Observation?subject:Patient.family=Xml")), 1);
}

class TransactionLimitTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-bundle-entries", "3"}; }
};

TEST_F(TransactionLimitTest, MoreEntriesThanTheLimitAre413) {
  std::vector<std::string> entries;
  for (int i = 0; i < 4; ++i) entries.push_back(Entry("POST", "Patient", PatientJson("L")));
  Response response = client().Post(Fhir(""), Transaction(entries));
  EXPECT_EQ(response.status, 413) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_NE(response.body.find("at most 3"), std::string::npos) << response;
  entries.pop_back();
  EXPECT_EQ(client().Post(Fhir(""), Transaction(entries)).status, 200);
  EXPECT_EQ(Count(client(), Fhir("Patient")), 3);
}

}  // namespace
}  // namespace schakel::integration
