#include "fhir/json/parse.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fhir/json/write.h"

namespace schakel::fhir::json {
namespace {

// Well-formed documents in the form our writer produces: Parse + Serialize gives the same bytes.
TEST(ParseTest, RoundTripsByteExactly) {
  const std::string_view cases[] = {
      // Numbers keep their source text (FHIR decimals carry precision).
      R"({"a":1.50,"b":[0.010,-0,1e3,12345678901234567890.123]})",
      "1.50",
      "0.010",
      "-0",
      "-0.0",
      "1e3",
      "1E+3",
      "-1.5e-10",
      "0.1000000000000000055511151231257827",
      "123456789012345678901234567890123456789012345678901234567890",
      "-9223372036854775809",
      "18446744073709551616",
      "[1.0,1.00,1.000,100,1e-400,1e308,-1e308]",
      "0.00000000000000000000000000000000000000000000000000000000000000000000000000000001",
      "1.00000000000000000000000000000000000000000000000000000000000000000000000000000000",
      // Scalars at the root (RFC 8259).
      "null",
      "true",
      "false",
      R"("")",
      R"("text")",
      // Empty containers and member order.
      "{}",
      "[]",
      R"({"a":[],"b":{}})",
      R"({"z":1,"a":2,"m":{"y":true,"b":null},"resourceType":"Patient"})",
      R"([{"b":1,"a":2},{"a":2,"b":1}])",
      // Unicode as raw UTF-8 (2, 3 and 4-byte sequences).
      "{\"name\":\"Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80\"}",
      "{\"\xC3\xA9\":\"key with a non-ASCII name\"}",
      // Escapes in the canonical form the writer uses.
      R"("quote\" backslash\\ nl\n cr\r tab\t bs\b ff\f")",
      R"("control \u0000 \u0001 \u001F")",
      R"({"a\"b":"c\\d"})",
      // A FHIR resource.
      R"({"resourceType":"Observation","id":"bp-1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"valueQuantity":{"value":120.0,"unit":"mm[Hg]"},"_status":{"extension":[{"url":"http://example.org/x","valueBoolean":false}]}})",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    Result<Value> v = Parse(text);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(Serialize(*v), text);
  }
}

// Escapes the writer spells differently still decode to the same value.
TEST(ParseTest, DecodesEscapes) {
  struct Case {
    std::string_view json;
    std::string text;
  };
  const Case cases[] = {
      {R"("\u00e9")", "\xC3\xA9"},
      {R"("\u00E9")", "\xC3\xA9"},
      {R"("\/")", "/"},
      {R"("\uD83D\uDE00")", "\xF0\x9F\x98\x80"},
      {R"("\u20AC")", "\xE2\x82\xAC"},
      {R"("a\u0000b")", std::string("a\0b", 3)},
      {R"("\u001f")", "\x1F"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    Result<Value> v = Parse(c.json);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_TRUE(v->is_string());
    EXPECT_EQ(v->text(), c.text);
    // And the canonical form round-trips from there.
    Result<Value> again = Parse(Serialize(*v));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(*again, *v);
  }
}

TEST(ParseTest, BuildsTheExpectedTree) {
  Result<Value> v =
      Parse(R"({"resourceType":"Patient","active":true,"name":[{"given":["A","B"]}],"x":null})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_object());
  ASSERT_EQ(v->size(), 4u);
  EXPECT_EQ(v->members()[0].name, "resourceType");
  EXPECT_EQ(*v->FindString("resourceType"), "Patient");
  EXPECT_TRUE(v->Find("active")->is_bool());
  EXPECT_TRUE(v->Find("active")->bool_value());
  EXPECT_TRUE(v->Find("x")->is_null());
  const Value& given = v->Find("name")->items()[0].Find("given")->items()[1];
  EXPECT_TRUE(given.is_string());
  EXPECT_EQ(given.text(), "B");
}

TEST(ParseTest, AcceptsWhitespaceAroundTokens) {
  Result<Value> v = Parse(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Serialize(*v), R"({"a":[1,2]})");
}

TEST(ParseTest, AcceptsALeadingByteOrderMark) {
  Result<Value> v = Parse("\xEF\xBB\xBF{\"a\":1}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Serialize(*v), R"({"a":1})");
}

TEST(ParseTest, RejectsMalformedDocuments) {
  const std::string_view cases[] = {
      // Empty and truncated.
      "",
      "   ",
      "{",
      "[1,2",
      R"({"a":)",
      R"({"a")",
      R"({"a":1)",
      R"("unterminated)",
      "tru",
      "nul",
      "-",
      // Trailing content.
      R"({"a":1} x)",
      "{}{}",
      "[] []",
      "1 2",
      "{},",
      // Grammar.
      R"({"a" 1})",
      R"({"a":1,})",
      "[1,]",
      "[,1]",
      "{a:1}",
      "{'a':1}",
      R"({"a":1 "b":2})",
      R"({1:2})",
      // Numbers outside RFC 8259.
      "01",
      "1.",
      ".5",
      "+1",
      "1e",
      "0x10",
      "NaN",
      "Infinity",
      "-Infinity",
      // Strings.
      R"("bad \x escape")",
      R"("\u12")",
      R"("\uD800")",
      R"("\uD800\u0041")",
      "\"raw\ttab\"",
      "\"raw\nnewline\"",
      // No comments in JSON.
      "// c\n{}",
      "/* c */ {}",
      "{} // c",
      // Byte order mark only, twice, or not at the start.
      "\xEF\xBB\xBF",
      "\xEF\xBB\xBF\xEF\xBB\xBF{}",
      " \xEF\xBB\xBF{}",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    Result<Value> v = Parse(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Code::kInvalidInput);
    EXPECT_NE(v.status().ToString().find("at byte"), std::string::npos) << v.status().ToString();
  }
}

TEST(ParseTest, RejectsInvalidUtf8) {
  const std::string_view cases[] = {
      "\"\xFF\"",                          // never valid in UTF-8
      "\"\xC3\"",                          // truncated two-byte sequence
      "\"\xE6\x97\"",                      // truncated three-byte sequence
      "\"\x80\"",                          // lone continuation byte
      "\"\xC0\x80\"",                      // overlong NUL
      "\"\xC1\xBF\"",                      // overlong
      "\"\xE0\x80\xAF\"",                  // overlong '/'
      "\"\xED\xA0\x80\"",                  // UTF-16 surrogate encoded in UTF-8
      "\"\xF4\x90\x80\x80\"",              // beyond U+10FFFF
      "\"\xF5\x80\x80\x80\"",              // invalid lead byte
      "{\"\xFF\":1}",                      // in a member name
      "{\"name\":\"ok\",\"x\":\"\xFE\"}",  // deeper in the document
      "\xFF",                              // outside any string
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(testing::PrintToString(std::string(text)));
    Result<Value> v = Parse(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Code::kInvalidInput);
  }
}

TEST(ParseTest, RejectsDuplicateMemberNames) {
  std::string large_with_duplicate = "{";
  std::string large_with_duplicate_at_ends = "{\"dup\":0";
  for (int i = 0; i < 20; ++i) {
    if (i > 0) large_with_duplicate += ",";
    large_with_duplicate += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    large_with_duplicate_at_ends += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  }
  large_with_duplicate += ",\"k7\":99}";
  large_with_duplicate_at_ends += ",\"dup\":1}";
  std::string seventeen_with_duplicate = "{";  // just past a 16-member boundary
  for (int i = 0; i < 16; ++i) {
    seventeen_with_duplicate += "\"m" + std::to_string(i) + "\":true,";
  }
  seventeen_with_duplicate += "\"m15\":false}";

  const std::string cases[] = {
      R"({"a":1,"a":2})",       R"({"a":1,"a":1})",           R"({"a":1,"b":2,"a":3})",
      R"({"x":{"b":1,"b":1}})", R"([{"a":1},{"a":1,"a":1}])", R"({"a":{},"a":[]})",
      large_with_duplicate,     large_with_duplicate_at_ends, seventeen_with_duplicate,
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    Result<Value> v = Parse(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Code::kInvalidInput);
    EXPECT_NE(v.status().ToString().find("duplicate member name"), std::string::npos)
        << v.status().ToString();
  }
}

TEST(ParseTest, AcceptsDistinctMemberNames) {
  std::string large = "{";
  for (int i = 0; i < 40; ++i) {
    if (i > 0) large += ",";
    large += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
  }
  large += "}";
  const std::string cases[] = {
      R"({"a":1,"A":2})",        // names are case-sensitive
      R"([{"a":1},{"a":2}])",    // the same name in sibling objects
      R"({"a":{"a":{"a":1}}})",  // and in nested ones
      R"({"given":["x"],"_given":[null]})",
      large,
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    Result<Value> v = Parse(text);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(Serialize(*v), text);
  }
}

TEST(ParseTest, EnforcesMaxDepth) {
  ParseLimits limits;
  limits.max_depth = 3;
  struct Case {
    std::string_view json;
    bool ok;
  };
  const Case cases[] = {
      {"1", true},
      {"[[[]]]", true},
      {"[[[1,2],[3]],[]]", true},
      {R"({"a":{"b":{"c":1}}})", true},
      {R"({"a":[{"c":1}]})", true},
      {"[[[[]]]]", false},
      {R"({"a":{"b":{"c":{}}}})", false},
      {R"({"a":[{"c":[]}]})", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    Result<Value> v = Parse(c.json, limits);
    EXPECT_EQ(v.ok(), c.ok) << v.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(v.status().code(), Code::kInvalidInput);
      EXPECT_NE(v.status().ToString().find("nesting deeper than 3"), std::string::npos)
          << v.status().ToString();
    }
  }
}

TEST(ParseTest, DefaultDepthLimitIs128) {
  const std::size_t depth = ParseLimits{}.max_depth;
  ASSERT_EQ(depth, 128u);
  Result<Value> at_limit = Parse(std::string(depth, '[') + std::string(depth, ']'));
  EXPECT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  Result<Value> beyond = Parse(std::string(depth + 1, '[') + std::string(depth + 1, ']'));
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), Code::kInvalidInput);
}

// Hostile input must fail cleanly, not exhaust the stack.
TEST(ParseTest, RejectsVeryDeepNestingWithoutCrashing) {
  constexpr std::size_t kDepth = 100'000;
  std::string nested_objects;
  nested_objects.reserve(kDepth * 6);
  for (std::size_t i = 0; i < kDepth; ++i) nested_objects += "{\"a\":";
  nested_objects += "1" + std::string(kDepth, '}');
  const std::string cases[] = {
      std::string(kDepth, '[') + std::string(kDepth, ']'),
      std::string(kDepth, '['),  // never closed
      nested_objects,
  };
  for (const std::string& text : cases) {
    Result<Value> v = Parse(text);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Code::kInvalidInput);
    EXPECT_NE(v.status().ToString().find("nesting deeper than 128"), std::string::npos)
        << v.status().ToString();
  }
}

TEST(ParseTest, EnforcesMaxValues) {
  struct Case {
    std::string_view json;
    std::size_t max_values;
    bool ok;
  };
  // Every value, member name and array item is counted once.
  const Case cases[] = {
      {"1", 1, true},
      {"1", 0, false},
      {"[1,2,3]", 4, true},  // the array and its three items
      {"[1,2,3]", 3, false},
      {R"({"a":1,"b":2})", 5, true},  // the object, two names, two values
      {R"({"a":1,"b":2})", 4, false},
      {R"([[],[[]]])", 4, true},
      {R"([[],[[]]])", 3, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.json << " max_values=" << c.max_values);
    ParseLimits limits;
    limits.max_values = c.max_values;
    Result<Value> v = Parse(c.json, limits);
    EXPECT_EQ(v.ok(), c.ok) << v.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(v.status().code(), Code::kInvalidInput);
      EXPECT_NE(v.status().ToString().find("more than " + std::to_string(c.max_values) + " values"),
                std::string::npos)
          << v.status().ToString();
    }
  }
}

TEST(ParseTest, MaxValuesBoundsAWideDocument) {
  ParseLimits limits;
  limits.max_values = 1000;
  std::string wide = "[";
  for (int i = 0; i < 5000; ++i) wide += i == 0 ? "0" : ",0";
  wide += "]";
  Result<Value> v = Parse(wide, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kInvalidInput);
  EXPECT_TRUE(Parse(wide).ok());
}

TEST(ParseTest, ErrorNamesTheByteOffset) {
  Result<Value> v = Parse(R"({"a":1} x)");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().ToString().find("at byte 8"), std::string::npos) << v.status().ToString();
}

// Regression (bug found by this test): RapidJSON's MemoryStream reports a NUL byte as the end of
// input, so anything after a NUL that followed a complete document was ignored and
// `{"resourceType":"Patient"}\0<anything>` was accepted, although parse.h rejects trailing content.
TEST(ParseTest, BugRejectsContentAfterANulByte) {
  const std::string nul(1, '\0');
  const std::string cases[] = {
      "{}" + nul,
      "{}" + nul + "garbage",
      R"({"resourceType":"Patient"})" + nul + R"({"x":)",
      "1" + nul + " 2",
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(testing::PrintToString(text));
    Result<Value> v = Parse(text);
    EXPECT_FALSE(v.ok()) << "accepted: " << Serialize(*v);
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), Code::kInvalidInput);
    }
  }
}

// Regression (bug found by this test): a lone low surrogate escape was accepted and decoded to the
// bytes ED B0 80, which are not UTF-8 (RapidJSON only checks that a high surrogate is followed by
// a low one). Serialize wrote those bytes out raw and our own Parse then rejected that output
// ("Invalid encoding in string"), so a stored resource could not be read back.
TEST(ParseTest, BugRejectsLoneLowSurrogates) {
  for (std::string_view text :
       {R"("\uDC00")", R"("\uDFFF")", R"("a\uDC00b")", R"("\uDC00\uDC00")", R"({"\uDC00":1})"}) {
    SCOPED_TRACE(text);
    Result<Value> v = Parse(text);
    EXPECT_FALSE(v.ok()) << "accepted, and re-parsing our own output gives: "
                         << Parse(Serialize(*v)).status().ToString();
  }
}

}  // namespace
}  // namespace schakel::fhir::json
