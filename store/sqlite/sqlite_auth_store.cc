#include "store/sqlite/sqlite_auth_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

#include "store/sqlite/auth_schema.h"
#include "store/sqlite/connection.h"

namespace schakel::store {
namespace {

using sqlite::CachedStatement;
using sqlite::Connection;

// client.kind on disk.
constexpr std::string_view kKindPatientApp = "patient-app";
constexpr std::string_view kKindBackend = "backend";

std::string_view KindToColumn(Client::Kind kind) {
  return kind == Client::Kind::kBackend ? kKindBackend : kKindPatientApp;
}

std::optional<Client::Kind> KindFromColumn(std::string_view column) {
  if (column == kKindPatientApp) return Client::Kind::kPatientApp;
  if (column == kKindBackend) return Client::Kind::kBackend;
  return std::nullopt;
}

// The same status with "opening auth database PATH: " before each message.
fhir::Status WhileOpening(const std::string& path, const fhir::Status& status) {
  if (status.ok()) return status;
  std::vector<fhir::Issue> issues = status.issues();
  for (fhir::Issue& issue : issues)
    issue.diagnostics = "opening auth database " + path + ": " + issue.diagnostics;
  return fhir::Status::WithIssues(status.code(), std::move(issues));
}

// Rows changed by the latest INSERT, UPDATE or DELETE on `db` (not counting cascades).
std::int64_t Changes(Connection& db) { return sqlite3_changes64(db.handle()); }

fhir::Status RunCached(Connection& db, const char* sql) {
  fhir::Result<CachedStatement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.status();
  return statement->Run();
}

// Runs `body` (returning Status) in a BEGIN IMMEDIATE transaction, which takes the write lock up
// front: a read followed by a write then never fails halfway with SQLITE_BUSY, and no other
// process writes in between. Commits when `body` returns ok, rolls back otherwise.
template <typename Body>
fhir::Status InImmediateTransaction(Connection& db, Body&& body) {
  SCHAKEL_RETURN_IF_ERROR(RunCached(db, "BEGIN IMMEDIATE"));
  fhir::Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    status = fhir::Status::Internal(std::string("auth database: ") + e.what());
  }
  if (status.ok()) status = RunCached(db, "COMMIT");
  // After a failed statement or COMMIT the transaction may still be open (or SQLite may have
  // rolled it back itself).
  if (!status.ok() && sqlite3_get_autocommit(db.handle()) == 0) (void)db.Exec("ROLLBACK");
  return status;
}

// Runs `call`, turning an escaping exception (bad_alloc) into kInternal: nothing throws across
// the AuthStore interface.
template <typename Call>
auto Guarded(Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& e) {
    return fhir::Status::Internal(std::string("auth database: ") + e.what());
  }
}

// Opens the connection, switches the file to WAL and brings its schema up to date.
fhir::Result<std::unique_ptr<Connection>> OpenConnection(const SqliteAuthStoreOptions& options) {
  fhir::Result<std::unique_ptr<Connection>> db = Connection::Open(
      options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  Connection& connection = **db;
  {
    // The first statement that reads the file: a file that is not a database fails here.
    fhir::Result<CachedStatement> wal = connection.Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    fhir::Result<bool> row = wal->Step();
    if (!row.ok()) return row.status();
    if (!*row || wal->ColumnText(0) != "wal") {
      return fhir::Status::Internal("the database cannot use write-ahead logging");
    }
  }
  SCHAKEL_RETURN_IF_ERROR(connection.Exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON"));
  SCHAKEL_RETURN_IF_ERROR(sqlite::MigrateAuth(connection));
  return db;
}

// The columns ReadClients expects: a client's, then one of its redirect URIs (NULL when it has
// none), one row per URI. One statement gives a consistent snapshot of a client and its URIs.
constexpr const char* kSelectClient =
    "SELECT c.id, c.name, c.kind, c.jwks, c.organization_ura, c.organization_type, c.scope, "
    "c.created_at, u.uri FROM client c LEFT JOIN client_redirect_uri u ON u.client_id = c.id "
    "WHERE c.id = ?1 ORDER BY u.position";
constexpr const char* kSelectAllClients =
    "SELECT c.id, c.name, c.kind, c.jwks, c.organization_ura, c.organization_type, c.scope, "
    "c.created_at, u.uri FROM client c LEFT JOIN client_redirect_uri u ON u.client_id = c.id "
    "ORDER BY c.id, u.position";

// Reads the clients of a kSelectClient or kSelectAllClients query (rows ordered by client, then
// URI position).

fhir::Result<std::vector<Client>> ReadClients(CachedStatement& statement) {
  std::vector<Client> clients;
  while (true) {
    fhir::Result<bool> row = statement.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string_view id = statement.ColumnText(0);
    if (clients.empty() || clients.back().id != id) {
      Client client;
      client.id = std::string(id);
      client.name = std::string(statement.ColumnText(1));
      std::optional<Client::Kind> kind = KindFromColumn(statement.ColumnText(2));
      if (!kind) {
        return fhir::Status::Internal("auth database: client " + client.id +
                                      " has an unknown kind");
      }
      client.kind = *kind;
      client.jwks = std::string(statement.ColumnText(3));
      client.organization_ura = std::string(statement.ColumnText(4));
      client.organization_type = std::string(statement.ColumnText(5));
      client.scope = std::string(statement.ColumnText(6));
      client.created_at = statement.ColumnInt64(7);
      clients.push_back(std::move(client));
    }
    if (!statement.ColumnIsNull(8)) {
      clients.back().redirect_uris.emplace_back(statement.ColumnText(8));
    }
  }
  return clients;
}

}  // namespace

fhir::Result<std::unique_ptr<SqliteAuthStore>> SqliteAuthStore::Open(
    const SqliteAuthStoreOptions& options) {
  if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:")) {
    return fhir::Status::InvalidInput("the auth database path must name a file");
  }
  if (options.busy_timeout_ms < 0) {
    return fhir::Status::InvalidInput("busy_timeout_ms must not be negative");
  }
  return Guarded([&]() -> fhir::Result<std::unique_ptr<SqliteAuthStore>> {
    fhir::Result<std::unique_ptr<Connection>> db = OpenConnection(options);
    if (!db.ok()) return WhileOpening(options.path, db.status());
    std::unique_ptr<SqliteAuthStore> store(new SqliteAuthStore(std::move(*db)));
    std::lock_guard lock(store->db_mutex_);
    fhir::Status loaded = store->ReloadRevokedLocked();
    if (!loaded.ok()) return WhileOpening(options.path, loaded);
    return store;
  });
}

SqliteAuthStore::SqliteAuthStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

SqliteAuthStore::~SqliteAuthStore() = default;

// --- Clients ---

fhir::Status SqliteAuthStore::AddClient(const Client& client) {
  if (client.id.empty()) return fhir::Status::InvalidInput("a client id must not be empty");
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    return InImmediateTransaction(*db_, [&]() -> fhir::Status {
      {
        fhir::Result<CachedStatement> insert = db_->Prepare(
            "INSERT INTO client (id, name, kind, jwks, organization_ura, organization_type, "
            "scope, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
            "ON CONFLICT (id) DO NOTHING");
        if (!insert.ok()) return insert.status();
        insert->Bind(1, client.id);
        insert->Bind(2, client.name);
        insert->Bind(3, KindToColumn(client.kind));
        insert->Bind(4, client.jwks);
        insert->Bind(5, client.organization_ura);
        insert->Bind(6, client.organization_type);
        insert->Bind(7, client.scope);
        insert->Bind(8, client.created_at);
        SCHAKEL_RETURN_IF_ERROR(insert->Run());
      }
      if (Changes(*db_) == 0) {
        return fhir::Status::Conflict("a client with id " + client.id + " exists already");
      }
      fhir::Result<CachedStatement> insert_uri = db_->Prepare(
          "INSERT INTO client_redirect_uri (client_id, position, uri) VALUES (?1, ?2, ?3)");
      if (!insert_uri.ok()) return insert_uri.status();
      for (std::size_t i = 0; i < client.redirect_uris.size(); ++i) {
        insert_uri->Bind(1, client.id);
        insert_uri->Bind(2, static_cast<std::int64_t>(i));
        insert_uri->Bind(3, client.redirect_uris[i]);
        SCHAKEL_RETURN_IF_ERROR(insert_uri->Run());
        insert_uri->Reset();
      }
      return fhir::Status::Ok();
    });
  });
}

fhir::Result<Client> SqliteAuthStore::GetClient(std::string_view id) {
  return Guarded([&]() -> fhir::Result<Client> {
    std::lock_guard lock(db_mutex_);
    fhir::Result<CachedStatement> select = db_->Prepare(kSelectClient);
    if (!select.ok()) return select.status();
    select->Bind(1, id);
    fhir::Result<std::vector<Client>> clients = ReadClients(*select);
    if (!clients.ok()) return clients.status();
    if (clients->empty()) return fhir::Status::NotFound("no client with id " + std::string(id));
    return std::move(clients->front());
  });
}

fhir::Result<std::vector<Client>> SqliteAuthStore::ListClients() {
  return Guarded([&]() -> fhir::Result<std::vector<Client>> {
    std::lock_guard lock(db_mutex_);
    fhir::Result<CachedStatement> select = db_->Prepare(kSelectAllClients);
    if (!select.ok()) return select.status();
    return ReadClients(*select);
  });
}

fhir::Status SqliteAuthStore::RemoveClient(std::string_view id) {
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    {
      // Its redirect URIs and refresh tokens go with it (ON DELETE CASCADE).
      fhir::Result<CachedStatement> remove = db_->Prepare("DELETE FROM client WHERE id = ?1");
      if (!remove.ok()) return remove.status();
      remove->Bind(1, id);
      SCHAKEL_RETURN_IF_ERROR(remove->Run());
    }
    if (Changes(*db_) == 0) return fhir::Status::NotFound("no client with id " + std::string(id));
    return fhir::Status::Ok();
  });
}

// --- Refresh tokens ---

fhir::Status SqliteAuthStore::PutRefreshToken(const RefreshToken& token) {
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    return InImmediateTransaction(*db_, [&]() -> fhir::Status {
      {
        fhir::Result<CachedStatement> client =
            db_->Prepare("SELECT EXISTS (SELECT 1 FROM client WHERE id = ?1)");
        if (!client.ok()) return client.status();
        client->Bind(1, token.client_id);
        fhir::Result<bool> row = client->Step();
        if (!row.ok()) return row.status();
        if (!*row || client->ColumnInt64(0) == 0) {
          return fhir::Status::NotFound("no client with id " + token.client_id);
        }
      }
      {
        fhir::Result<CachedStatement> revoked = db_->Prepare(
            "SELECT EXISTS (SELECT 1 FROM refresh_token WHERE family = ?1 AND revoked = 1)");
        if (!revoked.ok()) return revoked.status();
        revoked->Bind(1, token.family);
        fhir::Result<bool> row = revoked->Step();
        if (!row.ok()) return row.status();
        if (*row && revoked->ColumnInt64(0) != 0) {
          return fhir::Status::Unauthorized("the refresh token family has been revoked");
        }
      }
      {
        fhir::Result<CachedStatement> insert = db_->Prepare(
            "INSERT INTO refresh_token (hash, client_id, family, scope, patient, fhir_user, "
            "issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
            "ON CONFLICT (hash) DO NOTHING");
        if (!insert.ok()) return insert.status();
        insert->BindBlob(1, token.hash);
        insert->Bind(2, token.client_id);
        insert->Bind(3, token.family);
        insert->Bind(4, token.scope);
        insert->Bind(5, token.patient);
        insert->Bind(6, token.fhir_user);
        insert->Bind(7, token.issued_at);
        insert->Bind(8, token.expires_at);
        SCHAKEL_RETURN_IF_ERROR(insert->Run());
      }
      if (Changes(*db_) == 0) {
        return fhir::Status::Conflict("a refresh token with that hash exists already");
      }
      return fhir::Status::Ok();
    });
  });
}

fhir::Result<RefreshToken> SqliteAuthStore::UseRefreshToken(std::string_view hash,
                                                            std::int64_t now) {
  return Guarded([&]() -> fhir::Result<RefreshToken> {
    std::lock_guard lock(db_mutex_);
    RefreshToken token;
    bool reused = false;
    fhir::Status status = InImmediateTransaction(*db_, [&]() -> fhir::Status {
      bool used = false;
      bool revoked = false;
      {
        fhir::Result<CachedStatement> select = db_->Prepare(
            "SELECT client_id, family, scope, patient, fhir_user, issued_at, expires_at, "
            "used_at IS NOT NULL, revoked FROM refresh_token WHERE hash = ?1");
        if (!select.ok()) return select.status();
        select->BindBlob(1, hash);
        fhir::Result<bool> row = select->Step();
        if (!row.ok()) return row.status();
        if (!*row) return fhir::Status::NotFound("unknown refresh token");
        token.hash = std::string(hash);
        token.client_id = std::string(select->ColumnText(0));
        token.family = std::string(select->ColumnText(1));
        token.scope = std::string(select->ColumnText(2));
        token.patient = std::string(select->ColumnText(3));
        token.fhir_user = std::string(select->ColumnText(4));
        token.issued_at = select->ColumnInt64(5);
        token.expires_at = select->ColumnInt64(6);
        used = select->ColumnInt64(7) != 0;
        revoked = select->ColumnInt64(8) != 0;
      }
      if (now >= token.expires_at) return fhir::Status::NotFound("the refresh token has expired");
      if (used) {
        // A rotated token presented again: whoever holds the newest token of this family may
        // be a thief, so none of them may refresh again.
        reused = true;
        fhir::Result<CachedStatement> revoke =
            db_->Prepare("UPDATE refresh_token SET revoked = 1 WHERE family = ?1");
        if (!revoke.ok()) return revoke.status();
        revoke->Bind(1, token.family);
        return revoke->Run();
      }
      if (revoked) return fhir::Status::NotFound("the refresh token has been revoked");
      fhir::Result<CachedStatement> mark =
          db_->Prepare("UPDATE refresh_token SET used_at = ?2 WHERE hash = ?1");
      if (!mark.ok()) return mark.status();
      mark->BindBlob(1, hash);
      mark->Bind(2, now);
      return mark->Run();
    });
    if (!status.ok()) return status;
    if (reused) {
      return fhir::Status::Unauthorized(
          "refresh token reuse: the token was used before, so every token of its grant has been "
          "revoked");
    }
    return token;
  });
}

fhir::Status SqliteAuthStore::RevokeRefreshToken(std::string_view hash) {
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    {
      fhir::Result<CachedStatement> revoke = db_->Prepare(
          "UPDATE refresh_token SET revoked = 1 "
          "WHERE family = (SELECT family FROM refresh_token WHERE hash = ?1)");
      if (!revoke.ok()) return revoke.status();
      revoke->BindBlob(1, hash);
      SCHAKEL_RETURN_IF_ERROR(revoke->Run());
    }
    if (Changes(*db_) == 0) return fhir::Status::NotFound("unknown refresh token");
    return fhir::Status::Ok();
  });
}

fhir::Status SqliteAuthStore::RevokeClientTokens(std::string_view client_id) {
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    fhir::Result<CachedStatement> revoke =
        db_->Prepare("UPDATE refresh_token SET revoked = 1 WHERE client_id = ?1");
    if (!revoke.ok()) return revoke.status();
    revoke->Bind(1, client_id);
    return revoke->Run();
  });
}

// --- Access tokens ---

fhir::Status SqliteAuthStore::RevokeAccessToken(std::string_view jti, std::int64_t expires_at) {
  return Guarded([&]() -> fhir::Status {
    std::lock_guard lock(db_mutex_);
    {
      fhir::Result<CachedStatement> insert = db_->Prepare(
          "INSERT INTO revoked_access_token (jti, expires_at) VALUES (?1, ?2) "
          "ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)");
      if (!insert.ok()) return insert.status();
      insert->Bind(1, jti);
      insert->Bind(2, expires_at);
      SCHAKEL_RETURN_IF_ERROR(insert->Run());
    }
    std::unique_lock revoked_lock(revoked_mutex_);
    auto [it, inserted] = revoked_.try_emplace(std::string(jti), expires_at);
    if (!inserted) it->second = std::max(it->second, expires_at);
    return fhir::Status::Ok();
  });
}

bool SqliteAuthStore::IsRevoked(std::string_view jti) const {
  std::shared_lock lock(revoked_mutex_);
  return revoked_.find(jti) != revoked_.end();
}

fhir::Status SqliteAuthStore::ReloadRevokedLocked() {
  RevokedMap loaded;
  {
    fhir::Result<CachedStatement> select =
        db_->Prepare("SELECT jti, expires_at FROM revoked_access_token");
    if (!select.ok()) return select.status();
    while (true) {
      fhir::Result<bool> row = select->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      loaded.emplace(std::string(select->ColumnText(0)), select->ColumnInt64(1));
    }
  }
  std::unique_lock lock(revoked_mutex_);
  revoked_.swap(loaded);
  return fhir::Status::Ok();
}

// --- Client assertions ---

fhir::Result<bool> SqliteAuthStore::RememberAssertion(std::string_view client_id,
                                                      std::string_view jti, std::int64_t expires_at,
                                                      std::int64_t now) {
  return Guarded([&]() -> fhir::Result<bool> {
    std::lock_guard lock(db_mutex_);
    {
      // One statement, so atomic across processes: insert, or take over an entry that has
      // expired (and not been pruned yet); a live entry is left alone and changes nothing.
      fhir::Result<CachedStatement> insert = db_->Prepare(
          "INSERT INTO client_assertion (client_id, jti, expires_at) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at "
          "WHERE client_assertion.expires_at <= ?4");
      if (!insert.ok()) return insert.status();
      insert->Bind(1, client_id);
      insert->Bind(2, jti);
      insert->Bind(3, expires_at);
      insert->Bind(4, now);
      SCHAKEL_RETURN_IF_ERROR(insert->Run());
    }
    return Changes(*db_) != 0;
  });
}

// --- Housekeeping ---

fhir::Result<std::int64_t> SqliteAuthStore::Prune(std::int64_t now) {
  return Guarded([&]() -> fhir::Result<std::int64_t> {
    std::lock_guard lock(db_mutex_);
    std::int64_t deleted = 0;
    fhir::Status status = InImmediateTransaction(*db_, [&]() -> fhir::Status {
      for (const char* sql : {"DELETE FROM refresh_token WHERE expires_at <= ?1",
                              "DELETE FROM revoked_access_token WHERE expires_at <= ?1",
                              "DELETE FROM client_assertion WHERE expires_at <= ?1"}) {
        fhir::Result<CachedStatement> remove = db_->Prepare(sql);
        if (!remove.ok()) return remove.status();
        remove->Bind(1, now);
        SCHAKEL_RETURN_IF_ERROR(remove->Run());
        deleted += Changes(*db_);
      }
      return fhir::Status::Ok();
    });
    if (!status.ok()) return status;
    // Also picks up revocations written by other processes since the last load.
    SCHAKEL_RETURN_IF_ERROR(ReloadRevokedLocked());
    return deleted;
  });
}

fhir::Result<std::unique_ptr<AuthStore>> OpenSqliteAuthStore(
    const SqliteAuthStoreOptions& options) {
  fhir::Result<std::unique_ptr<SqliteAuthStore>> store = SqliteAuthStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<AuthStore>(std::move(*store));
}

}  // namespace schakel::store
