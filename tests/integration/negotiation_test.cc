// Content negotiation: _format, Accept, Content-Type, _pretty.
// Spec: https://hl7.org/fhir/R4/http.html#mime-type, #general-parameters
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using NegotiationTest = ServerTest;

struct FormatCase {
  const char* query;   // appended to the target, "" for none
  const char* accept;  // nullptr: no Accept header
  int status;          // 200 (JSON) or 406
};

constexpr FormatCase kFormatCases[] = {
    {"", nullptr, 200},
    {"?_format=json", nullptr, 200},
    {"?_format=application/fhir%2Bjson", nullptr, 200},
    {"?_format=application/json", nullptr, 200},
    {"", "application/fhir+json", 200},
    {"", "application/json", 200},
    {"", "*/*", 200},
    {"", "application/fhir+xml, application/fhir+json;q=0.5", 200},
    {"?_format=xml", nullptr, 406},
    {"?_format=application/fhir%2Bxml", nullptr, 406},
    {"", "application/fhir+xml", 406},
};

TEST_F(NegotiationTest, FormatAndAcceptPickJsonOrAre406) {
  const std::string id = CreatePatient("Formaat");
  ASSERT_FALSE(id.empty());
  for (const std::string& path : {Fhir("Patient/" + id), Fhir("metadata")}) {
    for (const FormatCase& c : kFormatCases) {
      SCOPED_TRACE(path + c.query + " Accept: " + (c.accept != nullptr ? c.accept : "-"));
      HeaderList headers;
      if (c.accept != nullptr) headers.emplace_back("Accept", c.accept);
      Response response = client().Get(path + c.query, headers);
      EXPECT_EQ(response.status, c.status) << response;
      if (c.status == 200) {
        EXPECT_TRUE(IsFhirJson(response));
      } else {
        EXPECT_TRUE(IsOperationOutcome(response));
      }
    }
  }
}

TEST_F(NegotiationTest, NonJsonRequestBodiesAre415) {
  const std::string id = CreatePatient("Soort");
  ASSERT_FALSE(id.empty());
  const char* kContentTypes[] = {"application/fhir+xml", "text/plain",
                                 "application/x-www-form-urlencoded"};
  for (const char* content_type : kContentTypes) {
    SCOPED_TRACE(content_type);
    Response post =
        client().Post(Fhir("Patient"), PatientJson("Soort"), {{"Content-Type", content_type}});
    EXPECT_EQ(post.status, 415) << post;
    EXPECT_TRUE(IsOperationOutcome(post));
    Response put = client().Put(Fhir("Patient/" + id), PatientJson("Soort2", id),
                                {{"Content-Type", content_type}});
    EXPECT_EQ(put.status, 415) << put;
    EXPECT_TRUE(IsOperationOutcome(put));
  }
  EXPECT_EQ(CurrentVersion("Patient", id), 1);
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.entries.size(), 1u);
}

TEST_F(NegotiationTest, PrettyIndentsDefaultIsCompact) {
  Response created = client().Post(Fhir("Patient?_pretty=true"), PatientJson("Mooi"));
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_NE(created.body.find("\n  "), std::string::npos) << created;
  const std::string id = ParseLocation(created.Header("Location")).id;

  for (const std::string& path : {Fhir("Patient/" + id), Fhir("metadata")}) {
    SCOPED_TRACE(path);
    Response compact = client().Get(path);
    Response pretty = client().Get(path + "?_pretty=true");
    Response explicitly_compact = client().Get(path + "?_pretty=false");
    ASSERT_EQ(compact.status, 200) << compact;
    ASSERT_EQ(pretty.status, 200) << pretty;
    ASSERT_EQ(explicitly_compact.status, 200) << explicitly_compact;
    EXPECT_NE(pretty.body.find("\n  "), std::string::npos) << pretty;
    EXPECT_EQ(compact.body.find("\n "), std::string::npos) << compact;
    EXPECT_EQ(explicitly_compact.body.find("\n "), std::string::npos) << explicitly_compact;
    // Same content either way (the CapabilityStatement may carry a fresh date).
    if (path != Fhir("metadata")) {
      EXPECT_TRUE(ParseJson(pretty.body) == ParseJson(compact.body));
    }
  }
}

}  // namespace
}  // namespace schakel::integration
