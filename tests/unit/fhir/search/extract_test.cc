#include "fhir/search/extract.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "tests/unit/fhir/search/search_fixture.h"

namespace schakel::fhir::search {
namespace {

using schakel::test::SharedSearchParameters;
using schakel::test::ShowAll;
using schakel::test::ShowParam;
using testing::ElementsAreArray;

constexpr std::string_view kPatient = R"({
  "resourceType": "Patient", "id": "p1",
  "meta": {"lastUpdated": "2024-01-01T00:00:00Z",
           "profile": ["http://example.org/StructureDefinition/nl-patient|1.0"],
           "tag": [{"system": "http://example.org/tags", "code": "vip", "display": "VIP"}]},
  "identifier": [
    {"use": "official",
     "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                          "code": "MR"}], "text": "Medical Record"},
     "system": "http://example.org/mrn", "value": "12345"},
    {"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "999911120"}],
  "active": true,
  "name": [{"use": "official", "family": "Müller", "given": ["Jürgen", "Karl"],
            "prefix": ["Dr."], "text": "Dr. Jürgen Müller"},
           {"use": "nickname", "given": ["Jürgen"]}],
  "telecom": [{"system": "phone", "value": "+31 20 1234567", "use": "home"},
              {"system": "email", "value": "j.muller@example.org"},
              {"use": "home"}],
  "gender": "male",
  "birthDate": "1970-03-05",
  "address": [{"use": "home", "line": ["Hoofdstraat 1", "2e verdieping"], "city": "Amsterdam",
               "postalCode": "1011 AA", "country": "NL"}],
  "generalPractitioner": [{"reference": "Practitioner/gp1"}],
  "managingOrganization": {"reference": "http://example.org/fhir/Organization/org1/_history/3"}
})";

constexpr std::string_view kObservation = R"({
  "resourceType": "Observation", "id": "o1", "status": "final",
  "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7", "display": "Body Weight"},
                      {"system": "http://snomed.info/sct", "code": "27113001"}],
           "text": "Gewicht"},
  "subject": {"reference": "Patient/p1"},
  "encounter": {"reference": "Encounter/e1"},
  "effectivePeriod": {"start": "2024-03-05T10:00:00+02:00"},
  "valueQuantity": {"value": 72.5, "unit": "kg", "system": "http://unitsofmeasure.org",
                    "code": "kg"},
  "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                 "valueQuantity": {"value": 120, "unit": "mmHg", "system": "http://example.org/u",
                                   "code": "mmHg"}}]
})";

constexpr std::string_view kMedicationStatement = R"({
  "resourceType": "MedicationStatement", "id": "ms1", "status": "active",
  "contained": [{"resourceType": "Medication", "id": "med1", "code": {"text": "paracetamol"}}],
  "medicationReference": {"reference": "#med1"},
  "subject": {"reference": "Patient/p1"},
  "effectiveDateTime": "2024-03",
  "informationSource": {"identifier": {"system": "http://fhir.nl/fhir/NamingSystem/uzi",
                                       "value": "123456"}}
})";

constexpr std::string_view kEncounter = R"({
  "resourceType": "Encounter", "id": "e1", "status": "finished",
  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
            "display": "ambulatory"},
  "subject": {"reference": "http://example.org/fhir/Patient/p1"},
  "participant": [{"individual": {"reference": "Practitioner/pr1/_history/2"}},
                  {"individual": {"reference": "RelatedPerson/rp1"}}],
  "period": {"start": "2024-03-05", "end": "2024-03-06"},
  "serviceProvider": {"reference": "urn:uuid:6c2e1a4c-0000-4000-8000-000000000001"}
})";

// Lenient `as`: useContext.value selects three values, `as Quantity` keeps the quantity.
constexpr std::string_view kActivityDefinition = R"({
  "resourceType": "ActivityDefinition", "status": "active",
  "useContext": [
    {"code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "age"},
     "valueQuantity": {"value": 18, "system": "http://example.org/u", "code": "x"}},
    {"code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type", "code": "age"},
     "valueRange": {"low": {"value": 1, "system": "http://example.org/u", "code": "x"},
                    "high": {"value": 5, "system": "http://example.org/u", "code": "x"}}},
    {"code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type",
              "code": "focus"},
     "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct",
                                          "code": "306206005"}]}}]
})";

// The type of `param` on the resource's type decides which list its entries are in.
std::vector<std::string> Entries(const IndexValues& v, std::string_view type,
                                 std::string_view param) {
  const SearchParameter* p = SharedSearchParameters().Find(type, param);
  if (p == nullptr) return {"no parameter " + std::string(param)};
  switch (p->type) {
    case ParamType::kString:
      return ShowParam(v.strings, param);
    case ParamType::kToken:
      return ShowParam(v.tokens, param);
    case ParamType::kDate:
      return ShowParam(v.dates, param);
    case ParamType::kNumber:
      return ShowParam(v.numbers, param);
    case ParamType::kQuantity:
      return ShowParam(v.quantities, param);
    case ParamType::kReference:
      return ShowParam(v.references, param);
    case ParamType::kUri:
      return ShowParam(v.uris, param);
    case ParamType::kComposite:
      return ShowParam(v.composites, param);
    case ParamType::kSpecial:
      break;
  }
  return {};
}

Result<IndexValues> Extract(std::string_view text) {
  Result<json::Value> resource = json::Parse(text);
  if (!resource.ok()) return resource.status();
  return ExtractIndex(*resource, SharedSearchParameters());
}

struct Case {
  std::string_view resource;
  std::string_view param;
  std::vector<std::string> expected;
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Result<IndexValues> values = Extract(c.resource);
    ASSERT_TRUE(values.ok()) << values.status().ToString();
    Result<json::Value> parsed = json::Parse(c.resource);
    const std::string type = *parsed->FindString("resourceType");
    EXPECT_THAT(Entries(*values, type, c.param), ElementsAreArray(c.expected))
        << type << "?" << c.param << "; everything: " << testing::PrintToString(ShowAll(*values));
  }
}

TEST(ExtractIndexTest, Patient) {
  RunCases({
      {kPatient,
       "name",
       {"name=muller|Müller", "name=jurgen|Jürgen", "name=karl|Karl", "name=dr.|Dr.",
        "name=dr. jurgen muller|Dr. Jürgen Müller"}},
      {kPatient, "family", {"family=muller|Müller"}},
      {kPatient, "given", {"given=jurgen|Jürgen", "given=karl|Karl"}},
      {kPatient, "birthdate", {"birthdate=1970-03-05T00:00:00.000Z..1970-03-05T23:59:59.999Z"}},
      // A `code` has the implicit system of its binding (search.html#token).
      {kPatient, "gender", {"gender=http://hl7.org/fhir/administrative-gender|male|"}},
      {kPatient, "active", {"active=-|true|"}},
      {kPatient,
       "identifier",
       {"identifier=http://example.org/mrn|12345|medical record|"
        "http://terminology.hl7.org/CodeSystem/v2-0203|MR",
        "identifier=http://fhir.nl/fhir/NamingSystem/bsn|999911120|"}},
      // A ContactPoint is its value, without a system (the one without a value gives nothing).
      {kPatient, "telecom", {"telecom=-|+31 20 1234567|", "telecom=-|j.muller@example.org|"}},
      {kPatient, "phone", {"phone=-|+31 20 1234567|"}},
      {kPatient, "email", {"email=-|j.muller@example.org|"}},
      {kPatient,
       "address",
       {"address=hoofdstraat 1|Hoofdstraat 1", "address=2e verdieping|2e verdieping",
        "address=amsterdam|Amsterdam", "address=1011 aa|1011 AA", "address=nl|NL"}},
      {kPatient, "address-city", {"address-city=amsterdam|Amsterdam"}},
      {kPatient, "address-postalcode", {"address-postalcode=1011 aa|1011 AA"}},
      {kPatient, "address-use", {"address-use=http://hl7.org/fhir/address-use|home|"}},
      {kPatient, "general-practitioner", {"general-practitioner=Practitioner/gp1|"}},
      {kPatient,
       "organization",
       {"organization=Organization/org1/_history/3|"
        "http://example.org/fhir/Organization/org1/_history/3"}},
      {kPatient, "_tag", {"_tag=http://example.org/tags|vip|vip"}},
      {kPatient, "_profile", {"_profile=http://example.org/StructureDefinition/nl-patient|1.0"}},
      // The store answers these from the resource row.
      {kPatient, "_id", {}},
      {kPatient, "_lastUpdated", {}},
      {kPatient, "language", {}},
  });
}

TEST(ExtractIndexTest, Observation) {
  RunCases({
      {kObservation, "status", {"status=http://hl7.org/fhir/observation-status|final|"}},
      {kObservation,
       "code",
       {"code=http://loinc.org|29463-7|body weight", "code=http://snomed.info/sct|27113001|",
        "code=-||gewicht"}},
      {kObservation, "date", {"date=2024-03-05T08:00:00.000Z..+inf"}},
      {kObservation, "subject", {"subject=Patient/p1|"}},
      // `Observation.subject.where(resolve() is Patient)`: the reference's type decides.
      {kObservation, "patient", {"patient=Patient/p1|"}},
      {kObservation, "encounter", {"encounter=Encounter/e1|"}},
      {kObservation,
       "value-quantity",
       {"value-quantity=72.5|http://unitsofmeasure.org|kg|kg|72500|g"}},
      {kObservation,
       "component-value-quantity",
       {"component-value-quantity=120|http://example.org/u|mmHg|mmHg"}},
      {kObservation,
       "code-value-quantity",
       {"code-value-quantity=token:http://loinc.org|29463-7 $ "
        "quantity:72500..72500|http://unitsofmeasure.org|g",
        "code-value-quantity=token:http://snomed.info/sct|27113001 $ "
        "quantity:72500..72500|http://unitsofmeasure.org|g"}},
      {kObservation,
       "component-code-value-quantity",
       {"component-code-value-quantity=token:http://loinc.org|8480-6 $ "
        "quantity:120..120|http://example.org/u|mmHg"}},
      {kObservation,
       "combo-code-value-quantity",
       {"combo-code-value-quantity=token:http://loinc.org|29463-7 $ "
        "quantity:72500..72500|http://unitsofmeasure.org|g",
        "combo-code-value-quantity=token:http://snomed.info/sct|27113001 $ "
        "quantity:72500..72500|http://unitsofmeasure.org|g",
        "combo-code-value-quantity=token:http://loinc.org|8480-6 $ "
        "quantity:120..120|http://example.org/u|mmHg"}},
      {kObservation, "code-value-concept", {}},
  });
}

TEST(ExtractIndexTest, MedicationStatement) {
  RunCases({
      {kMedicationStatement, "subject", {"subject=Patient/p1|"}},
      {kMedicationStatement, "patient", {"patient=Patient/p1|"}},
      {kMedicationStatement,
       "effective",
       {"effective=2024-03-01T00:00:00.000Z..2024-03-31T23:59:59.999Z"}},
      // A reference to a contained resource is not indexed.
      {kMedicationStatement, "medication", {}},
      // A logical reference: the identifier only.
      {kMedicationStatement, "source", {"source=/||http://fhir.nl/fhir/NamingSystem/uzi|123456"}},
  });
}

TEST(ExtractIndexTest, Encounter) {
  RunCases({
      {kEncounter, "subject", {"subject=Patient/p1|http://example.org/fhir/Patient/p1"}},
      {kEncounter, "patient", {"patient=Patient/p1|http://example.org/fhir/Patient/p1"}},
      {kEncounter,
       "participant",
       {"participant=Practitioner/pr1/_history/2|", "participant=RelatedPerson/rp1|"}},
      {kEncounter, "practitioner", {"practitioner=Practitioner/pr1/_history/2|"}},
      {kEncounter,
       "class",
       {"class=http://terminology.hl7.org/CodeSystem/v3-ActCode|AMB|ambulatory"}},
      {kEncounter, "date", {"date=2024-03-05T00:00:00.000Z..2024-03-06T23:59:59.999Z"}},
      {kEncounter,
       "service-provider",
       {"service-provider=/|urn:uuid:6c2e1a4c-0000-4000-8000-000000000001"}},
  });
}

TEST(ExtractIndexTest, DatePrecisionsAndTimezones) {
  struct DateCase {
    std::string_view member;  // effective[x]
    std::string_view value;
    std::string_view expected;
  };
  const DateCase cases[] = {
      {"effectiveDateTime", "2024", "2024-01-01T00:00:00.000Z..2024-12-31T23:59:59.999Z"},
      {"effectiveDateTime", "2024-03", "2024-03-01T00:00:00.000Z..2024-03-31T23:59:59.999Z"},
      {"effectiveDateTime", "2024-02", "2024-02-01T00:00:00.000Z..2024-02-29T23:59:59.999Z"},
      {"effectiveDateTime", "2023-02", "2023-02-01T00:00:00.000Z..2023-02-28T23:59:59.999Z"},
      {"effectiveDateTime", "2023-12", "2023-12-01T00:00:00.000Z..2023-12-31T23:59:59.999Z"},
      {"effectiveDateTime", "2024-03-05", "2024-03-05T00:00:00.000Z..2024-03-05T23:59:59.999Z"},
      {"effectiveDateTime", "2024-12-31", "2024-12-31T00:00:00.000Z..2024-12-31T23:59:59.999Z"},
      {"effectiveDateTime", "2024-03-05T10:00:00Z",
       "2024-03-05T10:00:00.000Z..2024-03-05T10:00:00.999Z"},
      {"effectiveDateTime", "2024-03-05T10:00:00+02:00",
       "2024-03-05T08:00:00.000Z..2024-03-05T08:00:00.999Z"},
      {"effectiveDateTime", "2024-03-05T23:30:00-05:00",
       "2024-03-06T04:30:00.000Z..2024-03-06T04:30:00.999Z"},
      {"effectiveDateTime", "2024-03-05T10:00:00.123Z",
       "2024-03-05T10:00:00.123Z..2024-03-05T10:00:00.123Z"},
      // Without a timezone (not valid FHIR, but stored data may have it): taken as UTC.
      {"effectiveDateTime", "2024-03-05T10:00:00",
       "2024-03-05T10:00:00.000Z..2024-03-05T10:00:00.999Z"},
      {"effectiveInstant", "2024-03-05T10:00:00+02:00",
       "2024-03-05T08:00:00.000Z..2024-03-05T08:00:00.999Z"},
      {"effectiveInstant", "1969-12-31T23:59:59.999Z",
       "1969-12-31T23:59:59.999Z..1969-12-31T23:59:59.999Z"},
      {"effectivePeriod", R"({"start": "2024-03-05", "end": "2024-03"})",
       "2024-03-05T00:00:00.000Z..2024-03-31T23:59:59.999Z"},
      {"effectivePeriod", R"({"end": "2024-03-05T12:00:00+01:00"})",
       "-inf..2024-03-05T11:00:00.999Z"},
      // The outer limits of a Timing: its events and repeat.boundsPeriod.
      {"effectiveTiming",
       R"({"event": ["2024-03-05T10:00:00Z", "2024-03-01"],
           "repeat": {"boundsPeriod": {"start": "2024-02-20", "end": "2024-03-02"}}})",
       "2024-02-20T00:00:00.000Z..2024-03-05T10:00:00.999Z"},
      {"effectiveTiming", R"({"repeat": {"boundsPeriod": {"start": "2024-02-20"}}})",
       "2024-02-20T00:00:00.000Z..+inf"},
  };
  for (const DateCase& c : cases) {
    const bool object = c.value.starts_with("{");
    const std::string resource =
        std::string(
            R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, ")") +
        std::string(c.member) +
        "\": " + (object ? std::string(c.value) : "\"" + std::string(c.value) + "\"") + "}";
    Result<IndexValues> values = Extract(resource);
    ASSERT_TRUE(values.ok()) << values.status().ToString();
    EXPECT_THAT(ShowParam(values->dates, "date"),
                ElementsAreArray({"date=" + std::string(c.expected)}))
        << c.member << " " << c.value;
  }
  // Not a date: nothing, and no error.
  Result<IndexValues> values = Extract(
      R"({"resourceType": "Observation", "status": "final", "effectiveTiming": {"code": {"text": "BID"}}})");
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(ShowParam(values->dates, "date").empty());
}

TEST(ExtractIndexTest, LenientAsOnRepeatingElementsAndRanges) {
  RunCases({
      {kActivityDefinition,
       "context-quantity",
       {"context-quantity=18|http://example.org/u|x|", "context-quantity=1|http://example.org/u|x|",
        "context-quantity=5|http://example.org/u|x|"}},
      {kActivityDefinition,
       "context-type",
       {"context-type=http://terminology.hl7.org/CodeSystem/usage-context-type|age|",
        "context-type=http://terminology.hl7.org/CodeSystem/usage-context-type|focus|"}},
      {kActivityDefinition, "context", {"context=http://snomed.info/sct|306206005|"}},
      // A Range is one composite part, low..high.
      {kActivityDefinition,
       "context-type-quantity",
       {"context-type-quantity=token:http://terminology.hl7.org/CodeSystem/usage-context-type|age "
        "$ quantity:18..18|http://example.org/u|x",
        "context-type-quantity=token:http://terminology.hl7.org/CodeSystem/usage-context-type|age "
        "$ quantity:1..5|http://example.org/u|x"}},
      {kActivityDefinition,
       "context-type-value",
       {"context-type-value=token:http://terminology.hl7.org/CodeSystem/usage-context-type|focus "
        "$ token:http://snomed.info/sct|306206005"}},
  });
}

TEST(ExtractIndexTest, OtherTypes) {
  constexpr std::string_view kTask =
      R"({"resourceType": "Task", "status": "draft", "intent": "order",
          "businessStatus": {"coding": [{"system": "http://example.org/bs", "code": "x"}]}})";
  RunCases({
      // Task.status has the implicit system of task-status; Task.intent's value set draws from
      // two systems, so its code has none; a CodeableConcept keeps its codings' systems.
      {kTask, "status", {"status=http://hl7.org/fhir/task-status|draft|"}},
      {kTask, "intent", {"intent=-|order|"}},
      {kTask, "business-status", {"business-status=http://example.org/bs|x|"}},
      // Money: the currency as a code.
      {R"({"resourceType": "ChargeItem", "status": "billable", "code": {"text": "x"},
           "subject": {"reference": "Patient/p1"},
           "priceOverride": {"value": 10.50, "currency": "EUR"}})",
       "price-override",
       {"price-override=10.5|urn:iso:std:iso:4217|EUR|"}},
      // Numbers, and a Range as its two ends.
      {R"({"resourceType": "RiskAssessment", "status": "final",
           "subject": {"reference": "Patient/p1"},
           "prediction": [{"probabilityDecimal": 0.25},
                          {"probabilityRange": {"low": {"value": 0.1}, "high": {"value": 3e-1}}}]})",
       "probability",
       {"probability=0.25", "probability=0.1", "probability=0.3"}},
      {R"({"resourceType": "ValueSet", "status": "active", "url": "http://example.org/ValueSet/x",
           "version": "2.0"})",
       "url",
       {"url=http://example.org/ValueSet/x"}},
      // A canonical reference: the url without its version, and the type and id it ends with.
      {R"({"resourceType": "QuestionnaireResponse", "status": "completed",
           "questionnaire": "http://example.org/fhir/Questionnaire/q1|2.0"})",
       "questionnaire",
       {"questionnaire=Questionnaire/q1|http://example.org/fhir/Questionnaire/q1"}},
      // R4 selects the extension itself: it is indexed by its value.
      {R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
           "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/observation-geneticsGene",
                          "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org",
                                                               "code": "3236",
                                                               "display": "EGFR"}]}}]})",
       "gene-identifier",
       {"gene-identifier=http://www.genenames.org|3236|egfr"}},
      // A component that starts at %resource: evaluated with the resource as %resource.
      {R"({"resourceType": "MolecularSequence", "coordinateSystem": 0,
           "referenceSeq": {"chromosome": {"coding": [{
             "system": "http://terminology.hl7.org/CodeSystem/chromosome-human", "code": "1"}]}},
           "variant": [{"start": 100, "end": 101}, {"start": 200, "end": 205}]})",
       "chromosome-variant-coordinate",
       {"chromosome-variant-coordinate=token:"
        "http://terminology.hl7.org/CodeSystem/chromosome-human|1 $ number:100..100 $ "
        "number:101..101",
        "chromosome-variant-coordinate=token:"
        "http://terminology.hl7.org/CodeSystem/chromosome-human|1 $ number:200..200 $ "
        "number:205..205"}},
  });
}

TEST(ExtractIndexTest, BoundsCompositeCrossProducts) {
  std::string codings;
  for (int i = 0; i < 70; ++i) {
    if (i > 0) codings += ",";
    codings += R"({"system": "http://example.org/codes", "code": "c)" + std::to_string(i) + "\"}";
  }
  const std::string resource =
      R"({"resourceType": "Observation", "status": "final", "code": {"coding": [)" + codings +
      R"(]}, "valueQuantity": {"value": 1, "system": "http://example.org/u", "code": "x"}})";
  Result<IndexValues> values = Extract(resource);
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(ShowParam(values->tokens, "code").size(), 70u);
  EXPECT_EQ(ShowParam(values->composites, "code-value-quantity").size(), 64u);
}

TEST(ExtractIndexTest, RemovesDuplicates) {
  Result<IndexValues> values = Extract(R"({"resourceType": "Patient",
      "name": [{"given": ["Jan", "Jan"]}, {"given": ["Jan"], "family": "Jan"}],
      "identifier": [{"system": "http://x", "value": "1"}, {"system": "http://x", "value": "1"}]})");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_THAT(ShowParam(values->strings, "given"), ElementsAreArray({"given=jan|Jan"}));
  EXPECT_THAT(ShowParam(values->strings, "name"), ElementsAreArray({"name=jan|Jan"}));
  EXPECT_THAT(ShowParam(values->tokens, "identifier"),
              ElementsAreArray({"identifier=http://x|1|"}));
}

TEST(ExtractIndexTest, RefusesResourcesWithTooManyEntries) {
  // Identifiers rather than given names: `Patient.name.given | Practitioner.name.given` is a
  // union, which the FHIRPath engine computes in quadratic time (seconds for 10,000 names).
  std::string identifiers;
  for (int i = 0; i < 10'001; ++i) {
    if (i > 0) identifiers += ",";
    identifiers += R"({"system": "http://x", "value": ")" + std::to_string(i) + "\"}";
  }
  Result<IndexValues> values =
      Extract(R"({"resourceType": "Patient", "identifier": [)" + identifiers + "]}");
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().code(), Code::kTooLarge);
  EXPECT_THAT(std::string(values.status().message()), testing::HasSubstr("10000"));
}

TEST(ExtractIndexTest, NeedsAResourceType) {
  Result<IndexValues> values = Extract(R"({"id": "x"})");
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.status().code(), Code::kInvalidInput);
  // An unknown type has no parameters: nothing to index, not an error.
  Result<IndexValues> unknown = Extract(R"({"resourceType": "Unicorn", "id": "x"})");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->size(), 0u);
}

// Only the named parameters are evaluated, and only the indexable reference ones among them give
// entries; the entries are those ExtractIndex gives for them.
TEST(ExtractReferencesTest, OnlyTheNamedReferenceParameters) {
  Result<json::Value> resource = json::Parse(kEncounter);
  ASSERT_TRUE(resource.ok()) << resource.status().ToString();
  Result<std::vector<ReferenceIndex>> references =
      ExtractReferences(*resource, {"patient", "practitioner", "class", "no-such-parameter"},
                        SharedSearchParameters());
  ASSERT_TRUE(references.ok()) << references.status().ToString();
  std::vector<std::string> shown;
  for (const ReferenceIndex& r : *references) shown.push_back(schakel::test::Show(r));
  EXPECT_THAT(shown, ElementsAreArray({"patient=Patient/p1|http://example.org/fhir/Patient/p1",
                                       "practitioner=Practitioner/pr1/_history/2|"}));

  Result<IndexValues> all = ExtractIndex(*resource, SharedSearchParameters());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> expected = ShowParam(all->references, "patient");
  for (const std::string& e : ShowParam(all->references, "practitioner")) expected.push_back(e);
  EXPECT_THAT(shown, ElementsAreArray(expected));

  Result<std::vector<ReferenceIndex>> none =
      ExtractReferences(*resource, {}, SharedSearchParameters());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  Result<std::vector<ReferenceIndex>> untyped =
      ExtractReferences(*json::Parse(R"({"id": "x"})"), {"patient"}, SharedSearchParameters());
  ASSERT_FALSE(untyped.ok());
  EXPECT_EQ(untyped.status().code(), Code::kInvalidInput);
}

}  // namespace
}  // namespace schakel::fhir::search
