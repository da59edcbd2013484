// create, read, vread, update, delete on the instance level.
// Spec: https://hl7.org/fhir/R4/http.html#create, #read, #vread, #update, #delete
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using CrudTest = ServerTest;

// Does the raw body text contain `"key": <number>` with exactly this number text?
bool HasRawNumber(const std::string& body, const std::string& key, const std::string& number) {
  std::string escaped;
  for (char c : number) {
    if (c == '.' || c == '+' || c == '-') escaped += '\\';
    escaped += c;
  }
  std::regex pattern("\"" + key + "\"\\s*:\\s*" + escaped + "[\\s,}\\]]");
  return std::regex_search(body, pattern);
}

TEST_F(CrudTest, CreateReturns201WithLocationEtagAndTheStoredResource) {
  Response response = client().Post(Fhir("Patient"), PatientJson("Jansen"));
  ASSERT_EQ(response.status, 201) << response;
  ASSERT_TRUE(IsResource(response, "Patient"));

  const std::string location = response.Header("Location");
  VersionedRef ref = ParseLocation(location);
  ASSERT_EQ(ref.type, "Patient") << response;
  EXPECT_EQ(location, base() + "/Patient/" + ref.id + "/_history/1");
  EXPECT_EQ(response.Header("ETag"), "W/\"1\"") << response;
  EXPECT_TRUE(IsImfFixdate(response.Header("Last-Modified"))) << response;

  rapidjson::Document body = ParseJson(response.body);
  EXPECT_EQ(StringAt(body, "/id"), ref.id);
  EXPECT_EQ(StringAt(body, "/meta/versionId"), "1");
  EXPECT_TRUE(IsInstant(StringAt(body, "/meta/lastUpdated"))) << response;
  EXPECT_EQ(StringAt(body, "/name/0/family"), "Jansen");
  // Last-Modified is meta.lastUpdated at HTTP-date (whole second) precision.
  auto updated = InstantKey(StringAt(body, "/meta/lastUpdated"));
  auto modified = ParseHttpDate(response.Header("Last-Modified"));
  ASSERT_TRUE(updated.has_value() && modified.has_value()) << response;
  EXPECT_EQ(*modified, updated->first) << response;
}

TEST_F(CrudTest, CreateAcceptsEveryJsonContentType) {
  const char* kContentTypes[] = {
      "application/fhir+json", "application/json", "application/fhir+json;charset=utf-8",
      "application/json; charset=utf-8", "application/fhir+json; charset=UTF-8"};
  for (const char* content_type : kContentTypes) {
    SCOPED_TRACE(content_type);
    Response response =
        client().Post(Fhir("Patient"), PatientJson("Bakker"), {{"Content-Type", content_type}});
    EXPECT_EQ(response.status, 201) << response;
  }
}

TEST_F(CrudTest, CreateReplacesIdVersionAndLastUpdatedButKeepsOtherMeta) {
  const std::string posted = R"({"resourceType":"Patient","id":"client-chosen",
    "meta":{"versionId":"7","lastUpdated":"2001-01-01T00:00:00Z",
            "tag":[{"system":"http://example.org/tags","code":"keep-me"}],
            "profile":["http://example.org/StructureDefinition/my-patient"],
            "source":"http://example.org/source#1"},
    "name":[{"family":"Visser"}]})";
  Response created = client().Post(Fhir("Patient"), posted);
  ASSERT_EQ(created.status, 201) << created;
  VersionedRef ref = ParseLocation(created.Header("Location"));
  EXPECT_NE(ref.id, "client-chosen");

  Response read = client().Get(Fhir("Patient/" + ref.id));
  ASSERT_EQ(read.status, 200) << read;
  for (const Response* response : {&created, &read}) {
    rapidjson::Document body = ParseJson(response->body);
    EXPECT_EQ(StringAt(body, "/id"), ref.id) << *response;
    EXPECT_EQ(StringAt(body, "/meta/versionId"), "1") << *response;
    EXPECT_NE(StringAt(body, "/meta/lastUpdated"), "2001-01-01T00:00:00Z") << *response;
    EXPECT_EQ(StringAt(body, "/meta/tag/0/system"), "http://example.org/tags") << *response;
    EXPECT_EQ(StringAt(body, "/meta/tag/0/code"), "keep-me") << *response;
    EXPECT_EQ(StringAt(body, "/meta/profile/0"),
              "http://example.org/StructureDefinition/my-patient")
        << *response;
    EXPECT_EQ(StringAt(body, "/meta/source"), "http://example.org/source#1") << *response;
  }
  EXPECT_EQ(client().Get(Fhir("Patient/client-chosen")).status, 404);
}

TEST_F(CrudTest, TwoCreatesGetDifferentIds) {
  const std::string first = CreatePatient("Smit");
  const std::string second = CreatePatient("Smit");
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
}

TEST_F(CrudTest, CreateAndReadKeepDecimalTextExactly) {
  const std::string observation = R"({"resourceType":"Observation","status":"final",
    "code":{"text":"body weight"},
    "valueQuantity":{"value":1.50,"unit":"kg"},
    "component":[{"code":{"text":"pi"},"valueQuantity":{"value":3.14159265358979323846}}]})";
  Response created = client().Post(Fhir("Observation"), observation);
  ASSERT_EQ(created.status, 201) << created;
  VersionedRef ref = ParseLocation(created.Header("Location"));
  Response read = client().Get(Fhir("Observation/" + ref.id));
  ASSERT_EQ(read.status, 200) << read;
  for (const Response* response : {&created, &read}) {
    EXPECT_TRUE(HasRawNumber(response->body, "value", "1.50")) << *response;
    EXPECT_TRUE(HasRawNumber(response->body, "value", "3.14159265358979323846")) << *response;
  }
}

TEST_F(CrudTest, ReadReturnsTheCurrentVersionWithHeaders) {
  Response created =
      client().Post(Fhir("Patient"), PatientJson("de Vries", "", R"(,"gender":"female")"));
  ASSERT_EQ(created.status, 201) << created;
  VersionedRef ref = ParseLocation(created.Header("Location"));

  Response read = client().Get(Fhir("Patient/" + ref.id));
  ASSERT_EQ(read.status, 200) << read;
  ASSERT_TRUE(IsResource(read, "Patient", ref.id));
  EXPECT_EQ(read.Header("ETag"), "W/\"1\"") << read;
  EXPECT_TRUE(IsImfFixdate(read.Header("Last-Modified"))) << read;
  EXPECT_EQ(read.Header("Last-Modified"), created.Header("Last-Modified"));
  // The read returns exactly what the create returned.
  EXPECT_TRUE(ParseJson(read.body) == ParseJson(created.body)) << created << read;
}

TEST_F(CrudTest, ReadOfUnknownIdIs404) {
  Response response = client().Get(Fhir("Patient/does-not-exist"));
  EXPECT_EQ(response.status, 404) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
}

TEST_F(CrudTest, ReadOfUnknownTypeIs404) {
  Response response = client().Get(Fhir("Foo/1"));
  EXPECT_EQ(response.status, 404) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
}

TEST_F(CrudTest, ReadOfInvalidIdIs400Or404) {
  const std::string kIds[] = {std::string(65, 'a'), "a_b", "a%20b", "%C3%A9"};
  for (const std::string& id : kIds) {
    SCOPED_TRACE(id);
    Response response = client().Get(Fhir("Patient/" + id));
    EXPECT_TRUE(response.status == 400 || response.status == 404) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
  }
  // 64 characters is still a valid id.
  const std::string longest(64, 'b');
  Response put = client().Put(Fhir("Patient/" + longest), PatientJson("Lang", longest));
  EXPECT_EQ(put.status, 201) << put;
  EXPECT_EQ(client().Get(Fhir("Patient/" + longest)).status, 200);
}

TEST_F(CrudTest, HeadIsLikeGetWithoutABody) {
  const std::string id = CreatePatient("Mulder");
  ASSERT_FALSE(id.empty());
  Response get = client().Get(Fhir("Patient/" + id));
  Response head = client().Head(Fhir("Patient/" + id));
  ASSERT_EQ(get.status, 200) << get;
  EXPECT_EQ(head.status, 200) << head;
  EXPECT_TRUE(head.body.empty()) << head;
  EXPECT_EQ(head.Header("ETag"), get.Header("ETag"));
  EXPECT_EQ(head.Header("Last-Modified"), get.Header("Last-Modified"));
  EXPECT_EQ(NormalizeMediaType(head.Header("Content-Type")), kFhirJson) << head;

  Response missing = client().Head(Fhir("Patient/not-there"));
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_TRUE(missing.body.empty()) << missing;
  // The connection is still in sync after HEAD responses.
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 200);
}

TEST_F(CrudTest, VreadReturnsEachVersion) {
  const std::string id = CreatePatient("Eerste");
  ASSERT_FALSE(id.empty());
  Response updated = client().Put(Fhir("Patient/" + id), PatientJson("Tweede", id));
  ASSERT_EQ(updated.status, 200) << updated;

  const char* kFamilies[] = {"Eerste", "Tweede"};
  for (int version = 1; version <= 2; ++version) {
    SCOPED_TRACE(version);
    Response response =
        client().Get(Fhir("Patient/" + id + "/_history/" + std::to_string(version)));
    ASSERT_EQ(response.status, 200) << response;
    ASSERT_TRUE(IsResource(response, "Patient", id));
    EXPECT_EQ(response.Header("ETag"), "W/\"" + std::to_string(version) + "\"");
    EXPECT_TRUE(IsImfFixdate(response.Header("Last-Modified"))) << response;
    rapidjson::Document body = ParseJson(response.body);
    EXPECT_EQ(StringAt(body, "/meta/versionId"), std::to_string(version));
    EXPECT_EQ(StringAt(body, "/name/0/family"), kFamilies[version - 1]);
  }
}

TEST_F(CrudTest, VreadOfUnknownVersionIs404) {
  const std::string id = CreatePatient("Enkel");
  ASSERT_FALSE(id.empty());
  for (const char* version : {"2", "99", "0"}) {
    SCOPED_TRACE(version);
    Response response = client().Get(Fhir("Patient/" + id + "/_history/" + std::string(version)));
    EXPECT_EQ(response.status, 404) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
  }
  Response unknown = client().Get(Fhir("Patient/never-existed/_history/1"));
  EXPECT_EQ(unknown.status, 404) << unknown;
}

TEST_F(CrudTest, VreadOfTheDeleteVersionIs410) {
  const std::string id = CreatePatient("Weg");
  ASSERT_FALSE(id.empty());
  Response deleted = client().Delete(Fhir("Patient/" + id));
  ASSERT_EQ(deleted.status, 200) << deleted;
  Response gone = client().Get(Fhir("Patient/" + id + "/_history/2"));
  EXPECT_EQ(gone.status, 410) << gone;
  EXPECT_TRUE(IsOperationOutcome(gone));
  EXPECT_EQ(client().Get(Fhir("Patient/" + id + "/_history/1")).status, 200);
}

TEST_F(CrudTest, UpdateOfExistingResourceMakesTheNextVersion) {
  const std::string id = CreatePatient("Oud");
  ASSERT_FALSE(id.empty());
  Response response = client().Put(Fhir("Patient/" + id), PatientJson("Nieuw", id));
  ASSERT_EQ(response.status, 200) << response;
  ASSERT_TRUE(IsResource(response, "Patient", id));
  EXPECT_EQ(response.Header("ETag"), "W/\"2\"");
  EXPECT_TRUE(IsImfFixdate(response.Header("Last-Modified"))) << response;
  rapidjson::Document body = ParseJson(response.body);
  EXPECT_EQ(StringAt(body, "/meta/versionId"), "2");
  EXPECT_EQ(StringAt(body, "/name/0/family"), "Nieuw");
  EXPECT_TRUE(IsInstant(StringAt(body, "/meta/lastUpdated")));

  Response read = client().Get(Fhir("Patient/" + id));
  EXPECT_EQ(read.Header("ETag"), "W/\"2\"");
  EXPECT_EQ(StringAt(ParseJson(read.body), "/name/0/family"), "Nieuw");
}

TEST_F(CrudTest, UpdateWithANewIdCreatesTheResource) {
  Response response =
      client().Put(Fhir("Patient/client-id-1"), PatientJson("Klant", "client-id-1"));
  ASSERT_EQ(response.status, 201) << response;
  EXPECT_EQ(response.Header("Location"), base() + "/Patient/client-id-1/_history/1");
  EXPECT_EQ(response.Header("ETag"), "W/\"1\"");
  rapidjson::Document body = ParseJson(response.body);
  EXPECT_EQ(StringAt(body, "/id"), "client-id-1");
  EXPECT_EQ(StringAt(body, "/meta/versionId"), "1");
  EXPECT_EQ(CurrentVersion("Patient", "client-id-1"), 1);
}

// There is no current version to conflict with, so a meta.versionId in the body of an
// update-as-create is ignored like any other create's (R4 http.html#update: the server ignores
// meta.versionId and meta.lastUpdated in the body). Three of the official examples do this.
TEST_F(CrudTest, UpdateAsCreateIgnoresMetaVersionIdInTheBody) {
  for (const char* version : {"1", "5"}) {
    SCOPED_TRACE(version);
    const std::string id = std::string("with-version-") + version;
    const std::string meta = std::string(R"(,"meta":{"versionId":")") + version + "\"}";
    Response response = client().Put(Fhir("Patient/" + id), PatientJson("Meta", id, meta));
    EXPECT_EQ(response.status, 201) << response;
    EXPECT_EQ(response.Header("ETag"), "W/\"1\"") << response;
  }
}

struct BadUpdate {
  const char* name;
  std::string body;
};

TEST_F(CrudTest, UpdateRejectsBodiesThatDoNotMatchTheUrl) {
  const std::string id = CreatePatient("Vast");
  ASSERT_FALSE(id.empty());
  const BadUpdate kCases[] = {
      {"no id", PatientJson("Vast")},
      {"other id", PatientJson("Vast", "some-other-id")},
      {"other type", R"({"resourceType":"Observation","id":")" + id +
                         R"(","status":"final","code":{"text":"x"}})"},
  };
  for (const BadUpdate& bad : kCases) {
    SCOPED_TRACE(bad.name);
    Response response = client().Put(Fhir("Patient/" + id), bad.body);
    EXPECT_EQ(response.status, 400) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
  }
  EXPECT_EQ(CurrentVersion("Patient", id), 1);
}

TEST_F(CrudTest, UpdateWithAStaleMetaVersionIdIs409) {
  const std::string id = CreatePatient("Versie");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Versie", id)).status, 200);

  Response stale = client().Put(Fhir("Patient/" + id),
                                PatientJson("Versie", id, R"(,"meta":{"versionId":"1"})"));
  EXPECT_EQ(stale.status, 409) << stale;
  EXPECT_TRUE(IsOperationOutcome(stale));
  EXPECT_EQ(CurrentVersion("Patient", id), 2);

  Response current = client().Put(Fhir("Patient/" + id),
                                  PatientJson("Versie", id, R"(,"meta":{"versionId":"2"})"));
  EXPECT_EQ(current.status, 200) << current;
  EXPECT_EQ(current.Header("ETag"), "W/\"3\"");
}

TEST_F(CrudTest, DeleteAnswersWithAnInformationOutcomeThenReadIs410) {
  const std::string id = CreatePatient("Verwijderd");
  ASSERT_FALSE(id.empty());
  Response deleted = client().Delete(Fhir("Patient/" + id));
  EXPECT_EQ(deleted.status, 200) << deleted;
  EXPECT_TRUE(IsOperationOutcome(deleted, "information"));

  Response read = client().Get(Fhir("Patient/" + id));
  EXPECT_EQ(read.status, 410) << read;
  EXPECT_TRUE(IsOperationOutcome(read));
}

TEST_F(CrudTest, DeleteWithPreferMinimalIs204) {
  const std::string id = CreatePatient("Minimaal");
  ASSERT_FALSE(id.empty());
  Response deleted = client().Delete(Fhir("Patient/" + id), {{"Prefer", "return=minimal"}});
  EXPECT_EQ(deleted.status, 204) << deleted;
  EXPECT_TRUE(deleted.body.empty()) << deleted;
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 410);
}

TEST_F(CrudTest, DeleteKeepsOlderVersionsAndRecordsTheDeleteInHistory) {
  const std::string id = CreatePatient("Geschiedenis");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Geschiedenis2", id)).status, 200);
  ASSERT_EQ(client().Delete(Fhir("Patient/" + id)).status, 200);

  EXPECT_EQ(client().Get(Fhir("Patient/" + id + "/_history/1")).status, 200);
  EXPECT_EQ(client().Get(Fhir("Patient/" + id + "/_history/2")).status, 200);
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/" + id + "/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  ASSERT_EQ(page.entries.size(), 3u);
  EXPECT_EQ(page.entries[0].method, "DELETE");
  EXPECT_FALSE(page.entries[0].has_resource);
  EXPECT_EQ(page.entries[0].version, 3);
}

bool IsDeleteAcknowledgement(const Response& response) {
  if (response.status == 204) return response.body.empty();
  if (response.status != 200) return false;
  rapidjson::Document body = ParseJson(response.body);
  const std::string severity = StringAt(body, "/issue/0/severity");
  return StringAt(body, "/resourceType") == "OperationOutcome" &&
         (severity == "information" || severity == "warning");
}

TEST_F(CrudTest, DeleteOfAnUnknownResourceSucceedsWithoutMakingAVersion) {
  Response deleted = client().Delete(Fhir("Patient/never-was"));
  EXPECT_EQ(deleted.status, 200) << deleted;
  EXPECT_TRUE(IsDeleteAcknowledgement(deleted)) << deleted;
  Response minimal = client().Delete(Fhir("Patient/never-was"), {{"Prefer", "return=minimal"}});
  EXPECT_EQ(minimal.status, 204) << minimal;

  EXPECT_EQ(client().Get(Fhir("Patient/never-was")).status, 404);
  EXPECT_EQ(client().Get(Fhir("Patient/never-was/_history")).status, 404);
}

TEST_F(CrudTest, DeletingTwiceDoesNotMakeAnotherVersion) {
  const std::string id = CreatePatient("Dubbel");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Delete(Fhir("Patient/" + id)).status, 200);
  Response again = client().Delete(Fhir("Patient/" + id));
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_TRUE(IsDeleteAcknowledgement(again)) << again;
  Response minimal = client().Delete(Fhir("Patient/" + id), {{"Prefer", "return=minimal"}});
  EXPECT_EQ(minimal.status, 204) << minimal;

  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/" + id + "/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.entries.size(), 2u);
}

TEST_F(CrudTest, UpdateAfterDeleteBringsTheResourceBack) {
  const std::string id = CreatePatient("Terug");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Delete(Fhir("Patient/" + id)).status, 200);
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/" + id + "/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  ASSERT_FALSE(page.entries.empty());
  const int delete_version = page.entries[0].version;
  ASSERT_GT(delete_version, 1);

  Response revived = client().Put(Fhir("Patient/" + id), PatientJson("Terug", id));
  EXPECT_EQ(revived.status, 201) << revived;
  const std::string next = std::to_string(delete_version + 1);
  EXPECT_EQ(revived.Header("ETag"), "W/\"" + next + "\"");
  EXPECT_EQ(revived.Header("Location"), base() + "/Patient/" + id + "/_history/" + next);
  EXPECT_EQ(StringAt(ParseJson(revived.body), "/meta/versionId"), next);
  EXPECT_EQ(CurrentVersion("Patient", id), delete_version + 1);
}

TEST_F(CrudTest, WorksForOtherResourceTypes) {
  struct Case {
    const char* type;
    const char* body;
  };
  const Case kCases[] = {
      {"Observation", R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})"},
      {"MedicationStatement",
       R"({"resourceType":"MedicationStatement","status":"active",
           "medicationCodeableConcept":{"text":"paracetamol"},"subject":{"reference":"Patient/p1"}})"},
      {"Consent",
       R"({"resourceType":"Consent","status":"active","scope":{"text":"patient-privacy"},
           "category":[{"text":"consent"}],"policyRule":{"text":"opt-in"}})"},
      {"AuditEvent",
       R"({"resourceType":"AuditEvent","type":{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110110"},
           "recorded":"2024-01-01T10:00:00Z","agent":[{"requestor":true}],"source":{"observer":{"display":"x"}}})"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.type);
    Response created = client().Post(Fhir(c.type), c.body);
    ASSERT_EQ(created.status, 201) << created;
    VersionedRef ref = ParseLocation(created.Header("Location"));
    EXPECT_EQ(ref.type, c.type);
    Response read = client().Get(Fhir(std::string(c.type) + "/" + ref.id));
    EXPECT_EQ(read.status, 200) << read;
    EXPECT_TRUE(IsResource(read, c.type, ref.id));
  }
}

TEST_F(CrudTest, UnicodeSurvivesTheRoundTrip) {
  const std::string family = "Ærøskøbing-\xE6\x9D\xB1\xE4\xBA\xAC-\xF0\x9F\x98\x80";
  Response created = client().Post(Fhir("Patient"), PatientJson(family));
  ASSERT_EQ(created.status, 201) << created;
  VersionedRef ref = ParseLocation(created.Header("Location"));
  Response read = client().Get(Fhir("Patient/" + ref.id));
  ASSERT_EQ(read.status, 200) << read;
  EXPECT_EQ(StringAt(ParseJson(read.body), "/name/0/family"), family);
}

}  // namespace
}  // namespace schakel::integration
