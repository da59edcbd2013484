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
  fhir::Code code;  // kOk: a format is chosen
  Format format = Format::kJson;
  bool pretty = false;
};

void Check(const Case& c) {
  SCOPED_TRACE(testing::Message() << "query '" << c.query << "', Accept '" << c.accept << "'");
  fhir::Result<ResponseFormat> r = NegotiateResponse(TargetWithQuery(c.query), c.accept);
  ASSERT_EQ(r.status().code(), c.code) << r.status().ToString();
  if (r.ok()) {
    EXPECT_EQ(r->format, c.format);
    EXPECT_EQ(r->pretty, c.pretty);
  }
}

constexpr fhir::Code kOk = fhir::Code::kOk;
constexpr fhir::Code k406 = fhir::Code::kNotAcceptable;
constexpr fhir::Code k400 = fhir::Code::kInvalidInput;
constexpr Format kXml = Format::kXml;
constexpr Format kJson = Format::kJson;

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
      {"_format=xml", "", kOk, kXml},
      {"_format=application/fhir%2Bxml", "", kOk, kXml},
      {"_format=application/xml", "", kOk, kXml},
      {"_format=text/xml", "", kOk, kXml},
      {"_format=application/fhir+xml", "", kOk, kXml},  // an unencoded + arrives as a space
      {"_format=html", "", k406},
      {"_format=text/html", "", k406},
      {"_format=ttl", "", k406},
      {"_format=", "", k406},
      // _format wins over Accept, both ways.
      {"_format=json", "application/fhir+xml", kOk},
      {"_format=xml", "application/fhir+json", kOk, kXml},
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
      {"", "application/fhir+xml", kOk, kXml},
      {"", "application/xml", kOk, kXml},
      {"", "text/html", k406},
      {"", "text/*", k406},
      {"", "image/png, text/plain", k406},
      // q-values.
      {"", "application/fhir+xml, application/fhir+json;q=0.5", kOk, kXml},
      {"", "application/fhir+xml;q=0.5, application/fhir+json", kOk, kJson},
      {"", "application/fhir+xml, application/fhir+json", kOk, kJson},  // a tie: JSON
      {"", "application/fhir+xml;q=1.0, application/json;q=0.001", kOk, kXml},
      {"", "application/fhir+json;q=0", k406},
      {"", "application/fhir+json; q=0.0", k406},
      {"", "application/fhir+json;Q=0", k406},
      {"", "application/fhir+json;q=0, application/fhir+xml", kOk, kXml},
      {"", "*/*;q=0", k406},
      {"", "application/*;q=0, text/html", k406},
      // What browsers send: application/xml;q=0.9 beats */*;q=0.8.
      {"", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", kOk, kXml},
  };
  for (const Case& c : cases) Check(c);
}

TEST(NegotiateResponseTest, PrettyParameter) {
  const Case cases[] = {
      {"_pretty=true", "", kOk, kJson, true},
      {"_pretty=false", "", kOk, kJson, false},
      {"_pretty=true&_format=json", "application/json", kOk, kJson, true},
      {"_pretty=true", "*/*", kOk, kJson, true},
      {"_pretty=yes", "", k400},
      {"_pretty=1", "", k400},
      {"_pretty=", "", k400},
      {"_pretty=TRUE", "", k400},
      {"_pretty=true&_pretty=false", "", kOk, kJson, true},  // the first value counts
  };
  for (const Case& c : cases) Check(c);
}

TEST(RequestBodyFormatTest, Table) {
  struct ContentTypeCase {
    std::string_view content_type;
    fhir::Code code;
    Format format = Format::kJson;
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
      {"application/fhir+xml", kOk, kXml},
      {"application/xml", kOk, kXml},
      {"text/xml; charset=utf-8", kOk, kXml},
      {"application/fhir+xml; charset=latin1", k415},
      {"xml", k415},
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
    fhir::Result<Format> f = RequestBodyFormat(c.content_type);
    EXPECT_EQ(f.status().code(), c.code) << f.status().ToString();
    if (f.ok()) {
      EXPECT_EQ(*f, c.format);
    }
  }
}

// Regression (bug found by this test): "json" is rejected as a Content-Type (it is a _format
// shorthand, not a media type), but that check was case-sensitive while the classification is
// not, so "JSON" and "Json" got through.
TEST(RequestBodyFormatTest, BugRejectsShorthandsInAnyCase) {
  for (std::string_view content_type : {"JSON", "Json", "JSON; charset=utf-8"}) {
    SCOPED_TRACE(content_type);
    EXPECT_EQ(RequestBodyFormat(content_type).status().code(), fhir::Code::kUnsupportedMediaType);
  }
}

}  // namespace
}  // namespace schakel::server::rest
