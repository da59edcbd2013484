// Batches: POST [base] with a Bundle of type batch. Each entry is its own interaction with its
// own status and outcome in a batch-response Bundle; one that fails does not stop the others.
// Spec: https://hl7.org/fhir/R4/http.html#transaction, #brules; https://hl7.org/fhir/R4/bundle.html
#include <set>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

std::string Entry(const std::string& method, const std::string& url,
                  const std::string& resource = "", const std::string& full_url = "",
                  const std::string& request_extra = "") {
  std::string entry = "{";
  if (!full_url.empty()) entry += R"("fullUrl":")" + full_url + R"(",)";
  if (!resource.empty()) entry += R"("resource":)" + resource + ",";
  entry += R"("request":{"method":")" + method + R"(","url":")" + url + "\"" + request_extra + "}}";
  return entry;
}

std::string Batch(const std::vector<std::string>& entries) {
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) bundle += (i > 0 ? "," : "") + entries[i];
  return bundle + "]}";
}

std::string WithMrn(const std::string& family, const std::string& mrn) {
  return R"({"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn","value":")" +
         mrn + R"("}],"name":[{"family":")" + family + R"("}]})";
}

std::string ObservationAbout(const std::string& subject) {
  return R"({"resourceType":"Observation","status":"final","code":{"text":"bp"},"subject":{"reference":")" +
         subject + R"("}})";
}

int Count(HttpClient& client, const std::string& url) {
  Response response =
      client.Get(url + (url.find('?') == std::string::npos ? "?" : "&") + "_summary=count");
  const rapidjson::Value* total = At(ParseJson(response.body), "/total");
  return total != nullptr && total->IsInt() ? total->GetInt() : -1;
}

// The response.status of every entry, in order.
std::vector<std::string> Statuses(const rapidjson::Document& bundle) {
  std::vector<std::string> statuses;
  const rapidjson::Value* entries = At(bundle, "/entry");
  if (entries == nullptr || !entries->IsArray()) return statuses;
  for (const rapidjson::Value& e : entries->GetArray()) {
    statuses.push_back(StringAt(e, "/response/status"));
  }
  return statuses;
}

using BatchTest = ServerTest;

TEST_F(BatchTest, EachEntryHasItsOwnOutcome) {
  ASSERT_EQ(client().Put(Fhir("Patient/v2"), PatientJson("Een", "v2")).status, 201);
  ASSERT_EQ(client().Put(Fhir("Patient/v2"), PatientJson("Twee", "v2")).status, 200);
  ASSERT_EQ(client().Post(Fhir("Patient"), WithMrn("Weg", "b-del")).status, 201);
  Response response = client().Post(
      Fhir(""),
      Batch({
          Entry("POST", "Patient", WithMrn("Goed", "b-ok")),                           // 0: 201
          Entry("POST", "Patient", R"({"resourceType":"Patient","gender":"bogus"})"),  // 1: 422
          Entry("GET", "Patient/does-not-exist"),                                      // 2: 404
          Entry("PUT", "Patient/v2", PatientJson("Drie", "v2"), "",
                R"(,"ifMatch":"W/\"1\"")"),                                    // 3: 412
          Entry("DELETE", "Patient?identifier=http://example.org/mrn|b-del"),  // 4: 200
          Entry("GET", "Patient?identifier=http://example.org/mrn|b-ok"),      // 5: 200
          Entry("COPY", "Patient"),                                            // 6: 400
          Entry("PUT", "Patient/new-one", PatientJson("Nieuw", "new-one")),    // 7: 201
          Entry("POST", "Patient/$validate", PatientJson("X")),                // 8: 501
          Entry("GET", "Patient/v2", "", "", R"(,"ifNoneMatch":"W/\"2\"")"),   // 9: 304
      }));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/type"), "batch-response");
  EXPECT_EQ(Statuses(bundle), (std::vector<std::string>{
                                  "201 Created", "422 Unprocessable Content", "404 Not Found",
                                  "412 Precondition Failed", "200 OK", "200 OK", "400 Bad Request",
                                  "201 Created", "501 Not Implemented", "304 Not Modified"}))
      << response;
  // Failed entries carry an OperationOutcome; the invalid one names its element.
  for (const char* failed : {"/entry/1", "/entry/2", "/entry/3", "/entry/6", "/entry/8"}) {
    EXPECT_EQ(StringAt(bundle, (std::string(failed) + "/response/outcome/resourceType").c_str()),
              "OperationOutcome")
        << failed;
  }
  EXPECT_EQ(StringAt(bundle, "/entry/1/response/outcome/issue/0/expression/0"),
            "Bundle.entry[1].resource.gender");
  // The read of the search sees the create of the same batch (reads come last).
  EXPECT_EQ(StringAt(bundle, "/entry/5/resource/type"), "searchset");
  EXPECT_EQ(StringAt(bundle, "/entry/5/resource/entry/0/resource/name/0/family"), "Goed");
  EXPECT_EQ(StringAt(bundle, "/entry/9/response/etag"), "W/\"2\"");
  EXPECT_EQ(At(bundle, "/entry/9/resource"), nullptr);

  // The successful writes happened, the failed ones did not.
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|b-ok")), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|b-del")), 0);
  EXPECT_EQ(CurrentVersion("Patient", "v2"), 2);
  EXPECT_EQ(client().Get(Fhir("Patient/new-one")).status, 200);
}

TEST_F(BatchTest, EntriesMayNotReferToEachOther) {
  Response response = client().Post(
      Fhir(""), Batch({Entry("POST", "Patient", PatientJson("Ouder"), "urn:uuid:parent"),
                       Entry("POST", "Observation", ObservationAbout("urn:uuid:parent"))}));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(Statuses(bundle), (std::vector<std::string>{"201 Created", "400 Bad Request"}));
  EXPECT_NE(
      StringAt(bundle, "/entry/1/response/outcome/issue/0/diagnostics").find("urn:uuid:parent"),
      std::string::npos);
  EXPECT_EQ(Count(client(), Fhir("Observation")), 0);
}

TEST_F(BatchTest, ConditionalReferencesAndConditionalWrites) {
  Response patient = client().Post(Fhir("Patient"), WithMrn("Doel", "b-ref"));
  ASSERT_EQ(patient.status, 201);
  const std::string id = StringAt(ParseJson(patient.body), "/id");
  Response response = client().Post(
      Fhir(""), Batch({
                    Entry("POST", "Observation",
                          ObservationAbout("Patient?identifier=http://example.org/mrn|b-ref")),
                    Entry("POST", "Observation",
                          ObservationAbout("Patient?identifier=http://example.org/mrn|nobody")),
                    Entry("POST", "Patient", WithMrn("Dubbel", "b-ref"), "",
                          R"(,"ifNoneExist":"identifier=http://example.org/mrn|b-ref")"),
                    Entry("PUT", "Patient?identifier=http://example.org/mrn|b-upsert",
                          WithMrn("Upsert", "b-upsert")),
                }));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(Statuses(bundle), (std::vector<std::string>{"201 Created", "412 Precondition Failed",
                                                        "200 OK", "201 Created"}));
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/subject/reference"), "Patient/" + id);
  EXPECT_EQ(StringAt(bundle, "/entry/2/resource/id"), id);
  EXPECT_EQ(Count(client(), Fhir("Observation?subject=Patient/" + id)), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|b-ref")), 1);
  EXPECT_EQ(Count(client(), Fhir("Patient?identifier=http://example.org/mrn|b-upsert")), 1);
}

// More entries than the writes the batch keeps in flight at once, so they are submitted in
// turns; every one is written, once, in order.
TEST_F(BatchTest, ManyEntries) {
  constexpr int kEntries = 300;
  std::vector<std::string> entries;
  for (int i = 0; i < kEntries; ++i) {
    entries.push_back(Entry("POST", "Patient", WithMrn("Veel", "many-" + std::to_string(i))));
  }
  entries.push_back(Entry("GET", "Patient?family=Veel&_summary=count"));
  Response response = client().Post(Fhir(""), Batch(entries), {{"Prefer", "return=minimal"}});
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  std::vector<std::string> statuses = Statuses(bundle);
  ASSERT_EQ(statuses.size(), static_cast<std::size_t>(kEntries + 1));
  std::set<std::string> locations;
  for (int i = 0; i < kEntries; ++i) {
    const std::string at = "/entry/" + std::to_string(i);
    EXPECT_EQ(statuses[static_cast<std::size_t>(i)], "201 Created") << i;
    EXPECT_EQ(At(bundle, (at + "/resource").c_str()), nullptr);
    locations.insert(StringAt(bundle, (at + "/response/location").c_str()));
  }
  EXPECT_EQ(locations.size(), static_cast<std::size_t>(kEntries));
  const rapidjson::Value* total =
      At(bundle, ("/entry/" + std::to_string(kEntries) + "/resource/total").c_str());
  ASSERT_TRUE(total != nullptr && total->IsInt()) << response;
  EXPECT_EQ(total->GetInt(), kEntries);
}

TEST_F(BatchTest, OnlyReads) {
  ASSERT_EQ(client().Put(Fhir("Patient/r1"), PatientJson("Lezen", "r1")).status, 201);
  Response response = client().Post(
      Fhir(""), Batch({Entry("GET", "Patient/r1"), Entry("HEAD", "Patient/r1"),
                       Entry("GET", "Patient/r1/_history/1"), Entry("GET", "Patient/r1/_history"),
                       Entry("GET", "metadata")}));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(Statuses(bundle),
            (std::vector<std::string>{"200 OK", "200 OK", "200 OK", "200 OK", "200 OK"}));
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/id"), "r1");
  EXPECT_EQ(StringAt(bundle, "/entry/0/fullUrl"), base() + "/Patient/r1");
  EXPECT_EQ(StringAt(bundle, "/entry/0/response/etag"), "W/\"1\"");
  EXPECT_TRUE(IsInstant(StringAt(bundle, "/entry/0/response/lastModified")));
  EXPECT_EQ(At(bundle, "/entry/1/resource"), nullptr);  // HEAD
  EXPECT_EQ(StringAt(bundle, "/entry/3/resource/type"), "history");
  EXPECT_EQ(StringAt(bundle, "/entry/4/resource/resourceType"), "CapabilityStatement");
}

TEST_F(BatchTest, PatchEntries) {
  ASSERT_EQ(client().Put(Fhir("Patient/p1"), PatientJson("Voor", "p1")).status, 201);
  // [{"op":"replace","path":"/name/0/family","value":"Json"}]
  const std::string binary =
      R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":")"
      R"(W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9uYW1lLzAvZmFtaWx5IiwidmFsdWUiOiJKc29uIn1d"})";
  Response response = client().Post(
      Fhir(""),
      Batch({Entry("PATCH", "Patient/p1", binary), Entry("PATCH", "Patient/missing", binary),
             Entry("PATCH", "Patient/p1", PatientJson("Geen patch"))}));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(Statuses(bundle),
            (std::vector<std::string>{"200 OK", "404 Not Found", "400 Bad Request"}));
  EXPECT_EQ(StringAt(bundle, "/entry/0/resource/name/0/family"), "Json");
  EXPECT_EQ(CurrentVersion("Patient", "p1"), 2);
}

TEST_F(BatchTest, BundleLevelErrors) {
  EXPECT_EQ(
      client().Post(Fhir(""), R"({"resourceType":"Bundle","type":"history","entry":[]})").status,
      400);
  Response not_json = client().Post(Fhir(""), "nope");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_TRUE(IsOperationOutcome(not_json));
  // An empty batch is answered with an empty batch-response.
  Response empty = client().Post(Fhir(""), Batch({}));
  ASSERT_EQ(empty.status, 200) << empty;
  EXPECT_EQ(StringAt(ParseJson(empty.body), "/type"), "batch-response");
}

class BatchLimitTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-bundle-entries", "2"}; }
};

TEST_F(BatchLimitTest, MoreEntriesThanTheLimitAre413) {
  Response response = client().Post(
      Fhir(""),
      Batch({Entry("GET", "metadata"), Entry("GET", "metadata"), Entry("GET", "metadata")}));
  EXPECT_EQ(response.status, 413) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
}

}  // namespace
}  // namespace schakel::integration
