// The SQLite implementation of AuthStore, on a database file of its own (DATA/auth.db), apart from
// the FHIR store's, so that token traffic never waits for the FHIR writer.
//
// One connection, guarded by a mutex: authorization traffic is light. The file is in WAL mode
// with synchronous=FULL (an issued refresh token or a revocation survives a power cut),
// foreign_keys on (removing a client removes its tokens) and a busy timeout. Operations that
// read and then write run in BEGIN IMMEDIATE transactions, so they are atomic also against other
// processes using the same file (the CLI registering a client while the server runs).
//
// Revoked access-token ids are also kept in memory, since IsRevoked runs on every FHIR request:
// loaded on open, written through by RevokeAccessToken, and reloaded from the file by Prune, so
// that revocations made by another process are seen after the next Prune. Everything else is
// read from the file every time.
//
// The schema is versioned and migrated on open (auth_schema.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/status.h"
#include "store/auth_store.h"

namespace schakel::store {

struct SqliteAuthStoreOptions {
  std::string path;  // database file (DATA/auth.db); created with its schema if missing
  // How long an operation waits for a lock held by another process before it fails with
  // kUnavailable.
  int busy_timeout_ms = 5'000;
};

namespace sqlite {
class Connection;
}  // namespace sqlite

// Thread-safe.
class SqliteAuthStore final : public AuthStore {
 public:
  // Opens (creating if missing) the database at options.path, whose directory must exist, and
  // migrates its schema. Fails with a message naming the file when it cannot be opened, is not
  // an auth database (the FHIR store's file, say), or has a newer schema version than this build.
  static fhir::Result<std::unique_ptr<SqliteAuthStore>> Open(const SqliteAuthStoreOptions& options);

  SqliteAuthStore(const SqliteAuthStore&) = delete;
  SqliteAuthStore& operator=(const SqliteAuthStore&) = delete;
  ~SqliteAuthStore() override;

  fhir::Status AddClient(const Client& client) override;
  fhir::Result<Client> GetClient(std::string_view id) override;
  fhir::Result<std::vector<Client>> ListClients() override;
  fhir::Status RemoveClient(std::string_view id) override;

  fhir::Status PutRefreshToken(const RefreshToken& token) override;
  fhir::Result<RefreshToken> UseRefreshToken(std::string_view hash, std::int64_t now) override;
  fhir::Status RevokeRefreshToken(std::string_view hash) override;
  fhir::Status RevokeClientTokens(std::string_view client_id) override;

  fhir::Status RevokeAccessToken(std::string_view jti, std::int64_t expires_at) override;
  bool IsRevoked(std::string_view jti) const override;

  fhir::Result<bool> RememberAssertion(std::string_view client_id, std::string_view jti,
                                       std::int64_t expires_at, std::int64_t now) override;

  fhir::Result<std::int64_t> Prune(std::int64_t now) override;

 private:
  // Transparent hashing, so that IsRevoked looks a string_view up without allocating.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using RevokedMap = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;

  explicit SqliteAuthStore(std::unique_ptr<sqlite::Connection> db);

  // Replaces the in-memory revoked set with the file's. Needs db_mutex_.
  fhir::Status ReloadRevokedLocked();

  // Lock order: db_mutex_ before revoked_mutex_.
  std::mutex db_mutex_;
  std::unique_ptr<sqlite::Connection> db_;  // GUARDED_BY(db_mutex_)
  mutable std::shared_mutex revoked_mutex_;
  RevokedMap revoked_;  // jti -> expires_at; GUARDED_BY(revoked_mutex_)
};

// Opens a SqliteAuthStore (see SqliteAuthStore::Open).
fhir::Result<std::unique_ptr<AuthStore>> OpenSqliteAuthStore(const SqliteAuthStoreOptions& options);

}  // namespace schakel::store
