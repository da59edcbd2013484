#include "server/cli/serve.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include "server/auth/access_tokens.h"
#include "server/auth/auth_api.h"
#include "server/cli/auth_files.h"
#include "server/cli/definitions.h"
#include "server/cli/housekeeping.h"
#include "server/cli/options.h"
#include "server/cli/seed.h"
#include "server/http/server.h"
#include "server/rest/api.h"
#include "store/sqlite/sqlite_store.h"

#ifndef SCHAKEL_VERSION
#define SCHAKEL_VERSION "0.0.0"
#endif

namespace schakel::server::cli {
namespace {

std::string HostForUrl(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int Fail(Logger& logger, std::string_view event, const fhir::Status& status) {
  logger.Error(event, {{"error", status.ToString()}});
  std::fprintf(stderr, "schakel: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  fhir::Result<ServeOptions> parsed = ParseServeOptions(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "schakel serve: %s\n", std::string(parsed.status().message()).c_str());
    return 2;
  }
  ServeOptions options = std::move(parsed).value();
  if (options.help) {
    std::fputs(kServeHelp, stdout);
    return 0;
  }
  Logger logger(options.log_level);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));

  fhir::Result<rest::ApiDefinitions> definitions =
      LoadApiDefinitions(options.resources_dir, logger);
  if (!definitions.ok()) return Fail(logger, "definitions_failed", definitions.status());

  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Fail(logger, "data_dir_failed",
                fhir::Status::Internal("cannot create " + options.data_dir + ": " + ec.message()));
  }
  store::SqliteOptions store_options;
  store_options.path = options.data_dir + "/schakel.db";
  store_options.synchronous_full = options.sqlite_sync_full;
  store_options.read_connections = threads + 2;
  auto store = store::OpenSqliteStore(store_options);
  if (!store.ok()) return Fail(logger, "store_failed", store.status());
  if (!options.sqlite_sync_full) {
    logger.Warn("durability_reduced", {{"detail",
                                        "--sqlite-sync normal: acknowledged writes may be "
                                        "lost on power failure"}});
  }

  http::ServerOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.threads = threads;
  http_options.max_body_bytes = options.max_body_bytes;
  http_options.server_header = "Schakel/" SCHAKEL_VERSION;
  if (options.insecure_no_auth) {
    http_options.access_log_warning = "ACCESS CONTROL IS OFF (--insecure-no-auth)";
    logger.Warn("insecure_no_auth",
                {{"detail",
                  "--insecure-no-auth: every /fhir request is served without a token, with full "
                  "access to all data. Never use this with real data or on a network."}});
    std::fprintf(stderr,
                 "schakel: WARNING: access control is OFF (--insecure-no-auth); anyone who can "
                 "reach this port can read and change all data\n");
  }

  // The authorization server's state: DATA/auth.db and the signing keys (made on first start).
  fhir::Result<AuthFiles> auth_files = OpenAuthFiles(options.data_dir, std::time(nullptr));
  if (!auth_files.ok()) return Fail(logger, "auth_failed", auth_files.status());
  logger.Info("signing_keys_loaded", {{"keys", std::to_string(auth_files->keys->size())},
                                      {"active_kid", auth_files->keys->active_kid()}});
  const auth::AuthApi auth_api(*auth_files->keys);

  // The API needs the real port for its base URL, which is known only after Listen().
  std::unique_ptr<auth::AccessTokens> tokens;
  std::unique_ptr<rest::FhirApi> api;
  http::Server server(
      http_options,
      [&api, &auth_api](http::Request request, http::Respond respond) {
        if (auth::AuthApi::Handles(request.target)) return auth_api.Handle(request, respond);
        api->Handle(std::move(request), std::move(respond));
      },
      [&api](int status, std::string message) {
        return api->ErrorResponse(status, std::move(message));
      },
      logger);
  fhir::Result<std::uint16_t> port = server.Listen();
  if (!port.ok()) return Fail(logger, "listen_failed", port.status());

  const std::string origin = "http://" + HostForUrl(options.host) + ":" + std::to_string(*port);
  rest::ApiOptions api_options;
  api_options.base_url = options.base_url.empty() ? origin + "/fhir" : options.base_url;
  api_options.software_version = SCHAKEL_VERSION;
  api_options.max_bundle_entries = options.max_bundle_entries;
  api_options.max_conditional_deletes = options.max_conditional_deletes;
  api_options.insecure_no_auth = options.insecure_no_auth;
  // `schakel token` reads it: the issuer and audience of the tokens it prints.
  if (fhir::Status written = WriteBaseUrl(options.data_dir, api_options.base_url); !written.ok()) {
    return Fail(logger, "data_dir_failed", written);
  }
  // Tokens are issued for, and must name, the FHIR base URL (issuer and audience).
  tokens = std::make_unique<auth::AccessTokens>(*auth_files->keys, *auth_files->store,
                                                api_options.base_url, api_options.base_url);
  api = std::make_unique<rest::FhirApi>(api_options, **store, std::move(definitions).value(),
                                        logger, tokens.get());

  if (!options.seed_dir.empty()) {
    store::RequestContext ctx{"seed"};
    fhir::Result<bool> empty = (*store)->IsEmpty(ctx);
    if (!empty.ok()) return Fail(logger, "seed_failed", empty.status());
    if (*empty) {
      fhir::Result<int> seeded = SeedFromDirectory(*api, options.seed_dir);
      if (!seeded.ok()) return Fail(logger, "seed_failed", seeded.status());
      logger.Info("seeded", {{"dir", options.seed_dir}, {"resources", std::to_string(*seeded)}});
    }
  }

  logger.Info("started", {{"url", api_options.base_url},
                          {"data", store_options.path},
                          {"threads", std::to_string(threads)},
                          {"version", SCHAKEL_VERSION}});
  const Housekeeping housekeeping(*auth_files->store, *auth_files->keys, logger,
                                  std::chrono::seconds(options.auth_housekeeping_seconds));
  std::printf("listening on %s\n", origin.c_str());
  std::fflush(stdout);
  server.Run();
  (*store)->Close();
  logger.Info("store_closed");
  return 0;
}

}  // namespace schakel::server::cli
