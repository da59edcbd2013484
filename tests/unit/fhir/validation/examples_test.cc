// Every R4 example (https://hl7.org/fhir/R4/downloads.html, examples-json) validates without
// errors, except the few that really break the base definitions, listed below with the reason.
// A listed example that starts validating cleanly, or fails with a different error, fails the
// test too, so the list stays true.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/validation/validator.h"
#include "tests/unit/fhir/validation/validator_fixture.h"

namespace schakel::fhir::validation {
namespace {

class ValidatorExamplesTest : public ValidatorTest {};

struct KnownInvalid {
  std::string_view file;
  std::size_t errors;                 // how many errors it has
  std::string_view first_expression;  // where the first one is
  std::string_view diagnostics;       // what every error says
  std::string_view reason;
};

constexpr KnownInvalid kKnownInvalid[] = {
    {"Observation-clinical-gender.json", 1, "Observation.performer[0].reference",
     "a reference to Encounter is not allowed",
     "performer references an Encounter; Observation.performer allows Practitioner, "
     "PractitionerRole, Organization, CareTeam, Patient and RelatedPerson"},
    {"DeviceUseStatement-example.json", 1, "DeviceUseStatement.reasonReference[0].reference",
     "a reference to Procedure is not allowed",
     "reasonReference references a Procedure; allowed are Condition, Observation, "
     "DiagnosticReport, DocumentReference and Media"},
    {"MedicationRequest-medrx0301.json", 1, "MedicationRequest.dispenseRequest.performer.reference",
     "a reference to Practitioner is not allowed",
     "dispenseRequest.performer references a Practitioner; only Organization is allowed"},
    {"DeviceMetric-example.json", 1, "DeviceMetric.parent.reference",
     "a reference to DeviceDefinition is not allowed",
     "parent references a DeviceDefinition; only Device is allowed"},
    {"Questionnaire-qs1.json", 32, "Questionnaire.item[0].item[0].linkId",
     "missing required element 'linkId'",
     "32 nested items (Questionnaire.item.item, defined by contentReference) have no linkId, "
     "which is 1..1"},
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST_F(ValidatorExamplesTest, R4ExamplesValidateExceptTheKnownInvalidOnes) {
  const std::filesystem::path dir =
      std::filesystem::path(SCHAKEL_SHARED_DIR) / "fhir" / "r4-examples";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no R4 examples at " << dir.string()
                 << " (the shared examples folder is not checked out here)";
  }
  std::map<std::string, const KnownInvalid*> known;
  for (const KnownInvalid& k : kKnownInvalid) known.emplace(std::string(k.file), &k);

  std::vector<std::filesystem::path> files;
  for (const std::filesystem::directory_entry& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no .json files in " << dir.string();

  std::set<std::string> seen_known;
  for (const std::filesystem::path& path : files) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    Result<json::Value> parsed = json::Parse(ReadFile(path));
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status().ToString();
      continue;
    }
    std::vector<Issue> issues = IssuesOf(*parsed);
    std::vector<const Issue*> errors;  // warnings (such as unknown profiles) are fine
    for (const Issue& issue : issues) {
      if (issue.severity == Severity::kError || issue.severity == Severity::kFatal) {
        errors.push_back(&issue);
      }
    }
    auto it = known.find(name);
    if (it == known.end()) {
      EXPECT_TRUE(errors.empty()) << Describe(issues);
      continue;
    }
    seen_known.insert(name);
    const KnownInvalid& k = *it->second;
    SCOPED_TRACE(std::string("listed as invalid because ") + std::string(k.reason));
    if (errors.size() != k.errors) {
      ADD_FAILURE() << "expected " << k.errors << " errors, found " << errors.size() << ":\n"
                    << Describe(issues);
      continue;
    }
    EXPECT_EQ(errors.front()->expression, k.first_expression) << Describe(issues);
    for (const Issue* error : errors) {
      EXPECT_NE(error->diagnostics.find(k.diagnostics), std::string::npos) << error->diagnostics;
    }
  }
  for (const KnownInvalid& k : kKnownInvalid) {
    EXPECT_TRUE(seen_known.count(std::string(k.file)) == 1)
        << k.file << " is listed as known-invalid but is not in " << dir.string();
  }
  RecordProperty("examples", static_cast<int>(files.size()));
}

}  // namespace
}  // namespace schakel::fhir::validation
