#include "server/cli/fhirpath.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
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
       schakel fhirpath --batch [--resources DIR] < LINES

Evaluates a FHIRPath expression and prints the result as a JSON array of
{"type": ..., "value": ...}. Errors go to standard error with their position; the exit status
is 1 for an expression error and 2 for a usage or input error.

With --batch, each line of standard input is a JSON object {"input": "PATH", "expression":
"EXPR"} ("input" may be left out) and each gets one line of output: {"result": [...]} or
{"error": "..."}. The definitions are loaded once and each input file is read once.

Options:
  --input FILE       the resource to evaluate on (.json or .xml); default: {}
  --resources DIR    the folder holding fhir-r4/ [SCHAKEL_RESOURCES]
  --batch            evaluate many expressions, one per line of standard input
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

// The resource at `path` (.json or .xml); an empty object when `path` is empty.
fhir::Result<fhir::json::Value> LoadResource(const std::string& path,
                                             const fhir::definitions::Registry& registry) {
  if (path.empty()) return fhir::json::Value::Object();
  std::string text;
  if (!ReadFile(path, text)) return fhir::Status::InvalidInput("cannot read " + path);
  fhir::Result<fhir::json::Value> parsed =
      path.ends_with(".xml") ? fhir::xml::ParseResource(text, registry) : fhir::json::Parse(text);
  if (!parsed.ok()) {
    return fhir::Status::InvalidInput(path + ": " + std::string(parsed.status().message()));
  }
  return parsed;
}

// Parses and evaluates `expression`; the result as the JSON array we print.
fhir::Result<fhir::json::Value> EvaluateToJson(const std::string& expression,
                                               const fhir::json::Value& resource,
                                               const fhir::path::EvaluationContext& context) {
  fhir::Result<fhir::path::Expression> parsed = fhir::path::Expression::Parse(expression);
  if (!parsed.ok()) return parsed.status();
  fhir::Result<fhir::path::Collection> result = parsed->Evaluate(resource, context);
  if (!result.ok()) return result.status();
  return fhir::path::ResultToJson(*result, *context.registry);
}

// --batch: one JSON object per line in, one per line out.
int RunBatch(const fhir::definitions::Registry& registry) {
  fhir::path::EvaluationContext context;
  context.registry = &registry;
  std::map<std::string, fhir::Result<fhir::json::Value>> inputs;  // read each file once
  std::string line;
  char buffer[64 * 1024];
  while (std::fgets(buffer, sizeof buffer, stdin) != nullptr) {
    line += buffer;
    if (line.empty() || (line.back() != '\n' && !std::feof(stdin))) continue;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty()) continue;
    fhir::json::Value out = fhir::json::Value::Object();
    fhir::Result<fhir::json::Value> request = fhir::json::Parse(line);
    const std::string* expression = request.ok() ? request->FindString("expression") : nullptr;
    if (expression == nullptr) {
      out.Set("error", fhir::json::Value::String(
                           "each line must be a JSON object with an \"expression\" string"));
    } else {
      const std::string* input = request->FindString("input");
      const std::string path = input != nullptr ? *input : std::string();
      auto it = inputs.find(path);
      if (it == inputs.end()) it = inputs.emplace(path, LoadResource(path, registry)).first;
      fhir::Result<fhir::json::Value> result =
          it->second.ok() ? EvaluateToJson(*expression, *it->second, context)
                          : fhir::Result<fhir::json::Value>(it->second.status());
      if (result.ok()) {
        out.Set("result", std::move(result).value());
      } else {
        out.Set("error", fhir::json::Value::String(std::string(result.status().message())));
      }
    }
    std::printf("%s\n", fhir::json::Serialize(out).c_str());
    line.clear();
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

int RunFhirPath(const std::vector<std::string>& args) {
  std::string input_path;
  std::string resources;
  if (const char* env = std::getenv("SCHAKEL_RESOURCES")) resources = env;
  std::string expression;
  bool have_expression = false;
  bool batch = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a == "--batch") {
      batch = true;
      continue;
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
  if (have_expression == batch) {  // exactly one of an expression and --batch
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
  if (batch) return RunBatch(**registry);
  fhir::Result<fhir::json::Value> resource = LoadResource(input_path, **registry);
  if (!resource.ok()) {
    std::fprintf(stderr, "schakel fhirpath: %s\n",
                 std::string(resource.status().message()).c_str());
    return 2;
  }
  fhir::path::EvaluationContext context;
  context.registry = registry->get();
  context.trace = [&](std::string_view name, const fhir::path::Collection& items) {
    std::fprintf(stderr, "trace %.*s: %s\n", static_cast<int>(name.size()), name.data(),
                 fhir::json::Serialize(fhir::path::ResultToJson(items, **registry)).c_str());
  };
  fhir::Result<fhir::json::Value> result = EvaluateToJson(expression, *resource, context);
  if (!result.ok()) {
    std::fprintf(stderr, "schakel fhirpath: %s\n", std::string(result.status().message()).c_str());
    return 1;
  }
  std::string out = fhir::json::Pretty(fhir::json::Serialize(*result));
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace schakel::server::cli
