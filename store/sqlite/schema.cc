#include "store/sqlite/schema.h"

#include <iterator>
#include <string>

namespace schakel::store::sqlite {
namespace {

// Schema, version 1.
//
// resource_version: every version of every resource, one row each; rows are never updated
//   except to set superseded_at, and never deleted.
//   - seq is the rowid and the store-wide sequence (ResourceVersion::sequence). AUTOINCREMENT
//     guarantees a seq is never handed out twice, even if the newest rows were ever purged,
//     so history cursors (before_sequence) stay valid forever.
//   - last_updated and superseded_at are milliseconds since the epoch. The writer never lets
//     time go backwards, so last_updated never decreases as seq grows; history relies on that to
//     turn a time bound (_since, _at) into a seq bound through resource_version_by_time.
//   - superseded_at is the last_updated of the next version of the same resource (NULL while
//     current), written in the same transaction; with last_updated it gives the half-open
//     interval in which a version was current, which is what _at asks about.
//   - deleted is 0/1; body is the serialized JSON with id and meta stamped (NULL when deleted),
//     stored as a BLOB so that SQLite never converts it.
//   - UNIQUE(type, id, version) serves read-a-version and instance history (versions of one
//     resource are in seq order too, so "ORDER BY version DESC" is newest first).
// resource_version_by_type: type history. An index's keys end with the rowid, so (type) is
//   really (type, seq): a type's versions in seq order without a sort.
// resource_version_by_time: the first seq at or after a time (_since, _at) in one seek; also the
//   newest last_updated at start-up.
// resource_current: the current version of each resource (maybe a deleted marker), so read,
//   the writer's existence checks and, later, search joins touch one small row per resource.
//   WITHOUT ROWID because the (type, id) key is the only way in.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE resource_version (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  superseded_at INTEGER,
  deleted INTEGER NOT NULL,
  method INTEGER NOT NULL,
  body BLOB,
  UNIQUE (type, id, version)
);
CREATE INDEX resource_version_by_type ON resource_version (type);
CREATE INDEX resource_version_by_time ON resource_version (last_updated);
CREATE TABLE resource_current (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID;
)sql";

struct Migration {
  std::int64_t version;  // the user_version once this migration has run
  const char* sql;
};

// Append only: a file at version N runs every entry after N. Never edit a released entry.
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
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

// Whether the file at `version` with `application_id` and `objects` schema entries is one we
// can use (and migrate).
fhir::Status CheckFile(std::int64_t version, std::int64_t application_id, std::int64_t objects) {
  if (version > kLatest) {
    return fhir::Status::NotSupported(std::string("database schema version ") +
                                      std::to_string(version) +
                                      " is newer than this build of Schakel supports (" +
                                      std::to_string(kLatest) + "); use a newer build");
  }
  if (version == 0 && objects > 0) {
    return fhir::Status::InvalidInput(
        "the file is an SQLite database but not a Schakel one (it has tables but no schema "
        "version)");
  }
  if (version > 0 && application_id != kApplicationId) {
    return fhir::Status::InvalidInput(
        "the file is an SQLite database but not a Schakel one (application_id " +
        std::to_string(application_id) + ")");
  }
  return fhir::Status::Ok();
}

fhir::Status CheckFile(Connection& db) {
  fhir::Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  fhir::Result<std::int64_t> application_id = db.QueryInt64("PRAGMA application_id");
  if (!application_id.ok()) return application_id.status();
  fhir::Result<std::int64_t> objects = db.QueryInt64("SELECT count(*) FROM sqlite_master");
  if (!objects.ok()) return objects.status();
  return CheckFile(*version, *application_id, *objects);
}

fhir::Status MigrateInTransaction(Connection& db) {
  SCHAKEL_RETURN_IF_ERROR(CheckFile(db));
  fhir::Result<std::int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  for (const Migration& m : kMigrations) {
    if (m.version > *version) SCHAKEL_RETURN_IF_ERROR(db.Exec(m.sql));
  }
  // PRAGMA takes no bound parameters; the numbers are ours.
  std::string stamp = std::string("PRAGMA application_id = ") + std::to_string(kApplicationId) +
                      "; PRAGMA user_version = " + std::to_string(kLatest);
  return db.Exec(stamp.c_str());
}

}  // namespace

std::int64_t LatestSchemaVersion() { return kLatest; }

fhir::Status Migrate(Connection& db) {
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

std::int64_t MethodToColumn(WriteMethod method) {
  switch (method) {
    case WriteMethod::kCreate:
      return 0;
    case WriteMethod::kUpdate:
      return 1;
    case WriteMethod::kDelete:
      return 2;
  }
  return 1;
}

std::optional<WriteMethod> MethodFromColumn(std::int64_t column) {
  switch (column) {
    case 0:
      return WriteMethod::kCreate;
    case 1:
      return WriteMethod::kUpdate;
    case 2:
      return WriteMethod::kDelete;
    default:
      return std::nullopt;
  }
}

}  // namespace schakel::store::sqlite
