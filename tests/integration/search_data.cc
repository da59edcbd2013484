#include "integration/search_data.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

// The official examples, by type and id (the file is Type-id.json). All pass the server's
// validation (examples_roundtrip_test.cc lists the few that do not).
struct ExampleFile {
  const char* type;
  const char* id;
};

constexpr ExampleFile kExamples[] = {
    // Patients: example (Chalmers; official/usual/maiden names, MR 12345, Organization/1),
    // f001 (van de Heuvel, BSN, Organization/f001), f201 (Bor), pat1 and pat2 (Donald Duck, no
    // birthDate, linked to each other), xcda and glossy (Henry Levin, born 1932-09-24), animal.
    {"Patient", "example"},
    {"Patient", "f001"},
    {"Patient", "f201"},
    {"Patient", "pat1"},
    {"Patient", "pat2"},
    {"Patient", "xcda"},
    {"Patient", "glossy"},
    {"Patient", "animal"},
    // Observations: valueQuantity (example 185 [lb_av], f001 6.3 mmol/L, f002 12.6 mmol/L, bmi,
    // satO2 95 %), effectivePeriod (f001 open-ended, f002), components (blood-pressure),
    // valueCodeableConcept (bloodgroup, f206), valueString (eye-color), hasMember (vitals-panel),
    // profiles (vitalsigns), no subject (decimal).
    {"Observation", "example"},
    {"Observation", "f001"},
    {"Observation", "f002"},
    {"Observation", "blood-pressure"},
    {"Observation", "bloodgroup"},
    {"Observation", "f206"},
    {"Observation", "eye-color"},
    {"Observation", "vitals-panel"},
    {"Observation", "bmi"},
    {"Observation", "satO2"},
    {"Observation", "decimal"},
    {"Encounter", "example"},
    {"Encounter", "f001"},
    {"Encounter", "f201"},
    {"MedicationStatement", "example001"},
    {"MedicationStatement", "example002"},
    {"MedicationStatement", "example003"},
    {"Organization", "1"},
    {"Organization", "2"},
    {"Organization", "f001"},
    {"Organization", "f201"},
    {"Organization", "hl7"},
    {"Organization", "2.16.840.1.113883.19.5"},
    {"Practitioner", "example"},
    {"Practitioner", "f001"},
    {"Practitioner", "f005"},
    {"Practitioner", "f201"},
};

// Hand-written resources for the edge cases. Codes of the tests' own observations are in
// http://example.org/codes: `date` (precision boundaries), `tz` (timezones), `gone`, `abc`.
const char* const kHandWritten[] = {
    // --- Patients -------------------------------------------------------------------------------
    // Accents: "Müller" and "Muller" are one name to a string search, two to :exact.
    R"json({"resourceType":"Patient","id":"mueller",
      "identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},
                     "system":"http://example.org/mrn","value":"M-1"}],
      "active":false,"name":[{"family":"Müller","given":["Jürgen"]}],
      "telecom":[{"system":"email","value":"j.mueller@example.org"}],
      "gender":"male","birthDate":"1980-02-29"})json",
    R"json({"resourceType":"Patient","id":"muller",
      "identifier":[{"system":"http://example.org/mrn","value":"M-2"}],
      "active":true,"name":[{"family":"Muller","given":["Anna"]}],
      "gender":"female","birthDate":"1980-03","managingOrganization":{"reference":"Organization/f001"}})json",
    // Missing values: no gender, birthDate, active, identifier, telecom or organization.
    R"json({"resourceType":"Patient","id":"nogender","name":[{"family":"Zonder","given":["Kim"]}]})json",
    // Tags, security labels and a source.
    R"json({"resourceType":"Patient","id":"tagged",
      "meta":{"tag":[{"system":"http://example.org/tags","code":"search-test"}],
              "security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}],
              "source":"http://example.org/source#1"},
      "active":true,"name":[{"family":"Etiket"}],"gender":"unknown"})json",
    // Deleted after loading; Observation/obs-gone still refers to it.
    R"json({"resourceType":"Patient","id":"gone","name":[{"family":"Verdwenen"}],"gender":"male"})json",

    // --- Observations: dates at precision boundaries (code http://example.org/codes|date) -------
    R"json({"resourceType":"Observation","id":"d-year","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectiveDateTime":"2012"})json",
    R"json({"resourceType":"Observation","id":"d-month","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectiveDateTime":"2012-12"})json",
    R"json({"resourceType":"Observation","id":"d-day","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectiveDateTime":"2012-12-31"})json",
    R"json({"resourceType":"Observation","id":"d-sec","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectiveDateTime":"2012-12-31T23:59:59Z"})json",
    R"json({"resourceType":"Observation","id":"d-next","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectiveDateTime":"2013-01-01T00:00:00Z"})json",
    R"json({"resourceType":"Observation","id":"d-period","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},
      "effectivePeriod":{"start":"2012-06-01","end":"2012-08-31"}})json",
    R"json({"resourceType":"Observation","id":"d-open","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"date"}]},
      "subject":{"reference":"Patient/nogender"},"effectivePeriod":{"start":"2012-11-15"}})json",

    // --- Observations: timezones (code http://example.org/codes|tz) -----------------------------
    // 2013-01-14T09:00:00Z, 5.4 mg/dL.
    R"json({"resourceType":"Observation","id":"tz-plus1","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"tz","display":"Timezone test"}]},
      "subject":{"reference":"Patient/mueller"},"effectiveDateTime":"2013-01-14T10:00:00+01:00",
      "valueQuantity":{"value":5.4,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}})json",
    // 2013-01-14T10:00:00Z, 0.054 g/L (the same amount as 5.4 mg/dL).
    R"json({"resourceType":"Observation","id":"tz-z","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"tz","display":"Timezone test"}]},
      "subject":{"reference":"Patient/muller"},"effectiveDateTime":"2013-01-14T10:00:00Z",
      "valueQuantity":{"value":0.054,"unit":"g/L","system":"http://unitsofmeasure.org","code":"g/L"}})json",
    // 2013-01-14T04:30:00Z: the 13th where it was written, the 14th in UTC.
    R"json({"resourceType":"Observation","id":"tz-minus","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"tz","display":"Timezone test"}]},
      "subject":{"reference":"Patient/mueller"},"effectiveDateTime":"2013-01-13T23:30:00-05:00",
      "valueString":"late"})json",

    // --- Observations: tokens with and without a system, a subject by identifier only ----------
    R"json({"resourceType":"Observation","id":"nosys","status":"preliminary",
      "code":{"coding":[{"code":"abc"}]}})json",
    R"json({"resourceType":"Observation","id":"sys-abc","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"abc","display":"Alpha Beta"}]},
      "subject":{"identifier":{"system":"http://example.org/mrn","value":"M-1"},"display":"J. Müller"}})json",
    // Refers to the deleted Patient/gone.
    R"json({"resourceType":"Observation","id":"obs-gone","status":"final",
      "code":{"coding":[{"system":"http://example.org/codes","code":"gone"}]},
      "subject":{"reference":"Patient/gone"}})json",

    // --- RiskAssessment: number (probability) ---------------------------------------------------
    R"json({"resourceType":"RiskAssessment","id":"risk-a","status":"final",
      "subject":{"reference":"Patient/mueller"},"prediction":[{"probabilityDecimal":0.5}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-b","status":"final",
      "subject":{"reference":"Patient/mueller"},"prediction":[{"probabilityDecimal":10}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-c","status":"final",
      "subject":{"reference":"Patient/mueller"},"prediction":[{"probabilityDecimal":99.5}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-d","status":"final",
      "subject":{"reference":"Patient/mueller"},"prediction":[{"probabilityDecimal":100}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-e","status":"final",
      "subject":{"reference":"Patient/mueller"},"prediction":[{"probabilityDecimal":100.4}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-range","status":"final",
      "subject":{"reference":"Patient/mueller"},
      "prediction":[{"probabilityRange":{"low":{"value":20},"high":{"value":30}}}]})json",
    R"json({"resourceType":"RiskAssessment","id":"risk-none","status":"final",
      "subject":{"reference":"Patient/mueller"}})json",

    // --- ValueSets: uri (url) with :below and :above --------------------------------------------
    R"json({"resourceType":"ValueSet","id":"vs-root","url":"http://example.org/fhir","status":"active"})json",
    R"json({"resourceType":"ValueSet","id":"vs-a","url":"http://example.org/fhir/ValueSet/a","status":"active"})json",
    R"json({"resourceType":"ValueSet","id":"vs-ab","url":"http://example.org/fhir/ValueSet/a/b","status":"active"})json",
    R"json({"resourceType":"ValueSet","id":"vs-x","url":"http://example.org/fhir/ValueSetX/c","status":"draft"})json",
};

std::string ReadFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path;
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string SearchExamplesDir() { return std::string(SCHAKEL_SHARED_DIR) + "/fhir/r4-examples"; }

bool SearchExamplesAvailable() {
  std::error_code ec;
  return std::filesystem::is_directory(SearchExamplesDir(), ec);
}

std::vector<SearchResource> SearchDataSet(std::string* error) {
  std::vector<SearchResource> out;
  for (const ExampleFile& example : kExamples) {
    const std::string path = SearchExamplesDir() + "/" + example.type + "-" + example.id + ".json";
    std::string json = ReadFile(path, error);
    if (!error->empty()) return out;
    out.push_back({example.type, example.id, std::move(json)});
  }
  for (const char* json : kHandWritten) {
    rapidjson::Document document = ParseJson(json);
    if (document.HasParseError()) {
      *error = std::string("hand-written resource does not parse: ") + json;
      return out;
    }
    out.push_back({StringAt(document, "/resourceType"), StringAt(document, "/id"), json});
  }
  return out;
}

std::vector<std::string> SearchDataIds(std::string_view type, bool with_deleted) {
  std::string error;
  std::vector<std::string> ids;
  for (const SearchResource& resource : SearchDataSet(&error)) {
    if (resource.type != type) continue;
    if (!with_deleted && type == "Patient" && resource.id == kDeletedPatient) continue;
    ids.push_back(resource.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string LoadSearchData(HttpClient& client) {
  std::string error;
  std::vector<SearchResource> resources = SearchDataSet(&error);
  if (!error.empty()) return error;
  for (const SearchResource& resource : resources) {
    Response response = client.Put("/fhir/" + resource.type + "/" + resource.id, resource.json);
    if (response.status != 200 && response.status != 201) {
      return "PUT " + resource.type + "/" + resource.id + ": " + response.Describe();
    }
  }
  Response deleted = client.Delete("/fhir/Patient/" + std::string(kDeletedPatient));
  if (deleted.status != 200 && deleted.status != 204) {
    return "DELETE Patient/" + std::string(kDeletedPatient) + ": " + deleted.Describe();
  }
  return "";
}

}  // namespace schakel::integration
