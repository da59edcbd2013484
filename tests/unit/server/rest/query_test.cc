#include "server/rest/query.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace schakel::server::rest {
namespace {

using Segments = std::vector<std::string>;
using Params = std::vector<std::pair<std::string, std::string>>;

Params ParamsOf(const Target& target) {
  Params out;
  for (const QueryParam& p : target.params) out.emplace_back(p.name, p.value);
  return out;
}

TEST(ParseTargetTest, ValidTargets) {
  struct Case {
    std::string_view target;
    Segments segments;
    Params params;
  };
  const Case cases[] = {
      {"/fhir", {}, {}},
      {"/fhir/", {}, {}},
      {"/fhir?", {}, {}},
      {"/fhir/metadata", {"metadata"}, {}},
      {"/fhir/Patient", {"Patient"}, {}},
      {"/fhir/Patient/", {"Patient"}, {}},  // one trailing slash is tolerated
      {"/fhir/Patient/1", {"Patient", "1"}, {}},
      {"/fhir/Patient/1/_history/2", {"Patient", "1", "_history", "2"}, {}},
      {"/fhir/Patient/1/_history/2/", {"Patient", "1", "_history", "2"}, {}},
      {"/fhir/Patient/$everything", {"Patient", "$everything"}, {}},
      // Percent-decoding in the path; '+' stays '+' there.
      {"/fhir/Patient/a%20b", {"Patient", "a b"}, {}},
      {"/fhir/Patient/a+b", {"Patient", "a+b"}, {}},
      {"/fhir/Patient/a%2Bb", {"Patient", "a+b"}, {}},
      {"/fhir/Patient/a%2Fb", {"Patient", "a/b"}, {}},  // an encoded slash stays in its segment
      {"/fhir/Patient/a%2fb", {"Patient", "a/b"}, {}},
      {"/fhir/Patient/%C3%A9", {"Patient", "\xC3\xA9"}, {}},
      {"/fhir/Patient/%3F%26%3D", {"Patient", "?&="}, {}},
      {"/fhir/%50atient", {"Patient"}, {}},
      // Queries.
      {"/fhir/Patient?name=smith", {"Patient"}, {{"name", "smith"}}},
      {"/fhir/Patient/?name=smith", {"Patient"}, {{"name", "smith"}}},
      {"/fhir?_type=Patient", {}, {{"_type", "Patient"}}},
      {"/fhir/Patient?name=a+b", {"Patient"}, {{"name", "a b"}}},
      {"/fhir/Patient?name=a%2Bb", {"Patient"}, {{"name", "a+b"}}},
      {"/fhir/Patient?name=a%20b", {"Patient"}, {{"name", "a b"}}},
      {"/fhir/Patient?na+me=x", {"Patient"}, {{"na me", "x"}}},
      {"/fhir/Patient?name%3Aexact=Smith", {"Patient"}, {{"name:exact", "Smith"}}},
      {"/fhir/Patient?name:exact=Smith", {"Patient"}, {{"name:exact", "Smith"}}},
      {"/fhir/Patient?a=1&b=2&a=3", {"Patient"}, {{"a", "1"}, {"b", "2"}, {"a", "3"}}},
      {"/fhir/Patient?a=1&&b=2&", {"Patient"}, {{"a", "1"}, {"b", "2"}}},
      {"/fhir/Patient?flag", {"Patient"}, {{"flag", ""}}},
      {"/fhir/Patient?flag=", {"Patient"}, {{"flag", ""}}},
      {"/fhir/Patient?=x", {"Patient"}, {{"", "x"}}},
      {"/fhir/Patient?a=1=2", {"Patient"}, {{"a", "1=2"}}},
      {"/fhir/Patient?a=x?y", {"Patient"}, {{"a", "x?y"}}},
      {"/fhir/Patient?a=%26&b=%3D", {"Patient"}, {{"a", "&"}, {"b", "="}}},
      {"/fhir/Observation?date=ge2024-01-01T00:00:00+01:00",
       {"Observation"},
       {{"date", "ge2024-01-01T00:00:00 01:00"}}},
      {"/fhir/Patient?x=%2F", {"Patient"}, {{"x", "/"}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    fhir::Result<Target> t = ParseTarget(c.target, "/fhir");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->segments, c.segments);
    EXPECT_EQ(ParamsOf(*t), c.params);
  }
}

TEST(ParseTargetTest, InvalidTargets) {
  struct Case {
    std::string_view target;
    fhir::Code code;
  };
  const Case cases[] = {
      // Not under the base path.
      {"", fhir::Code::kNotFound},
      {"/", fhir::Code::kNotFound},
      {"/fhi", fhir::Code::kNotFound},
      {"/fhirx", fhir::Code::kNotFound},
      {"/fhirx/Patient", fhir::Code::kNotFound},
      {"/other/fhir/Patient", fhir::Code::kNotFound},
      {"/FHIR/Patient", fhir::Code::kNotFound},
      {"fhir/Patient", fhir::Code::kNotFound},
      {"/fhir%2FPatient", fhir::Code::kNotFound},
      // Empty segments (beyond one trailing slash).
      {"/fhir//", fhir::Code::kNotFound},
      {"/fhir//Patient", fhir::Code::kNotFound},
      {"/fhir/Patient//1", fhir::Code::kNotFound},
      {"/fhir/Patient//", fhir::Code::kNotFound},
      // Broken escapes and %00 in the path.
      {"/fhir/Patient/%00", fhir::Code::kInvalidInput},
      {"/fhir/Patient/a%00b", fhir::Code::kInvalidInput},
      {"/fhir/Patient/%", fhir::Code::kInvalidInput},
      {"/fhir/Patient/%4", fhir::Code::kInvalidInput},
      {"/fhir/Patient/%G1", fhir::Code::kInvalidInput},
      {"/fhir/Patient/%1G", fhir::Code::kInvalidInput},
      {"/fhir/Patient/%%41", fhir::Code::kInvalidInput},
      {"/fhir/Patient/% 1", fhir::Code::kInvalidInput},
      // ... and in the query, in names and values.
      {"/fhir/Patient?name=%00", fhir::Code::kInvalidInput},
      {"/fhir/Patient?name=%", fhir::Code::kInvalidInput},
      {"/fhir/Patient?name=%2", fhir::Code::kInvalidInput},
      {"/fhir/Patient?name=%ZZ", fhir::Code::kInvalidInput},
      {"/fhir/Patient?na%0me=x", fhir::Code::kInvalidInput},
      {"/fhir/Patient?%00=x", fhir::Code::kInvalidInput},
      {"/fhir/Patient?ok=1&bad=%", fhir::Code::kInvalidInput},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    fhir::Result<Target> t = ParseTarget(c.target, "/fhir");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), c.code) << t.status().ToString();
  }
}

TEST(ParseTargetTest, KeepsTheRawQuery) {
  fhir::Result<Target> t = ParseTarget("/fhir/Patient?name=a+b&x=%2F&name=c", "/fhir");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->query, "name=a+b&x=%2F&name=c");
  ASSERT_NE(t->Param("name"), nullptr);
  EXPECT_EQ(*t->Param("name"), "a b");  // the first of the repeats
  EXPECT_EQ(*t->Param("x"), "/");
  EXPECT_EQ(t->Param("missing"), nullptr);

  fhir::Result<Target> no_query = ParseTarget("/fhir/Patient", "/fhir");
  ASSERT_TRUE(no_query.ok());
  EXPECT_EQ(no_query->query, "");
  EXPECT_TRUE(no_query->params.empty());
}

TEST(ParseTargetTest, OtherBasePaths) {
  struct Case {
    std::string_view target;
    std::string_view base;
    bool ok;
    Segments segments;
  };
  const Case cases[] = {
      {"/Patient/1", "", true, {"Patient", "1"}},
      {"/", "", true, {}},
      {"", "", true, {}},
      {"/api/fhir/r4/Patient", "/api/fhir/r4", true, {"Patient"}},
      {"/api/fhir/Patient", "/api/fhir/r4", false, {}},
      {"/api/fhir/r45/Patient", "/api/fhir/r4", false, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.target << " under '" << c.base << "'");
    fhir::Result<Target> t = ParseTarget(c.target, c.base);
    ASSERT_EQ(t.ok(), c.ok) << t.status().ToString();
    if (c.ok) {
      EXPECT_EQ(t->segments, c.segments);
    }
  }
}

TEST(PercentDecodeTest, Table) {
  struct Case {
    std::string_view in;
    bool plus_is_space;
    std::string out;
  };
  const Case cases[] = {
      {"", false, ""},
      {"abc", false, "abc"},
      {"a+b", false, "a+b"},
      {"a+b", true, "a b"},
      {"%2B", true, "+"},
      {"%41%42%43", false, "ABC"},
      {"%e2%82%ac", false, "\xE2\x82\xAC"},
      {"%FF", false, "\xFF"},  // bytes, not checked for UTF-8 here
      {"100%25", false, "100%"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    fhir::Result<std::string> r = PercentDecode(c.in, c.plus_is_space);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.out);
  }
  for (std::string_view bad : {"%", "%0", "a%", "%00", "%0x", "%x0", "%-1"}) {
    SCOPED_TRACE(bad);
    fhir::Result<std::string> r = PercentDecode(bad, true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), fhir::Code::kInvalidInput);
  }
}

TEST(PercentEncodeTest, Table) {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {"", ""},
      {"AZaz09-._~", "AZaz09-._~"},  // RFC 3986 unreserved
      {" ", "%20"},
      {"+", "%2B"},
      {"/", "%2F"},
      {"a&b=c?d#e", "a%26b%3Dc%3Fd%23e"},
      {"%", "%25"},
      {"\xC3\xA9", "%C3%A9"},
      {"Patient/1|x", "Patient%2F1%7Cx"},
      {"2024-01-01T00:00:00+01:00", "2024-01-01T00%3A00%3A00%2B01%3A00"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(PercentEncode(c.in), c.out);
  }
}

TEST(PercentEncodeTest, DecodesBackToEveryByte) {
  std::string all;
  for (int b = 1; b < 256; ++b) all += static_cast<char>(b);
  for (bool plus_is_space : {false, true}) {
    fhir::Result<std::string> r = PercentDecode(PercentEncode(all), plus_is_space);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, all);
  }
}

}  // namespace
}  // namespace schakel::server::rest
