// GET [base]/metadata: the CapabilityStatement.
// Spec: https://hl7.org/fhir/R4/http.html#capabilities,
// https://hl7.org/fhir/R4/capabilitystatement.html
#include <map>
#include <set>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

// Every concrete resource type of FHIR R4 (4.0.1): 146 names.
// clang-format off
constexpr const char* kR4ResourceTypes[] = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition",
    "ConceptMap", "Condition", "Consent", "Contract", "Coverage", "CoverageEligibilityRequest",
    "CoverageEligibilityResponse", "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric",
    "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
    "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest",
    "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence", "EvidenceVariable",
    "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy",
    "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide",
    "InsurancePlan", "Invoice", "Library", "Linkage", "List", "Location", "Measure",
    "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction",
    "MedicinalProductManufactured", "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader", "MolecularSequence",
    "NamingSystem", "NutritionOrder", "Observation", "ObservationDefinition",
    "OperationDefinition", "OperationOutcome", "Organization", "OrganizationAffiliation",
    "Parameters", "Patient", "PaymentNotice", "PaymentReconciliation", "Person", "PlanDefinition",
    "Practitioner", "PractitionerRole", "Procedure", "Provenance", "Questionnaire",
    "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
    "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
    "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot", "Specimen",
    "SpecimenDefinition", "StructureDefinition", "StructureMap", "Subscription", "Substance",
    "SubstanceNucleicAcid", "SubstancePolymer", "SubstanceProtein",
    "SubstanceReferenceInformation", "SubstanceSourceMaterial", "SubstanceSpecification",
    "SupplyDelivery", "SupplyRequest", "Task", "TerminologyCapabilities", "TestReport",
    "TestScript", "ValueSet", "VerificationResult", "VisionPrescription"};
// clang-format on

// Interactions every resource type must claim now.
constexpr const char* kTypeInteractions[] = {
    "read", "vread", "update", "delete", "history-instance", "history-type", "create"};

using MetadataTest = ServerTest;

std::set<std::string> Codes(const rapidjson::Value* interactions) {
  std::set<std::string> codes;
  if (interactions == nullptr || !interactions->IsArray()) return codes;
  for (const auto& interaction : interactions->GetArray())
    codes.insert(StringAt(interaction, "/code"));
  return codes;
}

TEST_F(MetadataTest, ReturnsR4CapabilityStatement) {
  Response response = client().Get(Fhir("metadata"));
  ASSERT_EQ(response.status, 200) << response;
  ASSERT_TRUE(IsResource(response, "CapabilityStatement"));
  rapidjson::Document cs = ParseJson(response.body);
  EXPECT_EQ(StringAt(cs, "/fhirVersion"), "4.0.1");
  EXPECT_EQ(StringAt(cs, "/kind"), "instance");
  // Required by the resource definition (1..1).
  const std::set<std::string> statuses = {"draft", "active", "retired", "unknown"};
  EXPECT_EQ(statuses.count(StringAt(cs, "/status")), 1u) << response;
  EXPECT_FALSE(StringAt(cs, "/date").empty()) << response;
  const rapidjson::Value* formats = At(cs, "/format");
  ASSERT_TRUE(formats != nullptr && formats->IsArray()) << response;
  bool json = false;
  for (const auto& format : formats->GetArray()) {
    if (format.IsString() && std::string(format.GetString()).find("json") != std::string::npos) {
      json = true;
    }
  }
  EXPECT_TRUE(json) << "format does not list json" << response;
  EXPECT_EQ(StringAt(cs, "/rest/0/mode"), "server");
}

TEST_F(MetadataTest, ListsEveryR4ResourceTypeWithItsInteractions) {
  Response response = client().Get(Fhir("metadata"));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document cs = ParseJson(response.body);
  const rapidjson::Value* resources = At(cs, "/rest/0/resource");
  ASSERT_TRUE(resources != nullptr && resources->IsArray()) << response;

  // problem -> the types that have it, so one failure line covers all 146 types.
  std::map<std::string, std::vector<std::string>> problems;
  auto is_bool = [](const rapidjson::Value* value, bool want) {
    return value != nullptr && value->IsBool() && value->GetBool() == want;
  };
  std::set<std::string> listed;
  for (const auto& resource : resources->GetArray()) {
    const std::string type = StringAt(resource, "/type");
    if (!listed.insert(type).second) problems["listed twice"].push_back(type);
    const std::set<std::string> codes = Codes(At(resource, "/interaction"));
    for (const char* code : kTypeInteractions) {
      if (codes.count(code) == 0) problems[std::string("lacks ") + code].push_back(type);
    }
    if (codes.count("search-type") == 0) problems["lacks search-type"].push_back(type);
    if (At(resource, "/searchParam/0/name") == nullptr) problems["no searchParam"].push_back(type);
    const std::string versioning = StringAt(resource, "/versioning");
    if (versioning != "versioned-update") {
      problems["versioning is '" + versioning + "', want 'versioned'"].push_back(type);
    }
    if (!is_bool(At(resource, "/readHistory"), true))
      problems["readHistory not true"].push_back(type);
    if (!is_bool(At(resource, "/updateCreate"), true)) {
      problems["updateCreate not true"].push_back(type);
    }
    if (!is_bool(At(resource, "/conditionalCreate"), true)) {
      problems["conditionalCreate not true"].push_back(type);
    }
    if (StringAt(resource, "/conditionalDelete") != "multiple") {
      problems["conditionalDelete not multiple"].push_back(type);
    }
  }
  for (const auto& [problem, types] : problems) {
    ADD_FAILURE() << problem << ": " << types.size() << " types, e.g. " << types.front();
  }
  std::set<std::string> expected(std::begin(kR4ResourceTypes), std::end(kR4ResourceTypes));
  ASSERT_EQ(expected.size(), 146u);
  for (const std::string& type : expected) {
    EXPECT_EQ(listed.count(type), 1u) << "missing resource type " << type;
  }
  for (const std::string& type : listed) {
    EXPECT_EQ(expected.count(type), 1u) << "not an R4 resource type: " << type;
  }
}

TEST_F(MetadataTest, ClaimsSystemHistoryTransactionAndBatch) {
  Response response = client().Get(Fhir("metadata"));
  ASSERT_EQ(response.status, 200) << response;
  rapidjson::Document cs = ParseJson(response.body);
  const std::set<std::string> codes = Codes(At(cs, "/rest/0/interaction"));
  EXPECT_EQ(codes.count("history-system"), 1u) << response;
  EXPECT_EQ(codes.count("transaction"), 1u) << response;
  EXPECT_EQ(codes.count("batch"), 1u) << response;
}

TEST_F(MetadataTest, HeadMatchesGetWithoutBody) {
  Response get = client().Get(Fhir("metadata"));
  Response head = client().Head(Fhir("metadata"));
  ASSERT_EQ(get.status, 200) << get;
  EXPECT_EQ(head.status, 200) << head;
  EXPECT_TRUE(head.body.empty()) << head;
  EXPECT_EQ(NormalizeMediaType(head.Header("Content-Type")), kFhirJson) << head;
}

}  // namespace
}  // namespace schakel::integration
