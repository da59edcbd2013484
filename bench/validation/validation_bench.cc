// Validation throughput: resources validated per second against the R4 base definitions.
//   (a) typical clinical resources: the R4 examples of Patient, Observation, Condition,
//       MedicationStatement, MedicationRequest, Encounter, Procedure, AllergyIntolerance and
//       Immunization (also with one thread per core, as the server validates concurrently);
//   (b) all R4 examples (a Bundle example counts as one resource);
//   (c) a generated 1,000-entry transaction Bundle of Patients and Observations, validated as one
//       Bundle (resources/s = 1000 / time per Bundle).
// JSON is parsed before the clock starts; each figure runs whole passes over its set for about
// `seconds` (default 2). Target (issue): >= 20,000 resources/s for (a) on the 2-core machine.
//
// Usage: validation_bench [resources_dir] [examples_dir] [seconds]
// Built by bench/validation.sh (g++ -O2 against build/libschakel_fhir.a).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/parse.h"
#include "fhir/json/value.h"
#include "fhir/status.h"
#include "fhir/validation/validator.h"

namespace schakel::fhir::validation {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBundleEntries = 1000;
const std::set<std::string> kTypicalTypes = {
    "Patient",   "Observation", "Condition",          "MedicationStatement", "MedicationRequest",
    "Encounter", "Procedure",   "AllergyIntolerance", "Immunization"};

struct Example {
  std::string file;
  std::string type;
  json::Value value;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "validation_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      std::size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}

std::vector<Example> LoadExamples(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) Die("no examples directory " + dir.string());
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Example> examples;
  for (const std::filesystem::path& path : paths) {
    Result<json::Value> parsed = json::Parse(ReadFile(path));
    if (!parsed.ok()) Die(path.string() + ": " + parsed.status().ToString());
    const std::string* type = parsed->FindString("resourceType");
    examples.push_back({path.filename().string(), type ? *type : "", std::move(parsed).value()});
  }
  return examples;
}

// A transaction of kBundleEntries entries, Patients and Observations alternating; each
// Observation refers to the Patient before it by its urn:uuid fullUrl.
std::string TransactionBundle() {
  std::string out = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  char uuid[64];
  for (int i = 0; i < kBundleEntries; ++i) {
    if (i > 0) out += ',';
    const int patient = i / 2;
    std::snprintf(uuid, sizeof uuid, "urn:uuid:00000000-0000-4000-8000-%012d", i);
    out += R"({"fullUrl":")" + std::string(uuid) + R"(","resource":)";
    if (i % 2 == 0) {
      out +=
          R"({"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn","value":"mrn-)" +
          std::to_string(patient) +
          R"("}],"active":true,"name":[{"use":"official","family":"Jansen","given":["Jan","Piet"]}],)"
          R"("telecom":[{"system":"phone","value":"+31 20 123 4567","use":"home"}],"gender":")" +
          std::string(patient % 2 == 0 ? "male" : "female") + R"(","birthDate":"19)" +
          std::to_string(40 + patient % 60) +
          R"(-03-14","address":[{"use":"home","line":["Dorpsstraat 1"],"city":"Utrecht",)"
          R"("postalCode":"3511 AA","country":"NL"}]})";
      out += R"(,"request":{"method":"POST","url":"Patient"}})";
    } else {
      std::snprintf(uuid, sizeof uuid, "urn:uuid:00000000-0000-4000-8000-%012d", i - 1);
      out +=
          R"({"resourceType":"Observation","status":"final","category":[{"coding":[{"system":)"
          R"("http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],)"
          R"("code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}]},)"
          R"("subject":{"reference":")" +
          std::string(uuid) +
          R"("},"effectiveDateTime":"2024-05-06T07:08:09+02:00",)"
          R"("valueQuantity":{"value":)" +
          std::to_string(60 + patient % 40) +
          R"(.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})";
      out += R"(,"request":{"method":"POST","url":"Observation"}})";
    }
  }
  out += "]}";
  return out;
}

struct Figure {
  double resources_per_second = 0;
  double passes = 0;
  double seconds = 0;
};

// Validates every resource in `set` once per pass, whole passes, until `seconds` have passed;
// `resources_per_pass` is what one pass counts for.
Figure Measure(const Validator& validator, const std::vector<const json::Value*>& set,
               double resources_per_pass, double seconds, int threads = 1) {
  std::atomic<long> total_passes{0};
  auto run = [&](double* elapsed_out) {
    std::vector<Issue> issues;
    issues.reserve(Validator::kMaxIssues);
    for (const json::Value* r : set) {  // warm-up
      issues.clear();
      validator.Validate(*r, issues);
    }
    long passes = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      for (const json::Value* r : set) {
        issues.clear();
        validator.Validate(*r, issues);
      }
      ++passes;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    total_passes += passes;
    *elapsed_out = elapsed;
  };
  std::vector<double> elapsed(static_cast<std::size_t>(threads), 0);
  if (threads == 1) {
    run(&elapsed[0]);
  } else {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back(run, &elapsed[static_cast<std::size_t>(t)]);
    for (std::thread& w : workers) w.join();
  }
  const double wall = *std::max_element(elapsed.begin(), elapsed.end());
  Figure f;
  f.passes = static_cast<double>(total_passes.load());
  f.seconds = wall;
  f.resources_per_second = f.passes * resources_per_pass / wall;
  return f;
}

void Print(const char* label, const Figure& f, double resources_per_pass) {
  std::printf("%-58s %10.0f resources/s  (%.2f us per resource; %.0f passes of %.0f in %.2f s)\n",
              label, f.resources_per_second, 1e6 / f.resources_per_second, f.passes,
              resources_per_pass, f.seconds);
}

std::size_t ErrorCount(const Validator& validator, const json::Value& resource) {
  std::vector<Issue> issues;
  validator.Validate(resource, issues);
  return static_cast<std::size_t>(std::count_if(issues.begin(), issues.end(), [](const Issue& i) {
    return i.severity == Severity::kError || i.severity == Severity::kFatal;
  }));
}

int Main(int argc, char** argv) {
  const std::string resources_dir = argc > 1 ? argv[1] : "resources";
  const std::filesystem::path examples_dir = argc > 2 ? argv[2] : "../shared/fhir/r4-examples";
  const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
  if (!(seconds > 0)) Die("seconds must be positive");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  std::printf("machine: nproc %u, %s\n", cores, CpuModel().c_str());

  Clock::time_point load_start = Clock::now();
  Result<std::shared_ptr<const definitions::Registry>> registry =
      definitions::Registry::Load(resources_dir);
  if (!registry.ok()) Die(registry.status().ToString());
  Result<std::shared_ptr<const definitions::ValueSetIndex>> value_sets =
      definitions::ValueSetIndex::Load(resources_dir);
  if (!value_sets.ok()) Die(value_sets.status().ToString());
  const Validator validator(*registry, *value_sets);
  std::printf("definitions loaded in %.0f ms (%zu resource types, %zu value sets)\n",
              std::chrono::duration<double, std::milli>(Clock::now() - load_start).count(),
              (*registry)->resource_types().size(), (*value_sets)->size());

  const std::vector<Example> examples = LoadExamples(examples_dir);
  std::vector<const json::Value*> typical;
  std::vector<const json::Value*> all;
  std::size_t with_errors = 0;
  for (const Example& e : examples) {
    all.push_back(&e.value);
    if (kTypicalTypes.count(e.type) != 0) typical.push_back(&e.value);
    if (ErrorCount(validator, e.value) > 0) ++with_errors;
  }
  if (typical.empty()) Die("no typical clinical examples in " + examples_dir.string());
  std::printf("examples: %zu files (%zu of the typical clinical types), %zu with errors\n",
              all.size(), typical.size(), with_errors);

  Result<json::Value> bundle = json::Parse(TransactionBundle());
  if (!bundle.ok()) Die("generated Bundle: " + bundle.status().ToString());
  {
    std::vector<Issue> issues;
    validator.Validate(*bundle, issues);
    if (!issues.empty()) Die("the generated Bundle is not valid: " + issues.front().diagnostics);
  }
  std::printf("seconds per figure: %.1f\n\n", seconds);

  const double n_typical = static_cast<double>(typical.size());
  const double n_all = static_cast<double>(all.size());
  const Figure a = Measure(validator, typical, n_typical, seconds);
  Print("(a) typical clinical resources, 1 thread", a, n_typical);
  if (cores > 1) {
    const Figure a_threads =
        Measure(validator, typical, n_typical, seconds, static_cast<int>(cores));
    char label[96];
    std::snprintf(label, sizeof label, "(a) typical clinical resources, %u threads", cores);
    Print(label, a_threads, n_typical);
  }
  Print("(b) all R4 examples, 1 thread", Measure(validator, all, n_all, seconds), n_all);
  const std::vector<const json::Value*> one_bundle = {&*bundle};
  Print("(c) 1,000-entry transaction Bundle as one Bundle, 1 thread",
        Measure(validator, one_bundle, kBundleEntries, seconds), kBundleEntries);

  constexpr double kTarget = 20000;
  std::printf("\ntarget: >= %.0f resources/s for (a): %s (1 thread)\n", kTarget,
              a.resources_per_second >= kTarget ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace schakel::fhir::validation

int main(int argc, char** argv) { return schakel::fhir::validation::Main(argc, argv); }
