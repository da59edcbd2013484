// The Prefer: return=... header on create and update.
// Spec: https://hl7.org/fhir/R4/http.html#ops (Managing Return Content)
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using PreferTest = ServerTest;

enum class Write { kCreate, kUpdate, kCreateOnUpdate };

struct Case {
  const char* prefer;  // nullptr: no Prefer header
  const char* expect;  // "empty", "outcome" or "resource"
};

constexpr Case kCases[] = {
    {"return=minimal", "empty"},
    {"return=OperationOutcome", "outcome"},
    {"return=representation", "resource"},
    {nullptr, "resource"},
};

TEST_F(PreferTest, ReturnPreferenceShapesTheBody) {
  int counter = 0;
  for (Write write : {Write::kCreate, Write::kUpdate, Write::kCreateOnUpdate}) {
    for (const Case& c : kCases) {
      const std::string label = std::string(write == Write::kCreate   ? "create"
                                            : write == Write::kUpdate ? "update"
                                                                      : "create-on-update") +
                                " with " + (c.prefer != nullptr ? c.prefer : "no Prefer");
      SCOPED_TRACE(label);
      HeaderList headers;
      if (c.prefer != nullptr) headers.emplace_back("Prefer", c.prefer);

      Response response;
      std::string id;
      int expected_status = 201;
      int expected_version = 1;
      if (write == Write::kCreate) {
        response = client().Post(Fhir("Patient"), PatientJson("Voorkeur"), headers);
        id = ParseLocation(response.Header("Location")).id;
      } else if (write == Write::kUpdate) {
        id = CreatePatient("Voorkeur");
        ASSERT_FALSE(id.empty());
        response = client().Put(Fhir("Patient/" + id), PatientJson("Voorkeur2", id), headers);
        expected_status = 200;
        expected_version = 2;
      } else {
        id = "prefer-" + std::to_string(++counter);
        response = client().Put(Fhir("Patient/" + id), PatientJson("Voorkeur", id), headers);
      }
      ASSERT_EQ(response.status, expected_status) << response;
      EXPECT_EQ(response.Header("ETag"), "W/\"" + std::to_string(expected_version) + "\"")
          << response;
      if (expected_status == 201) {
        EXPECT_EQ(response.Header("Location"), base() + "/Patient/" + id + "/_history/1")
            << response;
      }

      const std::string expect = c.expect;
      if (expect == "empty") {
        EXPECT_TRUE(response.body.empty()) << response;
      } else if (expect == "outcome") {
        ASSERT_TRUE(IsFhirJson(response));
        rapidjson::Document outcome = ParseJson(response.body);
        EXPECT_EQ(StringAt(outcome, "/resourceType"), "OperationOutcome") << response;
        const std::string severity = StringAt(outcome, "/issue/0/severity");
        EXPECT_TRUE(severity == "information" || severity == "warning") << response;
      } else {
        ASSERT_TRUE(IsResource(response, "Patient", id));
        EXPECT_EQ(StringAt(ParseJson(response.body), "/meta/versionId"),
                  std::to_string(expected_version));
      }
      // Whatever came back, the write happened.
      EXPECT_EQ(CurrentVersion("Patient", id), expected_version);
    }
  }
}

}  // namespace
}  // namespace schakel::integration
