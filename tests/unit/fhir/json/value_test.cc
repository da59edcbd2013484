#include "fhir/json/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"

namespace schakel::fhir::json {
namespace {

Value MustParse(std::string_view text) {
  Result<Value> v = Parse(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : Value();
}

TEST(ValueTest, FactoriesSetKindAndContent) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value::Null().is_null());
  EXPECT_EQ(Value::Null().kind(), Kind::kNull);
  EXPECT_TRUE(Value::Bool(true).is_bool());
  EXPECT_TRUE(Value::Bool(true).bool_value());
  EXPECT_FALSE(Value::Bool(false).bool_value());
  EXPECT_TRUE(Value::Number("1.50").is_number());
  EXPECT_EQ(Value::Number("1.50").text(), "1.50");
  EXPECT_EQ(Value::Integer(-42).text(), "-42");
  EXPECT_EQ(Value::Integer(INT64_MIN).text(), "-9223372036854775808");
  EXPECT_TRUE(Value::String("x").is_string());
  EXPECT_EQ(Value::String("x").text(), "x");
  EXPECT_TRUE(Value::Array().is_array());
  EXPECT_TRUE(Value::Object().is_object());
  EXPECT_EQ(Value::Array().size(), 0u);
  EXPECT_EQ(Value::Object().size(), 0u);
  EXPECT_EQ(Value::String("abc").size(), 0u);  // scalars have no children
}

TEST(ValueTest, AsInt64) {
  struct Case {
    Value value;
    std::optional<std::int64_t> expected;
  };
  const Case cases[] = {
      {Value::Number("0"), 0},
      {Value::Number("-0"), 0},
      {Value::Number("42"), 42},
      {Value::Number("-17"), -17},
      {Value::Number("9223372036854775807"), INT64_MAX},
      {Value::Number("-9223372036854775808"), INT64_MIN},
      {Value::Integer(123456789012345), 123456789012345},
      {Value::Number("9223372036854775808"), std::nullopt},  // overflows
      {Value::Number("-9223372036854775809"), std::nullopt},
      {Value::Number("1.0"), std::nullopt},  // a decimal, even when whole
      {Value::Number("1.50"), std::nullopt},
      {Value::Number("1e3"), std::nullopt},
      {Value::String("42"), std::nullopt},  // only numbers
      {Value::Bool(true), std::nullopt},
      {Value::Null(), std::nullopt},
      {Value::Array(), std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(Serialize(c.value));
    EXPECT_EQ(c.value.AsInt64(), c.expected);
  }
}

TEST(ValueTest, ParsedIntegersConvert) {
  Value v = MustParse(R"({"total":12,"score":1.5})");
  EXPECT_EQ(v.Find("total")->AsInt64(), 12);
  EXPECT_EQ(v.Find("score")->AsInt64(), std::nullopt);
}

TEST(ValueTest, FindAndFindString) {
  Value v = MustParse(R"({"a":"x","b":1,"c":null,"d":{"e":"y"}})");
  const Value& cv = v;
  ASSERT_NE(cv.Find("a"), nullptr);
  EXPECT_EQ(cv.Find("a")->text(), "x");
  EXPECT_EQ(cv.Find("missing"), nullptr);
  EXPECT_EQ(cv.Find(""), nullptr);
  ASSERT_NE(cv.Find("c"), nullptr);  // present, even though null
  EXPECT_TRUE(cv.Find("c")->is_null());
  EXPECT_EQ(*cv.FindString("a"), "x");
  EXPECT_EQ(cv.FindString("b"), nullptr);  // not a string
  EXPECT_EQ(cv.FindString("c"), nullptr);
  EXPECT_EQ(cv.FindString("d"), nullptr);
  EXPECT_EQ(cv.FindString("missing"), nullptr);
  EXPECT_EQ(*cv.Find("d")->FindString("e"), "y");
  // Lookups on non-objects find nothing.
  EXPECT_EQ(Value::String("a").Find("a"), nullptr);
  EXPECT_EQ(Value::Array().Find("a"), nullptr);

  // The mutable overload gives write access to the member in place.
  *v.Find("b") = Value::Integer(2);
  EXPECT_EQ(Serialize(v), R"({"a":"x","b":2,"c":null,"d":{"e":"y"}})");
}

TEST(ValueTest, SetReplacesInPlaceOrAppends) {
  Value v = MustParse(R"({"a":1,"b":2,"c":3})");
  Value& replaced = v.Set("b", Value::String("two"));
  EXPECT_EQ(replaced.text(), "two");
  EXPECT_EQ(Serialize(v), R"({"a":1,"b":"two","c":3})");  // position kept
  Value& added = v.Set("d", Value::Bool(false));
  EXPECT_TRUE(added.is_bool());
  EXPECT_EQ(Serialize(v), R"({"a":1,"b":"two","c":3,"d":false})");
  v.Set("a", Value::Object()).Set("nested", Value::Integer(1));
  EXPECT_EQ(Serialize(v), R"({"a":{"nested":1},"b":"two","c":3,"d":false})");
  EXPECT_EQ(v.size(), 4u);
}

TEST(ValueTest, SetAt) {
  struct Case {
    std::string_view start;
    std::size_t position;
    std::string_view key;
    std::string_view expected;
  };
  const Case cases[] = {
      {R"({"b":2,"c":3})", 0, "a", R"({"a":0,"b":2,"c":3})"},
      {R"({"b":2,"c":3})", 1, "a", R"({"b":2,"a":0,"c":3})"},
      {R"({"b":2,"c":3})", 2, "a", R"({"b":2,"c":3,"a":0})"},
      {R"({"b":2,"c":3})", 99, "a", R"({"b":2,"c":3,"a":0})"},  // clamped to the end
      {"{}", 5, "a", R"({"a":0})"},
      // An existing member is replaced where it is, whatever the position.
      {R"({"a":1,"b":2,"c":3})", 0, "c", R"({"a":1,"b":2,"c":0})"},
      {R"({"a":1,"b":2,"c":3})", 2, "a", R"({"a":0,"b":2,"c":3})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.start << " SetAt(" << c.position << ", " << c.key << ")");
    Value v = MustParse(c.start);
    Value& set = v.SetAt(c.position, c.key, Value::Integer(0));
    EXPECT_EQ(set.text(), "0");
    EXPECT_EQ(Serialize(v), c.expected);
  }
}

TEST(ValueTest, Remove) {
  Value v = MustParse(R"({"a":1,"b":2,"c":3})");
  EXPECT_TRUE(v.Remove("b"));
  EXPECT_EQ(Serialize(v), R"({"a":1,"c":3})");
  EXPECT_FALSE(v.Remove("b"));
  EXPECT_FALSE(v.Remove("zzz"));
  EXPECT_TRUE(v.Remove("a"));
  EXPECT_TRUE(v.Remove("c"));
  EXPECT_EQ(Serialize(v), "{}");
  EXPECT_EQ(v.size(), 0u);
}

TEST(ValueTest, PushAppendsItems) {
  Value a = Value::Array();
  a.Push(Value::Integer(1));
  EXPECT_EQ(a.Push(Value::String("two")).text(), "two");
  a.Push(Value::Object()).Set("k", Value::Null());
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(Serialize(a), R"([1,"two",{"k":null}])");
}

TEST(ValueTest, Equality) {
  struct Case {
    std::string_view a;
    std::string_view b;
    bool equal;
  };
  const Case cases[] = {
      {"null", "null", true},
      {"true", "true", true},
      {"true", "false", false},
      {"1", "1", true},
      {"1.0", "1.00", false},  // numbers compare by their text: precision is part of the value
      {"1", "1.0", false},
      {R"("1")", "1", false},  // kinds differ
      {"null", "false", false},
      {"[]", "{}", false},
      {R"("a")", R"("a")", true},
      {R"("a")", R"("b")", false},
      {"[1,2]", "[1,2]", true},
      {"[1,2]", "[2,1]", false},
      {"[1,2]", "[1,2,3]", false},
      {R"({"a":1,"b":[true]})", R"({"a":1,"b":[true]})", true},
      {R"({"a":1})", R"({"a":2})", false},
      {R"({"a":1})", R"({"b":1})", false},
      {R"({"a":1,"b":2})", R"({"b":2,"a":1})", false},  // member order is kept, so it counts
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.a << " vs " << c.b);
    Value a = MustParse(c.a);
    Value b = MustParse(c.b);
    EXPECT_EQ(a == b, c.equal);
    EXPECT_EQ(b == a, c.equal);
    EXPECT_EQ(a != b, !c.equal);
  }
}

TEST(ValueTest, CopiesAreDeep) {
  Value original = MustParse(R"({"a":{"b":[1,2]}})");
  Value copy = original;
  EXPECT_EQ(copy, original);
  copy.Find("a")->Find("b")->Push(Value::Integer(3));
  copy.Set("c", Value::Null());
  EXPECT_EQ(Serialize(original), R"({"a":{"b":[1,2]}})");
  EXPECT_EQ(Serialize(copy), R"({"a":{"b":[1,2,3]},"c":null})");

  Value assigned;
  assigned = original;
  EXPECT_EQ(assigned, original);
  Value moved = std::move(copy);
  EXPECT_EQ(Serialize(moved), R"({"a":{"b":[1,2,3]},"c":null})");
}

}  // namespace
}  // namespace schakel::fhir::json
