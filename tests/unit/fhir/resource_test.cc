#include "fhir/resource.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"

namespace schakel::fhir {
namespace {

TEST(IsValidIdTest, Table) {
  struct Case {
    std::string id;
    bool valid;
  };
  const Case cases[] = {
      {"1", true},
      {"example", true},
      {"a-B.9", true},
      {"ABCxyz0123456789", true},
      {"-", true},  // the R4 regex allows any mix of its characters
      {".", true},
      {std::string(64, 'a'), true},
      {std::string(63, 'x') + "9", true},
      {"", false},
      {std::string(65, 'a'), false},
      {"a_b", false},
      {"a/b", false},
      {"a b", false},
      {" a", false},
      {"a\n", false},
      {"a$", false},
      {"a:b", false},
      {"a%20b", false},
      {"\xC3\xA9", false},  // non-ASCII
      {std::string("a\0b", 3), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.id));
    EXPECT_EQ(IsValidId(c.id), c.valid);
  }
}

json::Value MustParse(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::move(v).value() : json::Value();
}

constexpr std::int64_t k2024Mar05T10 = 1709632800000;  // 2024-03-05T10:00:00Z

TEST(StampMetaTest, Table) {
  struct Case {
    std::string_view name;
    std::string_view before;
    std::string_view after;
  };
  const Case cases[] = {
      {"adds id and meta after resourceType", R"({"resourceType":"Patient","active":true})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z"},"active":true})"},
      {"replaces the client's id, versionId and lastUpdated; keeps the rest of meta",
       R"({"resourceType":"Patient","id":"client","meta":{"versionId":"9","profile":["http://x/p"],)"
       R"("lastUpdated":"1999-01-01T00:00:00Z","tag":[{"code":"t"}],"source":"#s",)"
       R"("security":[{"code":"R"}]},"active":true})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z","profile":["http://x/p"],"tag":[{"code":"t"}],)"
       R"("source":"#s","security":[{"code":"R"}]},"active":true})"},
      {"resourceType not first",
       R"({"active":true,"resourceType":"Patient","name":[{"family":"F"}]})",
       R"({"active":true,"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z"},"name":[{"family":"F"}]})"},
      {"id and meta before resourceType move after it",
       R"({"meta":{"tag":[{"code":"t"}]},"id":"old","resourceType":"Patient","x":1})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z","tag":[{"code":"t"}]},"x":1})"},
      {"id and meta far behind", R"({"resourceType":"Patient","a":1,"b":2,"meta":{},"id":"x"})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z"},"a":1,"b":2})"},
      {"meta that is not an object is replaced", R"({"resourceType":"Patient","meta":"junk"})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z"}})"},
      {"only resourceType", R"({"resourceType":"Patient"})",
       R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"3",)"
       R"("lastUpdated":"2024-03-05T10:00:00.123Z"}})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    json::Value resource = MustParse(c.before);
    StampMeta(resource, "p1", 3, k2024Mar05T10 + 123);
    EXPECT_EQ(json::Serialize(resource), c.after);
  }
}

TEST(StampMetaTest, IsIdempotentForTheSameStamp) {
  json::Value resource =
      MustParse(R"({"resourceType":"Observation","status":"final","meta":{"tag":[{"code":"a"}]}})");
  StampMeta(resource, "o1", 1, 0);
  const std::string once = json::Serialize(resource);
  StampMeta(resource, "o1", 1, 0);
  EXPECT_EQ(json::Serialize(resource), once);
  StampMeta(resource, "o1", 2, 1000);
  EXPECT_EQ(json::Serialize(resource),
            R"({"resourceType":"Observation","id":"o1","meta":{"versionId":"2",)"
            R"("lastUpdated":"1970-01-01T00:00:01.000Z","tag":[{"code":"a"}]},"status":"final"})");
}

}  // namespace
}  // namespace schakel::fhir
