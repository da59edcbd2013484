// Validation against constraint profiles: the R4 vital-signs profiles with the R4 examples that
// claim them (positive), the same examples edited to break one rule each (negative), and a
// profile made for the tests (tests/data/profiles/StructureDefinition-test-observation.json).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/definitions/profiles.h"
#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/parse.h"
#include "fhir/validation/validator.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::validation {
namespace {

constexpr std::string_view kSd = "http://hl7.org/fhir/StructureDefinition/";
constexpr std::string_view kTest = "http://example.org/fhir/StructureDefinition/test-observation";

class ProfileValidatorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto profiles = definitions::ProfileRegistry::Load(SCHAKEL_TEST_DATA_DIR "/profiles",
                                                       *test::SharedRegistry());
    ASSERT_TRUE(profiles.ok()) << profiles.status().ToString();
    validator_ = new Validator(test::SharedRegistry(), test::SharedValueSets(), *profiles);
  }
  static void TearDownTestSuite() {
    delete validator_;
    validator_ = nullptr;
  }

  static json::Value Parse(std::string_view text) {
    Result<json::Value> parsed = json::Parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? std::move(parsed).value() : json::Value();
  }
  static json::Value Example(const std::string& file) {
    std::ifstream in(std::string(SCHAKEL_SHARED_DIR "/fhir/r4-examples/") + file);
    std::ostringstream text;
    text << in.rdbuf();
    return Parse(text.str());
  }

  // Issues of `resource`, validated also against `profile` when one is given.
  static std::vector<Issue> IssuesOf(const json::Value& resource, std::string_view profile = {}) {
    std::vector<Issue> issues;
    validator_->ValidateAgainst(resource, profile, issues);
    return issues;
  }
  // "type @ expression" of the issues of one severity, sorted.
  static std::vector<std::string> Pairs(const std::vector<Issue>& issues, Severity severity) {
    std::vector<std::string> out;
    for (const Issue& issue : issues) {
      if (issue.severity == severity) {
        out.push_back(std::string(IssueTypeCode(issue.type)) + " @ " + issue.expression);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string Describe(const std::vector<Issue>& issues) {
    std::string out;
    for (const Issue& issue : issues) {
      out += "  " + std::string(SeverityCode(issue.severity)) + " " +
             std::string(IssueTypeCode(issue.type)) + " [" + issue.expression + "] " +
             issue.diagnostics + "\n";
    }
    return out.empty() ? "  (no issues)\n" : out;
  }

  // A resource valid against the test profile.
  static json::Value TestObservation() {
    return Parse(R"({"resourceType":"Observation",
      "meta":{"profile":["http://example.org/fhir/StructureDefinition/test-observation"]},
      "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/observation-bodyPosition",
                    "valueCodeableConcept":{"text":"sitting"}}],
      "identifier":[{"system":"http://example.org/lab","value":"1"},
                    {"system":"http://example.org/other","value":"2"}],
      "status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"a"}]},
      "method":{"coding":[{"system":"http://example.org/fhir/CodeSystem/test-methods",
                           "code":"m2"}]},
      "note":[{"authorString":"lab","text":"first"},{"text":"second"}],
      "interpretation":[{"coding":[{"system":
          "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N"}]}],
      "valueString":"fine"})");
  }

  struct Case {
    std::string name;
    std::function<json::Value()> resource;
    std::string profile;              // validated against, besides meta.profile
    std::vector<std::string> errors;  // "type @ expression"
    std::vector<std::string> warnings = {};
  };

  static void ExpectCases(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name);
      std::vector<Issue> issues = IssuesOf(c.resource(), c.profile);
      std::vector<std::string> errors = c.errors;
      std::sort(errors.begin(), errors.end());
      EXPECT_EQ(Pairs(issues, Severity::kError), errors) << Describe(issues);
      if (!c.warnings.empty()) {
        std::vector<std::string> warnings = c.warnings;
        std::sort(warnings.begin(), warnings.end());
        EXPECT_EQ(Pairs(issues, Severity::kWarning), warnings) << Describe(issues);
      }
      for (const Issue& issue : issues) {
        if (issue.expression.empty()) continue;
        EXPECT_NE(issue.diagnostics.find("(at " + issue.expression + ")"), std::string::npos)
            << issue.diagnostics;
      }
    }
  }

  static inline Validator* validator_ = nullptr;
};

// Every R4 example that claims the vital-signs profile conforms to it.
TEST_F(ProfileValidatorTest, ExamplesClaimingVitalSignsConform) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(SCHAKEL_SHARED_DIR "/fhir/r4-examples")) {
    const std::string file = entry.path().filename().string();
    if (!file.starts_with("Observation-")) continue;
    json::Value resource = Example(file);
    const json::Value* meta = resource.Find("meta");
    const json::Value* profile = meta ? meta->Find("profile") : nullptr;
    if (profile == nullptr || !profile->is_array() || profile->items().empty() ||
        profile->items()[0].text() != std::string(kSd) + "vitalsigns") {
      continue;
    }
    ++checked;
    std::vector<Issue> issues = IssuesOf(resource);
    EXPECT_TRUE(Pairs(issues, Severity::kError).empty()) << file << "\n" << Describe(issues);
  }
  EXPECT_GE(checked, 10);
}

TEST_F(ProfileValidatorTest, ExamplesConformToTheirSpecificProfiles) {
  const struct {
    std::string_view file, profile;
  } cases[] = {
      {"Observation-blood-pressure.json", "bp"},
      {"Observation-heart-rate.json", "heartrate"},
      {"Observation-example.json", "bodyweight"},  // a body weight in [lb_av]
      {"Observation-example.json", "vitalsigns"},
  };
  for (const auto& c : cases) {
    std::vector<Issue> issues =
        IssuesOf(Example(std::string(c.file)), std::string(kSd) + std::string(c.profile));
    EXPECT_TRUE(Pairs(issues, Severity::kError).empty())
        << c.file << " against " << c.profile << "\n"
        << Describe(issues);
  }
}

TEST_F(ProfileValidatorTest, EditedVitalSignsExamplesFail) {
  const std::string bp = std::string(kSd) + "bp";
  const std::string heartrate = std::string(kSd) + "heartrate";
  const std::string bodyweight = std::string(kSd) + "bodyweight";
  auto edit = [](std::string file, std::function<void(json::Value&)> change) {
    return [file, change] {
      json::Value v = Example(file);
      change(v);
      return v;
    };
  };
  auto at = [](json::Value& v, std::initializer_list<std::string_view> keys) -> json::Value& {
    json::Value* node = &v;
    for (std::string_view key : keys) {
      if (!key.empty() && key[0] >= '0' && key[0] <= '9') {
        node = &node->items()[static_cast<std::size_t>(key[0] - '0')];
      } else {
        node = node->Find(key);
      }
    }
    return *node;
  };
  const std::vector<Case> cases = {
      {"wrong fixed unit code in the heart rate's valueQuantity",
       edit("Observation-heart-rate.json",
            [&](json::Value& v) {
              at(v, {"valueQuantity", "code"}) = json::Value::String("Hz");
            }),
       heartrate,
       {"value @ Observation.valueQuantity.code"}},
      {"body weight without its LOINC code: the required slice is missing",
       edit("Observation-example.json",
            [&](json::Value& v) {
              at(v, {"code", "coding", "0", "code"}) = json::Value::String("3141-9");
            }),
       bodyweight,
       {"required @ Observation.code.coding"}},
      {"body weight in a unit outside ucum-bodyweight (required binding on the slice)",
       edit("Observation-example.json",
            [&](json::Value& v) {
              at(v, {"valueQuantity", "code"}) = json::Value::String("mg");
            }),
       bodyweight,
       {"code-invalid @ Observation.valueQuantity.code"}},
      {"vital signs category replaced: slice VSCat is missing",
       edit("Observation-heart-rate.json",
            [&](json::Value& v) {
              at(v, {"category", "0", "coding", "0", "code"}) = json::Value::String("laboratory");
            }),
       {},
       {"required @ Observation.category"}},
      {"blood pressure without the diastolic component",
       edit("Observation-blood-pressure.json",
            [&](json::Value& v) { at(v, {"component"}).items().pop_back(); }),
       bp,
       {"required @ Observation.component", "required @ Observation.component"}},
      {"blood pressure with a valueQuantity, which bp forbids (type slice max 0)",
       edit("Observation-blood-pressure.json",
            [&](json::Value& v) {
              v.Set("valueQuantity", Parse(R"({"value":1,"system":"http://unitsofmeasure.org",
                                               "code":"mm[Hg]","unit":"mmHg"})"));
            }),
       bp,
       {"structure @ Observation.value"}},
      {"blood pressure with a valueString: not a type bp allows",
       edit("Observation-blood-pressure.json",
            [&](json::Value& v) { v.Set("valueString", json::Value::String("high")); }),
       bp,
       {"structure @ Observation.valueString"}},
      {"heart rate with a valueString: vitalsigns allows it, heartrate does not",
       edit("Observation-heart-rate.json",
            [&](json::Value& v) {
              v.Remove("valueQuantity");
              v.Set("valueString", json::Value::String("fast"));
            }),
       heartrate,
       {"structure @ Observation.valueString"}},
      {"systolic component in a unit outside the required ucum-vitals-common",
       edit("Observation-blood-pressure.json",
            [&](json::Value& v) {
              at(v, {"component", "0", "valueQuantity", "code"}) = json::Value::String("xyz");
            }),
       {},
       {"code-invalid @ Observation.component[0].valueQuantity"}},
  };
  ExpectCases(cases);
}

TEST_F(ProfileValidatorTest, TestProfile) {
  auto edit = [](std::function<void(json::Value&)> change) {
    return [change] {
      json::Value v = TestObservation();
      change(v);
      return v;
    };
  };
  const std::vector<Case> cases = {
      {"valid", edit([](json::Value&) {}), {}, {}, {}},
      {"valid without meta.profile, with the profile given",
       edit([](json::Value& v) { v.Remove("meta"); }),
       std::string(kTest),
       {},
       {}},
      {"the required extension slice is missing",
       edit([](json::Value& v) { v.Remove("extension"); }),
       {},
       {"required @ Observation.extension", "required @ Observation.extension"}},
      {"extension of the wrong type, checked against the extension definition",
       edit([](json::Value& v) {
         json::Value& ext = v.Find("extension")->items()[0];
         ext.Remove("valueCodeableConcept");
         ext.Set("valueString", json::Value::String("sitting"));
       }),
       {},
       {"structure @ Observation.extension[0].valueString"}},
      {"an identifier matching no slice of the closed slicing",
       edit([](json::Value& v) {
         v.Find("identifier")->Push(Parse(R"({"system":"http://example.org/x","value":"3"})"));
       }),
       {},
       {"structure @ Observation.identifier[2]"}},
      {"too many items in a slice",
       edit([](json::Value& v) {
         v.Find("identifier")->Push(Parse(R"({"system":"http://example.org/lab","value":"3"})"));
       }),
       {},
       {"structure @ Observation.identifier"}},
      {"an element inside a slice: lab identifier without a value",
       edit([](json::Value& v) { v.Find("identifier")->items()[0].Remove("value"); }),
       {},
       {"required @ Observation.identifier[0].value"}},
      {"a forbidden element (max 0)",
       edit([](json::Value& v) { v.Set("performer", Parse(R"([{"reference":"Patient/1"}])")); }),
       {},
       {"structure @ Observation.performer"}},
      {"more repeats than the profile allows",
       edit([](json::Value& v) {
         json::Value copy = v.Find("interpretation")->items()[0];
         v.Find("interpretation")->Push(copy);
       }),
       {},
       {"structure @ Observation.interpretation"}},
      {"a pattern not matched",
       edit([](json::Value& v) {
         v.Find("interpretation")->items()[0] = Parse(R"({"coding":[{"system":"x","code":"N"}]})");
       }),
       {},
       {"value @ Observation.interpretation[0]"}},
      {"a code outside the required local value set (excluded there)",
       edit([](json::Value& v) {
         v.Set("code", Parse(R"({"coding":[{"system":"http://example.org/codes","code":"c"}]})"));
       }),
       {},
       {"code-invalid @ Observation.code"}},
      {"a code outside the extensible local value set is a warning",
       edit([](json::Value& v) {
         v.Set("method", Parse(R"({"coding":[{"system":
             "http://example.org/fhir/CodeSystem/test-methods","code":"m9"}]})"));
       }),
       {},
       {},
       {"code-invalid @ Observation.method"}},
      {"openAtEnd: a slice item after an unmatched one",
       edit([](json::Value& v) {
         v.Set("note", Parse(R"([{"text":"x"},{"authorString":"lab","text":"y"}])"));
       }),
       {},
       {"structure @ Observation.note[1]"}},
      {"a choice type the profile does not allow",
       edit([](json::Value& v) {
         v.Remove("valueString");
         v.Set("valueBoolean", json::Value::Bool(true));
       }),
       {},
       {"structure @ Observation.valueBoolean"}},
  };
  ExpectCases(cases);
}

TEST_F(ProfileValidatorTest, UnknownProfilesAreWarnings) {
  json::Value resource = Example("Observation-heart-rate.json");
  resource.Find("meta")->Find("profile")->Push(json::Value::String("http://example.org/nope"));
  std::vector<Issue> issues = IssuesOf(resource, "http://example.org/other");
  EXPECT_TRUE(Pairs(issues, Severity::kError).empty()) << Describe(issues);
  EXPECT_EQ(
      Pairs(issues, Severity::kWarning),
      (std::vector<std::string>{"not-supported @ ", "not-supported @ Observation.meta.profile[1]"}))
      << Describe(issues);
}

TEST_F(ProfileValidatorTest, VersionedCanonicalsMatchOnlyThatVersion) {
  json::Value resource = Example("Observation-blood-pressure.json");
  resource.Find("component")->items().pop_back();  // breaks bp
  const std::string bp = std::string(kSd) + "bp";
  EXPECT_EQ(Pairs(IssuesOf(resource, bp + "|4.0.1"), Severity::kError).size(), 2U);
  std::vector<Issue> issues = IssuesOf(resource, bp + "|9.9.9");
  EXPECT_TRUE(Pairs(issues, Severity::kError).empty()) << Describe(issues);
  EXPECT_EQ(Pairs(issues, Severity::kWarning), (std::vector<std::string>{"not-supported @ "}))
      << Describe(issues);
}

TEST_F(ProfileValidatorTest, AProfileOfAnotherTypeIsAnError) {
  json::Value patient = Parse(R"({"resourceType":"Patient","active":true})");
  std::vector<Issue> issues = IssuesOf(patient, std::string(kSd) + "bp");
  EXPECT_EQ(Pairs(issues, Severity::kError), (std::vector<std::string>{"invalid @ "}))
      << Describe(issues);
}

}  // namespace
}  // namespace schakel::fhir::validation
