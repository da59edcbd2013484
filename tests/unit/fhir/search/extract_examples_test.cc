// Every official R4 example (https://hl7.org/fhir/R4/downloads.html, examples-json) has its
// search index extracted without an error, and every indexable parameter's expression evaluates
// on it without an error (a FHIRPath engine defect or an R4 expression the lenient evaluation
// does not cover would show up here).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/path/fhirpath.h"
#include "fhir/search/extract.h"
#include "tests/unit/fhir/search/search_fixture.h"

namespace schakel::fhir::search {
namespace {

using schakel::test::SharedSearchParameters;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ExtractExamplesTest, EveryR4ExampleIndexesWithoutErrors) {
  const std::filesystem::path dir =
      std::filesystem::path(SCHAKEL_SHARED_DIR) / "fhir" / "r4-examples";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no R4 examples at " << dir.string();
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 700u);

  std::vector<json::Value> resources;
  for (const std::filesystem::path& path : files) {
    Result<json::Value> parsed = json::Parse(ReadFile(path));
    ASSERT_TRUE(parsed.ok()) << path.filename().string() << ": " << parsed.status().ToString();
    resources.push_back(std::move(parsed).value());
  }

  const SearchParameterRegistry& params = SharedSearchParameters();
  const auto start = std::chrono::steady_clock::now();
  struct Counts {
    std::size_t strings = 0, tokens = 0, dates = 0, numbers = 0, quantities = 0, references = 0,
                uris = 0, composites = 0;
  } totals;
  std::size_t entries = 0;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    Result<IndexValues> values = ExtractIndex(resources[i], params);
    ASSERT_TRUE(values.ok()) << files[i].filename().string() << ": " << values.status().ToString();
    entries += values->size();
    totals.strings += values->strings.size();
    totals.tokens += values->tokens.size();
    totals.dates += values->dates.size();
    totals.numbers += values->numbers.size();
    totals.quantities += values->quantities.size();
    totals.references += values->references.size();
    totals.uris += values->uris.size();
    totals.composites += values->composites.size();
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ examples ] %zu resources, %zu index entries in %.1f ms: %zu string, %zu token, %zu date, "
      "%zu number, %zu quantity, %zu reference, %zu uri, %zu composite\n",
      resources.size(), entries, ms, totals.strings, totals.tokens, totals.dates, totals.numbers,
      totals.quantities, totals.references, totals.uris, totals.composites);
  // Floors well below today's counts: a conversion that silently stops working fails here.
  EXPECT_GT(totals.strings, 600u);
  EXPECT_GT(totals.tokens, 2400u);
  EXPECT_GT(totals.dates, 400u);
  EXPECT_GT(totals.numbers, 50u);
  EXPECT_GT(totals.quantities, 60u);
  EXPECT_GT(totals.references, 1400u);
  EXPECT_GT(totals.uris, 40u);
  EXPECT_GT(totals.composites, 300u);

  // The expressions themselves, evaluated as extraction does.
  path::EvaluationContext context;
  context.registry = &params.definitions();
  context.lenient_as = true;
  context.resolve_placeholders = true;
  std::map<std::string, std::string> errors;  // parameter id -> first error
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const std::string* type = resources[i].FindString("resourceType");
    ASSERT_NE(type, nullptr);
    for (const SearchParameter* p : params.ForType(*type)) {
      if (!p->indexable()) continue;
      Result<path::Collection> items = p->expression->Evaluate(resources[i], context);
      if (!items.ok()) {
        errors.emplace(p->id, files[i].filename().string() + ": " + items.status().ToString());
      }
    }
  }
  for (const auto& [id, error] : errors) ADD_FAILURE() << id << " on " << error;
}

}  // namespace
}  // namespace schakel::fhir::search
