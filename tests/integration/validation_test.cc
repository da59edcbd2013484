// Validation over HTTP: writes that break the R4 definitions are 422 with one issue per problem,
// and $validate reports issues without storing anything.
// Spec: https://hl7.org/fhir/R4/validation.html,
// https://hl7.org/fhir/R4/operation-resource-validate.html
#include <set>
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using ValidationTest = ServerTest;

// Every issue's "code @ expression[0]".
std::set<std::string> Issues(const Response& response) {
  std::set<std::string> out;
  rapidjson::Document doc = ParseJson(response.body);
  const rapidjson::Value* issues = At(doc, "/issue");
  if (issues == nullptr || !issues->IsArray()) return out;
  for (const rapidjson::Value& issue : issues->GetArray()) {
    out.insert(StringAt(issue, "/code") + " @ " + StringAt(issue, "/expression/0"));
  }
  return out;
}

TEST_F(ValidationTest, InvalidWritesAre422WithOneIssuePerProblem) {
  struct Case {
    std::string name;
    std::string body;
    std::set<std::string> issues;
  };
  const Case cases[] = {
      {"unknown element",
       R"({"resourceType":"Patient","nmae":[{"family":"X"}]})",
       {"structure @ Patient.nmae"}},
      {"bogus gender",
       R"({"resourceType":"Patient","gender":"bogus"})",
       {"code-invalid @ Patient.gender"}},
      {"two problems",
       R"({"resourceType":"Patient","birthDate":"1970-13-01","active":"yes"})",
       {"value @ Patient.birthDate", "value @ Patient.active"}},
      {"repeating element as object",
       R"({"resourceType":"Patient","name":{"family":"X"}})",
       {"structure @ Patient.name"}},
      {"missing required element",
       R"({"resourceType":"Observation","code":{"text":"x"}})",
       {"required @ Observation.status"}},
      {"reference to a type not allowed",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Patient/1"}]})",
       {"value @ Patient.generalPractitioner[0].reference"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Response response = client().Post(
        Fhir(c.body.find("Observation") != std::string::npos ? "Observation" : "Patient"), c.body);
    EXPECT_EQ(response.status, 422) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
    EXPECT_EQ(Issues(response), c.issues) << response;
  }
  // Nothing was stored.
  Response history = client().Get(Fhir("_history"));
  EXPECT_EQ(ParseHistoryPage(history).entries.size(), 0U) << history;
}

TEST_F(ValidationTest, ValidateReportsIssuesWithoutStoring) {
  Response invalid =
      client().Post(Fhir("Patient/$validate"), R"({"resourceType":"Patient","gender":"bogus"})");
  EXPECT_EQ(invalid.status, 200) << invalid;
  EXPECT_EQ(Issues(invalid), std::set<std::string>{"code-invalid @ Patient.gender"}) << invalid;

  Response valid = client().Post(Fhir("Patient/$validate"), PatientJson("Jansen"));
  EXPECT_EQ(valid.status, 200) << valid;
  EXPECT_TRUE(IsOperationOutcome(valid, "information")) << valid;

  // Wrapped in Parameters, with an unknown profile: a warning, not an error.
  Response wrapped = client().Post(
      Fhir("Patient/$validate"),
      R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" +
          PatientJson("Jansen") +
          R"(},{"name":"profile","valueUri":"http://example.org/unknown-profile"}]})");
  EXPECT_EQ(wrapped.status, 200) << wrapped;
  EXPECT_TRUE(IsOperationOutcome(wrapped, "warning")) << wrapped;

  Response history = client().Get(Fhir("_history"));
  EXPECT_EQ(ParseHistoryPage(history).entries.size(), 0U) << history;
}

TEST_F(ValidationTest, ValidateModesAndErrors) {
  const std::string id = CreatePatient("Jansen");
  ASSERT_FALSE(id.empty());
  // The stored resource, by GET on the instance.
  Response stored = client().Get(Fhir("Patient/" + id + "/$validate"));
  EXPECT_EQ(stored.status, 200) << stored;
  EXPECT_TRUE(IsOperationOutcome(stored, "information")) << stored;
  // mode=update checks the id against the URL.
  Response wrong_id = client().Post(Fhir("Patient/" + id + "/$validate?mode=update"),
                                    PatientJson("Jansen", "someone-else"));
  EXPECT_EQ(wrong_id.status, 200) << wrong_id;
  EXPECT_EQ(Issues(wrong_id), std::set<std::string>{"invalid @ Patient.id"}) << wrong_id;
  // mode=delete needs no resource.
  Response del = client().Post(Fhir("Patient/" + id + "/$validate?mode=delete"), "");
  EXPECT_EQ(del.status, 200) << del;
  EXPECT_TRUE(IsOperationOutcome(del, "information")) << del;
  // Errors that stop validation from running.
  EXPECT_EQ(client().Post(Fhir("Patient/$validate?mode=update"), PatientJson("X")).status, 400);
  EXPECT_EQ(client().Post(Fhir("Patient/$validate?mode=bogus"), PatientJson("X")).status, 400);
  EXPECT_EQ(client().Post(Fhir("Patient/$validate"), R"({"resourceType":"Observation"})").status,
            400);
  EXPECT_EQ(client().Post(Fhir("Patient/$validate"), "{not json").status, 400);
  EXPECT_EQ(client().Get(Fhir("Patient/unknown-id/$validate")).status, 404);
  EXPECT_EQ(client().Post(Fhir("Patient/$everything"), "").status, 501);
  // The CapabilityStatement lists the operation.
  Response metadata = client().Get(Fhir("metadata"));
  EXPECT_NE(metadata.body.find("OperationDefinition/Resource-validate"), std::string::npos);
}

}  // namespace
}  // namespace schakel::integration
