#include "server/cli/options.h"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace schakel::server::cli {

const char* const kServeHelp = R"(Usage: schakel serve [options]

Starts the FHIR R4 server. It prints "listening on http://HOST:PORT" when ready and stops
gracefully on SIGINT or SIGTERM (in-flight requests are finished first).

Options (each can also be set with the environment variable in brackets; arguments win):
  --listen HOST:PORT      address to listen on; port 0 picks a free one   [SCHAKEL_LISTEN]
                          default 127.0.0.1:8080; IPv6 as [::1]:8080
  --data DIR              data directory (created if missing); the database is DIR/schakel.db
                                                                          [SCHAKEL_DATA] (data)
  --threads N             I/O threads (default: one per core)             [SCHAKEL_THREADS]
  --base-url URL          the FHIR base URL clients see, for Location headers and links when
                          behind a proxy (default http://HOST:PORT/fhir)  [SCHAKEL_BASE_URL]
  --log-level LEVEL       debug, info, warn or error (default info)       [SCHAKEL_LOG_LEVEL]
  --max-body-bytes N      largest request body; larger gets 413 (default 16 MiB)
                                                                          [SCHAKEL_MAX_BODY_BYTES]
  --resources DIR         folder with fhir-r4/ definitions (default: the source tree's)
                                                                          [SCHAKEL_RESOURCES]
  --seed DIR              on first start (empty database) load every *.json in DIR: resources,
                          or Bundles whose entries are resources; each is stored with PUT by id
                                                                          [SCHAKEL_SEED]
  --max-bundle-entries N  most entries in one batch or transaction Bundle; more gets 413
                          (default 10000)
                                                                      [SCHAKEL_MAX_BUNDLE_ENTRIES]
  --max-conditional-delete N
                          most resources one conditional delete deletes; when its search
                          selects more: 412, nothing deleted (default 100)
                                                                  [SCHAKEL_MAX_CONDITIONAL_DELETE]
  --sqlite-sync MODE      full (default: every acknowledged write survives power loss) or
                          normal (faster; the last writes may be lost on power loss; for
                          benchmarks and throw-away data only)            [SCHAKEL_SQLITE_SYNC]
  --auth-housekeeping SECONDS
                          how often expired tokens, revocations and retired signing keys are
                          pruned; revocations made by other processes take effect then too
                          (default 60)                                [SCHAKEL_AUTH_HOUSEKEEPING]
  --insecure-no-auth      serve every /fhir request without an access token, with full access,
                          for local experiments only; logs a warning at start and on every
                          request. Without it, every request but metadata needs a bearer token
                          (no environment variable, on purpose)
  -h, --help              this text
)";

namespace {

using fhir::Status;

Status ParseListen(const std::string& value, ServeOptions& o) {
  std::size_t colon = value.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidInput("--listen needs HOST:PORT, got '" + value + "'");
  std::string host = value.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const std::string port_text = value.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return Status::InvalidInput("--listen needs HOST:PORT with a port from 0 to 65535, got '" +
                                value + "'");
  }
  o.host = host;
  o.port = static_cast<std::uint16_t>(port);
  return Status::Ok();
}

template <typename T>
Status ParseNumber(const std::string& name, const std::string& value, T min, T& out) {
  T n{};
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < min) {
    return Status::InvalidInput(name + " needs a number of at least " + std::to_string(min) +
                                ", got '" + value + "'");
  }
  out = n;
  return Status::Ok();
}

Status Apply(const std::string& name, const std::string& value, ServeOptions& o) {
  if (name == "--listen") return ParseListen(value, o);
  if (name == "--data") {
    o.data_dir = value;
    return Status::Ok();
  }
  if (name == "--threads") return ParseNumber(name, value, 1, o.threads);
  if (name == "--auth-housekeeping") {
    return ParseNumber(name, value, 1, o.auth_housekeeping_seconds);
  }
  if (name == "--base-url") {
    std::string url = value;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Status::InvalidInput("--base-url must be an absolute http(s) URL, got '" + value +
                                  "'");
    }
    o.base_url = url;
    return Status::Ok();
  }
  if (name == "--log-level") {
    std::optional<LogLevel> level = ParseLogLevel(value);
    if (!level) return Status::InvalidInput("--log-level must be debug, info, warn or error");
    o.log_level = *level;
    return Status::Ok();
  }
  if (name == "--max-body-bytes")
    return ParseNumber<std::size_t>(name, value, 1024, o.max_body_bytes);
  if (name == "--resources") {
    o.resources_dir = value;
    return Status::Ok();
  }
  if (name == "--seed") {
    o.seed_dir = value;
    return Status::Ok();
  }
  if (name == "--max-bundle-entries") {
    return ParseNumber<std::size_t>(name, value, 1, o.max_bundle_entries);
  }
  if (name == "--max-conditional-delete") {
    return ParseNumber<std::size_t>(name, value, 1, o.max_conditional_deletes);
  }
  if (name == "--sqlite-sync") {
    if (value != "full" && value != "normal")
      return Status::InvalidInput("--sqlite-sync must be full or normal");
    o.sqlite_sync_full = value == "full";
    return Status::Ok();
  }
  return Status::InvalidInput("unknown option " + name + " (see schakel serve --help)");
}

}  // namespace

fhir::Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args) {
  ServeOptions o;
  static const std::map<std::string, std::string> kEnvironment = {
      {"SCHAKEL_LISTEN", "--listen"},
      {"SCHAKEL_DATA", "--data"},
      {"SCHAKEL_THREADS", "--threads"},
      {"SCHAKEL_BASE_URL", "--base-url"},
      {"SCHAKEL_LOG_LEVEL", "--log-level"},
      {"SCHAKEL_MAX_BODY_BYTES", "--max-body-bytes"},
      {"SCHAKEL_RESOURCES", "--resources"},
      {"SCHAKEL_SEED", "--seed"},
      {"SCHAKEL_SQLITE_SYNC", "--sqlite-sync"},
      {"SCHAKEL_AUTH_HOUSEKEEPING", "--auth-housekeeping"},
      {"SCHAKEL_MAX_BUNDLE_ENTRIES", "--max-bundle-entries"},
      {"SCHAKEL_MAX_CONDITIONAL_DELETE", "--max-conditional-delete"}};
  for (const auto& [variable, option] : kEnvironment) {
    if (const char* value = std::getenv(variable.c_str()); value != nullptr && *value != '\0') {
      fhir::Status s = Apply(option, value, o);
      if (!s.ok()) return Status::InvalidInput(variable + ": " + std::string(s.message()));
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    if (name == "-h" || name == "--help") {
      o.help = true;
      continue;
    }
    if (name == "--insecure-no-auth") {
      o.insecure_no_auth = true;
      continue;
    }
    std::string value;
    if (std::size_t eq = name.find('='); eq != std::string::npos && name.rfind("--", 0) == 0) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size())
        return Status::InvalidInput(name + " needs a value (see schakel serve --help)");
      value = args[++i];
    }
    SCHAKEL_RETURN_IF_ERROR(Apply(name, value, o));
  }
  return o;
}

}  // namespace schakel::server::cli
