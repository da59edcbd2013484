#include "fhir/primitives/formats.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "fhir/json/parse.h"
#include "fhir/primitives/date_time.h"

namespace schakel::fhir {
namespace {

struct Case {
  std::string_view json;  // the value as JSON text
  // Empty when the value is valid; otherwise a part of the expected reason.
  std::string_view reason;
};

json::Value MustParse(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? std::move(v).value() : json::Value();
}

void ExpectCases(std::string_view type_code, std::span<const Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(type_code) + " " + std::string(c.json));
    const std::string reason = CheckPrimitive(type_code, MustParse(c.json));
    if (c.reason.empty()) {
      EXPECT_EQ(reason, "");
    } else {
      EXPECT_NE(reason.find(c.reason), std::string::npos) << reason;
    }
  }
}

// Every R4 primitive wants one JSON kind; the wrong kind is an error whatever the text.
TEST(CheckPrimitiveTest, JsonKindMustMatchTheType) {
  struct KindCase {
    std::string_view type;
    std::string_view json;
    std::string_view reason;
  };
  const KindCase cases[] = {
      {"boolean", R"("true")", "expected JSON true or false, not a string"},
      {"boolean", "1", "expected JSON true or false, not a number"},
      {"boolean", "null", "expected JSON true or false, not null"},
      {"integer", R"("2")", "expected a JSON number, not a string"},
      {"integer", "true", "expected a JSON number, not a boolean"},
      {"decimal", R"("1.5")", "expected a JSON number, not a string"},
      {"unsignedInt", R"("0")", "expected a JSON number, not a string"},
      {"positiveInt", R"("1")", "expected a JSON number, not a string"},
      {"string", "12", "expected a JSON string, not a number"},
      {"string", "false", "expected a JSON string, not a boolean"},
      {"string", "[\"a\"]", "expected a JSON string, not an array"},
      {"string", "{}", "expected a JSON string, not an object"},
      {"code", "1", "expected a JSON string, not a number"},
      {"date", "2024", "expected a JSON string, not a number"},
      {"dateTime", "null", "expected a JSON string, not null"},
      {"id", "123", "expected a JSON string, not a number"},
      {"uri", "true", "expected a JSON string, not a boolean"},
      {"xhtml", "{}", "expected a JSON string, not an object"},
      {"markdown", "1", "expected a JSON string, not a number"},
      {"time", "10", "expected a JSON string, not a number"},
      {"base64Binary", "1234", "expected a JSON string, not a number"},
      {"instant", "0", "expected a JSON string, not a number"},
      {"oid", "1", "expected a JSON string, not a number"},
      {"uuid", "1", "expected a JSON string, not a number"},
      {"url", "1", "expected a JSON string, not a number"},
      {"canonical", "1", "expected a JSON string, not a number"},
  };
  for (const KindCase& c : cases) {
    SCOPED_TRACE(std::string(c.type) + " " + std::string(c.json));
    EXPECT_EQ(CheckPrimitive(c.type, MustParse(c.json)), c.reason);
  }
}

TEST(CheckPrimitiveTest, EmptyStringsAreNeverValid) {
  for (std::string_view type :
       {"string", "code", "id", "uri", "url", "canonical", "markdown", "date", "dateTime",
        "instant", "time", "oid", "uuid", "base64Binary", "xhtml"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(CheckPrimitive(type, json::Value::String("")),
              "not a valid " + std::string(type) + ": empty string (omit the element instead)");
  }
}

TEST(CheckPrimitiveTest, Boolean) {
  const Case cases[] = {{"true", ""}, {"false", ""}, {R"("false")", "not a string"}};
  ExpectCases("boolean", cases);
}

TEST(CheckPrimitiveTest, Integer) {
  const Case cases[] = {
      {"0", ""},
      {"1", ""},
      {"-1", ""},
      {"-0", ""},  // the R4 regex allows it
      {"42", ""},
      {"2147483647", ""},
      {"-2147483648", ""},
      {"2147483648", "out of the 32-bit range"},
      {"-2147483649", "out of the 32-bit range"},
      {"99999999999999999999999", "out of the 32-bit range"},
      {"1.0", "has a fraction or exponent"},
      {"1.5", "has a fraction or exponent"},
      {"1e3", "has a fraction or exponent"},
      {"1E+2", "has a fraction or exponent"},
  };
  ExpectCases("integer", cases);
}

TEST(CheckPrimitiveTest, UnsignedInt) {
  const Case cases[] = {
      {"0", ""},
      {"1", ""},
      {"2147483647", ""},
      {"2147483648", "out of the 32-bit range"},
      {"-1", "must not be negative"},
      {"-0", "must not be negative"},
      {"3.0", "has a fraction or exponent"},
      {"1e2", "has a fraction or exponent"},
  };
  ExpectCases("unsignedInt", cases);
}

TEST(CheckPrimitiveTest, PositiveInt) {
  const Case cases[] = {
      {"1", ""},
      {"7", ""},
      {"2147483647", ""},
      {"0", "must be at least 1"},
      {"-5", "must not be negative"},
      {"2147483648", "out of the 32-bit range"},
      {"1.5", "has a fraction or exponent"},
  };
  ExpectCases("positiveInt", cases);
}

TEST(CheckPrimitiveTest, Decimal) {
  const Case cases[] = {
      {"0", ""},        {"-0", ""},
      {"1.50", ""},     {"0.0001", ""},
      {"-3.14159", ""}, {"1e3", ""},
      {"1E3", ""},      {"1.5e-10", ""},
      {"2.0E+5", ""},   {"12345678901234567890.123456789", ""},
      {"-0.0", ""},
  };
  ExpectCases("decimal", cases);
  // The JSON parser only produces valid number literals; a caller-made number is still checked.
  struct TextCase {
    std::string_view text;
    std::string_view reason;
  };
  const TextCase bad[] = {
      {"01", "leading zero"},
      {"1.", "expected digits after '.'"},
      {".5", "expected digits"},
      {"1e", "expected digits in the exponent"},
      {"1e+", "expected digits in the exponent"},
      {"+1", "expected digits"},
      {"1.5.2", "unexpected characters"},
      {"NaN", "expected digits"},
      {"-", "expected digits"},
  };
  for (const TextCase& c : bad) {
    SCOPED_TRACE(c.text);
    const std::string reason = CheckPrimitive("decimal", json::Value::Number(std::string(c.text)));
    EXPECT_NE(reason.find(c.reason), std::string::npos) << reason;
  }
  EXPECT_EQ(CheckPrimitive("integer", json::Value::Number("01")),
            "not a valid integer: leading zero");
  EXPECT_EQ(CheckPrimitive("integer", json::Value::Number("-")),
            "not a valid integer: expected digits");
}

TEST(CheckPrimitiveTest, String) {
  const Case cases[] = {
      {R"("a")", ""},
      {R"("Hello, world")", ""},
      {R"(" ")", ""},  // whitespace-only matches the R4 regex [ \r\n\t\S]+
      {R"("line one\nline two\r\n\ttabbed")", ""},
      {R"("caf\u00e9 \u4e2d\u6587 \ud83d\ude00")", ""},
      {R"("\u007f")", ""},  // DEL is not below U+0020
      {R"("a\u0000b")", "control character U+0000 at offset 1"},
      {R"("\u0001")", "control character U+0001 at offset 0"},
      {R"("bell\u0007")", "control character U+0007 at offset 4"},
      {R"("form\ffeed")", "control character U+000C"},
      {R"("vertical\u000btab")", "control character U+000B"},
      {R"("\u001f")", "control character U+001F"},
  };
  ExpectCases("string", cases);
  ExpectCases("markdown", cases);
}

TEST(CheckPrimitiveTest, StringLengthIsBoundInCharacters) {
  EXPECT_EQ(CheckPrimitive("string", json::Value::String(std::string(kMaxStringLength, 'a'))), "");
  EXPECT_EQ(CheckPrimitive("string", json::Value::String(std::string(kMaxStringLength + 1, 'a'))),
            "not a valid string: longer than 1048576 characters");
  // 2 bytes per character: more bytes than the bound, but not more characters.
  std::string two_byte;
  for (std::size_t i = 0; i < kMaxStringLength; ++i) two_byte += "\xc3\xa9";
  EXPECT_EQ(CheckPrimitive("string", json::Value::String(two_byte)), "");
  two_byte += "x";
  EXPECT_EQ(CheckPrimitive("string", json::Value::String(two_byte)),
            "not a valid string: longer than 1048576 characters");
}

TEST(CheckPrimitiveTest, Code) {
  const Case cases[] = {
      {R"("male")", ""},
      {R"("in-progress")", ""},
      {R"("a b")", ""},
      {R"("one two three")", ""},
      {R"("a\tb")", ""},  // \s in the regex: one whitespace character of any kind
      {R"("[lb_av]")", ""},
      {R"("x")", ""},
      {R"(" male")", "leading whitespace"},
      {R"("male ")", "trailing whitespace"},
      {R"(" ")", "leading whitespace"},
      {R"("a  b")", "consecutive whitespace"},
      {R"("a \tb")", "consecutive whitespace"},
      {R"("a\n")", "trailing whitespace"},
      {R"("a\u0001b")", "control character U+0001"},
  };
  ExpectCases("code", cases);
}

TEST(CheckPrimitiveTest, Id) {
  const std::string max_id(64, 'a');
  const std::string long_id(65, 'a');
  const std::string max_json = "\"" + max_id + "\"";
  const std::string long_json = "\"" + long_id + "\"";
  const Case cases[] = {
      {R"("example")", ""},
      {R"("123")", ""},
      {R"("a-b.c")", ""},
      {R"("ABC-xyz.09")", ""},
      {R"(".")", ""},
      {max_json, ""},
      {long_json, "longer than 64 characters"},
      {R"("a_b")", "only letters, digits, '-' and '.' are allowed"},
      {R"("a b")", "only letters"},
      {R"("Patient/1")", "only letters"},
      {R"("caf\u00e9")", "only letters"},
  };
  ExpectCases("id", cases);
}

TEST(CheckPrimitiveTest, UriUrlCanonical) {
  const Case cases[] = {
      {R"("http://hl7.org/fhir/StructureDefinition/Patient")", ""},
      {R"("urn:oid:1.2.3")", ""},
      {R"("Patient/123")", ""},
      {R"("#contained")", ""},
      {R"("http://hl7.org/fhir/ValueSet/x|4.0.1")", ""},
      {R"("http://example.org/a%20b")", ""},
      {R"("http://example.org/a b")", "contains whitespace"},
      {R"(" http://example.org")", "contains whitespace"},
      {R"("http://example.org\n")", "contains whitespace"},
      {R"("a\tb")", "contains whitespace"},
      {R"("a\u0001b")", "control character U+0001"},
  };
  ExpectCases("uri", cases);
  ExpectCases("url", cases);
  ExpectCases("canonical", cases);
}

TEST(CheckPrimitiveTest, Oid) {
  const Case cases[] = {
      {R"("urn:oid:1.2.3")", ""},
      {R"("urn:oid:2.16.840.1.113883.6.96")", ""},
      {R"("urn:oid:0.0")", ""},
      {R"("urn:oid:1.0.10")", ""},
      {R"("urn:oid:1")", "needs at least two arcs"},
      {R"("urn:oid:3.1")", "the first arc must be 0, 1 or 2"},
      {R"("urn:oid:1.02")", "arc with a leading zero"},
      {R"("urn:oid:1..2")", "empty arc"},
      {R"("urn:oid:1.2.")", "empty arc"},
      {R"("urn:oid:1.2a")", "arcs are numbers separated by '.'"},
      {R"("urn:oid:")", "the first arc must be 0, 1 or 2"},
      {R"("1.2.3")", "must start with urn:oid:"},
      {R"("URN:OID:1.2.3")", "must start with urn:oid:"},
  };
  ExpectCases("oid", cases);
}

TEST(CheckPrimitiveTest, Uuid) {
  const Case cases[] = {
      {R"("urn:uuid:c757873d-ec9a-4326-a141-556f43239520")", ""},
      {R"("urn:uuid:00000000-0000-0000-0000-000000000000")", ""},
      {R"("urn:uuid:C757873D-EC9A-4326-A141-556F43239520")", "hex digits must be lowercase"},
      {R"("urn:uuid:c757873d-ec9a-4326-a141-556f4323952")", "expected 8-4-4-4-12 hex digits"},
      {R"("urn:uuid:c757873d-ec9a-4326-a141-556f432395200")", "expected 8-4-4-4-12"},
      {R"("urn:uuid:c757873dec9a-4326-a141-556f43239520")", "expected 8-4-4-4-12"},
      {R"("urn:uuid:c757873d-ec9a-4326-a141_556f43239520")", "expected 8-4-4-4-12"},
      {R"("urn:uuid:g757873d-ec9a-4326-a141-556f43239520")", "expected 8-4-4-4-12"},
      {R"("c757873d-ec9a-4326-a141-556f43239520")", "must start with urn:uuid:"},
  };
  ExpectCases("uuid", cases);
}

TEST(CheckPrimitiveTest, Base64Binary) {
  const Case cases[] = {
      {R"("AAAA")", ""},
      {R"("SGVsbG8=")", ""},
      {R"("SGVsbA==")", ""},
      {R"("SGVs bG8h")", ""},  // whitespace between groups of four
      {R"("SGVs\nbG8h\r\n")", ""},
      {R"(" SGVsbG8h ")", ""},
      {R"("ab+/09AZ")", ""},
      {R"("SGVsbG8")", "length is not a multiple of 4"},
      {R"("SGV sbG8h")", "whitespace inside a group of four characters"},
      {R"("SGVsbG8*")", "invalid character"},
      {R"("SGVs-_8h")", "invalid character"},  // base64url is not base64
      {R"("====")", "misplaced '=' padding"},
      {R"("S===")", "misplaced '=' padding"},
      {R"("SG=s")", "data after '=' padding"},
      {R"("SGk=SGk=")", "data after '=' padding"},
      {R"("   ")", "no data"},
  };
  ExpectCases("base64Binary", cases);
}

TEST(CheckPrimitiveTest, Date) {
  const Case cases[] = {
      {R"("2024")", ""},
      {R"("2024-02")", ""},
      {R"("2024-02-29")", ""},  // leap year
      {R"("2000-02-29")", ""},  // divisible by 400
      {R"("0001-01-01")", ""},
      {R"("9999-12-31")", ""},
      {R"("2024-13")", "month 13"},
      {R"("2024-00")", "month 00"},
      {R"("2023-02-29")", "day 29 does not exist in 2023-02"},
      {R"("1900-02-29")", "day 29 does not exist in 1900-02"},
      {R"("2024-04-31")", "day 31 does not exist in 2024-04"},
      {R"("2024-01-00")", "day 00 does not exist"},
      {R"("2024-01-32")", "day 32"},
      {R"("0000")", "year 0000"},
      {R"("24")", "expected a four-digit year"},
      {R"("20245")", "unexpected characters after the date"},
      {R"("2024-1")", "expected a two-digit month"},
      {R"("2024-01-1")", "expected a two-digit day"},
      {R"("2024/01/01")", "unexpected characters after the date"},
      {R"("2024-01-01T10:00:00Z")", "has a time (that is a dateTime)"},
      {R"("2024-01-01 ")", "unexpected characters after the date"},
  };
  ExpectCases("date", cases);
}

TEST(CheckPrimitiveTest, DateTime) {
  const Case cases[] = {
      {R"("2024")", ""},
      {R"("2024-03")", ""},
      {R"("2024-03-05")", ""},
      {R"("2024-03-05T10:00:00Z")", ""},
      {R"("2024-03-05T10:00:00+01:00")", ""},
      {R"("2024-03-05T10:00:00-05:30")", ""},
      {R"("2024-03-05T23:59:59.999999Z")", ""},
      {R"("2024-03-05T00:00:00.1+14:00")", ""},
      {R"("2024-03-05T00:00:00-00:00")", ""},
      {R"("2016-12-31T23:59:60Z")", ""},  // a leap second
      {R"("2024-03-05T10:00Z")", "expected a time hh:mm:ss"},
      {R"("2024-03-05T10:00:00")", "a time needs a time zone (Z or +hh:mm)"},
      {R"("2024-03-05T10:00:00.123")", "a time needs a time zone"},
      {R"("2024-03-05T24:00:00Z")", "hour 24"},
      {R"("2024-03-05T10:60:00Z")", "minute 60"},
      {R"("2024-03-05T10:00:61Z")", "second 61"},
      {R"("2024-03-05T10:00:00.Z")", "expected digits after '.'"},
      {R"("2024-03-05T10:00:00+14:30")", "time zone offset beyond 14:00"},
      {R"("2024-03-05T10:00:00+15:00")", "time zone offset beyond 14:00"},
      {R"("2024-03-05T10:00:00+01:60")", "time zone offset beyond 14:00"},
      {R"("2024-03-05T10:00:00+0100")", "expected a time zone Z or +hh:mm"},
      {R"("2024-03-05T10:00:00 01:00")", "a time needs a time zone"},
      {R"("2024-03-05T10:00:00z")", "a time needs a time zone"},
      {R"("2024-03-05T10:00:00ZZ")", "unexpected characters after the time zone"},
      {R"("2024-03-05t10:00:00Z")", "unexpected characters after the date"},
      {R"("2024-03T10:00:00Z")", "a time needs a full date"},
      {R"("2024-02-30T10:00:00Z")", "day 30 does not exist in 2024-02"},
      {R"("2024-03-05T")", "expected a time hh:mm:ss"},
  };
  ExpectCases("dateTime", cases);
}

TEST(CheckPrimitiveTest, Instant) {
  const Case cases[] = {
      {R"("2024-03-05T10:00:00Z")", ""},
      {R"("2024-03-05T10:00:00.123Z")", ""},
      {R"("2024-03-05T10:00:00.123+02:00")", ""},
      {R"("2024-03-05")", "needs a time to the second with a time zone"},
      {R"("2024")", "needs a time to the second with a time zone"},
      {R"("2024-03-05T10:00:00")", "a time needs a time zone"},
      {R"("2024-03-05T10:00Z")", "expected a time hh:mm:ss"},
      {R"("2024-13-05T10:00:00Z")", "month 13"},
  };
  ExpectCases("instant", cases);
}

TEST(CheckPrimitiveTest, Time) {
  const Case cases[] = {
      {R"("00:00:00")", ""},
      {R"("10:30:00")", ""},
      {R"("23:59:59.999")", ""},
      {R"("23:59:60")", ""},
      {R"("24:00:00")", "hour 24"},
      {R"("10:61:00")", "minute 61"},
      {R"("10:30")", "expected a time hh:mm:ss"},
      {R"("1:30:00")", "expected a time hh:mm:ss"},
      {R"("10:30:00Z")", "unexpected characters after the time"},
      {R"("10:30:00+01:00")", "unexpected characters after the time"},
      {R"("10:30:00.")", "expected digits after '.'"},
  };
  ExpectCases("time", cases);
}

TEST(CheckPrimitiveTest, Xhtml) {
  const Case cases[] = {
      {R"("<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>")", ""},
      {R"("<div>x</div>")", ""},
      {R"("\n  <div>x</div>")", ""},
      {R"("<div/>")", ""},
      {R"("<p>x</p>")", "must be a <div> element"},
      {R"("<divx>")", "must be a <div> element"},
      {R"("<div")", "must be a <div> element"},
      {R"("text")", "must be a <div> element"},
  };
  ExpectCases("xhtml", cases);
}

TEST(CheckPrimitiveTest, UnknownTypesAreValid) {
  for (std::string_view type :
       {"HumanName", "Reference", "", "Boolean", "http://hl7.org/fhirpath/System.String"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(CheckPrimitive(type, json::Value::Object()), "");
    EXPECT_FALSE(PrimitiveTypeFromCode(type).has_value());
  }
}

TEST(CheckPrimitiveTest, TypeCodesRoundTrip) {
  constexpr std::string_view kCodes[] = {
      "boolean",      "integer",  "string",      "decimal",     "uri",  "url",  "canonical",
      "base64Binary", "instant",  "date",        "dateTime",    "time", "code", "oid",
      "id",           "markdown", "unsignedInt", "positiveInt", "uuid", "xhtml"};
  for (std::string_view code : kCodes) {
    SCOPED_TRACE(code);
    const std::optional<PrimitiveType> type = PrimitiveTypeFromCode(code);
    ASSERT_TRUE(type.has_value());
    EXPECT_EQ(PrimitiveTypeCode(*type), code);
  }
}

// The lexical check is stricter than the search-parameter parser, which tolerates a space for '+'
// (query strings decode '+' to ' '), but otherwise they agree.
TEST(CheckPrimitiveTest, DateTimeAgreesWithParseDateTime) {
  constexpr std::string_view kValues[] = {"2024",
                                          "2024-02",
                                          "2024-02-29",
                                          "2023-02-29",
                                          "2024-13",
                                          "0000",
                                          "0001-01-01",
                                          "2024-03-05T10:00:00Z",
                                          "2024-03-05T10:00:00.5-03:00",
                                          "2024-03-05T10:00:00",
                                          "2024-03-05T10:00Z",
                                          "2024-03-05T25:00:00Z",
                                          "2024-03T10:00:00Z",
                                          "2024-03-05T10:00:00+01",
                                          "2024-03-05X",
                                          "20240305"};
  for (std::string_view value : kValues) {
    SCOPED_TRACE(value);
    const bool lexical_ok =
        CheckPrimitive("dateTime", json::Value::String(std::string(value))).empty();
    EXPECT_EQ(lexical_ok, ParseDateTime(value, "test").ok());
  }
}

// A coarse guard against accidental slowness: the validator checks every primitive of every
// resource, so a check should take tens of nanoseconds (std::regex takes microseconds). Only
// optimized builds are timed; the bound leaves ample room for a loaded machine.
TEST(CheckPrimitiveTest, ChecksAreCheap) {
  const json::Value date_time = json::Value::String("2024-03-05T10:00:00.123+01:00");
  const json::Value code = json::Value::String("in-progress");
  const json::Value decimal = json::Value::Number("-123.4500");
  constexpr int kIterations = 200'000;
  std::size_t failures = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    failures += CheckPrimitive(PrimitiveType::kDateTime, date_time).size();
    failures += CheckPrimitive("code", code).size();
    failures += CheckPrimitive(PrimitiveType::kDecimal, decimal).size();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(failures, 0u);
#ifdef NDEBUG
  const auto per_check =
      std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed) / (3 * kIterations);
  EXPECT_LT(per_check.count(), 500);
#else
  (void)elapsed;
#endif
}

}  // namespace
}  // namespace schakel::fhir
