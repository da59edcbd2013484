// JSON Patch (RFC 6902) and JSON Pointer (RFC 6901). The appendix A examples of RFC 6902 are
// rows of the first table, restated in our own words.
#include "fhir/patch/json_patch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"

namespace schakel::fhir::patch {
namespace {

json::Value MustParse(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? std::move(v).value() : json::Value();
}

// Parses and applies `patch` to `document`: the result, or the first failure.
Result<json::Value> ApplyPatch(std::string_view document, std::string_view patch,
                               const JsonPatchLimits& limits = {}) {
  Result<json::Value> patch_json = json::Parse(patch);
  if (!patch_json.ok()) return patch_json.status();
  Result<JsonPatch> parsed = JsonPatch::Parse(*patch_json, limits);
  if (!parsed.ok()) return parsed.status();
  return parsed->Apply(MustParse(document));
}

struct ApplyCase {
  const char* name;
  const char* document;
  const char* patch;
  const char* expected;  // the result, when the patch applies
  Code code = Code::kOk;
};

void Check(const ApplyCase& c, const JsonPatchLimits& limits = {}) {
  SCOPED_TRACE(c.name);
  Result<json::Value> result = ApplyPatch(c.document, c.patch, limits);
  if (c.code != Code::kOk) {
    ASSERT_FALSE(result.ok()) << json::Serialize(*result);
    EXPECT_EQ(result.status().code(), c.code) << result.status().ToString();
    EXPECT_FALSE(result.status().message().empty());
    return;
  }
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(JsonEquals(*result, MustParse(c.expected)))
      << json::Serialize(*result) << " != " << c.expected;
}

TEST(JsonPatchTest, Rfc6902AppendixExamples) {
  const ApplyCase cases[] = {
      {"A.1 a member is added to an object", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})"},
      {"A.2 an element is inserted into an array", R"({"foo":["bar","baz"]})",
       R"([{"op":"add","path":"/foo/1","value":"qux"}])", R"({"foo":["bar","qux","baz"]})"},
      {"A.3 a member is removed", R"({"baz":"qux","foo":"bar"})",
       R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
      {"A.4 an array element is removed", R"({"foo":["bar","qux","baz"]})",
       R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
      {"A.5 a value is replaced", R"({"baz":"qux","foo":"bar"})",
       R"([{"op":"replace","path":"/baz","value":"boo"}])", R"({"baz":"boo","foo":"bar"})"},
      {"A.6 a value moves to another object",
       R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      {"A.7 an array element moves", R"({"foo":["all","grass","cows","eat"]})",
       R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
       R"({"foo":["all","cows","eat","grass"]})"},
      {"A.8 tests that hold change nothing", R"({"baz":"qux","foo":["a",2,"c"]})",
       R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
       R"({"baz":"qux","foo":["a",2,"c"]})"},
      {"A.9 a test that fails fails the patch", R"({"baz":"qux"})",
       R"([{"op":"test","path":"/baz","value":"bar"}])", nullptr, Code::kUnprocessable},
      {"A.10 a nested object is added", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
       R"({"foo":"bar","child":{"grandchild":{}}})"},
      {"A.11 members an operation does not use are ignored", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])", R"({"foo":"bar","baz":"qux"})"},
      {"A.12 add below a member that does not exist", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz/bat","value":"qux"}])", nullptr, Code::kUnprocessable},
      {"A.13 an operation with op twice is not JSON we accept", R"({"foo":"bar"})",
       R"([{"op":"add","path":"/baz","value":"qux","op":"remove"}])", nullptr, Code::kInvalidInput},
      {"A.14 ~01 is ~1, not /", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])",
       R"({"/":9,"~1":10})"},
      {"A.15 a string is not a number", R"({"/":9,"~1":10})",
       R"([{"op":"test","path":"/~01","value":"10"}])", nullptr, Code::kUnprocessable},
      {"A.16 an array is added as one element", R"({"foo":["bar"]})",
       R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
       R"({"foo":["bar",["abc","def"]]})"},
  };
  for (const ApplyCase& c : cases) Check(c);
}

TEST(JsonPatchTest, EachOperation) {
  const ApplyCase cases[] = {
      // add
      {"add replaces an existing member", R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])",
       R"({"a":2})"},
      {"add appends with -", R"({"a":[1]})", R"([{"op":"add","path":"/a/-","value":2}])",
       R"({"a":[1,2]})"},
      {"add at the end index", R"({"a":[1]})", R"([{"op":"add","path":"/a/1","value":2}])",
       R"({"a":[1,2]})"},
      {"add null", R"({})", R"([{"op":"add","path":"/a","value":null}])", R"({"a":null})"},
      {"add to the root replaces the document", R"({"a":1})",
       R"([{"op":"add","path":"","value":{"b":2}}])", R"({"b":2})"},
      {"add an empty member name", R"({})", R"([{"op":"add","path":"/","value":1}])", R"({"":1})"},
      {"add beyond the end", R"({"a":[1]})", R"([{"op":"add","path":"/a/2","value":2}])", nullptr,
       Code::kUnprocessable},
      {"add with a leading zero index", R"({"a":[1,2]})",
       R"([{"op":"add","path":"/a/01","value":2}])", nullptr, Code::kUnprocessable},
      {"add with a word as index", R"({"a":[1,2]})", R"([{"op":"add","path":"/a/x","value":2}])",
       nullptr, Code::kUnprocessable},
      {"add below a scalar", R"({"a":1})", R"([{"op":"add","path":"/a/b","value":2}])", nullptr,
       Code::kUnprocessable},
      // remove
      {"remove a nested member", R"({"a":{"b":1,"c":2}})", R"([{"op":"remove","path":"/a/b"}])",
       R"({"a":{"c":2}})"},
      {"remove what is not there", R"({"a":1})", R"([{"op":"remove","path":"/b"}])", nullptr,
       Code::kUnprocessable},
      {"remove beyond the end", R"({"a":[1]})", R"([{"op":"remove","path":"/a/1"}])", nullptr,
       Code::kUnprocessable},
      {"remove - (no element)", R"({"a":[1]})", R"([{"op":"remove","path":"/a/-"}])", nullptr,
       Code::kUnprocessable},
      {"remove the whole document", R"({"a":1})", R"([{"op":"remove","path":""}])", nullptr,
       Code::kUnprocessable},
      // replace
      {"replace an array element", R"({"a":[1,2]})",
       R"([{"op":"replace","path":"/a/0","value":9}])", R"({"a":[9,2]})"},
      {"replace the root", R"({"a":1})", R"([{"op":"replace","path":"","value":[1]}])", "[1]"},
      {"replace what is not there", R"({"a":1})", R"([{"op":"replace","path":"/b","value":2}])",
       nullptr, Code::kUnprocessable},
      // move
      {"move to a new member", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/b"}])",
       R"({"b":1})"},
      {"move onto itself", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])",
       R"({"a":1})"},
      {"move an element to the front", R"({"a":[1,2,3]})",
       R"([{"op":"move","from":"/a/2","path":"/a/0"}])", R"({"a":[3,1,2]})"},
      {"move from nowhere", R"({"a":1})", R"([{"op":"move","from":"/x","path":"/b"}])", nullptr,
       Code::kUnprocessable},
      {"move into its own child", R"({"a":{"b":1}})",
       R"([{"op":"move","from":"/a","path":"/a/b/c"}])", nullptr, Code::kUnprocessable},
      // copy
      {"copy a subtree", R"({"a":{"b":[1,2]}})", R"([{"op":"copy","from":"/a","path":"/c"}])",
       R"({"a":{"b":[1,2]},"c":{"b":[1,2]}})"},
      {"copy into its own child", R"({"a":{"b":1}})",
       R"([{"op":"copy","from":"/a","path":"/a/c"}])", R"({"a":{"b":1,"c":{"b":1}}})"},
      {"copy from nowhere", R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])", nullptr,
       Code::kUnprocessable},
      // test
      {"test numbers by value", R"({"a":1.0})", R"([{"op":"test","path":"/a","value":1}])",
       R"({"a":1.0})"},
      {"test objects in any order", R"({"a":{"x":1,"y":[true,null]}})",
       R"([{"op":"test","path":"/a","value":{"y":[true,null],"x":1}}])",
       R"({"a":{"x":1,"y":[true,null]}})"},
      {"test arrays in order", R"({"a":[1,2]})", R"([{"op":"test","path":"/a","value":[2,1]}])",
       nullptr, Code::kUnprocessable},
      {"test what is not there", R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])", nullptr,
       Code::kUnprocessable},
      {"test the whole document", R"({"a":1})", R"([{"op":"test","path":"","value":{"a":1}}])",
       R"({"a":1})"},
      // sequences
      {"operations see earlier ones", R"({})",
       R"([{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},
           {"op":"copy","from":"/a/0","path":"/a/-"},{"op":"test","path":"/a","value":[1,1]}])",
       R"({"a":[1,1]})"},
      {"an empty patch changes nothing", R"({"a":1})", "[]", R"({"a":1})"},
      {"a later failure fails it all", R"({"a":1})",
       R"([{"op":"remove","path":"/a"},{"op":"test","path":"/a","value":1}])", nullptr,
       Code::kUnprocessable},
  };
  for (const ApplyCase& c : cases) Check(c);
}

TEST(JsonPatchTest, MalformedDocumentsAreInvalidInput) {
  const struct {
    const char* name;
    const char* patch;
    Code code;
  } cases[] = {
      {"an object, not an array", R"({"op":"add","path":"/a","value":1})", Code::kInvalidInput},
      {"an operation that is not an object", R"([1])", Code::kInvalidInput},
      {"no op", R"([{"path":"/a","value":1}])", Code::kInvalidInput},
      {"op not a string", R"([{"op":1,"path":"/a","value":1}])", Code::kInvalidInput},
      {"unknown op", R"([{"op":"merge","path":"/a","value":1}])", Code::kInvalidInput},
      {"op in capitals", R"([{"op":"ADD","path":"/a","value":1}])", Code::kInvalidInput},
      {"no path", R"([{"op":"remove"}])", Code::kInvalidInput},
      {"path not a string", R"([{"op":"remove","path":1}])", Code::kInvalidInput},
      {"path without a leading slash", R"([{"op":"remove","path":"a"}])", Code::kInvalidInput},
      {"a ~ escape that is not ~0 or ~1", R"([{"op":"remove","path":"/a~2"}])",
       Code::kInvalidInput},
      {"a ~ at the end", R"([{"op":"remove","path":"/a~"}])", Code::kInvalidInput},
      {"add without value", R"([{"op":"add","path":"/a"}])", Code::kInvalidInput},
      {"replace without value", R"([{"op":"replace","path":"/a"}])", Code::kInvalidInput},
      {"test without value", R"([{"op":"test","path":"/a"}])", Code::kInvalidInput},
      {"move without from", R"([{"op":"move","path":"/a"}])", Code::kInvalidInput},
      {"copy with a bad from", R"([{"op":"copy","from":"x","path":"/a"}])", Code::kInvalidInput},
      {"a malformed operation after good ones",
       R"([{"op":"add","path":"/a","value":1},{"op":"nope","path":"/a"}])", Code::kInvalidInput},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Result<json::Value> patch = json::Parse(c.patch);
    ASSERT_TRUE(patch.ok());
    Result<JsonPatch> parsed = JsonPatch::Parse(*patch);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), c.code) << parsed.status().ToString();
  }
}

TEST(JsonPatchTest, ErrorsNameTheOperation) {
  Result<json::Value> result = ApplyPatch(
      R"({"a":1})", R"([{"op":"test","path":"/a","value":1},{"op":"remove","path":"/b"}])");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("operation 1 (remove /b)"), std::string_view::npos)
      << result.status().ToString();
}

TEST(JsonPatchTest, ApplyLeavesTheCallersDocumentAlone) {
  const json::Value original = MustParse(R"({"a":[1,2]})");
  Result<JsonPatch> patch =
      JsonPatch::Parse(MustParse(R"([{"op":"remove","path":"/a/0"},{"op":"remove","path":"/x"}])"));
  ASSERT_TRUE(patch.ok());
  json::Value copy = original;
  EXPECT_FALSE(patch->Apply(copy).ok());
  EXPECT_EQ(copy, original);
}

TEST(JsonPatchTest, LimitsBoundHostilePatches) {
  JsonPatchLimits limits;
  limits.max_operations = 3;
  limits.max_depth = 4;
  limits.max_values = 50;
  limits.max_work = 10'000;
  const ApplyCase cases[] = {
      {"more operations than allowed", R"({})",
       R"([{"op":"test","path":"","value":{}},{"op":"test","path":"","value":{}},
           {"op":"test","path":"","value":{}},{"op":"test","path":"","value":{}}])",
       nullptr, Code::kTooLarge},
      {"a pointer deeper than allowed", R"({})", R"([{"op":"remove","path":"/a/b/c/d/e"}])",
       nullptr, Code::kTooLarge},
      {"a value that nests too deep", R"({"a":{}})",
       R"([{"op":"add","path":"/a/b","value":{"c":{"d":{}}}}])", nullptr, Code::kUnprocessable},
      {"copies that double the document",
       R"({"a":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]})",
       R"([{"op":"copy","from":"/a","path":"/b"},{"op":"copy","from":"/a","path":"/c"},
           {"op":"copy","from":"/a","path":"/d"}])",
       nullptr, Code::kUnprocessable},
      {"within the limits", R"({"a":{}})", R"([{"op":"add","path":"/a/b","value":{"c":{}}}])",
       R"({"a":{"b":{"c":{}}}})"},
  };
  for (const ApplyCase& c : cases) Check(c, limits);

  // Work: inserting at the front of a long array shifts it every time.
  JsonPatchLimits work_limits;
  work_limits.max_work = 5'000;
  std::string document = R"({"a":[)";
  for (int i = 0; i < 1000; ++i) document += (i == 0 ? "0" : ",0");
  document += "]}";
  std::string patch = "[";
  for (int i = 0; i < 100; ++i) {
    patch += std::string(i == 0 ? "" : ",") + R"({"op":"add","path":"/a/0","value":1})";
  }
  patch += "]";
  Result<json::Value> result = ApplyPatch(document, patch, work_limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Code::kUnprocessable);
  EXPECT_EQ(result.status().issues().front().type, IssueType::kTooCostly);
}

TEST(JsonPointerTest, ParsesAndEscapes) {
  const struct {
    const char* text;
    std::vector<std::string> tokens;
  } cases[] = {
      {"", {}},           {"/", {""}},        {"/foo", {"foo"}}, {"/foo/0", {"foo", "0"}},
      {"/a~1b", {"a/b"}}, {"/m~0n", {"m~n"}}, {"/~01", {"~1"}},  {"/~10", {"/0"}},
      {"//", {"", ""}},   {"/ ", {" "}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    Result<JsonPointer> p = JsonPointer::Parse(c.text);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->tokens(), c.tokens);
    EXPECT_EQ(p->ToString(), c.text);
  }
  for (const char* bad : {"a", "#/a", "/~", "/~2", "/a~b"}) {
    SCOPED_TRACE(bad);
    Result<JsonPointer> p = JsonPointer::Parse(bad);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), Code::kInvalidInput);
  }
}

TEST(JsonPointerTest, ResolvesTheRfc6901Examples) {
  const json::Value doc = MustParse(
      R"({"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,"k\"l":6," ":7,
          "m~n":8})");
  const struct {
    const char* pointer;
    const char* expected;  // nullptr: nothing there
  } cases[] = {
      {"", nullptr},  // checked below: the whole document
      {"/foo", R"(["bar","baz"])"},
      {"/foo/0", R"("bar")"},
      {"/", "0"},
      {"/a~1b", "1"},
      {"/c%d", "2"},
      {"/e^f", "3"},
      {"/g|h", "4"},
      {"/i\\j", "5"},
      {"/k\"l", "6"},
      {"/ ", "7"},
      {"/m~0n", "8"},
      {"/foo/2", nullptr},
      {"/foo/-", nullptr},
      {"/foo/00", nullptr},
      {"/foo/0/x", nullptr},
      {"/nope", nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.pointer);
    Result<JsonPointer> p = JsonPointer::Parse(c.pointer);
    ASSERT_TRUE(p.ok());
    const json::Value* found = Resolve(doc, *p);
    if (std::string_view(c.pointer).empty()) {
      EXPECT_EQ(found, &doc);
    } else if (c.expected == nullptr) {
      EXPECT_EQ(found, nullptr);
    } else {
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(*found, MustParse(c.expected));
    }
  }
}

TEST(JsonPointerTest, ProperPrefix) {
  auto p = [](const char* text) { return JsonPointer::Parse(text).value(); };
  EXPECT_TRUE(p("").IsProperPrefixOf(p("/a")));
  EXPECT_TRUE(p("/a").IsProperPrefixOf(p("/a/b")));
  EXPECT_FALSE(p("/a").IsProperPrefixOf(p("/a")));
  EXPECT_FALSE(p("/a").IsProperPrefixOf(p("/ab")));
  EXPECT_FALSE(p("/a/b").IsProperPrefixOf(p("/a")));
}

TEST(JsonEqualsTest, FollowsRfc6902Section4_6) {
  const struct {
    const char* a;
    const char* b;
    bool equal;
  } cases[] = {
      {"1", "1.0", true},
      {"1", "10e-1", true},
      {"100", "1e2", true},
      {"0.1e1", "1", true},
      {"0", "-0", true},
      {"0.000", "0e10", true},
      {"-1.50", "-1.5", true},
      {"1", "2", false},
      {"1", "-1", false},
      {"0.1", "0.01", false},
      {"12345678901234567890", "12345678901234567891", false},  // beyond a double's digits
      {"1", "\"1\"", false},
      {"true", "true", true},
      {"true", "1", false},
      {"null", "null", true},
      {"null", "false", false},
      {"\"a\"", "\"a\"", true},
      {"\"a\"", "\"A\"", false},
      {"[1,2]", "[1,2]", true},
      {"[1,2]", "[2,1]", false},
      {"[1]", "[1,1]", false},
      {R"({"a":1,"b":2})", R"({"b":2,"a":1.0})", true},
      {R"({"a":1})", R"({"a":1,"b":2})", false},
      {R"({"a":1,"c":2})", R"({"a":1,"b":2})", false},
      {"{}", "[]", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " vs " + c.b);
    EXPECT_EQ(JsonEquals(MustParse(c.a), MustParse(c.b)), c.equal);
    EXPECT_EQ(JsonEquals(MustParse(c.b), MustParse(c.a)), c.equal);
  }
}

}  // namespace
}  // namespace schakel::fhir::patch
