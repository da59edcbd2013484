// Deterministic fuzzing of bodies and request targets: whatever arrives, the server answers with
// a complete response that is not a 5xx (501 "not implemented" aside) and keeps serving.
// A fixed seed makes every case reproducible; a failure names the case number.
#include <array>
#include <random>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using RobustnessTest = ServerTest;

constexpr int kBodyCases = 400;
constexpr int kTargetCases = 300;
constexpr int kMaxReported = 10;

const std::vector<std::string>& Seeds() {
  static const std::vector<std::string> seeds = {
      R"({"resourceType":"Patient","id":"p1","active":true,"gender":"female",
          "birthDate":"1970-01-01","name":[{"use":"official","family":"Jansen","given":["Anna","B"],
          "_given":[null,{"extension":[{"url":"http://x","valueString":"y"}]}]}],
          "telecom":[{"system":"phone","value":"+31 6 1234"}],
          "extension":[{"url":"http://example.org/e","valueDecimal":1.50}]})",
      R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org",
          "code":"29463-7"}]},"valueQuantity":{"value":72.50,"unit":"kg"},
          "effectiveDateTime":"2024-02-29T10:00:00+01:00","component":[{"code":{"text":"c"},
          "valueInteger":-3}]})",
  };
  return seeds;
}

std::string Mutate(std::mt19937& random, std::string text) {
  static constexpr std::array<const char*, 16> kTokens = {
      "{",    "}",    "[",  "]",  "\"",    ",",    ":",       "null",
      "true", "\"\"", "[]", "{}", "1e999", "-0.0", "\\u0000", "\xff"};
  auto pick = [&random](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  const int rounds = 1 + static_cast<int>(pick(3));
  for (int r = 0; r < rounds && !text.empty(); ++r) {
    const std::size_t at = pick(text.size());
    switch (pick(4)) {
      case 0:
        text.resize(at);
        break;
      case 1:
        text[at] = kTokens[pick(kTokens.size())][0];
        break;
      case 2:
        text.insert(at, kTokens[pick(kTokens.size())]);
        break;
      default:
        text.erase(at, 1 + pick(20));
        break;
    }
  }
  return text;
}

TEST_F(RobustnessTest, MutatedBodiesNeverCauseServerErrors) {
  std::mt19937 random(20240229);
  int failures = 0;
  int created = 0;
  for (int i = 0; i < kBodyCases; ++i) {
    const std::string& seed = Seeds()[static_cast<std::size_t>(i) % Seeds().size()];
    const std::string body = Mutate(random, seed);
    const std::string type =
        seed.find("Patient") != std::string::npos && i % 2 == 0 ? "Patient" : "Observation";
    Response response = client().Post(Fhir(type), body);
    const bool acceptable =
        response.complete() &&
        (response.status == 201 || response.status == 400 || response.status == 422) &&
        (response.status == 201 || IsOperationOutcome(response));
    if (!acceptable) {
      if (++failures <= kMaxReported) {
        ADD_FAILURE() << "case " << i << " body:\n" << body << response;
      }
      continue;
    }
    if (response.status == 201) {
      ++created;
      Response read = client().Get(TargetFromUrl(response.Header("Location")));
      if (read.status != 200 || !IsFhirJson(read)) {
        if (++failures <= kMaxReported) {
          ADD_FAILURE() << "case " << i << ": stored but not readable; body:\n" << body << read;
        }
      }
    }
  }
  RecordProperty("created", created);
  EXPECT_EQ(failures, 0) << "of " << kBodyCases << " (" << created << " were created)";
  EXPECT_EQ(client().Get(Fhir("metadata")).status, 200);
}

TEST_F(RobustnessTest, OddTargetsAndMethodsNeverCauseServerErrors) {
  const std::string id = CreatePatient("Doelwit");
  ASSERT_FALSE(id.empty());
  static constexpr std::array<const char*, 10> kMethods = {
      "GET", "HEAD", "DELETE", "PUT", "POST", "PATCH", "OPTIONS", "TRACE", "FOO", "get"};
  static constexpr std::array<const char*, 30> kSegments = {"Patient",
                                                            "_history",
                                                            "metadata",
                                                            "..",
                                                            ".",
                                                            "%00",
                                                            "%2F",
                                                            "%ZZ",
                                                            "a_b",
                                                            "1",
                                                            "_history/1",
                                                            "Observation",
                                                            "Foo",
                                                            "%C3%A9",
                                                            "",
                                                            "$everything",
                                                            "_search",
                                                            "~",
                                                            "Patient?_count=0",
                                                            "?_since=2020",
                                                            "?_at=x",
                                                            "?_format=",
                                                            "?_pretty=maybe",
                                                            "?_count=99999999999999999999",
                                                            "?&&==",
                                                            "#frag",
                                                            "%",
                                                            "fhir",
                                                            "*",
                                                            "?_count=1e3"};
  std::mt19937 random(424242);
  auto pick = [&random](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  int failures = 0;
  for (int i = 0; i < kTargetCases; ++i) {
    std::string target = i % 3 == 0 ? "/fhir/Patient/" + id : "/fhir";
    const int segments = static_cast<int>(pick(4));
    for (int s = 0; s < segments; ++s) {
      const std::string segment = kSegments[pick(kSegments.size())];
      target += (segment.empty() || segment[0] == '?' || segment[0] == '#' ? "" : "/") + segment;
    }
    const std::string method = kMethods[pick(kMethods.size())];
    const bool with_body = method == "PUT" || method == "POST" || method == "PATCH";
    HeaderList headers;
    if (with_body) headers.emplace_back("Content-Type", "application/fhir+json");
    Response response = client().Send(method, target, headers, with_body ? "{}" : "");
    const bool acceptable =
        response.complete() && (response.status < 500 || response.status == 501);
    if (!acceptable && ++failures <= kMaxReported) ADD_FAILURE() << "case " << i << response;
  }
  EXPECT_EQ(failures, 0) << "of " << kTargetCases;
  EXPECT_EQ(client().Get(Fhir("metadata")).status, 200);
}

}  // namespace
}  // namespace schakel::integration
