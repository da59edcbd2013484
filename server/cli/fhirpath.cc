#include "server/cli/fhirpath.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/path/fhirpath.h"
#include "fhir/xml/reader.h"

#ifndef SCHAKEL_RESOURCE_DIR
#define SCHAKEL_RESOURCE_DIR "resources"
#endif

namespace schakel::server::cli {
namespace {

constexpr const char* kHelp = R"(Usage: schakel fhirpath [options] EXPRESSION

Evaluates a FHIRPath expression and prints the result as a JSON array of
{"type": ..., "value": ...}.

Options:
  --input FILE       the resource to evaluate on (.json or .xml); default: {}
  --resources DIR    the folder holding fhir-r4/ [SCHAKEL_RESOURCES]
  --help             this text
)";

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

}  // namespace

int RunFhirPath(const std::vector<std::string>& args) {
  std::string input_path;
  std::string resources;
  if (const char* env = std::getenv("SCHAKEL_RESOURCES")) resources = env;
  std::string expression;
  bool have_expression = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if ((a == "--input" || a == "--resources") && i + 1 < args.size()) {
      (a == "--input" ? input_path : resources) = args[++i];
    } else if (!have_expression && (a.empty() || a[0] != '-' || a.size() == 1 || a == "--")) {
      if (a == "--" && i + 1 < args.size()) {
        expression = args[++i];
      } else {
        expression = a;
      }
      have_expression = true;
    } else if (!have_expression && a.size() > 1 && a[0] == '-' && a[1] != '-') {
      expression = a;  // an expression such as -1
      have_expression = true;
    } else {
      std::fprintf(stderr, "schakel fhirpath: unexpected argument '%s'\n%s", a.c_str(), kHelp);
      return 2;
    }
  }
  if (!have_expression) {
    std::fputs(kHelp, stderr);
    return 2;
  }
  if (resources.empty()) resources = SCHAKEL_RESOURCE_DIR;

  fhir::Result<std::shared_ptr<const fhir::definitions::Registry>> registry =
      fhir::definitions::Registry::Load(resources);
  if (!registry.ok()) {
    std::fprintf(stderr, "schakel fhirpath: %s\n", registry.status().ToString().c_str());
    return 2;
  }
  fhir::json::Value resource = fhir::json::Value::Object();
  if (!input_path.empty()) {
    std::string text;
    if (!ReadFile(input_path, text)) {
      std::fprintf(stderr, "schakel fhirpath: cannot read %s\n", input_path.c_str());
      return 2;
    }
    fhir::Result<fhir::json::Value> parsed = input_path.ends_with(".xml")
                                                 ? fhir::xml::ParseResource(text, **registry)
                                                 : fhir::json::Parse(text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "schakel fhirpath: %s: %s\n", input_path.c_str(),
                   parsed.status().ToString().c_str());
      return 2;
    }
    resource = std::move(parsed).value();
  }
  fhir::Result<fhir::path::Expression> parsed = fhir::path::Expression::Parse(expression);
  if (!parsed.ok()) {
    std::fprintf(stderr, "schakel fhirpath: %s\n", std::string(parsed.status().message()).c_str());
    return 1;
  }
  fhir::path::EvaluationContext context;
  context.registry = registry->get();
  context.trace = [&](std::string_view name, const fhir::path::Collection& items) {
    std::fprintf(stderr, "trace %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 fhir::json::Serialize(fhir::path::ResultToJson(items, **registry)).c_str());
  };
  fhir::Result<fhir::path::Collection> result = parsed->Evaluate(resource, context);
  if (!result.ok()) {
    std::fprintf(stderr, "schakel fhirpath: %s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  std::string out =
      fhir::json::Pretty(fhir::json::Serialize(fhir::path::ResultToJson(*result, **registry)));
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace schakel::server::cli
