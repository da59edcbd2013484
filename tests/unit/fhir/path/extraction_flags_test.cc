// The evaluation options search-parameter extraction needs (EvaluationContext::lenient_as and
// resolve_placeholders) and Expression::EvaluateOn.
#include <gtest/gtest.h>

#include <string>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/path/fhirpath.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::path {
namespace {

constexpr std::string_view kActivityDefinition = R"({
  "resourceType": "ActivityDefinition", "status": "active",
  "useContext": [
    {"code": {"code": "age"}, "valueQuantity": {"value": 18}},
    {"code": {"code": "age"}, "valueRange": {"low": {"value": 1}}},
    {"code": {"code": "focus"}, "valueCodeableConcept": {"text": "x"}}]
})";

constexpr std::string_view kObservation = R"({
  "resourceType": "Observation", "status": "final", "code": {"text": "x"},
  "subject": {"reference": "Patient/p1"},
  "performer": [{"reference": "http://example.org/fhir/Practitioner/pr1/_history/2"},
                {"reference": "Organization/o1"}, {"reference": "#c1"},
                {"reference": "urn:uuid:1"}, {"reference": "Unicorn/u1"},
                {"display": "somebody"}],
  "component": [{"code": {"text": "a"}, "valueString": "one"},
                {"code": {"text": "b"}, "valueString": "two"}]
})";

class ExtractionFlagsTest : public testing::Test {
 protected:
  json::Value Parse(std::string_view text) {
    Result<json::Value> v = json::Parse(text);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : json::Value();
  }
  EvaluationContext Context(bool lenient) {
    EvaluationContext context;
    context.registry = schakel::test::SharedRegistry().get();
    context.lenient_as = lenient;
    context.resolve_placeholders = lenient;
    return context;
  }
  Result<Collection> Eval(std::string_view expression, const json::Value& resource, bool lenient) {
    Result<Expression> e = Expression::Parse(expression);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return e.status();
    return e->Evaluate(resource, Context(lenient));
  }
};

TEST_F(ExtractionFlagsTest, AsOnSeveralItemsFiltersWhenLenient) {
  const json::Value resource = Parse(kActivityDefinition);
  for (std::string_view expression : {"(ActivityDefinition.useContext.value as Quantity)",
                                      "ActivityDefinition.useContext.value.as(Quantity)"}) {
    Result<Collection> strict = Eval(expression, resource, false);
    EXPECT_FALSE(strict.ok()) << expression;
    Result<Collection> lenient = Eval(expression, resource, true);
    ASSERT_TRUE(lenient.ok()) << expression << ": " << lenient.status().ToString();
    ASSERT_EQ(lenient->size(), 1u) << expression;
    EXPECT_EQ((*lenient)[0].type, "Quantity");
  }
  // `is` is unchanged: on several items it is still an error.
  EXPECT_FALSE(Eval("ActivityDefinition.useContext.value is Quantity", resource, true).ok());
}

TEST_F(ExtractionFlagsTest, ResolveGivesPlaceholdersOfTheReferencedType) {
  const json::Value resource = Parse(kObservation);
  Result<Collection> strict =
      Eval("Observation.subject.where(resolve() is Patient)", resource, false);
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE(strict->empty()) << "nothing to resolve it to";

  Result<Collection> patient =
      Eval("Observation.subject.where(resolve() is Patient)", resource, true);
  ASSERT_TRUE(patient.ok()) << patient.status().ToString();
  EXPECT_EQ(patient->size(), 1u);

  Result<Collection> practitioners =
      Eval("Observation.performer.where(resolve() is Practitioner)", resource, true);
  ASSERT_TRUE(practitioners.ok());
  EXPECT_EQ(practitioners->size(), 1u) << "absolute URL with _history";

  // Contained (and not there), urn:uuid, unknown types and display-only references: nothing.
  Result<Collection> types = Eval("Observation.performer.resolve().type().name", resource, true);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].text, "Practitioner");
  EXPECT_EQ((*types)[1].text, "Organization");
  // A placeholder is empty.
  Result<Collection> empty = Eval("Observation.subject.resolve().children()", resource, true);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(ExtractionFlagsTest, EvaluateOnStartsAtTheFocus) {
  const json::Value resource = Parse(kObservation);
  Result<Collection> components = Eval("Observation.component", resource, false);
  ASSERT_TRUE(components.ok());
  ASSERT_EQ(components->size(), 2u);
  Result<Expression> value = Expression::Parse("value.as(string) | %resource.status");
  ASSERT_TRUE(value.ok());
  const EvaluationContext context = Context(false);
  Result<Collection> first = value->EvaluateOn((*components)[0], resource, context);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].node->text(), "one");
  EXPECT_EQ((*first)[1].node->text(), "final");
  Result<Collection> second = value->EvaluateOn((*components)[1], resource, context);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].node->text(), "two");
}

}  // namespace
}  // namespace schakel::fhir::path
