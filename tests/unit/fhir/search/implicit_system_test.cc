// The implicit code system of `code` values (https://hl7.org/fhir/R4/search.html#token): which
// expressions and parameters get one, and what the registry does without the value sets.
#include "fhir/search/implicit_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/search/search_parameter.h"
#include "tests/unit/fhir/search/search_fixture.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::search {
namespace {

using schakel::test::SharedRegistry;
using schakel::test::SharedSearchParameters;
using schakel::test::SharedValueSets;

constexpr std::string_view kGender = "http://hl7.org/fhir/administrative-gender";
constexpr std::string_view kContactPointSystem = "http://hl7.org/fhir/contact-point-system";

std::string System(std::string_view expression, std::string_view type) {
  return internal::ImplicitCodeSystem(expression, type, *SharedRegistry(), *SharedValueSets());
}

TEST(ImplicitCodeSystemTest, FollowsSimplePathsToBoundCodes) {
  struct Case {
    std::string_view expression;
    std::string_view type;
    std::string_view system;  // empty: none
  };
  const Case cases[] = {
      {"Patient.gender", "Patient", kGender},
      {"gender", "Patient", kGender},  // a member of the type, without the type first
      {"Patient.contact.gender", "Patient", kGender},  // inside a backbone element
      {"Patient.gender | Person.gender | Practitioner.gender", "Practitioner", kGender},
      {"Patient.gender.where($this = 'male')", "Patient", kGender},
      {"(Patient.gender as code)", "Patient", kGender},
      {"Patient.gender.ofType(FHIR.code)", "Patient", kGender},
      {"Observation.status", "Observation", "http://hl7.org/fhir/observation-status"},
      // Through a data type: Address.use.
      {"Patient.address.use", "Patient", "http://hl7.org/fhir/address-use"},
      // where() with a string that holds a parenthesis, then a step.
      {"Patient.telecom.where(value = ')|(').system", "Patient", kContactPointSystem},
      // Through contentReference: Questionnaire.item.item is Questionnaire.item.
      {"Questionnaire.item.item.type", "Questionnaire", "http://hl7.org/fhir/item-type"},
      // An open value set with one known system (mime types).
      {"DocumentReference.content.attachment.contentType", "DocumentReference", "urn:ietf:bcp:13"},
      // Other types beside the code carry their own systems and do not count.
      {"Patient.gender | Patient.maritalStatus | Patient.identifier", "Patient", kGender},

      // A CodeableConcept, Coding, Identifier, ContactPoint, boolean: no code at all.
      {"AllergyIntolerance.clinicalStatus", "AllergyIntolerance", ""},
      {"Resource.meta.tag", "Resource", ""},
      {"Patient.telecom", "Patient", ""},
      {"Patient.active", "Patient", ""},
      // Another resource type's path selects nothing here.
      {"Person.gender", "Patient", ""},
      // Two systems.
      {"Patient.gender | Patient.address.use", "Patient", ""},
      // A value set with two systems (task-intent).
      {"Task.intent", "Task", ""},
      // Not a required binding (Resource.language is preferred); no binding at all.
      {"Patient.language", "Patient", ""},
      {"CodeSystem.concept.code", "CodeSystem", ""},
      // An extension is indexed by its value, which may be an unbound code.
      {"Patient.extension", "Patient", ""},
      {"Patient.gender | Patient.extension('http://example.org/x')", "Patient", ""},
      {"Patient.extension('http://example.org/x').value", "Patient", ""},
      // What the walker does not follow.
      {"Patient.gender.first()", "Patient", ""},
      {"Patient.link.other.resolve().gender", "Patient", ""},
      {"%resource.gender", "Patient", ""},
      {"Patient.gender = 'male'", "Patient", ""},
      {"Patient.nosuchelement", "Patient", ""},
      {"Patient.gender.where(", "Patient", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(System(c.expression, c.type), c.system) << c.type << ": " << c.expression;
  }
}

TEST(ImplicitCodeSystemTest, EveryPrefixOfAnExpressionIsSafe) {
  // Expressions come from SearchParameters created through the API too: a cut-off one must not
  // read past its end.
  const std::string expression =
      R"((Patient.telecom.where(value = 'a\'b)(').system as FHIR.code) | `Person`.gender)";
  for (std::size_t n = 0; n < expression.size(); ++n) {
    const std::string system = System(std::string_view(expression).substr(0, n), "Patient");
    EXPECT_TRUE(system.empty() || system == kContactPointSystem) << expression.substr(0, n);
  }
  EXPECT_EQ(System(expression, "Patient"), kContactPointSystem);
}

TEST(ImplicitCodeSystemTest, CoreParameters) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  struct Case {
    std::string_view type, code;
    std::string_view system;  // empty: none
  };
  const Case cases[] = {
      {"Patient", "gender", kGender},
      {"Practitioner", "gender", kGender},
      {"RelatedPerson", "gender", kGender},
      {"Patient", "address-use", "http://hl7.org/fhir/address-use"},
      {"Observation", "status", "http://hl7.org/fhir/observation-status"},
      {"MedicationStatement", "status",
       "http://hl7.org/fhir/CodeSystem/medication-statement-status"},
      {"MedicationRequest", "status", "http://hl7.org/fhir/CodeSystem/medicationrequest-status"},
      {"AllergyIntolerance", "criticality", "http://hl7.org/fhir/allergy-intolerance-criticality"},
      {"CodeSystem", "status", "http://hl7.org/fhir/publication-status"},
      {"Bundle", "type", "http://hl7.org/fhir/bundle-type"},
      // CodeableConcepts have their own codings.
      {"AllergyIntolerance", "clinical-status", ""},
      {"Condition", "clinical-status", ""},
      {"Observation", "code", ""},
      {"Encounter", "class", ""},  // a Coding
      // Common parameters (Resource): Coding, uri, id.
      {"Patient", "_tag", ""},
      {"Patient", "_security", ""},
      {"Patient", "_id", ""},
      {"Observation", "_tag", ""},
      // Identifier, ContactPoint, boolean.
      {"Patient", "identifier", ""},
      {"Patient", "email", ""},
      {"Patient", "active", ""},
      // task-intent draws from two systems.
      {"Task", "intent", ""},
      // The value of an extension.
      {"Device", "din", ""},
  };
  for (const Case& c : cases) {
    const SearchParameter* p = params.Find(c.type, c.code);
    ASSERT_NE(p, nullptr) << c.type << "?" << c.code;
    const std::string* system = p->ImplicitSystem(c.type);
    EXPECT_EQ(system != nullptr ? *system : "", c.system) << c.type << "?" << c.code;
  }
  // Per base type: the gender parameter's entry for Patient is not one for Observation.
  EXPECT_EQ(params.Find("Patient", "gender")->ImplicitSystem("Observation"), nullptr);

  // How many (type, parameter) pairs have one, so that a change in the walker or the value sets
  // shows up here. Only token parameters have them.
  std::size_t pairs = 0;
  for (std::string_view type : SharedRegistry()->resource_types()) {
    for (const SearchParameter* p : params.ForType(type)) {
      if (p->ImplicitSystem(type) == nullptr) continue;
      ++pairs;
      EXPECT_EQ(p->type, ParamType::kToken) << p->id;
    }
  }
  EXPECT_EQ(pairs, 156u);
}

TEST(ImplicitCodeSystemTest, ParametersAddedLaterGetOneToo) {
  Result<json::Value> contact_gender = json::Parse(R"({
    "resourceType": "SearchParameter", "id": "patient-contact-gender",
    "url": "http://example.org/fhir/SearchParameter/patient-contact-gender",
    "name": "contact-gender", "status": "active", "code": "contact-gender", "base": ["Patient"],
    "type": "token", "expression": "Patient.contact.gender"})");
  ASSERT_TRUE(contact_gender.ok());
  Result<std::shared_ptr<const SearchParameterRegistry>> with =
      SharedSearchParameters().With({*contact_gender}, nullptr);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  const SearchParameter* p = (*with)->Find("Patient", "contact-gender");
  ASSERT_NE(p, nullptr);
  ASSERT_NE(p->ImplicitSystem("Patient"), nullptr);
  EXPECT_EQ(*p->ImplicitSystem("Patient"), kGender);
  // The core ones keep theirs in the copy.
  ASSERT_NE((*with)->Find("Patient", "gender")->ImplicitSystem("Patient"), nullptr);
}

TEST(ImplicitCodeSystemTest, WithoutTheValueSetsCodesHaveNone) {
  // A resources folder with only the search parameters.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("schakel-implicit-system-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "fhir-r4");
  std::filesystem::copy_file(
      std::filesystem::path(SCHAKEL_RESOURCE_DIR) / "fhir-r4" / "search-parameters.ndjson",
      dir / "fhir-r4" / "search-parameters.ndjson",
      std::filesystem::copy_options::overwrite_existing);
  std::vector<std::string> warnings;
  Result<std::shared_ptr<const SearchParameterRegistry>> loaded =
      SearchParameterRegistry::Load(dir.string(), SharedRegistry(), &warnings);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->Find("Patient", "gender")->ImplicitSystem("Patient"), nullptr);
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
    return w.find("value-sets.ndjson") != std::string::npos;
  })) << testing::PrintToString(warnings);
}

}  // namespace
}  // namespace schakel::fhir::search
