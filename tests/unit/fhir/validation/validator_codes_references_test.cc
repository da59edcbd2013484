// Required bindings, references and resources inside resources.
// https://hl7.org/fhir/R4/terminologies.html#required and https://hl7.org/fhir/R4/references.html
#include <gtest/gtest.h>

#include <string>

#include "fhir/validation/validator.h"
#include "tests/unit/fhir/validation/validator_fixture.h"

namespace schakel::fhir::validation {
namespace {

class ValidatorBindingTest : public ValidatorTest {};
class ValidatorReferenceTest : public ValidatorTest {};
class ValidatorNestedResourceTest : public ValidatorTest {};

constexpr std::string_view kConditionClinical =
    "http://terminology.hl7.org/CodeSystem/condition-clinical";

TEST_F(ValidatorBindingTest, RequiredBindings) {
  const std::string right_system =
      R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
      R"("clinicalStatus":{"coding":[{"system":")" +
      std::string(kConditionClinical) + R"(","code":"active"}]}})";
  const std::string bad_code = R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
                               R"("clinicalStatus":{"coding":[{"system":")" +
                               std::string(kConditionClinical) + R"(","code":"bogus"}]}})";
  const std::string one_of_two =
      R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
      R"("clinicalStatus":{"coding":[{"system":"http://example.org/local","code":"a"},)"
      R"({"system":")" +
      std::string(kConditionClinical) + R"(","code":"resolved"}]}})";
  const Case cases[] = {
      {"gender male", R"({"resourceType":"Patient","gender":"male"})", {}},
      {"gender bogus",
       R"({"resourceType":"Patient","gender":"bogus"})",
       {{"code-invalid", "Patient.gender"}}},
      {"codes are case-sensitive",
       R"({"resourceType":"Patient","gender":"Male"})",
       {{"code-invalid", "Patient.gender"}}},
      {"Observation.status bogus",
       R"({"resourceType":"Observation","status":"bogus","code":{"text":"x"}})",
       {{"code-invalid", "Observation.status"}}},
      {"a bound code in a data type (Quantity.comparator)",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1,"comparator":"!"}})",
       {{"code-invalid", "Observation.valueQuantity.comparator"}}},
      {"a bound code in Narrative",
       R"({"resourceType":"Patient","text":{"status":"bogus",)"
       R"("div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}})",
       {{"code-invalid", "Patient.text.status"}}},
      {"a bound code in a nested backbone element",
       R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},)"
       R"("request":{"method":"BOGUS","url":"Patient"}}]})",
       {{"code-invalid", "Bundle.entry[0].request.method"}}},
      {"Bundle.type bogus",
       R"({"resourceType":"Bundle","type":"bogus"})",
       {{"code-invalid", "Bundle.type"}}},
      {"CodeableConcept with a member coding", right_system, {}},
      {"CodeableConcept with a bad code", bad_code, {{"code-invalid", "Condition.clinicalStatus"}}},
      {"CodeableConcept, one matching coding of two", one_of_two, {}},
      {"CodeableConcept with the code in the wrong system",
       R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
       R"("clinicalStatus":{"coding":[{"system":"http://example.org","code":"active"}]}})",
       {{"code-invalid", "Condition.clinicalStatus"}}},
      {"CodeableConcept with text only",
       R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},"clinicalStatus":{"text":"active"}})",
       {{"code-invalid", "Condition.clinicalStatus"}}},
      {"an extensible binding is not checked (Encounter.class)",
       R"({"resourceType":"Encounter","status":"finished","class":{"system":"http://example.org","code":"x"}})",
       {}},
      {"a preferred binding is not checked (Patient.communication.language)",
       R"({"resourceType":"Patient","communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"xx-bogus"}]}}]})",
       {}},
      {"an open value set accepts any code (Attachment.contentType, mime types)",
       R"({"resourceType":"Patient","photo":[{"contentType":"image/x-made-up"}]})",
       {}},
  };
  ExpectCases(cases);
}

TEST_F(ValidatorBindingTest, MessagesNameTheValueSetAndTheAllowedCodes) {
  std::vector<Issue> issues = IssuesOf(R"({"resourceType":"Patient","gender":"bogus"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].diagnostics.find("'bogus'"), std::string::npos) << issues[0].diagnostics;
  EXPECT_NE(issues[0].diagnostics.find("http://hl7.org/fhir/ValueSet/administrative-gender"),
            std::string::npos)
      << issues[0].diagnostics;
  EXPECT_NE(issues[0].diagnostics.find("male, female, other, unknown"), std::string::npos)
      << issues[0].diagnostics;
}

TEST_F(ValidatorBindingTest, WithoutValueSetsBindingsAreNotChecked) {
  const Validator without(registry(), nullptr);
  std::vector<Issue> issues =
      IssuesOf(ParseOrDie(R"({"resourceType":"Patient","gender":"bogus","foo":1})"), without);
  EXPECT_EQ(Pairs(issues), (std::vector<std::string>{"structure @ Patient.foo"}))
      << Describe(issues);
  issues = IssuesOf(ParseOrDie(R"({"resourceType":"Condition","subject":{"reference":"Patient/1"},)"
                               R"("clinicalStatus":{"text":"x"}})"),
                    without);
  EXPECT_TRUE(issues.empty()) << Describe(issues);
}

TEST_F(ValidatorReferenceTest, ReferenceSyntax) {
  struct RefCase {
    std::string_view reference;
    bool valid;
  };
  const RefCase cases[] = {
      {"Patient/123", true},
      {"Patient/123/_history/2", true},
      {"Patient/a-b.c", true},
      {"#contained", true},
      {"#", true},
      {"urn:uuid:0f4b5b4e-0b8d-4f9e-9a1c-0e8e0b1d2c3f", true},
      {"urn:oid:1.2.3.4", true},
      {"http://example.org/fhir/Patient/123", true},
      {"https://example.org/fhir/Patient/123/_history/2", true},
      {"http://example.org/some/other/thing", true},
      {"Patient/", false},
      {"Patient", false},
      {"Foo/1", false},
      {"patient/1", false},
      {"Patient/a_b", false},
      {"Patient/1/", false},
      {"Patient/1/_history/", false},
      {"Patient/1/_history/a_b", false},
      {"Patient/1/extra", false},
      {"/Patient/1", false},
      {"Patient/12345678901234567890123456789012345678901234567890123456789012345", false},
  };
  for (const RefCase& c : cases) {
    SCOPED_TRACE(c.reference);
    // Observation.subject allows Patient, so only the syntax decides.
    const std::string json =
        R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":")" +
        std::string(c.reference) + R"("}})";
    std::vector<Issue> issues = IssuesOf(json);
    std::vector<std::string> want;
    if (!c.valid) want.push_back("value @ Observation.subject.reference");
    EXPECT_EQ(Pairs(issues), want) << Describe(issues);
    ExpectWellFormed(issues);
  }
}

TEST_F(ValidatorReferenceTest, TargetTypes) {
  const Case cases[] = {
      {"generalPractitioner -> Organization",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Organization/1"}]})",
       {}},
      {"generalPractitioner -> Practitioner, PractitionerRole",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Practitioner/1"},)"
       R"({"reference":"PractitionerRole/1/_history/3"}]})",
       {}},
      {"generalPractitioner -> Patient",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Organization/1"},{"reference":"Patient/1"}]})",
       {{"value", "Patient.generalPractitioner[1].reference"}}},
      {"generalPractitioner -> Patient with a version",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"Patient/1/_history/1"}]})",
       {{"value", "Patient.generalPractitioner[0].reference"}}},
      {"absolute URL with a disallowed type",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"http://example.org/fhir/Patient/1"}]})",
       {{"value", "Patient.generalPractitioner[0].reference"}}},
      {"absolute URL with an allowed type",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"http://example.org/fhir/Organization/1"}]})",
       {}},
      {"contained and urn:uuid references are not type-checked",
       R"({"resourceType":"Patient","generalPractitioner":[{"reference":"#p"},)"
       R"({"reference":"urn:uuid:0f4b5b4e-0b8d-4f9e-9a1c-0e8e0b1d2c3f"}]})",
       {}},
      {"Observation.subject -> Group",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Group/1"}})",
       {}},
      {"Observation.subject -> Organization",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Organization/1"}})",
       {{"value", "Observation.subject.reference"}}},
      {"Reference(Any) in an extension",
       R"({"resourceType":"Patient","extension":[{"url":"http://example.org/e","valueReference":{"reference":"Group/1"}}]})",
       {}},
      {"bad syntax in Reference(Any)",
       R"({"resourceType":"Patient","extension":[{"url":"http://example.org/e","valueReference":{"reference":"Foo/1"}}]})",
       {{"value", "Patient.extension[0].valueReference.reference"}}},
      {"a reference in a backbone element (Patient.link.other: Patient, RelatedPerson)",
       R"({"resourceType":"Patient","link":[{"other":{"reference":"Organization/1"},"type":"seealso"}]})",
       {{"value", "Patient.link[0].other.reference"}}},
      {"a Reference without reference (identifier only)",
       R"({"resourceType":"Patient","generalPractitioner":[{"identifier":{"value":"x"},"display":"Dr. X"}]})",
       {}},
  };
  ExpectCases(cases);
}

// Regression: an empty Reference.reference was reported twice at the same place, as an empty
// string and again as an invalid reference, the second after std::string_view::front() on the
// empty string (undefined behaviour; with _GLIBCXX_ASSERTIONS it aborts). Expected: one issue.
TEST_F(ValidatorReferenceTest, BugEmptyReferenceIsReportedTwice) {
  const Case cases[] = {
      {"empty reference",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":""}})",
       {{"value", "Observation.subject.reference"}}},
  };
  ExpectCases(cases);
}

// Regression: in a transaction, a reference may be conditional, "Patient?identifier=...", for the
// server to resolve by search (https://hl7.org/fhir/R4/http.html#trules). Such a Bundle was
// rejected with "not a valid reference" (and one whose query contained "://" passed by accident,
// taken for an absolute URL). More cases in ConditionalReferences.
TEST_F(ValidatorReferenceTest, BugConditionalReferenceInATransactionIsRejected) {
  const Case cases[] = {
      {"conditional reference in a transaction entry",
       R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Observation",)"
       R"("status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=12345"}},)"
       R"("request":{"method":"POST","url":"Observation"}}]})",
       {}},
  };
  ExpectCases(cases);
}

// A Bundle of `bundle_type` with one Observation entry whose subject is `reference`.
std::string BundleWithSubject(std::string_view bundle_type, std::string_view reference) {
  return R"({"resourceType":"Bundle","type":")" + std::string(bundle_type) +
         R"(","entry":[{"resource":{"resourceType":"Observation","status":"final",)"
         R"("code":{"text":"x"},"subject":{"reference":")" +
         std::string(reference) + R"("}},"request":{"method":"POST","url":"Observation"}}]})";
}

TEST_F(ValidatorReferenceTest, ConditionalReferences) {
  constexpr std::string_view kSubject = "Bundle.entry[0].resource.subject.reference";
  const std::string in_transaction = BundleWithSubject("transaction", "Patient?identifier=12345");
  const std::string with_system =
      BundleWithSubject("transaction", "Patient?identifier=http://example.org/mrn|12345");
  const std::string in_batch = BundleWithSubject("batch", "Patient?identifier=12345&active=true");
  const std::string in_collection = BundleWithSubject("collection", "Patient?identifier=12345");
  const std::string unknown_type = BundleWithSubject("transaction", "Foo?identifier=12345");
  const std::string no_query = BundleWithSubject("transaction", "Patient?");
  const Case cases[] = {
      {"in a transaction", in_transaction, {}},
      {"in a transaction, with a system", with_system, {}},
      {"in a batch", in_batch, {}},
      {"in a collection", in_collection, {{"value", kSubject}}},
      {"an unknown type", unknown_type, {{"value", kSubject}}},
      {"no parameters", no_query, {{"value", kSubject}}},
      {"outside a Bundle",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
       R"("subject":{"reference":"Patient?identifier=12345"}})",
       {{"value", "Observation.subject.reference"}}},
  };
  ExpectCases(cases);
}

// A conditional reference names its target type before the '?', but that type is not checked
// against the element's allowed targets: in a transaction, Observation.subject may refer to
// "Organization?identifier=1", and Patient.generalPractitioner to "Patient?identifier=1", while
// "Organization/1" and "Patient/1" are rejected there.
TEST_F(ValidatorReferenceTest, BugConditionalReferenceTargetTypeIsNotChecked) {
  const std::string subject = BundleWithSubject("transaction", "Organization?identifier=1");
  const Case cases[] = {
      {"Observation.subject -> Organization?",
       subject,
       {{"value", "Bundle.entry[0].resource.subject.reference"}}},
      {"Patient.generalPractitioner -> Patient?",
       R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient",)"
       R"("generalPractitioner":[{"reference":"Patient?identifier=1"}]},)"
       R"("request":{"method":"POST","url":"Patient"}}]})",
       {{"value", "Bundle.entry[0].resource.generalPractitioner[0].reference"}}},
  };
  ExpectCases(cases);
}

TEST_F(ValidatorNestedResourceTest, ResourcesInsideResources) {
  const Case cases[] = {
      {"valid contained Organization",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x"}],)"
       R"("managingOrganization":{"reference":"#o"}})",
       {}},
      {"invalid contained Patient",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o"},)"
       R"({"resourceType":"Patient","id":"p","gender":"bogus","foo":1}]})",
       {{"code-invalid", "Patient.contained[1].gender"},
        {"structure", "Patient.contained[1].foo"}}},
      {"contained resource validated by its own type",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Observation","id":"o"}]})",
       {{"required", "Patient.contained[0].status"}, {"required", "Patient.contained[0].code"}}},
      {"contained id is an id",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"a b"}]})",
       {{"value", "Patient.contained[0].id"}}},
      {"contained without resourceType",
       R"({"resourceType":"Patient","contained":[{"id":"x"}]})",
       {{"required", "Patient.contained[0]"}}},
      {"contained of an unknown type",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Foo"}]})",
       {{"structure", "Patient.contained[0]"}}},
      {"contained of an abstract type",
       R"({"resourceType":"Patient","contained":[{"resourceType":"DomainResource"}]})",
       {{"structure", "Patient.contained[0]"}}},
      {"contained as an object",
       R"({"resourceType":"Patient","contained":{"resourceType":"Patient"}})",
       {{"structure", "Patient.contained"}}},
      {"contained in contained",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Patient","contained":[{"resourceType":"Patient","foo":1}]}]})",
       {{"structure", "Patient.contained[0].contained[0].foo"}}},
      {"Bundle.entry.resource",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}},)"
       R"({"resource":{"resourceType":"Patient","foo":1}}]})",
       {{"structure", "Bundle.entry[1].resource.foo"}}},
      {"Bundle.entry.resource of an unknown type",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Foo"}}]})",
       {{"structure", "Bundle.entry[0].resource"}}},
      {"Bundle.entry.resource as an array",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":[{"resourceType":"Patient"}]}]})",
       {{"structure", "Bundle.entry[0].resource"}}},
      {"Bundle in a Bundle",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Bundle","type":"collection",)"
       R"("entry":[{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueFoo":1}}]}}]})",
       {{"structure", "Bundle.entry[0].resource.entry[0].resource.valueFoo"}}},
      {"Parameters.parameter.resource",
       R"({"resourceType":"Parameters","parameter":[{"name":"a","resource":{"resourceType":"Patient","foo":1}}]})",
       {{"structure", "Parameters.parameter[0].resource.foo"}}},
      {"references inside a contained resource are checked",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
       R"("contained":[{"resourceType":"Patient","id":"p","generalPractitioner":[{"reference":"Patient/1"}]}]})",
       {{"value", "Observation.contained[0].generalPractitioner[0].reference"}}},
  };
  ExpectCases(cases);
}

}  // namespace
}  // namespace schakel::fhir::validation
