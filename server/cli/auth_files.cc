#include "server/cli/auth_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/auth/access_tokens.h"
#include "store/sqlite/sqlite_auth_store.h"

namespace schakel::server::cli {

fhir::Result<AuthFiles> OpenAuthFiles(const std::string& data_dir, std::int64_t now) {
  AuthFiles files;
  store::SqliteAuthStoreOptions options;
  options.path = data_dir + "/auth.db";
  auto store = store::OpenSqliteAuthStore(options);
  if (!store.ok()) return store.status();
  files.store = std::move(store).value();
  auto keys =
      auth::SigningKeyRing::Open(data_dir + "/keys", now, auth::AccessTokens::kMaxLifetimeSeconds);
  if (!keys.ok()) return keys.status();
  files.keys = std::move(keys).value();
  return files;
}

std::string ReadBaseUrl(const std::string& data_dir) {
  std::ifstream in(data_dir + "/base-url");
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  return "http://127.0.0.1:8080/fhir";
}

fhir::Status WriteBaseUrl(const std::string& data_dir, const std::string& base_url) {
  const std::string path = data_dir + "/base-url";
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << base_url << "\n";
    if (!out) return fhir::Status::Internal("cannot write " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return fhir::Status::Internal("cannot write " + path + ": " + ec.message());
  return fhir::Status::Ok();
}

}  // namespace schakel::server::cli
