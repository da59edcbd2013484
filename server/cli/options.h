// Command-line and environment options for `schakel serve`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "server/log/logger.h"

namespace schakel::server::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "data";
  int threads = 0;       // 0: one per core
  std::string base_url;  // empty: http://HOST:PORT/fhir
  LogLevel log_level = LogLevel::kInfo;
  std::size_t max_body_bytes = std::size_t{16} << 20;  // 16 MiB
  std::string resources_dir;                           // empty: the compiled-in default
  std::string seed_dir;                                // loaded into an empty database at start
  bool sqlite_sync_full = true;
  std::size_t max_bundle_entries = 10'000;    // entries of one batch or transaction
  std::size_t max_conditional_deletes = 100;  // resources one conditional delete may delete
  int auth_housekeeping_seconds = 60;  // how often auth.db and the key ring are pruned
  bool insecure_no_auth = false;              // --insecure-no-auth: no access control at all
  bool help = false;
};

// Reads SCHAKEL_* environment variables first, then the arguments (which win).
fhir::Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args);

extern const char* const kServeHelp;

}  // namespace schakel::server::cli
