// Expression::Check: the static (semantic) errors of strict FHIRPath, and no false errors on the
// expressions the R4 definitions themselves use.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "fhir/json/parse.h"
#include "fhir/path/fhirpath.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::path {
namespace {

Status CheckText(std::string_view text, std::string_view type, CheckOptions options = {}) {
  Result<Expression> e = Expression::Parse(text);
  if (!e.ok()) return e.status();
  return e->Check(type, *test::SharedRegistry(), options);
}

TEST(FhirPathCheckerTest, AcceptsValidPaths) {
  for (std::string_view text : {
           "Patient.name.given",
           "name.given",
           "Observation.value.unit",
           "(Observation.value as Quantity).value",
           "Observation.value.ofType(Quantity).code",
           "name.where(given.exists()).family",
           "%resource.id",
           "Resource.id",
           "DomainResource.text",
           "birthDate.extension('http://x').value.ofType(string)",
           "Bundle.entry.resource.name",
           "contained.name",
           "children().name",
           "Questionnaire.item.item.linkId",
           "Patient.name.select(given | family)",
           "link.other.resolve().name",
           "iif(active, name, contact.name).given",
           "name.first().given",
           "Patient.name.given.where(substring($this.length()-3) = 'out')",
       }) {
    std::string_view type = text.find("Observation") != std::string_view::npos ? "Observation"
                            : text.starts_with("Bundle")                       ? "Bundle"
                            : text.starts_with("Questionnaire")                ? "Questionnaire"
                                                                               : "Patient";
    Status s = CheckText(text, type);
    EXPECT_TRUE(s.ok()) << text << ": " << s.ToString();
  }
}

TEST(FhirPathCheckerTest, RejectsUnknownElements) {
  Status s = CheckText("name.given1", "Patient");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidInput);
  EXPECT_NE(s.message().find("HumanName has no element 'given1'"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("offset 5"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckText("Patient.name.where(given1 = 'x')", "Patient").ok());
  EXPECT_FALSE(CheckText("(Observation.value as Period).unit", "Observation").ok());
  EXPECT_FALSE(CheckText("Observation.value.ofType(Period).unit", "Observation").ok());
}

TEST(FhirPathCheckerTest, ChoiceElementsGoByTheirFhirPathName) {
  Status s = CheckText("Observation.valueQuantity.unit", "Observation");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("named 'value'"), std::string::npos) << s.message();
}

TEST(FhirPathCheckerTest, OtherResourceTypesAtTheStart) {
  EXPECT_FALSE(CheckText("Encounter.name.given", "Patient").ok());
  CheckOptions lenient;
  lenient.allow_other_resource_types = true;
  EXPECT_TRUE(CheckText("Encounter.status | Patient.name.given", "Patient", lenient).ok());
  // The other type's elements are not checked against the context's.
  EXPECT_TRUE(CheckText("Encounter.nonsense", "Patient", lenient).ok());
}

TEST(FhirPathCheckerTest, FunctionsAndArguments) {
  EXPECT_FALSE(CheckText("name.frobnicate()", "Patient").ok());
  EXPECT_FALSE(CheckText("name.given.substring()", "Patient").ok());
  EXPECT_FALSE(CheckText("name.where()", "Patient").ok());
}

TEST(FhirPathCheckerTest, OrderedFunctionsOnUnorderedCollections) {
  EXPECT_TRUE(CheckText("Patient.children().skip(1)", "Patient").ok());
  CheckOptions ordered;
  ordered.check_ordered_functions = true;
  EXPECT_FALSE(CheckText("Patient.children().skip(1)", "Patient", ordered).ok());
  EXPECT_FALSE(CheckText("Patient.descendants().first()", "Patient", ordered).ok());
  EXPECT_TRUE(CheckText("Patient.name.first()", "Patient", ordered).ok());
}

TEST(FhirPathCheckerTest, UnknownContextTypeChecksOnlyFunctions) {
  EXPECT_TRUE(CheckText("anything.at.all", "").ok());
  EXPECT_FALSE(CheckText("x.nope()", "").ok());
  EXPECT_FALSE(CheckText("name", "NoSuchType").ok());
}

// Every R4 core SearchParameter expression checks clean against each of its base types (paths
// of the other bases in a shared expression select nothing there), except for a defect in the
// R4 package itself, which the checker finds.
TEST(FhirPathCheckerTest, EverySearchParameterExpressionChecks) {
  std::ifstream in(std::string(SCHAKEL_RESOURCE_DIR) + "/fhir-r4/search-parameters.ndjson");
  ASSERT_TRUE(in.good());
  CheckOptions options;
  options.allow_other_resource_types = true;
  int checked = 0;
  std::string line;
  while (std::getline(in, line)) {
    Result<json::Value> sp = json::Parse(line);
    ASSERT_TRUE(sp.ok());
    const std::string* expression = sp->FindString("expression");
    const json::Value* base = sp->Find("base");
    if (expression == nullptr || base == nullptr) continue;
    Result<Expression> e = Expression::Parse(*expression);
    ASSERT_TRUE(e.ok()) << *expression << ": " << e.status().ToString();
    const std::string& id = *sp->FindString("id");
    for (const json::Value& type : base->items()) {
      Status s = e->Check(type.text(), *test::SharedRegistry(), options);
      if (id == "questionnaireresponse-extensions-QuestionnaireResponse-item-subject") {
        // Calls hasExtension(), which FHIRPath does not define.
        EXPECT_FALSE(s.ok());
        continue;
      }
      EXPECT_TRUE(s.ok()) << id << " on " << type.text() << ": " << s.ToString();
      ++checked;
    }
  }
  EXPECT_GT(checked, 1300);
}

// Every invariant on a resource type's root element checks clean against that type, except for
// a defect in the R4 package, which the checker finds.
TEST(FhirPathCheckerTest, EveryResourceInvariantChecks) {
  const definitions::Registry& registry = *test::SharedRegistry();
  int checked = 0;
  for (const std::string& type : registry.resource_types()) {
    for (const definitions::Constraint& c : registry.Type(type)->root().constraints) {
      if (c.expression.empty()) continue;
      Result<Expression> e = Expression::Parse(c.expression);
      ASSERT_TRUE(e.ok()) << c.key << ": " << e.status().ToString();
      Status s = e->Check(type, registry);
      if (type == "ChargeItemDefinition" && c.key == "cid-0") {
        // The canonical-resource rule on `name`, which ChargeItemDefinition does not have.
        EXPECT_FALSE(s.ok());
        continue;
      }
      EXPECT_TRUE(s.ok()) << type << " " << c.key << ": " << s.ToString();
      ++checked;
    }
  }
  EXPECT_GT(checked, 500);
}

}  // namespace
}  // namespace schakel::fhir::path
