// The validator's bounds and its Status interface: the issue cap, deep nesting, Check(), and
// concurrent use of one Validator.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/validation/validator.h"
#include "tests/unit/fhir/validation/validator_fixture.h"

namespace schakel::fhir::validation {
namespace {

class ValidatorLimitsTest : public ValidatorTest {};

TEST_F(ValidatorLimitsTest, IssuesAreCappedAtMaxIssues) {
  constexpr int kNames = 5000;
  std::string text = R"({"resourceType":"Patient","name":[)";
  for (int i = 0; i < kNames; ++i) {
    if (i > 0) text += ',';
    text += R"({"foo":1,"given":[""]})";
  }
  text += "]}";
  std::vector<Issue> issues = IssuesOf(text);
  ASSERT_EQ(issues.size(), Validator::kMaxIssues);
  // The first issues are kept, in document order.
  EXPECT_EQ(issues[0].expression, "Patient.name[0].foo");
  EXPECT_EQ(issues[1].expression, "Patient.name[0].given[0]");
  EXPECT_EQ(issues.back().expression, "Patient.name[99].given[0]");
}

TEST_F(ValidatorLimitsTest, CheckCarriesAtMostMaxIssues) {
  std::string text = R"({"resourceType":"Patient","name":[)";
  for (int i = 0; i < 1000; ++i) text += std::string(i > 0 ? "," : "") + R"({"foo":1})";
  text += "]}";
  Status status = validator().Check(ParseOrDie(text));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kUnprocessable);
  EXPECT_EQ(status.issues().size(), Validator::kMaxIssues);
}

TEST_F(ValidatorLimitsTest, CheckIsOkForAValidResource) {
  Status status = validator().Check(ParseOrDie(R"({"resourceType":"Patient","gender":"female"})"));
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(ValidatorLimitsTest, CheckReturnsEveryIssue) {
  Status status = validator().Check(
      ParseOrDie(R"({"resourceType":"Patient","gender":"bogus","foo":1,"name":[]})"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kUnprocessable);
  EXPECT_EQ(Pairs(status.issues()),
            (std::vector<std::string>{"code-invalid @ Patient.gender", "invalid @ Patient.name",
                                      "structure @ Patient.foo"}))
      << Describe(status.issues());
}

TEST_F(ValidatorLimitsTest, ValidateAppendsToTheGivenIssues) {
  std::vector<Issue> issues = {{Severity::kWarning, IssueType::kInformational, "earlier", ""}};
  validator().Validate(ParseOrDie(R"({"resourceType":"Patient","foo":1})"), issues);
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].diagnostics, "earlier");
  EXPECT_EQ(issues[1].expression, "Patient.foo");
}

// The deepest Questionnaire the JSON parser accepts with its default limits: each item level adds
// an array and an object to the nesting depth.
TEST_F(ValidatorLimitsTest, DeeplyNestedLegalQuestionnaireDoesNotCrash) {
  const json::ParseLimits limits;
  const int depth = static_cast<int>((limits.max_depth - 1) / 2);
  const std::string text = NestedQuestionnaire(depth, "");
  Result<json::Value> parsed = json::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_FALSE(json::Parse(NestedQuestionnaire(depth + 1, "")).ok())
      << "the parser's depth bound moved";
  std::vector<Issue> issues = IssuesOf(*parsed);
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

// The same shape built directly as a DOM, deeper than the parser allows (another reader, such as
// an XML one, might build it): still no crash.
TEST_F(ValidatorLimitsTest, DeepDomWithoutTheParserDoesNotCrash) {
  constexpr int kDepth = 300;
  json::Value innermost = json::Value::Object();
  innermost.Set("linkId", json::Value::String("leaf"));
  innermost.Set("type", json::Value::String("string"));
  for (int i = 0; i < kDepth; ++i) {
    json::Value item = json::Value::Object();
    item.Set("linkId", json::Value::String("l" + std::to_string(i)));
    item.Set("type", json::Value::String("group"));
    json::Value items = json::Value::Array();
    items.Push(std::move(innermost));
    item.Set("item", std::move(items));
    innermost = std::move(item);
  }
  json::Value questionnaire = json::Value::Object();
  questionnaire.Set("resourceType", json::Value::String("Questionnaire"));
  questionnaire.Set("status", json::Value::String("active"));
  json::Value items = json::Value::Array();
  items.Push(std::move(innermost));
  questionnaire.Set("item", std::move(items));
  std::vector<Issue> issues = IssuesOf(questionnaire);
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST_F(ValidatorLimitsTest, ConcurrentValidationGivesTheSameIssues) {
  const json::Value bad = ParseOrDie(
      R"({"resourceType":"Patient","gender":"bogus","name":[{"given":["A",null]}],)"
      R"("contained":[{"resourceType":"Observation"}],"generalPractitioner":[{"reference":"Patient/1"}]})");
  const std::vector<std::string> expected = Pairs(IssuesOf(bad));
  ASSERT_EQ(expected.size(), 5u);
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::vector<Issue> issues;
        validator().Validate(bad, issues);
        if (Pairs(issues) != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace schakel::fhir::validation
