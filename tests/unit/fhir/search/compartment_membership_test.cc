#include "fhir/search/compartment_membership.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/search/extract.h"
#include "tests/unit/fhir/search/search_fixture.h"

namespace schakel::fhir::search {
namespace {

using schakel::test::SharedCompartments;
using schakel::test::SharedSearchParameters;
using schakel::test::ShowAll;

struct Case {
  std::string_view name;
  std::string_view resource;
  bool expected;  // in the compartment of Patient/123
  std::string_view compartment = "Patient";
  std::string_view id = "123";
};

const Case kCases[] = {
    // The focus, and other Patients: only through Patient.link (the `link` parameter).
    {"the patient itself", R"({"resourceType": "Patient", "id": "123"})", true},
    {"another patient", R"({"resourceType": "Patient", "id": "456"})", false},
    {"a patient without an id", R"({"resourceType": "Patient"})", false},
    {"another patient linked to it",
     R"({"resourceType": "Patient", "id": "456",
         "link": [{"other": {"reference": "Patient/123"}, "type": "seealso"}]})",
     true},
    {"another patient with an organization of the same id",
     R"({"resourceType": "Patient", "id": "456",
         "managingOrganization": {"reference": "Organization/123"}})",
     false},

    // Observation: subject and performer.
    {"Observation.subject",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "Patient/123"}})",
     true},
    {"Observation.performer",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "performer": [{"reference": "Practitioner/9"}, {"reference": "Patient/123"}]})",
     true},
    {"Observation.subject of a Group with the same id",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "Group/123"}})",
     false},
    {"Patient/1234 is not Patient/123",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "Patient/1234"}})",
     false},
    {"Patient/12 is not Patient/123",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "Patient/12"}})",
     false},
    {"a versioned reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "Patient/123/_history/2"}})",
     true},
    // The index takes type and id from an absolute URL's last two segments, whatever its base.
    {"an absolute reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "https://fhir.example.org/r4/Patient/123"}})",
     true},
    {"an absolute reference to Patient/1234",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "https://fhir.example.org/r4/Patient/1234"}})",
     false},
    {"a relative reference with a path is not a literal reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "r4/Patient/123"}})",
     false},
    {"a urn:uuid reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"reference": "urn:uuid:123"}})",
     false},
    {"an identifier-only reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"type": "Patient", "identifier": {"system": "urn:x", "value": "123"}}})",
     false},
    {"a display-only reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "subject": {"display": "Patient/123"}})",
     false},
    {"a reference through a parameter that is not the compartment's",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "focus": [{"reference": "Patient/123"}]})",
     false},
    {"no references at all",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"}})", false},

    // Contained resources: their references do not make the container a member.
    {"a contained resource's reference",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "contained": [{"resourceType": "Observation", "id": "o", "status": "final",
                        "code": {"text": "y"}, "subject": {"reference": "Patient/123"}}],
         "hasMember": [{"reference": "#o"}]})",
     false},
    {"a contained patient with the id",
     R"({"resourceType": "Observation", "status": "final", "code": {"text": "x"},
         "contained": [{"resourceType": "Patient", "id": "123"}],
         "subject": {"reference": "#123"}})",
     false},

    {"MedicationStatement.subject",
     R"({"resourceType": "MedicationStatement", "status": "active",
         "medicationCodeableConcept": {"text": "x"}, "subject": {"reference": "Patient/123"}})",
     true},
    // informationSource (`source`) is not a Patient-compartment parameter of MedicationStatement.
    {"MedicationStatement.informationSource",
     R"({"resourceType": "MedicationStatement", "status": "active",
         "medicationCodeableConcept": {"text": "x"}, "subject": {"reference": "Patient/9"},
         "informationSource": {"reference": "Patient/123"}})",
     false},

    {"Consent.patient",
     R"({"resourceType": "Consent", "status": "active", "scope": {"text": "x"},
         "category": [{"text": "x"}], "patient": {"reference": "Patient/123"}})",
     true},
    // Consent.performer is not a Patient-compartment parameter of Consent.
    {"Consent.performer",
     R"({"resourceType": "Consent", "status": "active", "scope": {"text": "x"},
         "category": [{"text": "x"}], "patient": {"reference": "Patient/9"},
         "performer": [{"reference": "Patient/123"}]})",
     false},

    // AuditEvent's one parameter, `patient`: agent.who and entity.what that are Patients.
    {"AuditEvent.agent.who",
     R"({"resourceType": "AuditEvent", "type": {"code": "rest"}, "recorded": "2024-01-01T00:00:00Z",
         "agent": [{"who": {"reference": "Patient/123"}, "requestor": true}],
         "source": {"observer": {"reference": "Device/d"}}})",
     true},
    {"AuditEvent.entity.what",
     R"({"resourceType": "AuditEvent", "type": {"code": "rest"}, "recorded": "2024-01-01T00:00:00Z",
         "agent": [{"who": {"reference": "Practitioner/123"}, "requestor": true}],
         "source": {"observer": {"reference": "Device/d"}},
         "entity": [{"what": {"reference": "Patient/123/_history/4"}}]})",
     true},
    {"AuditEvent about others",
     R"({"resourceType": "AuditEvent", "type": {"code": "rest"}, "recorded": "2024-01-01T00:00:00Z",
         "agent": [{"who": {"reference": "Practitioner/123"}, "requestor": true}],
         "source": {"observer": {"reference": "Patient/123"}},
         "entity": [{"what": {"reference": "Observation/123"}}]})",
     false},

    {"Encounter.subject",
     R"({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
         "subject": {"reference": "Patient/123"}})",
     true},
    {"Encounter.participant is not the compartment's",
     R"({"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"},
         "participant": [{"individual": {"reference": "RelatedPerson/123"}}]})",
     false},

    // Types without Patient-compartment parameters: never, whatever they point at.
    {"an Organization", R"({"resourceType": "Organization", "id": "123"})", false},
    {"an Organization pointing at it",
     R"({"resourceType": "Organization", "id": "o",
         "extension": [{"url": "http://example.org/p", "valueReference": {"reference": "Patient/123"}}]})",
     false},
    {"a Practitioner", R"({"resourceType": "Practitioner", "id": "123"})", false},
    {"a Medication", R"({"resourceType": "Medication", "id": "123"})", false},
    {"a Bundle holding a member",
     R"({"resourceType": "Bundle", "type": "collection",
         "entry": [{"fullUrl": "http://x/Observation/1",
                    "resource": {"resourceType": "Observation", "id": "1", "status": "final",
                                 "code": {"text": "x"}, "subject": {"reference": "Patient/123"}}},
                   {"fullUrl": "http://x/Patient/123",
                    "resource": {"resourceType": "Patient", "id": "123"}}]})",
     false},

    // Other compartments work the same way.
    {"the Encounter compartment", R"({"resourceType": "Observation", "status": "final",
         "code": {"text": "x"}, "encounter": {"reference": "Encounter/e1"}})",
     true, "Encounter", "e1"},
    {"an unknown compartment", R"({"resourceType": "Observation", "status": "final",
         "code": {"text": "x"}, "subject": {"reference": "Patient/123"}})",
     false, "Unicorn", "123"},
    {"an empty id", R"({"resourceType": "Observation", "status": "final",
         "code": {"text": "x"}, "subject": {"reference": "urn:uuid:1"}})",
     false, "Patient", ""},
};

// The store's compartment search on a full index (store/sqlite/search_sql.cc): a row of one of
// the compartment parameters, resolved as server/rest/search_support.cc resolves them, with
// target_type = compartment and target_id = id. The focus is not part of it.
bool SearchRule(const IndexValues& index, std::string_view type, std::string_view compartment,
                std::string_view id) {
  std::vector<std::string> codes;
  for (const std::string& code : SharedCompartments().Params(compartment, type)) {
    if (const SearchParameter* p = SharedSearchParameters().Find(type, code)) {
      codes.push_back(p->code);
    }
  }
  for (const ReferenceIndex& r : index.references) {
    if (r.target_type != compartment || r.target_id != id) continue;
    for (const std::string& code : codes) {
      if (r.param == code) return true;
    }
  }
  return false;
}

TEST(CompartmentMembershipTest, Cases) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    Result<json::Value> resource = json::Parse(c.resource);
    ASSERT_TRUE(resource.ok()) << resource.status().ToString();
    Result<bool> in = InCompartment(*resource, c.compartment, c.id, SharedSearchParameters(),
                                    SharedCompartments());
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    EXPECT_EQ(*in, c.expected);

    // The same answer as the compartment search's rule on the whole index, except for the focus.
    Result<IndexValues> index = ExtractIndex(*resource, SharedSearchParameters());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    const std::string type = *resource->FindString("resourceType");
    const std::string* own_id = resource->FindString("id");
    const bool focus = type == c.compartment && own_id != nullptr && *own_id == c.id;
    EXPECT_EQ(*in, focus || (!c.id.empty() && SearchRule(*index, type, c.compartment, c.id)))
        << testing::PrintToString(ShowAll(*index));
  }
}

TEST(CompartmentMembershipTest, NeedsAResourceType) {
  Result<json::Value> resource = json::Parse(R"({"subject": {"reference": "Patient/123"}})");
  ASSERT_TRUE(resource.ok());
  Result<bool> in =
      InCompartment(*resource, "Patient", "123", SharedSearchParameters(), SharedCompartments());
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.status().code(), Code::kInvalidInput);
}

// Every Patient-compartment parameter of R4 is an indexable reference parameter of its type, so
// none is silently left out of either the search or the in-memory check.
TEST(CompartmentMembershipTest, EveryPatientCompartmentParameterIsAnIndexedReference) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  std::size_t checked = 0;
  for (const std::string& type : params.definitions().resource_types()) {
    for (const std::string& code : SharedCompartments().Params("Patient", type)) {
      SCOPED_TRACE(type + "?" + code);
      const SearchParameter* p = params.Find(type, code);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(p->type, ParamType::kReference);
      EXPECT_TRUE(p->indexable()) << p->problem;
      ++checked;
    }
  }
  EXPECT_GE(checked, 100u);
}

}  // namespace
}  // namespace schakel::fhir::search
