// fhirpath_bench: FHIRPath evaluations per second for typical search-parameter expressions on a
// Patient and an Observation (issue: FHIRPath engine; target >= 1,000,000/s for a typical
// search-parameter expression). Expressions are parsed once, outside the timed loop, as the
// server will do. Run by bench/fhirpath.sh.
//   fhirpath_bench RESOURCES_DIR [SECONDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "fhir/path/fhirpath.h"

namespace {

using namespace schakel::fhir;

constexpr const char* kPatient =
    R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2026-11-23T10:00:00.000Z"},)"
    R"("identifier":[{"system":"http://fhir.nl/fhir/NamingSystem/bsn","value":"999990007"}],"active":true,)"
    R"("name":[{"use":"official","family":"Jansen","given":["Anna","Maria"]},{"use":"usual","given":["Annie"]}],)"
    R"("telecom":[{"system":"phone","value":"+31 30 123 4567"},{"system":"email","value":"a@example.org"}],)"
    R"("gender":"female","birthDate":"1961-04-12",)"
    R"("address":[{"use":"home","line":["Lindelaan 1"],"city":"Utrecht","postalCode":"3581 AB","country":"NL"}],)"
    R"("generalPractitioner":[{"reference":"Organization/huisartsen-de-linde"}]})";

constexpr const char* kObservation =
    R"({"resourceType":"Observation","id":"o1","status":"final",)"
    R"("code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},)"
    R"("subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-11-01T09:30:00+01:00",)"
    R"("valueQuantity":{"value":72.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})";

struct Case {
  const char* label;
  const char* resource;
  const char* expression;
};

// R4 SearchParameter expressions (Patient-family, Patient-identifier, Patient-telecom,
// Observation-code, Observation-value-quantity, Patient-birthdate) and a where() filter.
constexpr Case kCases[] = {
    {"Patient.name.family (Patient-family)", kPatient, "Patient.name.family"},
    {"Patient.identifier (Patient-identifier)", kPatient, "Patient.identifier"},
    {"Patient.birthDate (Patient-birthdate)", kPatient, "Patient.birthDate"},
    {"Patient.telecom.where(system='email')", kPatient, "Patient.telecom.where(system='email')"},
    {"Observation.code (Observation-code)", kObservation, "Observation.code"},
    {"(Observation.value as Quantity)", kObservation, "(Observation.value as Quantity)"},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fhirpath_bench RESOURCES_DIR [SECONDS]\n");
    return 2;
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  auto registry = definitions::Registry::Load(argv[1]);
  if (!registry.ok()) {
    std::fprintf(stderr, "%s\n", registry.status().ToString().c_str());
    return 1;
  }
  path::EvaluationContext context;
  context.registry = registry->get();
  std::printf("machine: nproc %u\n", std::thread::hardware_concurrency());
  for (const Case& c : kCases) {
    auto resource = json::Parse(c.resource);
    auto expression = path::Expression::Parse(c.expression);
    if (!resource.ok() || !expression.ok()) {
      std::fprintf(stderr, "%s: cannot parse\n", c.label);
      return 1;
    }
    auto check = expression->Evaluate(*resource, context);
    if (!check.ok() || check->empty()) {
      std::fprintf(stderr, "%s: evaluation failed or empty\n", c.label);
      return 1;
    }
    std::size_t evaluations = 0;
    std::size_t items = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      for (int i = 0; i < 1000; ++i) {
        auto result = expression->Evaluate(*resource, context);
        items += result.ok() ? result->size() : 0;
      }
      evaluations += 1000;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::printf("%-45s %10.0f evaluations/s (%.0f ns each, %zu items per result)\n", c.label,
                evaluations / elapsed, elapsed * 1e9 / evaluations, items / evaluations);
  }
  return 0;
}
