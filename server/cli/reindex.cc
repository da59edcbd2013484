#include "server/cli/reindex.h"

#include <cstdio>
#include <filesystem>

#include "fhir/definitions/registry.h"
#include "fhir/search/search_parameter.h"
#include "server/rest/reindexing.h"
#include "store/sqlite/sqlite_store.h"

#ifndef SCHAKEL_RESOURCE_DIR
#define SCHAKEL_RESOURCE_DIR "resources"
#endif

namespace schakel::server::cli {
namespace {

constexpr const char* kHelp = R"(Usage: schakel reindex --data DIR [--resources DIR]

Rebuilds the search index of every resource in DIR/schakel.db with the search parameters in
force: the R4 core ones, those in resources/profiles/, and the SearchParameter resources stored
in the database. Run it after adding search parameters, or to repair an index. A running server
may use the same database meanwhile. Prints its progress on stderr.

Options:
  --data DIR        data directory (default: data, or SCHAKEL_DATA)
  --resources DIR   folder with fhir-r4/ definitions (default: the source tree's, or
                    SCHAKEL_RESOURCES)
)";

int Fail(const std::string& what, const fhir::Status& status) {
  std::fprintf(stderr, "schakel reindex: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

}  // namespace

int RunReindex(const std::vector<std::string>& args) {
  const char* env_data = std::getenv("SCHAKEL_DATA");
  const char* env_resources = std::getenv("SCHAKEL_RESOURCES");
  std::string data = env_data != nullptr ? env_data : "data";
  std::string resources = env_resources != nullptr ? env_resources : SCHAKEL_RESOURCE_DIR;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if ((a == "--data" || a == "--resources") && i + 1 < args.size()) {
      (a == "--data" ? data : resources) = args[++i];
      continue;
    }
    std::fprintf(stderr, "schakel reindex: unknown option %s (see schakel reindex --help)\n",
                 a.c_str());
    return 2;
  }
  const std::string path = data + "/schakel.db";
  if (!std::filesystem::exists(path)) {
    return Fail(path, fhir::Status::NotFound("no database here"));
  }
  auto registry = fhir::definitions::Registry::Load(resources);
  if (!registry.ok()) return Fail("definitions", registry.status());
  std::vector<std::string> warnings;
  auto base = fhir::search::SearchParameterRegistry::Load(resources, *registry, &warnings);
  if (!base.ok()) return Fail("search parameters", base.status());

  store::SqliteOptions options;
  options.path = path;
  auto store = store::SqliteStore::Open(options);
  if (!store.ok()) return Fail(path, store.status());
  store::RequestContext ctx{"reindex"};
  auto params = rest::WithStoredSearchParameters(**store, ctx, **base, &warnings);
  if (!params.ok()) return Fail("stored search parameters", params.status());
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

  auto progress = [](std::int64_t done, std::int64_t total) {
    std::fprintf(stderr, "\rreindexed %lld of %lld resources", static_cast<long long>(done),
                 static_cast<long long>(total));
  };
  fhir::Result<store::ReindexResult> result = rest::ReindexAll(**store, ctx, **params, progress);
  std::fputc('\n', stderr);
  if (!result.ok()) return Fail("reindex", result.status());
  std::printf("reindexed %lld resources, %lld index entries, %zu search parameters",
              static_cast<long long>(result->resources), static_cast<long long>(result->entries),
              (*params)->size());
  if (result->skipped > 0) {
    std::printf("; %lld changed meanwhile", static_cast<long long>(result->skipped));
  }
  std::printf("; %lld failed\n", static_cast<long long>(result->failed));
  for (const std::string& f : result->failures) std::printf("failed: %s\n", f.c_str());
  (*store)->Close();
  return result->failed > 0 ? 1 : 0;
}

}  // namespace schakel::server::cli
