// Content negotiation: _format, Accept, Content-Type, _pretty.
// Spec: https://hl7.org/fhir/R4/http.html#mime-type, #general-parameters
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using NegotiationTest = ServerTest;

constexpr std::string_view kFhirXml = "application/fhir+xml;charset=utf-8";

struct FormatCase {
  const char* query;   // appended to the target, "" for none
  const char* accept;  // nullptr: no Accept header
  int status;          // 200 or 406
  bool xml = false;    // with 200: the answer is FHIR XML (else FHIR JSON)
};

constexpr FormatCase kFormatCases[] = {
    {"", nullptr, 200},
    {"?_format=json", nullptr, 200},
    {"?_format=application/fhir%2Bjson", nullptr, 200},
    {"?_format=application/json", nullptr, 200},
    {"", "application/fhir+json", 200},
    {"", "application/json", 200},
    {"", "*/*", 200},
    {"", "application/fhir+xml;q=0.5, application/fhir+json", 200},
    {"?_format=xml", nullptr, 200, true},
    {"?_format=application/fhir%2Bxml", nullptr, 200, true},
    {"", "application/fhir+xml", 200, true},
    {"", "application/fhir+xml, application/fhir+json;q=0.5", 200, true},
    {"?_format=xml", "application/fhir+json", 200, true},  // _format wins
    {"?_format=html", nullptr, 406},
    {"?_format=ttl", nullptr, 406},
    {"", "text/html", 406},
    {"", "image/png", 406},
};

TEST_F(NegotiationTest, FormatAndAcceptPickJsonOrXmlOrAre406) {
  const std::string id = CreatePatient("Formaat");
  ASSERT_FALSE(id.empty());
  for (const std::string& path : {Fhir("Patient/" + id), Fhir("metadata"), Fhir("_history")}) {
    for (const FormatCase& c : kFormatCases) {
      SCOPED_TRACE(path + c.query + " Accept: " + (c.accept != nullptr ? c.accept : "-"));
      HeaderList headers;
      if (c.accept != nullptr) headers.emplace_back("Accept", c.accept);
      Response response = client().Get(path + c.query, headers);
      EXPECT_EQ(response.status, c.status) << response;
      if (c.status != 200) {
        EXPECT_TRUE(IsOperationOutcome(response));
      } else if (c.xml) {
        EXPECT_EQ(NormalizeMediaType(response.Header("Content-Type")), kFhirXml) << response;
        EXPECT_EQ(response.body.rfind("<?xml", 0), 0u) << response;
        EXPECT_NE(response.body.find("xmlns=\"http://hl7.org/fhir\""), std::string::npos);
      } else {
        EXPECT_TRUE(IsFhirJson(response));
      }
    }
  }
}

TEST_F(NegotiationTest, XmlBodiesAreReadAndXmlErrorsAreOperationOutcomes) {
  const std::string xml =
      R"(<Patient xmlns="http://hl7.org/fhir"><name><family value="Xml"/><given value="Els"/>)"
      R"(</name><gender value="female"/><birthDate value="1970-01-02"/></Patient>)";
  Response created =
      client().Post(Fhir("Patient"), xml, {{"Content-Type", "application/fhir+xml"}});
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_TRUE(IsFhirJson(created));  // no Accept: the answer is JSON
  const std::string id = ParseLocation(created.Header("Location")).id;
  rapidjson::Document body = ParseJson(created.body);
  EXPECT_EQ(StringAt(body, "/name/0/family"), "Xml");
  EXPECT_EQ(StringAt(body, "/birthDate"), "1970-01-02");

  // Read back as XML, and update with what was read.
  Response read = client().Get(Fhir("Patient/" + id), {{"Accept", "application/fhir+xml"}});
  ASSERT_EQ(read.status, 200) << read;
  EXPECT_NE(read.body.find("<family value=\"Xml\"/>"), std::string::npos) << read;
  Response updated = client().Put(Fhir("Patient/" + id), read.body,
                                  {{"Content-Type", "application/fhir+xml; charset=utf-8"},
                                   {"Accept", "application/fhir+xml"}});
  EXPECT_EQ(updated.status, 200) << updated;
  EXPECT_EQ(NormalizeMediaType(updated.Header("Content-Type")), kFhirXml) << updated;

  // Errors are OperationOutcomes in the negotiated format.
  Response invalid =
      client().Post(Fhir("Patient?_format=xml"),
                    R"(<Patient xmlns="http://hl7.org/fhir"><gender value="bogus"/></Patient>)",
                    {{"Content-Type", "application/fhir+xml"}});
  EXPECT_EQ(invalid.status, 422) << invalid;
  EXPECT_NE(invalid.body.find("<OperationOutcome"), std::string::npos) << invalid;
  const char* kBad[] = {
      "<Patient xmlns=\"http://hl7.org/fhir\"><name>",          // not well-formed
      "<Patient><name><family value=\"X\"/></name></Patient>",  // no FHIR namespace
      "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&x;\"/></name></Patient>",
  };
  for (const char* bad : kBad) {
    SCOPED_TRACE(bad);
    Response response =
        client().Post(Fhir("Patient"), bad, {{"Content-Type", "application/fhir+xml"}});
    EXPECT_TRUE(response.status == 400 || response.status == 422) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
    EXPECT_EQ(response.body.find("root:"), std::string::npos) << "file content leaked";
  }
}

TEST_F(NegotiationTest, OtherRequestBodiesAre415) {
  const std::string id = CreatePatient("Soort");
  ASSERT_FALSE(id.empty());
  const char* kContentTypes[] = {"text/plain", "application/x-www-form-urlencoded",
                                 "application/fhir+json; charset=latin1"};
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
