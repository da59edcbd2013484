// Shared by the validator tests: the real R4 definitions, loaded once per test suite, and a
// table runner that compares the (issue type, expression) pairs a resource gets with the expected
// ones. Pairs are compared as a sorted list, so a duplicated issue is a difference too.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/parse.h"
#include "fhir/status.h"
#include "fhir/validation/validator.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::validation {

// One expected issue: its FHIR issue-type code ("structure", "code-invalid", ...) and location.
struct Want {
  std::string_view type;
  std::string_view expression;
};

struct Case {
  std::string_view name;
  std::string_view json;
  std::vector<Want> want;  // empty: the resource is valid
};

// A Questionnaire nested `depth` levels of group items deep; the innermost item gets `innermost`.
inline std::string NestedQuestionnaire(int depth, std::string_view innermost) {
  std::string text = R"({"resourceType":"Questionnaire","status":"active")";
  for (int i = 0; i < depth; ++i) {
    text += R"(,"item":[{"linkId":"l)" + std::to_string(i) + R"(","type":")" +
            (i + 1 < depth ? "group" : "string") + "\"";
  }
  text += innermost;
  for (int i = 0; i < depth; ++i) text += "}]";
  text += "}";
  return text;
}

class ValidatorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    validator_ = new Validator(test::SharedRegistry(), test::SharedValueSets());
  }
  static void TearDownTestSuite() {
    delete validator_;
    validator_ = nullptr;
  }

  static const Validator& validator() { return *validator_; }
  static const std::shared_ptr<const definitions::Registry>& registry() {
    return test::SharedRegistry();
  }
  static const std::shared_ptr<const definitions::ValueSetIndex>& value_sets() {
    return test::SharedValueSets();
  }

  static json::Value ParseOrDie(std::string_view text) {
    Result<json::Value> parsed = json::Parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text;
    return parsed.ok() ? std::move(parsed).value() : json::Value();
  }

  static std::vector<Issue> IssuesOf(const json::Value& resource,
                                     const Validator& validator = *validator_) {
    std::vector<Issue> issues;
    validator.Validate(resource, issues);
    return issues;
  }
  static std::vector<Issue> IssuesOf(std::string_view text) { return IssuesOf(ParseOrDie(text)); }

  // "type @ expression", sorted.
  static std::vector<std::string> Pairs(const std::vector<Issue>& issues) {
    std::vector<std::string> out;
    for (const Issue& issue : issues) {
      out.push_back(std::string(IssueTypeCode(issue.type)) + " @ " + issue.expression);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> Pairs(const std::vector<Want>& want) {
    std::vector<std::string> out;
    for (const Want& w : want)
      out.push_back(std::string(w.type) + " @ " + std::string(w.expression));
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

  // Issues are errors, or warnings for what the server cannot check yet (unknown profiles); each
  // has a message, and the location, when there is one, is repeated in the message for clients
  // that only show diagnostics.
  static void ExpectWellFormed(const std::vector<Issue>& issues) {
    for (const Issue& issue : issues) {
      EXPECT_TRUE(issue.severity == Severity::kError || issue.severity == Severity::kWarning)
          << issue.diagnostics;
      EXPECT_FALSE(issue.diagnostics.empty()) << issue.expression;
      if (!issue.expression.empty()) {
        EXPECT_NE(issue.diagnostics.find("(at " + issue.expression + ")"), std::string::npos)
            << issue.diagnostics;
      }
    }
  }

  static void ExpectCases(std::span<const Case> cases) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.name) + ": " + std::string(c.json.substr(0, 300)));
      std::vector<Issue> issues = IssuesOf(c.json);
      EXPECT_EQ(Pairs(issues), Pairs(c.want)) << Describe(issues);
      ExpectWellFormed(issues);
    }
  }

 private:
  static inline Validator* validator_ = nullptr;
};

}  // namespace schakel::fhir::validation
