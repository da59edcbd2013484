#include "server/rest/negotiation.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace schakel::server::rest {
namespace {

Target TargetWithQuery(std::string_view query) {
  fhir::Result<Target> t = ParseTarget("/fhir/Patient?" + std::string(query), "/fhir");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : Target();
}

struct Case {
  std::string_view query;
  std::string_view accept;
  fhir::Code code;  // kOk: JSON is written
  bool pretty = false;
};

void Check(const Case& c) {
  SCOPED_TRACE(testing::Message() << "query '" << c.query << "', Accept '" << c.accept << "'");
  fhir::Result<ResponseFormat> r = NegotiateResponse(TargetWithQuery(c.query), c.accept);
  ASSERT_EQ(r.status().code(), c.code) << r.status().ToString();
  if (r.ok()) {
    EXPECT_EQ(r->format, Format::kJson);
    EXPECT_EQ(r->pretty, c.pretty);
  }
}

constexpr fhir::Code kOk = fhir::Code::kOk;
constexpr fhir::Code k406 = fhir::Code::kNotAcceptable;
constexpr fhir::Code k400 = fhir::Code::kInvalidInput;

TEST(NegotiateResponseTest, FormatParameter) {
  const Case cases[] = {
      {"", "", kOk},
      {"_format=json", "", kOk},
      {"_format=JSON", "", kOk},
      {"_format=application/json", "", kOk},
      {"_format=application/fhir%2Bjson", "", kOk},
      {"_format=application/json%2Bfhir", "", kOk},
      {"_format=text/json", "", kOk},
      {"_format=application/fhir%2Bjson;fhirVersion=4.0", "", kOk},
      {"_format=xml", "", k406},
      {"_format=application/fhir%2Bxml", "", k406},
      {"_format=application/xml", "", k406},
      {"_format=text/xml", "", k406},
      {"_format=html", "", k406},
      {"_format=text/html", "", k406},
      {"_format=ttl", "", k406},
      {"_format=", "", k406},
      // _format wins over Accept, both ways.
      {"_format=json", "application/fhir+xml", kOk},
      {"_format=xml", "application/fhir+json", k406},
  };
  for (const Case& c : cases) Check(c);
}

TEST(NegotiateResponseTest, AcceptHeader) {
  const Case cases[] = {
      {"", "application/fhir+json", kOk},
      {"", "application/json", kOk},
      {"", "application/json+fhir", kOk},
      {"", "APPLICATION/FHIR+JSON", kOk},
      {"", "application/fhir+json; charset=utf-8", kOk},
      {"", "application/fhir+json; fhirVersion=4.0; q=0.8", kOk},
      {"", "*/*", kOk},
      {"", "application/*", kOk},
      {"", "   ", kOk},  // blank is as good as absent
      {"", "application/fhir+xml", k406},
      {"", "application/xml", k406},
      {"", "text/html", k406},
      {"", "text/*", k406},
      {"", "image/png, text/plain", k406},
      // q-values.
      {"", "application/fhir+xml, application/fhir+json;q=0.5", kOk},
      {"", "application/fhir+xml;q=1.0, application/json;q=0.001", kOk},
      {"", "application/fhir+json;q=0", k406},
      {"", "application/fhir+json; q=0.0", k406},
      {"", "application/fhir+json;Q=0", k406},
      {"", "application/fhir+json;q=0, application/fhir+xml", k406},
      {"", "*/*;q=0", k406},
      {"", "application/*;q=0, text/html", k406},
      // What browsers send.
      {"", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", kOk},
  };
  for (const Case& c : cases) Check(c);
}

TEST(NegotiateResponseTest, PrettyParameter) {
  const Case cases[] = {
      {"_pretty=true", "", kOk, true},
      {"_pretty=false", "", kOk, false},
      {"_pretty=true&_format=json", "application/json", kOk, true},
      {"_pretty=true", "*/*", kOk, true},
      {"_pretty=yes", "", k400},
      {"_pretty=1", "", k400},
      {"_pretty=", "", k400},
      {"_pretty=TRUE", "", k400},
      {"_pretty=true&_pretty=false", "", kOk, true},  // the first value counts
  };
  for (const Case& c : cases) Check(c);
}

TEST(CheckRequestContentTypeTest, Table) {
  struct ContentTypeCase {
    std::string_view content_type;
    fhir::Code code;
  };
  constexpr fhir::Code k415 = fhir::Code::kUnsupportedMediaType;
  const ContentTypeCase cases[] = {
      {"", kOk},  // missing: read as JSON
      {"  ", kOk},
      {"application/fhir+json", kOk},
      {"application/fhir+json;charset=utf-8", kOk},
      {"application/fhir+json; charset=UTF-8", kOk},
      {"application/fhir+json; charset=\"utf-8\"", kOk},
      {"application/fhir+json; fhirVersion=4.0; charset=utf-8", kOk},
      {"Application/FHIR+JSON", kOk},
      {"application/json", kOk},
      {"application/json; charset=utf-8", kOk},
      {"application/json+fhir", kOk},
      {kFhirJsonContentType, kOk},
      {"application/fhir+xml", k415},
      {"application/xml", k415},
      {"text/xml; charset=utf-8", k415},
      {"text/plain", k415},
      {"text/html", k415},
      {"application/x-www-form-urlencoded", k415},
      {"multipart/form-data; boundary=x", k415},
      {"json", k415},  // a _format shorthand, not a media type
      {"application/fhir+json; charset=latin1", k415},
      {"application/fhir+json; charset=ISO-8859-1", k415},
      {"application/json; charset=utf-16", k415},
  };
  for (const ContentTypeCase& c : cases) {
    SCOPED_TRACE(c.content_type);
    fhir::Status s = CheckRequestContentType(c.content_type);
    EXPECT_EQ(s.code(), c.code) << s.ToString();
  }
}

// Regression (bug found by this test): "json" is rejected as a Content-Type (it is a _format
// shorthand, not a media type), but that check was case-sensitive while the classification is
// not, so "JSON" and "Json" got through.
TEST(CheckRequestContentTypeTest, BugRejectsShorthandsInAnyCase) {
  for (std::string_view content_type : {"JSON", "Json", "JSON; charset=utf-8"}) {
    SCOPED_TRACE(content_type);
    EXPECT_EQ(CheckRequestContentType(content_type).code(), fhir::Code::kUnsupportedMediaType);
  }
}

}  // namespace
}  // namespace schakel::server::rest
