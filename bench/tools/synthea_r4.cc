// synthea_r4: the Synthea bundles in ../shared/fhir/synthea/ (STU3, from Synthea v2.4) converted to
// R4 by synthea_convert.h (its header has the table of mappings), then checked, written or loaded.
//
//   synthea_r4 check DIR                  converts every resource and validates it in-process with
//                                         fhir/validation (as the server does on every write), and
//                                         each converted transaction Bundle as a whole; checks that
//                                         every reference is a Type/id of a converted resource;
//                                         prints how often each mapping applied; exits 1 on any
//                                         failure (ctest runs it on the tarball, see
//                                         bench/CMakeLists.txt)
//   synthea_r4 convert DIR OUTDIR         writes each Bundle as an R4 transaction (request PUT
//                                         Type/id) to OUTDIR, at its path relative to DIR
//   synthea_r4 load DIR HOST PORT CONNECTIONS
//                                         PUTs every resource over CONNECTIONS keep-alive
//                                         connections, printing the load rate as it goes; exits 1
//                                         if any PUT fails (the first few with their
//                                         OperationOutcome's diagnostics)
//
// DIR holds the Bundles as .json files, in subfolders too (`tar xzf` of the tarball gives
// synthea-79/CMS*/{numerator,denominator}/*.json). DIR may also be the .tar.gz itself: it is then
// extracted with tar into a temporary directory, removed afterwards (ctest has no shell to do it);
// a DIR that does not exist makes `check` print why and exit 77, which ctest reports as skipped.
//
// The 80 Bundles hold 5,535 entries but 5,431 distinct resources: the shared Organizations and
// Practitioners, and one patient in two measures' folders, come again in several Bundles,
// identical. `load` PUTs every entry, so a repeated one is stored as a new version.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/tools/synthea_convert.h"
#include "fhir/definitions/profiles.h"
#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/validation/validator.h"

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace schakel::bench::synthea {
namespace {

namespace fs = std::filesystem;
using fhir::json::Value;

constexpr int kSkipped = 77;       // ctest's SKIP_RETURN_CODE for this tool
constexpr int kFailuresShown = 3;  // failing resources printed in full
constexpr int kIssuesShown = 3;    // issues printed per failing resource

// A converted Bundle: its file, relative to DIR, and its resources.
struct Converted {
  fs::path relative;
  std::vector<Resource> resources;
};

// The extracted tarball when DIR is one; removed on destruction.
class TempTree {
 public:
  TempTree() = default;
  ~TempTree() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // Extracts `tarball` with `tar xzf` into a new temporary directory.
  bool Extract(const fs::path& tarball) {
    std::string dir = (fs::temp_directory_path() / "synthea_r4.XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) return false;
    path_ = dir;
    std::string tarball_arg = tarball.string();
    char tar[] = "tar";
    char xzf[] = "xzf";
    char to[] = "-C";
    char* argv[] = {tar, xzf, tarball_arg.data(), to, dir.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawnp(&pid, "tar", nullptr, nullptr, argv, environ) != 0) return false;
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "synthea_r4: %s\n", message.c_str());
  std::exit(1);
}

// Reads and converts every Bundle under `dir` (a directory or a .tar.gz of one).
fhir::Result<std::vector<Converted>> ConvertAll(const fs::path& dir, Tally* tally) {
  TempTree extracted;
  fs::path root = dir;
  if (fs::is_regular_file(dir)) {
    if (!extracted.Extract(dir)) {
      return fhir::Status::InvalidInput("cannot extract " + dir.string() + " with tar");
    }
    root = extracted.path();
  }
  fhir::Result<std::vector<fs::path>> files = BundleFiles(root);
  if (!files.ok()) return files.status();
  if (files->empty()) return fhir::Status::InvalidInput("no .json files under " + dir.string());
  std::vector<Converted> converted;
  for (const fs::path& file : *files) {
    fhir::Result<Value> bundle = ReadJsonFile(file);
    if (!bundle.ok()) return bundle.status();
    fhir::Result<std::vector<Resource>> resources = ConvertBundle(*bundle, tally);
    if (!resources.ok()) {
      return fhir::Status::InvalidInput(fs::relative(file, root).string() + ": " +
                                        std::string(resources.status().message()));
    }
    converted.push_back({fs::relative(file, root), std::move(resources).value()});
  }
  return converted;
}

// ConvertAll, or the end of the program.
std::vector<Converted> ConvertAllOrDie(const fs::path& dir, Tally* tally) {
  fhir::Result<std::vector<Converted>> converted = ConvertAll(dir, tally);
  if (!converted.ok()) Die(std::string(converted.status().message()));
  return std::move(converted).value();
}

// "80 Bundles, 5535 resources (5431 distinct): 1279 Claim, ..."
std::string Summary(const std::vector<Converted>& bundles) {
  std::map<std::string, long> by_type;
  std::set<std::string> distinct;
  long total = 0;
  for (const Converted& bundle : bundles) {
    for (const Resource& r : bundle.resources) {
      ++by_type[r.type];
      distinct.insert(r.type + "/" + r.id);
      ++total;
    }
  }
  std::string out = std::to_string(bundles.size()) + " Bundles, " + std::to_string(total) +
                    " resources (" + std::to_string(distinct.size()) + " distinct):";
  const char* separator = " ";
  for (const auto& [type, count] : by_type) {
    out += separator + std::to_string(count) + " " + type;
    separator = ", ";
  }
  return out;
}

bool IsError(const fhir::Issue& issue) {
  return issue.severity == fhir::Severity::kError || issue.severity == fhir::Severity::kFatal;
}

// Appends a problem for each Reference.reference under `value` that does not resolve to one of
// `converted` (the Type/id of every converted resource): a urn:uuid left over, or a relative
// Type/id that names no converted resource. Contained (#id) references are the validator's.
void CheckReferences(const Value& value, const std::set<std::string>& converted,
                     std::vector<std::string>& problems) {
  if (value.is_array()) {
    for (const Value& item : value.items()) CheckReferences(item, converted, problems);
    return;
  }
  if (!value.is_object()) return;
  for (const fhir::json::Member& member : value.members()) {
    if (member.name != "reference" || !member.value.is_string()) {
      CheckReferences(member.value, converted, problems);
      continue;
    }
    const std::string& reference = member.value.text();
    if (reference.starts_with("urn:uuid:")) {
      problems.push_back("reference " + reference + " was not rewritten to Type/id");
    } else if (!reference.starts_with("#") && converted.count(reference) == 0) {
      problems.push_back("reference " + reference + " names no converted resource");
    }
  }
}

int Check(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    std::printf("skipped: %s does not exist (the Synthea bundles live in ../shared)\n",
                dir.string().c_str());
    return kSkipped;
  }
  auto registry = fhir::definitions::Registry::Load(SCHAKEL_RESOURCE_DIR);
  if (!registry.ok()) Die(registry.status().ToString());
  auto value_sets = fhir::definitions::ValueSetIndex::Load(SCHAKEL_RESOURCE_DIR);
  if (!value_sets.ok()) Die(value_sets.status().ToString());
  // As the server: with the profiles of resources/profiles/ (serve.cc).
  auto profiles = fhir::definitions::ProfileRegistry::Load(
      std::string(SCHAKEL_RESOURCE_DIR) + "/profiles", **registry);
  if (!profiles.ok()) Die(profiles.status().ToString());
  const fhir::validation::Validator validator(*registry, *value_sets, *profiles);

  Tally tally;
  const std::vector<Converted> bundles = ConvertAllOrDie(dir, &tally);
  std::printf("converted %s\n", Summary(bundles).c_str());
  std::set<std::string> converted;
  for (const Converted& bundle : bundles) {
    for (const Resource& r : bundle.resources) converted.insert(r.type + "/" + r.id);
  }
  long total = 0;
  long failed = 0;
  long failed_bundles = 0;
  std::map<std::string, long> warnings;  // by diagnostics
  for (const Converted& bundle : bundles) {
    for (const Resource& r : bundle.resources) {
      ++total;
      std::vector<fhir::Issue> issues;
      validator.Validate(r.value, issues);
      std::vector<std::string> problems;
      for (const fhir::Issue& issue : issues) {
        if (IsError(issue)) {
          problems.push_back(issue.diagnostics);
        } else if (issue.severity == fhir::Severity::kWarning) {
          ++warnings[issue.diagnostics];
        }
      }
      CheckReferences(r.value, converted, problems);
      if (problems.empty()) continue;
      if (failed++ >= kFailuresShown) continue;
      std::printf("failed: %s/%s in %s\n", r.type.c_str(), r.id.c_str(), bundle.relative.c_str());
      for (std::size_t k = 0; k < problems.size() && k < kIssuesShown; ++k) {
        std::printf("  %s\n", problems[k].c_str());
      }
    }
    // What `convert` writes: the transaction Bundle must be valid R4 too.
    std::vector<fhir::Issue> issues;
    validator.Validate(TransactionBundle(bundle.resources), issues);
    const auto error = std::find_if(issues.begin(), issues.end(), IsError);
    if (error != issues.end() && failed_bundles++ < kFailuresShown) {
      std::printf("invalid transaction Bundle for %s: %s\n", bundle.relative.c_str(),
                  error->diagnostics.c_str());
    }
  }
  std::printf("mappings applied (the table in synthea_convert.h):\n");
  for (const auto& [mapping, count] : tally) std::printf("  %6ld  %s\n", count, mapping.c_str());
  for (const auto& [diagnostics, count] : warnings) {
    std::printf("warning (%ld resources): %s\n", count, diagnostics.c_str());
  }
  std::printf(
      "%ld of %ld resources valid R4 with every reference resolved, %ld not; %ld of %zu "
      "transaction Bundles invalid\n",
      total - failed, total, failed, failed_bundles, bundles.size());
  return failed == 0 && failed_bundles == 0 ? 0 : 1;
}

int Convert(const fs::path& dir, const fs::path& out_dir) {
  const std::vector<Converted> bundles = ConvertAllOrDie(dir, nullptr);
  for (const Converted& bundle : bundles) {
    const fs::path out = out_dir / bundle.relative;
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    if (ec) Die("cannot create " + out.parent_path().string() + ": " + ec.message());
    std::ofstream file(out, std::ios::binary);
    file << fhir::json::Serialize(TransactionBundle(bundle.resources));
    if (!file) Die("cannot write " + out.string());
  }
  std::printf("wrote %s, as R4 transactions, to %s\n", Summary(bundles).c_str(), out_dir.c_str());
  return 0;
}

// "HTTP 422: <diagnostics>; <diagnostics>" from a failed PUT's OperationOutcome.
std::string Failure(const http::response<http::string_body>& res) {
  std::string out = "HTTP " + std::to_string(res.result_int());
  fhir::Result<Value> outcome = fhir::json::Parse(res.body());
  const Value* issues = outcome.ok() ? outcome->Find("issue") : nullptr;
  if (issues == nullptr || !issues->is_array()) return out + " " + res.body().substr(0, 500);
  const char* separator = ": ";
  int shown = 0;
  for (const Value& issue : issues->items()) {
    if (shown++ == kIssuesShown) {
      out += separator + std::string("...");
      break;
    }
    // The server's diagnostics end with the location ("(at Claim.item[0].service)").
    const std::string* diagnostics = issue.FindString("diagnostics");
    out += separator;
    out += diagnostics != nullptr ? *diagnostics : fhir::json::Serialize(issue);
    separator = "; ";
  }
  return out;
}

int Load(const fs::path& dir, const std::string& host, const std::string& port, int connections) {
  const std::vector<Converted> bundles = ConvertAllOrDie(dir, nullptr);
  struct Put {
    std::string path;
    std::string body;
  };
  std::vector<Put> puts;
  for (const Converted& bundle : bundles) {
    for (const Resource& r : bundle.resources) {
      puts.push_back({"/fhir/" + r.type + "/" + r.id, fhir::json::Serialize(r.value)});
    }
  }
  const long total = static_cast<long>(puts.size());
  std::printf("loading Synthea (STU3 converted to R4): %s (%d connections)\n",
              Summary(bundles).c_str(), connections);
  std::fflush(stdout);

  std::atomic<long> next{0};
  std::atomic<long> done{0};
  std::atomic<long> stored{0};
  std::atomic<long> failures{0};
  std::atomic<bool> finished{false};
  std::mutex report_mutex;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::thread progress([&] {
    while (!finished) {
      for (int k = 0; k < 50 && !finished; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (finished) break;
      std::printf("  %7ld/%ld stored, %.0f resources/s\n", done.load(), total,
                  static_cast<double>(done.load()) / elapsed());
      std::fflush(stdout);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&, t] {
      try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(tcp::resolver(io).resolve(host, port));
        beast::flat_buffer buffer;
        for (long j = next++; j < total; j = next++) {
          http::request<http::string_body> req{http::verb::put, puts[j].path, 11};
          req.set(http::field::host, host);
          req.set(http::field::content_type, "application/fhir+json");
          req.set("Prefer", "return=minimal");
          req.body() = puts[j].body;
          req.prepare_payload();
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          if (res.result_int() == 200 || res.result_int() == 201) {
            ++stored;
          } else if (failures++ < kFailuresShown) {
            std::lock_guard lock(report_mutex);
            std::fprintf(stderr, "%s: %s\n", puts[j].path.c_str(), Failure(res).c_str());
          }
          ++done;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(report_mutex);
        std::fprintf(stderr, "connection %d: %s\n", t, e.what());
        ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  finished = true;
  progress.join();
  const double seconds = elapsed();
  std::printf("stored %ld of %ld Synthea resources in %.1f s (%.0f resources/s), %ld failures\n",
              stored.load(), total, seconds, static_cast<double>(total) / seconds, failures.load());
  return failures == 0 ? 0 : 1;
}

int Usage() {
  std::fprintf(stderr,
               "usage: synthea_r4 check DIR\n"
               "       synthea_r4 convert DIR OUTDIR\n"
               "       synthea_r4 load DIR HOST PORT CONNECTIONS\n"
               "DIR: a directory of Synthea STU3 Bundles (.json, in subfolders too), or their "
               ".tar.gz\n");
  return 2;
}

int Main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "check") == 0) return Check(argv[2]);
  if (argc == 4 && std::strcmp(argv[1], "convert") == 0) return Convert(argv[2], argv[3]);
  if (argc == 6 && std::strcmp(argv[1], "load") == 0) {
    const int connections = std::atoi(argv[5]);
    if (connections < 1) return Usage();
    return Load(argv[2], argv[3], argv[4], connections);
  }
  return Usage();
}

}  // namespace
}  // namespace schakel::bench::synthea

int main(int argc, char** argv) { return schakel::bench::synthea::Main(argc, argv); }
