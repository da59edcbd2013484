#include "server/cli/import.h"

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "server/cli/definitions.h"
#include "server/cli/import_source.h"
#include "server/cli/progress.h"
#include "server/rest/api.h"
#include "store/sqlite/sqlite_store.h"

#ifndef SCHAKEL_VERSION
#define SCHAKEL_VERSION "0.0.0"
#endif

namespace schakel::server::cli {
namespace {

using fhir::Status;
using fhir::json::Value;
namespace fs = std::filesystem;

constexpr const char* kHelp = R"(Usage: schakel import FILE|DIR... --data DIR [options]

Loads FHIR data into DIR/schakel.db without a running server, through the same checks as the
REST API: every resource is validated and indexed, and references between entries resolved.

  - a Bundle of type transaction or batch is processed as one (a transaction all or nothing);
  - a Bundle of type collection or searchset is loaded as a transaction of its resources;
  - any other resource (a document Bundle too) is stored as it is;
  - an NDJSON file (*.ndjson, one resource per line) is loaded in batches; a bad line fails alone.
A resource with an id keeps it (PUT); one without gets a new id (POST). A folder is searched
recursively for *.json, *.ndjson and *.xml files, taken in path order.

Prints progress on stderr, failures as they happen, and a summary on stdout. Exits 0 when
everything was imported, 1 when anything failed.

Options:
  --data DIR                data directory (default: data, or SCHAKEL_DATA); created if missing
  --resources DIR           folder with fhir-r4/ definitions (default: the source tree's, or
                            SCHAKEL_RESOURCES)
  --batch-size N            NDJSON lines per batch (default 500, at most 10000)
  --max-bundle-entries N    entries a Bundle may have (default 100000)
  --no-progress             no progress on stderr (failures are still printed)
  --sqlite-sync normal      faster, but a power failure may lose what was imported last
)";

struct ImportOptions {
  std::vector<std::string> paths;
  std::string data = "data";
  std::string resources;
  std::size_t batch_size = 500;
  std::size_t max_bundle_entries = 100'000;
  bool progress = true;
  bool sync_full = true;
};

fhir::Result<std::size_t> ParseCount(const std::string& flag, const std::string& text,
                                     std::size_t max) {
  std::size_t value = 0;
  std::size_t used = 0;
  try {
    value = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value < 1 || value > max) {
    return Status::InvalidInput(flag + " must be a whole number from 1 to " + std::to_string(max));
  }
  return value;
}

fhir::Result<ImportOptions> ParseOptions(const std::vector<std::string>& args, bool& help) {
  ImportOptions options;
  if (const char* env = std::getenv("SCHAKEL_DATA")) options.data = env;
  if (const char* env = std::getenv("SCHAKEL_RESOURCES")) options.resources = env;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--help" || a == "-h") {
      help = true;
      return options;
    } else if (a == "--no-progress") {
      options.progress = false;
    } else if (a == "--data" && has_value) {
      options.data = args[++i];
    } else if (a == "--resources" && has_value) {
      options.resources = args[++i];
    } else if (a == "--batch-size" && has_value) {
      fhir::Result<std::size_t> n = ParseCount(a, args[++i], 10'000);
      if (!n.ok()) return n.status();
      options.batch_size = *n;
    } else if (a == "--max-bundle-entries" && has_value) {
      fhir::Result<std::size_t> n = ParseCount(a, args[++i], 10'000'000);
      if (!n.ok()) return n.status();
      options.max_bundle_entries = *n;
    } else if (a == "--sqlite-sync" && has_value) {
      const std::string& mode = args[++i];
      if (mode != "full" && mode != "normal") {
        return Status::InvalidInput("--sqlite-sync must be full or normal");
      }
      options.sync_full = mode == "full";
    } else if (a.starts_with("--")) {
      return Status::InvalidInput("unknown option " + a + (has_value ? "" : " or missing value"));
    } else {
      options.paths.push_back(a);
    }
  }
  if (options.paths.empty()) return Status::InvalidInput("give the files or folders to import");
  return options;
}

// The diagnostics of an OperationOutcome (JSON text), joined; or the text itself.
std::string Diagnostics(const std::string& outcome_json) {
  fhir::Result<Value> outcome = fhir::json::Parse(outcome_json);
  if (!outcome.ok()) return outcome_json.substr(0, 500);
  std::string out;
  if (const Value* issues = outcome->Find("issue"); issues != nullptr && issues->is_array()) {
    for (const Value& issue : issues->items()) {
      const std::string* severity = issue.FindString("severity");
      if (severity != nullptr && (*severity == "warning" || *severity == "information")) continue;
      const std::string* text = issue.FindString("diagnostics");
      if (text == nullptr) continue;
      if (!out.empty()) out += "; ";
      out += *text;
    }
  }
  return out.empty() ? outcome_json.substr(0, 500) : out;
}

// Sends units through the API, keeping up to two in flight so that the next unit is read,
// validated and indexed while the store commits the one before. Units reach the store in the
// order they were given (the API queues a write before Handle returns).
class Importer {
 public:
  Importer(const rest::FhirApi& api, ProgressLine& progress) : api_(api), progress_(progress) {}

  void Submit(ImportUnit unit) {
    for (const std::string& failure : unit.failures) Fail(failure);
    if (unit.entries > 0) {
      http::Request request;
      request.method = "POST";
      request.target = "/fhir";
      request.headers.push_back({"Content-Type", "application/fhir+json"});
      request.headers.push_back({"Prefer", "return=minimal"});
      request.body = std::move(unit.body);
      auto promise = std::make_shared<std::promise<http::Response>>();
      Pending pending{std::move(unit), promise->get_future()};
      api_.HandleTrusted(std::move(request), [promise](http::Response response) {
        promise->set_value(std::move(response));
      });
      in_flight_.push_back(std::move(pending));
    } else {
      bytes_ += unit.bytes;
    }
    while (in_flight_.size() > 1) Collect();
    progress_.Update(bytes_, resources_, failed_, current_);
  }

  void Drain() {
    while (!in_flight_.empty()) Collect();
  }

  void SetCurrent(std::string file) { current_ = std::move(file); }
  // Counted as failed without being sent: a whole file that could not be read.
  void Fail(const std::string& message, std::uint64_t resources = 1) {
    failed_ += resources;
    if (++messages_ <= kMaxMessages) {
      progress_.Message("failed: " + message);
    } else if (messages_ == kMaxMessages + 1) {
      progress_.Message("(more failures are not shown)");
    }
  }
  void AddBytes(std::uint64_t bytes) { bytes_ += bytes; }

  std::uint64_t resources() const { return resources_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  static constexpr std::uint64_t kMaxMessages = 100;

  struct Pending {
    ImportUnit unit;
    std::future<http::Response> response;
  };

  void Collect() {
    Pending pending = std::move(in_flight_.front());
    in_flight_.pop_front();
    const http::Response response = pending.response.get();
    const ImportUnit& unit = pending.unit;
    bytes_ += unit.bytes;
    if (response.status >= 300) {
      Fail(unit.source + ": HTTP " + std::to_string(response.status) + ": " +
               Diagnostics(response.body),
           unit.entries);
      return;
    }
    if (unit.transaction) {
      resources_ += unit.entries;
      return;
    }
    fhir::Result<Value> bundle = fhir::json::Parse(response.body);
    const Value* entries = bundle.ok() ? bundle->Find("entry") : nullptr;
    if (entries == nullptr || !entries->is_array() || entries->items().size() != unit.entries) {
      Fail(unit.source + ": unexpected batch response", unit.entries);
      return;
    }
    for (std::size_t i = 0; i < entries->items().size(); ++i) {
      const Value* result = entries->items()[i].Find("response");
      const std::string* status = result != nullptr ? result->FindString("status") : nullptr;
      if (status != nullptr && status->starts_with("2")) {
        ++resources_;
        continue;
      }
      const Value* outcome = result != nullptr ? result->Find("outcome") : nullptr;
      const std::string where = i < unit.entry_sources.size() ? unit.entry_sources[i] : unit.source;
      Fail(where + ": " + (status != nullptr ? "HTTP " + *status + ": " : "") +
           (outcome != nullptr ? Diagnostics(fhir::json::Serialize(*outcome)) : ""));
    }
  }

  const rest::FhirApi& api_;
  ProgressLine& progress_;
  std::deque<Pending> in_flight_;
  std::uint64_t resources_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t messages_ = 0;
  std::string current_;
};

Status ImportFile(const std::string& file, const ImportOptions& options,
                  const fhir::definitions::Registry& registry, Importer& importer) {
  importer.SetCurrent(file);
  if (file.ends_with(".ndjson")) {
    auto reader = NdjsonReader::Open(file, options.batch_size);
    if (!reader.ok()) return reader.status();
    for (;;) {
      fhir::Result<std::optional<ImportUnit>> unit = (*reader)->Next();
      if (!unit.ok()) return unit.status();
      if (!*unit) return Status::Ok();
      importer.Submit(std::move(**unit));
    }
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::InvalidInput("cannot be read");
  fhir::Result<ImportUnit> unit =
      UnitForDocument(file, text.str(), file.ends_with(".xml"), registry);
  if (!unit.ok()) return unit.status();
  importer.Submit(std::move(unit).value());
  return Status::Ok();
}

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "schakel import: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

}  // namespace

int RunImport(const std::vector<std::string>& args) {
  bool help = false;
  fhir::Result<ImportOptions> parsed = ParseOptions(args, help);
  if (help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "schakel import: %s (see schakel import --help)\n",
                 std::string(parsed.status().message()).c_str());
    return 2;
  }
  const ImportOptions& options = *parsed;
  fhir::Result<std::vector<std::string>> files = ListImportFiles(options.paths);
  if (!files.ok()) return Fail("input", files.status());
  std::uint64_t total_bytes = 0;
  for (const std::string& file : *files) {
    std::error_code ec;
    total_bytes += fs::file_size(file, ec);
  }

  // Only errors reach the log, so that it does not garble the progress line.
  Logger logger(LogLevel::kError);
  fhir::Result<rest::ApiDefinitions> definitions = LoadApiDefinitions(options.resources, logger);
  if (!definitions.ok()) return Fail("definitions", definitions.status());
  std::error_code ec;
  fs::create_directories(options.data, ec);
  if (ec) return Fail(options.data, Status::Internal("cannot create it: " + ec.message()));
  store::SqliteOptions store_options;
  store_options.path = options.data + "/schakel.db";
  store_options.synchronous_full = options.sync_full;
  auto store = store::OpenSqliteStore(store_options);
  if (!store.ok()) return Fail(store_options.path, store.status());

  rest::ApiOptions api_options;
  api_options.base_url = "http://localhost/fhir";
  api_options.software_version = SCHAKEL_VERSION;
  api_options.max_bundle_entries = options.max_bundle_entries;
  // No HTTP body limit applies here; the JSON parser's value limit bounds a document instead.
  std::shared_ptr<const fhir::definitions::Registry> registry = definitions->registry;
  rest::FhirApi api(api_options, **store, std::move(definitions).value(), logger, nullptr);

  ProgressLine progress(total_bytes, options.progress);
  Importer importer(api, progress);
  std::uint64_t file_failures = 0;
  for (const std::string& file : *files) {
    const std::uint64_t resources_before = importer.resources();
    const std::uint64_t failed_before = importer.failed();
    const std::uint64_t bytes_before = importer.bytes();
    Status status = ImportFile(file, options, *registry, importer);
    importer.Drain();
    if (!status.ok()) {
      ++file_failures;
      importer.Fail(file + ": " + std::string(status.message()), 0);
      std::uint64_t size = fs::file_size(file, ec);
      if (ec) size = 0;
      if (importer.bytes() < bytes_before + size) {
        importer.AddBytes(bytes_before + size - importer.bytes());
      }
    }
    progress.ItemDone(file, importer.resources() - resources_before,
                      importer.failed() - failed_before);
  }
  progress.Finish();
  (*store)->Close();

  const double seconds = progress.Seconds();
  std::printf(
      "imported %s resources from %zu files in %.1f s (%s resources/s)",
      WithThousands(importer.resources()).c_str(), files->size(), seconds,
      WithThousands(static_cast<std::uint64_t>(seconds > 0 ? importer.resources() / seconds : 0))
          .c_str());
  if (importer.failed() > 0) {
    std::printf("; %s resources failed", WithThousands(importer.failed()).c_str());
  }
  if (file_failures > 0)
    std::printf("; %llu files could not be read", static_cast<unsigned long long>(file_failures));
  std::printf("\n");
  return importer.failed() > 0 || file_failures > 0 ? 1 : 0;
}

}  // namespace schakel::server::cli
