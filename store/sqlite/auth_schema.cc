#include "store/sqlite/auth_schema.h"

#include <iterator>
#include <string>

namespace schakel::store::sqlite {
namespace {

// Schema, version 1. Times are seconds since the Unix epoch (store/auth_store.h).
//
// client: registered clients (store::Client). kind is 'patient-app' or 'backend', readable in the
//   sqlite3 shell. WITHOUT ROWID: the id is the only way in.
// client_redirect_uri: a client's redirect URIs in registration order (position 0, 1, ...).
//   Removing a client removes them (foreign key, ON DELETE CASCADE; foreign_keys is on for every
//   connection to this file).
// refresh_token: one row per refresh token ever issued and not yet expired, keyed by the hash of
//   its value (a BLOB: compared as bytes, whatever encoding the caller chose). A used token keeps
//   its row (used_at set) until it expires, so that a replay is recognized as one; revoked marks
//   every row of a family whose reuse was detected or that was revoked, so that a rotation racing
//   with the revocation cannot add a usable token to it. Removing a client removes its tokens.
//   Indexes: by family (reuse and revocation), by client (revocation, and the cascade), by expiry
//   (pruning).
// revoked_access_token: jti of access tokens revoked before they expire; loaded into memory on
//   open (IsRevoked runs on every FHIR request).
// client_assertion: (client_id, jti) of client assertion JWTs seen (RFC 7523 section 3), kept
//   until the assertion expires. The primary key makes remembering one an atomic
//   insert-if-absent across processes.
constexpr const char* kAuthSchemaV1 = R"sql(
CREATE TABLE client (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('patient-app', 'backend')),
  jwks TEXT NOT NULL,
  organization_ura TEXT NOT NULL,
  organization_type TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE client_redirect_uri (
  client_id TEXT NOT NULL REFERENCES client (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  PRIMARY KEY (client_id, position)
) WITHOUT ROWID;
CREATE TABLE refresh_token (
  hash BLOB NOT NULL PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES client (id) ON DELETE CASCADE,
  family TEXT NOT NULL,
  scope TEXT NOT NULL,
  patient TEXT NOT NULL,
  fhir_user TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX refresh_token_by_family ON refresh_token (family);
CREATE INDEX refresh_token_by_client ON refresh_token (client_id);
CREATE INDEX refresh_token_by_expiry ON refresh_token (expires_at);
CREATE TABLE revoked_access_token (
  jti TEXT NOT NULL PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX revoked_access_token_by_expiry ON revoked_access_token (expires_at);
CREATE TABLE client_assertion (
  client_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, jti)
) WITHOUT ROWID;
CREATE INDEX client_assertion_by_expiry ON client_assertion (expires_at);
)sql";

struct Migration {
  std::int64_t version;  // the user_version once this migration has run
  const char* sql;
};

// Append only: a file at version N runs every entry after N. Never edit a released entry.
constexpr Migration kMigrations[] = {
    {1, kAuthSchemaV1},
};

constexpr bool MigrationsAreConsecutive() {
  std::int64_t expected = 1;
  for (const Migration& m : kMigrations) {
    if (m.version != expected++) return false;
  }
  return true;
}
static_assert(MigrationsAreConsecutive(), "migration versions must be 1, 2, 3, ...");

constexpr std::int64_t kLatest = std::size(kMigrations);

fhir::Status CheckFile(Connection& db) {
  fhir::Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  fhir::Result<std::int64_t> application_id = db.QueryInt64("PRAGMA application_id");
  if (!application_id.ok()) return application_id.status();
  fhir::Result<std::int64_t> objects = db.QueryInt64("SELECT count(*) FROM sqlite_master");
  if (!objects.ok()) return objects.status();
  // Whose file it is first: the FHIR store's file has a higher version of its own schema.
  if (*version == 0 && *objects > 0) {
    return fhir::Status::InvalidInput(
        "the file is an SQLite database but not a Schakel auth one (it has tables but no schema "
        "version)");
  }
  if (*version > 0 && *application_id != kAuthApplicationId) {
    return fhir::Status::InvalidInput(
        "the file is an SQLite database but not a Schakel auth one (application_id " +
        std::to_string(*application_id) + ")");
  }
  if (*version > kLatest) {
    return fhir::Status::NotSupported("auth database schema version " + std::to_string(*version) +
                                      " is newer than this build of Schakel supports (" +
                                      std::to_string(kLatest) + "); use a newer build");
  }
  return fhir::Status::Ok();
}

fhir::Status MigrateInTransaction(Connection& db) {
  SCHAKEL_RETURN_IF_ERROR(CheckFile(db));
  fhir::Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  for (const Migration& m : kMigrations) {
    if (m.version > *version) SCHAKEL_RETURN_IF_ERROR(db.Exec(m.sql));
  }
  // PRAGMA takes no bound parameters; the numbers are ours.
  const std::string stamp = "PRAGMA application_id = " + std::to_string(kAuthApplicationId) +
                            "; PRAGMA user_version = " + std::to_string(kLatest);
  return db.Exec(stamp.c_str());
}

}  // namespace

std::int64_t LatestAuthSchemaVersion() { return kLatest; }

fhir::Status MigrateAuth(Connection& db) {
  // Checked first without the write lock: the usual open is of an up-to-date file.
  SCHAKEL_RETURN_IF_ERROR(CheckFile(db));
  fhir::Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version == kLatest) return fhir::Status::Ok();

  // Another process may migrate at the same time; BEGIN IMMEDIATE serializes us, and the
  // checks run again inside the transaction.
  SCHAKEL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  fhir::Status status = MigrateInTransaction(db);
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) (void)db.Exec("ROLLBACK");
  return status;
}

}  // namespace schakel::store::sqlite
