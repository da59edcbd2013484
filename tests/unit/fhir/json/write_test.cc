#include "fhir/json/write.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fhir/json/parse.h"

namespace schakel::fhir::json {
namespace {

TEST(SerializeTest, WritesBuiltValuesCompactly) {
  Value v = Value::Object();
  v.Set("resourceType", Value::String("Patient"));
  v.Set("active", Value::Bool(true));
  v.Set("deceased", Value::Bool(false));
  v.Set("weight", Value::Number("72.50"));
  v.Set("count", Value::Integer(-3));
  v.Set("nothing", Value::Null());
  Value& name = v.Set("name", Value::Array());
  name.Push(Value::Object()).Set("family", Value::String("Bakker \"de\" \\ \n"));
  v.Set("empty", Value::Object());
  EXPECT_EQ(Serialize(v),
            R"({"resourceType":"Patient","active":true,"deceased":false,"weight":72.50,)"
            R"("count":-3,"nothing":null,"name":[{"family":"Bakker \"de\" \\ \n"}],"empty":{}})");
}

TEST(SerializeTest, EscapesControlCharactersAndKeepsUnicode) {
  EXPECT_EQ(Serialize(Value::String(std::string("a\0b", 3))), R"("a\u0000b")");
  EXPECT_EQ(Serialize(Value::String("\x01\x1f\x7f")), "\"\\u0001\\u001F\x7f\"");
  EXPECT_EQ(Serialize(Value::String("\xC3\xA9 \xF0\x9F\x98\x80")), "\"\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Serialize(Value::String("a/b")), R"("a/b")");
}

TEST(PrettyTest, IndentsAndKeepsNumbersExactly) {
  const std::string compact =
      R"({"a":1.50,"b":[0.010,-0,1e3,12345678901234567890.123],"c":{},"d":[],"e":{"f":"x\"y","g":null,"h":true}})";
  const std::string expected = R"({
  "a": 1.50,
  "b": [
    0.010,
    -0,
    1e3,
    12345678901234567890.123
  ],
  "c": {},
  "d": [],
  "e": {
    "f": "x\"y",
    "g": null,
    "h": true
  }
})";
  EXPECT_EQ(Pretty(compact), expected);
  // Pretty text parses back to the same document.
  Result<Value> reparsed = Parse(Pretty(compact));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_EQ(Serialize(*reparsed), compact);
}

TEST(PrettyTest, Scalars) {
  EXPECT_EQ(Pretty("1.50"), "1.50");
  EXPECT_EQ(Pretty(R"("s")"), R"("s")");
  EXPECT_EQ(Pretty("[1]"), "[\n  1\n]");
}

TEST(PrettyTest, ReturnsMalformedInputUnchanged) {
  // The contract requires well-formed input; bad input must at least not be mangled or crash.
  for (std::string_view bad : {"{", R"({"a":})", "", "[1,]"}) {
    EXPECT_EQ(Pretty(bad), bad);
  }
}

TEST(JsonWriterTest, EmbedsRawObjects) {
  JsonWriter w;
  w.StartObject();
  w.Member("resourceType", "Bundle");
  w.Key("total");
  w.Int(2);
  w.Key("entry");
  w.StartArray();
  w.StartObject();
  w.Key("resource");
  w.RawObject(R"({"resourceType":"Patient","id":"1","value":1.50})");
  w.EndObject();
  w.StartObject();
  w.Key("resource");
  w.RawObject(R"({"resourceType":"Patient","id":"2"})");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  const std::string text = w.Take();
  EXPECT_EQ(text, R"({"resourceType":"Bundle","total":2,"entry":[)"
                  R"({"resource":{"resourceType":"Patient","id":"1","value":1.50}},)"
                  R"({"resource":{"resourceType":"Patient","id":"2"}}]})");
  EXPECT_TRUE(Parse(text).ok());
}

TEST(JsonWriterTest, RawObjectsAsArrayItems) {
  JsonWriter w;
  w.StartArray();
  w.RawObject(R"({"a":1})");
  w.RawObject("{}");
  w.Bool(false);
  w.EndArray();
  EXPECT_EQ(w.Take(), R"([{"a":1},{},false])");
}

TEST(JsonWriterTest, WritesValuesAndScalars) {
  Result<Value> v = Parse(R"({"x":[1.0,"s",null,{"y":-0}]})");
  ASSERT_TRUE(v.ok());
  JsonWriter w;
  w.StartObject();
  w.Key("value");
  w.Write(*v);
  w.Key("min");
  w.Int(INT64_MIN);
  w.Key("t");
  w.Bool(true);
  w.Member("esc", "line\nbreak \"q\"");
  w.EndObject();
  EXPECT_EQ(w.Take(),
            R"({"value":{"x":[1.0,"s",null,{"y":-0}]},"min":-9223372036854775808,"t":true,)"
            R"("esc":"line\nbreak \"q\""})");
}

}  // namespace
}  // namespace schakel::fhir::json
