// The patch interaction: JSON Patch and FHIRPath Patch, plain and conditional.
// Spec: https://hl7.org/fhir/R4/http.html#patch, https://hl7.org/fhir/R4/fhirpatch.html,
// RFC 6902 (JSON Patch), RFC 5789 (PATCH).
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

// Patients are created with PUT (create-on-update), so each test knows its ids up front.
class PatchTest : public ServerTest {
 protected:
  std::string NewPatient(std::string_view family, std::string_view extra = "") {
    const std::string id = "patch-" + std::to_string(++created_);
    Response response = client().Put(Fhir("Patient/" + id), PatientJson(family, id, extra));
    EXPECT_EQ(response.status, 201) << response;
    return response.status == 201 ? id : std::string();
  }

 private:
  int created_ = 0;
};

constexpr std::string_view kJsonPatch = "application/json-patch+json";

std::string Etag(int version) { return "W/\"" + std::to_string(version) + "\""; }

Response Patch(HttpClient& client, const std::string& target, const std::string& body,
               std::string_view content_type, HeaderList headers = {}) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::string(content_type));
  return client.Send("PATCH", target, headers, body);
}

// A FHIRPath Patch with one operation made of `parts` (JSON part objects, comma-separated).
std::string FhirPathPatch(const std::string& parts) {
  return R"({"resourceType":"Parameters","parameter":[{"name":"operation","part":[)" + parts +
         "]}]}";
}
std::string Replace(const std::string& path, const std::string& value_member,
                    const std::string& value_json) {
  return FhirPathPatch(R"({"name":"type","valueCode":"replace"},{"name":"path","valueString":")" +
                       path + R"("},{"name":"value",")" + value_member + "\":" + value_json + "}");
}

std::string PatientWithIdentifier(const std::string& id, const std::string& value) {
  return R"({"resourceType":"Patient","id":")" + id +
         R"(","identifier":[{"system":"http://example.org/mrn","value":")" + value +
         R"("}],"name":[{"family":"Een"}]})";
}

TEST_F(PatchTest, JsonPatchChangesThePatientAndAddsAVersion) {
  const std::string id = NewPatient("Jansen", R"(,"gender":"male")");
  ASSERT_FALSE(id.empty());
  Response patched = Patch(client(), Fhir("Patient/" + id),
                           R"([{"op":"test","path":"/gender","value":"male"},
                               {"op":"replace","path":"/gender","value":"female"},
                               {"op":"add","path":"/birthDate","value":"1970-01-01"},
                               {"op":"add","path":"/name/0/given","value":["Anna"]}])",
                           kJsonPatch);
  ASSERT_EQ(patched.status, 200) << patched;
  EXPECT_TRUE(IsResource(patched, "Patient", id));
  EXPECT_EQ(patched.Header("ETag"), Etag(2));
  EXPECT_TRUE(IsImfFixdate(patched.Header("Last-Modified"))) << patched;
  rapidjson::Document body = ParseJson(patched.body);
  EXPECT_EQ(StringAt(body, "/gender"), "female");
  EXPECT_EQ(StringAt(body, "/birthDate"), "1970-01-01");
  EXPECT_EQ(StringAt(body, "/name/0/given/0"), "Anna");
  EXPECT_EQ(StringAt(body, "/meta/versionId"), "2");

  Response read = client().Get(Fhir("Patient/" + id));
  EXPECT_EQ(read.body, patched.body);

  std::string error;
  std::vector<HistoryEntry> history =
      FetchAllHistory(client(), Fhir("Patient/" + id + "/_history"), &error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version_id, "2");
  EXPECT_EQ(history[1].version_id, "1");
  Response old = client().Get(Fhir("Patient/" + id + "/_history/1"));
  EXPECT_EQ(StringAt(ParseJson(old.body), "/gender"), "male");
}

TEST_F(PatchTest, FhirPathPatchInJsonAndXml) {
  const std::string id = NewPatient("Visser", R"(,"gender":"male")");
  ASSERT_FALSE(id.empty());
  Response json = Patch(client(), Fhir("Patient/" + id),
                        Replace("Patient.gender", "valueCode", R"("female")"), kFhirJson);
  ASSERT_EQ(json.status, 200) << json;
  EXPECT_EQ(StringAt(ParseJson(json.body), "/gender"), "female");
  EXPECT_EQ(json.Header("ETag"), Etag(2));

  const std::string xml =
      R"(<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="operation"/>)"
      R"(<part><name value="type"/><valueCode value="add"/></part>)"
      R"(<part><name value="path"/><valueString value="Patient"/></part>)"
      R"(<part><name value="name"/><valueString value="birthDate"/></part>)"
      R"(<part><name value="value"/><valueDate value="1930-01-01"/></part>)"
      R"(</parameter></Parameters>)";
  Response from_xml = Patch(client(), Fhir("Patient/" + id), xml, "application/fhir+xml");
  ASSERT_EQ(from_xml.status, 200) << from_xml;
  EXPECT_EQ(StringAt(ParseJson(from_xml.body), "/birthDate"), "1930-01-01");
  EXPECT_EQ(from_xml.Header("ETag"), Etag(3));

  // The answer is in the negotiated format, as an update's.
  Response as_xml =
      Patch(client(), Fhir("Patient/" + id), Replace("Patient.gender", "valueCode", R"("other")"),
            kFhirJson, {{"Accept", "application/fhir+xml"}});
  ASSERT_EQ(as_xml.status, 200) << as_xml;
  EXPECT_NE(as_xml.body.find("<gender value=\"other\"/>"), std::string::npos) << as_xml;
}

TEST_F(PatchTest, IfMatchIsHonoured) {
  const std::string id = NewPatient("Bos");
  ASSERT_FALSE(id.empty());
  const std::string patch = R"([{"op":"add","path":"/active","value":true}])";
  Response fresh =
      Patch(client(), Fhir("Patient/" + id), patch, kJsonPatch, {{"If-Match", Etag(1)}});
  ASSERT_EQ(fresh.status, 200) << fresh;
  EXPECT_EQ(fresh.Header("ETag"), Etag(2));

  Response stale =
      Patch(client(), Fhir("Patient/" + id), R"([{"op":"add","path":"/active","value":false}])",
            kJsonPatch, {{"If-Match", Etag(1)}});
  EXPECT_EQ(stale.status, 412) << stale;
  EXPECT_TRUE(IsOperationOutcome(stale));
  EXPECT_EQ(CurrentVersion("Patient", id), 2);

  Response any =
      Patch(client(), Fhir("Patient/" + id), R"([{"op":"add","path":"/active","value":false}])",
            kJsonPatch, {{"If-Match", "*"}});
  EXPECT_EQ(any.status, 200) << any;
  EXPECT_EQ(CurrentVersion("Patient", id), 3);
}

TEST_F(PatchTest, MissingIs404AndDeletedIs410) {
  const std::string patch = R"([{"op":"add","path":"/active","value":true}])";
  Response missing = Patch(client(), Fhir("Patient/nobody"), patch, kJsonPatch);
  EXPECT_EQ(missing.status, 404) << missing;
  EXPECT_TRUE(IsOperationOutcome(missing));
  EXPECT_EQ(IssueCode(missing), "not-found");
  // Preconditions do not turn a 404 into a 412 (RFC 9110 13.2.1).
  EXPECT_EQ(
      Patch(client(), Fhir("Patient/nobody"), patch, kJsonPatch, {{"If-Match", Etag(1)}}).status,
      404);

  const std::string id = NewPatient("Weg");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Delete(Fhir("Patient/" + id)).status, 200);
  Response gone = Patch(client(), Fhir("Patient/" + id), patch, kJsonPatch);
  EXPECT_EQ(gone.status, 410) << gone;
  EXPECT_TRUE(IsOperationOutcome(gone));
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 410);
}

TEST_F(PatchTest, ContentTypesOtherThanThePatchFormatsAre415) {
  const std::string id = NewPatient("Type");
  ASSERT_FALSE(id.empty());
  const std::string patch = R"([{"op":"add","path":"/active","value":true}])";
  const struct {
    const char* content_type;
    std::string body;
  } cases[] = {
      {"text/plain", patch},
      {"", patch},
      {"application/xml-patch+xml", "<diff/>"},
      {"application/merge-patch+json", R"({"active":true})"},
      {"application/json-patch+json; charset=iso-8859-1", patch},
      // A JSON Patch sent as a FHIR resource.
      {"application/fhir+json", patch},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.content_type);
    Response response = Patch(client(), Fhir("Patient/" + id), c.body, c.content_type);
    EXPECT_EQ(response.status, 415) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
    EXPECT_NE(response.Header("Accept-Patch").find("application/json-patch+json"),
              std::string::npos)
        << response;
  }
  EXPECT_EQ(CurrentVersion("Patient", id), 1);
}

TEST_F(PatchTest, MalformedPatchesAre400) {
  const std::string id = NewPatient("Fout");
  ASSERT_FALSE(id.empty());
  const struct {
    const char* name;
    std::string_view content_type;
    std::string body;
  } cases[] = {
      {"not JSON", kJsonPatch, "[{"},
      {"not an array", kJsonPatch, R"({"op":"add","path":"/active","value":true})"},
      {"an unknown op", kJsonPatch, R"([{"op":"merge","path":"/active","value":true}])"},
      {"a pointer without /", kJsonPatch, R"([{"op":"remove","path":"active"}])"},
      {"an empty body", kJsonPatch, ""},
      {"not a Parameters", kFhirJson, PatientJson("X")},
      {"an unknown FHIRPath Patch type", kFhirJson,
       FhirPathPatch(R"({"name":"type","valueCode":"upsert"},)"
                     R"({"name":"path","valueString":"Patient.gender"})")},
      {"a FHIRPath that does not parse", kFhirJson,
       FhirPathPatch(R"({"name":"type","valueCode":"delete"},)"
                     R"({"name":"path","valueString":"Patient.("})")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Response response = Patch(client(), Fhir("Patient/" + id), c.body, c.content_type);
    EXPECT_EQ(response.status, 400) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
  }
  EXPECT_EQ(CurrentVersion("Patient", id), 1);
}

TEST_F(PatchTest, PatchesThatCannotApplyOrGiveAnInvalidResourceAre422) {
  const std::string id = NewPatient("Fout", R"(,"gender":"male")");
  ASSERT_FALSE(id.empty());
  const struct {
    const char* name;
    std::string_view content_type;
    std::string body;
    const char* expression;  // an issue's expression, when given
  } cases[] = {
      {"a gender that is not a code of its value set", kJsonPatch,
       R"([{"op":"replace","path":"/gender","value":"banana"}])", "Patient.gender"},
      {"the same as a FHIRPath Patch", kFhirJson,
       Replace("Patient.gender", "valueCode", R"("banana")"), "Patient.gender"},
      {"an unknown element", kJsonPatch, R"([{"op":"add","path":"/nickname","value":"x"}])",
       nullptr},
      {"a failed test", kJsonPatch, R"([{"op":"test","path":"/gender","value":"female"}])",
       nullptr},
      {"a path that is not there", kJsonPatch, R"([{"op":"remove","path":"/birthDate"}])", nullptr},
      {"a FHIRPath selecting two elements", kFhirJson,
       Replace("Patient.name | Patient.gender", "valueCode", R"("x")"), nullptr},
      {"a FHIRPath insert beyond the end", kFhirJson,
       FhirPathPatch(R"({"name":"type","valueCode":"insert"},)"
                     R"({"name":"path","valueString":"Patient.name"},)"
                     R"({"name":"index","valueInteger":5},)"
                     R"({"name":"value","valueHumanName":{"family":"X"}})"),
       nullptr},
      {"changing the id", kJsonPatch, R"([{"op":"replace","path":"/id","value":"other"}])",
       "Patient.id"},
      {"removing the id", kJsonPatch, R"([{"op":"remove","path":"/id"}])", "Patient.id"},
      {"changing the resourceType", kJsonPatch,
       R"([{"op":"replace","path":"/resourceType","value":"Practitioner"}])", "resourceType"},
      {"changing the id with FHIRPath Patch", kFhirJson,
       Replace("Patient.id", "valueId", R"("other")"), "Patient.id"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Response response = Patch(client(), Fhir("Patient/" + id), c.body, c.content_type);
    EXPECT_EQ(response.status, 422) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
    if (c.expression != nullptr) {
      EXPECT_NE(response.body.find(std::string("\"") + c.expression + "\""), std::string::npos)
          << response;
    }
  }
  EXPECT_EQ(CurrentVersion("Patient", id), 1);
  EXPECT_EQ(client().Get(Fhir("Patient/other")).status, 404);
}

TEST_F(PatchTest, ServerOwnedMetaIsIgnoredAndOtherMetaKept) {
  const std::string id = NewPatient("Meta");
  ASSERT_FALSE(id.empty());
  Response patched = Patch(client(), Fhir("Patient/" + id),
                           R"([{"op":"test","path":"/meta/versionId","value":"1"},
                               {"op":"replace","path":"/meta/versionId","value":"99"},
                               {"op":"replace","path":"/meta/lastUpdated",
                                "value":"2000-01-01T00:00:00Z"},
                               {"op":"add","path":"/meta/tag",
                                "value":[{"system":"http://example.org/t","code":"vip"}]}])",
                           kJsonPatch);
  ASSERT_EQ(patched.status, 200) << patched;
  rapidjson::Document body = ParseJson(patched.body);
  EXPECT_EQ(StringAt(body, "/meta/versionId"), "2");
  EXPECT_NE(StringAt(body, "/meta/lastUpdated"), "2000-01-01T00:00:00Z");
  EXPECT_EQ(StringAt(body, "/meta/tag/0/code"), "vip");

  // A test of the version is a precondition a client can write into the patch itself.
  Response stale = Patch(client(), Fhir("Patient/" + id),
                         R"([{"op":"test","path":"/meta/versionId","value":"1"},
                             {"op":"add","path":"/active","value":true}])",
                         kJsonPatch);
  EXPECT_EQ(stale.status, 422) << stale;
}

TEST_F(PatchTest, PreferSetsTheResponseBodyAsForAnUpdate) {
  const std::string id = NewPatient("Prefer");
  ASSERT_FALSE(id.empty());
  Response minimal =
      Patch(client(), Fhir("Patient/" + id), R"([{"op":"add","path":"/active","value":true}])",
            kJsonPatch, {{"Prefer", "return=minimal"}});
  EXPECT_EQ(minimal.status, 200) << minimal;
  EXPECT_TRUE(minimal.body.empty()) << minimal;
  EXPECT_EQ(minimal.Header("ETag"), Etag(2));

  Response outcome =
      Patch(client(), Fhir("Patient/" + id), R"([{"op":"add","path":"/active","value":false}])",
            kJsonPatch, {{"Prefer", "return=OperationOutcome"}});
  EXPECT_EQ(outcome.status, 200) << outcome;
  EXPECT_TRUE(IsOperationOutcome(outcome, "information"));
  EXPECT_EQ(outcome.Header("ETag"), Etag(3));
}

TEST_F(PatchTest, ConditionalPatchNeedsExactlyOneMatch) {
  const std::string url = Fhir("Patient?identifier=http://example.org/mrn|p1");
  const std::string patch = R"([{"op":"add","path":"/active","value":true}])";
  Response none = Patch(client(), url, patch, kJsonPatch);
  EXPECT_EQ(none.status, 404) << none;
  EXPECT_TRUE(IsOperationOutcome(none));

  const std::string id = "conditional-1";
  Response created = client().Put(Fhir("Patient/" + id), PatientWithIdentifier(id, "p1"));
  ASSERT_EQ(created.status, 201) << created;
  Response one =
      Patch(client(), url, Replace("Patient.name.family", "valueString", R"("Twee")"), kFhirJson);
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_TRUE(IsResource(one, "Patient", id));
  EXPECT_EQ(StringAt(ParseJson(one.body), "/name/0/family"), "Twee");
  EXPECT_EQ(one.Header("ETag"), Etag(2));

  ASSERT_EQ(client()
                .Put(Fhir("Patient/conditional-2"), PatientWithIdentifier("conditional-2", "p1"))
                .status,
            201);
  Response several = Patch(client(), url, patch, kJsonPatch);
  EXPECT_EQ(several.status, 412) << several;
  EXPECT_TRUE(IsOperationOutcome(several));
  EXPECT_EQ(CurrentVersion("Patient", id), 2);

  // Criteria the server does not know are an error, not ignored.
  EXPECT_EQ(Patch(client(), Fhir("Patient?frobnicate=1"), patch, kJsonPatch).status, 400);
}

TEST_F(PatchTest, TheCapabilityStatementListsPatch) {
  Response metadata = client().Get(Fhir("metadata"));
  ASSERT_EQ(metadata.status, 200) << metadata;
  rapidjson::Document cs = ParseJson(metadata.body);
  const rapidjson::Value* resources = At(cs, "/rest/0/resource");
  ASSERT_NE(resources, nullptr);
  bool found = false;
  for (const auto& r : resources->GetArray()) {
    if (StringAt(r, "/type") != "Patient") continue;
    for (const auto& i : r["interaction"].GetArray()) {
      if (StringAt(i, "/code") == "patch") found = true;
    }
  }
  EXPECT_TRUE(found) << metadata;
}

// Concurrent patches of one resource: each is computed from the version it read, so one that
// loses the race gets 412 and is retried, and no acknowledged change is lost.
TEST_F(PatchTest, ConcurrentPatchesLoseNoUpdate) {
  const std::string id =
      NewPatient("Druk", R"(,"identifier":[{"system":"urn:t","value":"start"}])");
  ASSERT_FALSE(id.empty());
  constexpr int kThreads = 6;
  constexpr int kPatchesPerThread = 8;
  constexpr int kMaxAttempts = 500;
  std::mutex mutex;
  std::set<std::string> acknowledged{"start"};
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient writer(server().port());
      for (int i = 0; i < kPatchesPerThread; ++i) {
        const std::string value = std::to_string(t) + "-" + std::to_string(i);
        const std::string patch =
            R"([{"op":"add","path":"/identifier/-","value":{"system":"urn:t","value":")" + value +
            R"("}}])";
        Response response;
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
          response = Patch(writer, Fhir("Patient/" + id), patch, kJsonPatch);
          if (response.status != 412 && response.status != 409) break;
        }
        std::lock_guard<std::mutex> lock(mutex);
        if (response.status == 200) {
          acknowledged.insert(value);
        } else {
          failures.push_back(response.Describe());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();

  rapidjson::Document patient = ParseJson(client().Get(Fhir("Patient/" + id)).body);
  const rapidjson::Value* identifiers = At(patient, "/identifier");
  ASSERT_NE(identifiers, nullptr);
  std::set<std::string> stored;
  for (const auto& identifier : identifiers->GetArray()) {
    stored.insert(StringAt(identifier, "/value"));
  }
  EXPECT_EQ(stored, acknowledged);
  EXPECT_EQ(identifiers->GetArray().Size(), acknowledged.size());
  EXPECT_EQ(CurrentVersion("Patient", id), 1 + kThreads * kPatchesPerThread);
}

// A conditional patch searches, reads and writes in one store write scope, so concurrent
// conditional patches of one resource never race: each applies to the version the one before
// wrote, and none is refused with 412 (a plain PATCH may be, in ConcurrentPatchesLoseNoUpdate).
TEST_F(PatchTest, ConcurrentConditionalPatchesAllApply) {
  const std::string id =
      NewPatient("Samen", R"(,"identifier":[{"system":"http://example.org/mrn","value":"cc"}])");
  ASSERT_FALSE(id.empty());
  constexpr int kThreads = 6;
  constexpr int kPatchesPerThread = 6;
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient writer(server().port());
      for (int i = 0; i < kPatchesPerThread; ++i) {
        const std::string patch =
            R"([{"op":"add","path":"/identifier/-","value":{"system":"urn:t","value":")" +
            std::to_string(t) + "-" + std::to_string(i) + R"("}}])";
        Response response =
            Patch(writer, Fhir("Patient?identifier=http://example.org/mrn|cc"), patch, kJsonPatch);
        if (response.status != 200) {
          std::lock_guard<std::mutex> lock(mutex);
          failures.push_back(response.Describe());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  rapidjson::Document patient = ParseJson(client().Get(Fhir("Patient/" + id)).body);
  const rapidjson::Value* identifiers = At(patient, "/identifier");
  ASSERT_NE(identifiers, nullptr);
  EXPECT_EQ(identifiers->Size(), 1u + kThreads * kPatchesPerThread);
  EXPECT_EQ(CurrentVersion("Patient", id), 1 + kThreads * kPatchesPerThread);
}

}  // namespace
}  // namespace schakel::integration
