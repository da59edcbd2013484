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

// Schema, version 2: a stable key per resource, and the search index.
//
// resource replaces resource_current: one row per resource ever stored (maybe a deleted marker)
//   that points at its current version, now with a small integer key that the index tables and
//   search results use instead of (type, id).
//   - rid is that key and the rowid. A resource gets its rid when it is first stored and keeps it
//     for ever (updates, delete, re-create), so rids follow creation order; the migration hands
//     them out to existing resources in the order of their first version. AUTOINCREMENT: a rid
//     is never handed out twice, even if the newest rows were ever removed, so a rid in a search
//     paging cursor can never come to mean another resource.
//   - version, seq and deleted as in resource_current; last_updated (ms) is the current
//     version's, copied so that _lastUpdated and _sort=_lastUpdated need no join.
//   - UNIQUE (type, id): read, and the writer's existence check, in one seek.
// resource_by_type (type, deleted): an index's keys end with the rowid, so this is
//   (type, deleted, rid): the live resources of a type in rid order, which is the order search
//   pages in (keyset cursor on rid), and their count without touching the table. Reindexing
//   walks it too.
// resource_by_updated (type, last_updated): _lastUpdated ranges and sorting.
//
// idx_*: the search index (fhir/search/index_values.h): one row per value that a search
//   parameter selects in the current version of a non-deleted resource. The writer replaces a
//   resource's rows in the same savepoint as the version they describe, and a delete removes
//   them, so the index never describes anything else and a search needs no version check.
//   Every table has
//   - rid: the resource; type: its type, copied from resource so that a search narrows by
//     (type, param) without a join; param: the search parameter's code, which is what a query
//     names and is unique per type;
//   - value columns that map one to one to the fields of the matching *Index struct: an absent
//     std::optional is NULL, a string is stored as it is, also when empty;
//   - an index on (rid), to delete a resource's rows when it changes. A resource has few rows in
//     each table, so (rid) alone also serves :missing and _sort's per-resource lookups.
//   They are rowid tables without a primary key: a resource may carry the same value twice (two
//   equal codings), and rows are only ever found through the indexes. Each search index starts
//   with (type, param), which every compiled condition names, then the compared column(s), and
//   ends with rid, so a criterion's rids (and a count of them) come from the index alone,
//   without visiting the table (bench/search.sh: a 52,000-match count went from ~30 to ~5 ms).
// idx_string (norm, exact): norm is NormalizeString(exact). (type, param, norm): the default
//   prefix match is a range on norm; :exact filters the rows of that range on exact; :contains
//   scans the (type, param) range.
// idx_token (system, code, text, type_system, type_code): system NULL when the value has none;
//   text is the normalized display/text for :text; type_* is Identifier.type for :of-type.
//   (type, param, code, system): code, |code and system|code in one seek; system| alone and
//   :text scan the (type, param) range.
// idx_date (low, high): the value's range in ms, both ends inclusive (open ends: kMinTimeMs,
//   kMaxTimeMs). A prefix bounds one end or both (gt/sa/ge on high, lt/eb/le on low, eq/ap on
//   both), hence an index on each: (type, param, low) and (type, param, high).
// idx_number (value REAL): (type, param, value).
// idx_quantity (value REAL, system, code, unit, canon_value REAL, canon_unit): as written, and in
//   UCUM canonical units when the code converts (else both NULL). (type, param, code, value):
//   value|system|code as written; (type, param, canon_unit, canon_value): the same compared in
//   canonical units, so that 1 g finds 1000 mg.
// idx_reference (target_type, target_id, target_version, url, ident_system, ident_value):
//   target_type/target_id for literal references ('' otherwise), url for absolute and canonical
//   ones ('' otherwise), ident_* for Reference.identifier (:identifier).
//   (type, param, target_id, target_type): subject=Patient/1 and subject=1 (the id alone, then
//   any type); (target_type, target_id): the other direction, every row of any type and
//   parameter that points at one resource, for _revinclude and _has; (type, param, url):
//   absolute and canonical references.
// idx_uri (value): (type, param, value): equality, and :below as a range; :above compares the
//   query's prefixes with it.
// idx_composite (cN_system, cN_code, cN_low REAL, cN_high REAL for N = 1, 2, 3): one row per
//   combination of component values, parts in the parameter's order; a part's low/high are NULL
//   for token, uri, string and reference components (they use system/code), and the columns of
//   parts a parameter does not have are NULL. (type, param, c1_code): the first component is a
//   code in practice; the others filter the rows found.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE resource (
  rid INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  UNIQUE (type, id)
);
INSERT INTO resource (type, id, version, seq, deleted, last_updated)
  SELECT c.type, c.id, c.version, c.seq, c.deleted, v.last_updated
  FROM resource_current c JOIN resource_version v ON v.seq = c.seq
  ORDER BY (SELECT min(f.seq) FROM resource_version f WHERE f.type = c.type AND f.id = c.id);
DROP TABLE resource_current;
CREATE INDEX resource_by_type ON resource (type, deleted);
CREATE INDEX resource_by_updated ON resource (type, last_updated);

CREATE TABLE idx_string (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  norm TEXT NOT NULL,
  exact TEXT NOT NULL
);
CREATE INDEX idx_string_by_rid ON idx_string (rid);
CREATE INDEX idx_string_by_norm ON idx_string (type, param, norm, rid);

CREATE TABLE idx_token (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  system TEXT,
  code TEXT NOT NULL,
  text TEXT NOT NULL,
  type_system TEXT,
  type_code TEXT
);
CREATE INDEX idx_token_by_rid ON idx_token (rid);
CREATE INDEX idx_token_by_code ON idx_token (type, param, code, system, rid);

CREATE TABLE idx_date (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  low INTEGER NOT NULL,
  high INTEGER NOT NULL
);
CREATE INDEX idx_date_by_rid ON idx_date (rid);
CREATE INDEX idx_date_by_low ON idx_date (type, param, low, high, rid);
CREATE INDEX idx_date_by_high ON idx_date (type, param, high, low, rid);

CREATE TABLE idx_number (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX idx_number_by_rid ON idx_number (rid);
CREATE INDEX idx_number_by_value ON idx_number (type, param, value, rid);

CREATE TABLE idx_quantity (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  value REAL NOT NULL,
  system TEXT,
  code TEXT NOT NULL,
  unit TEXT NOT NULL,
  canon_value REAL,
  canon_unit TEXT
);
CREATE INDEX idx_quantity_by_rid ON idx_quantity (rid);
CREATE INDEX idx_quantity_by_code ON idx_quantity (type, param, code, value);
CREATE INDEX idx_quantity_by_canon ON idx_quantity (type, param, canon_unit, canon_value, rid);

CREATE TABLE idx_reference (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  target_version INTEGER,
  url TEXT NOT NULL,
  ident_system TEXT,
  ident_value TEXT
);
CREATE INDEX idx_reference_by_rid ON idx_reference (rid);
CREATE INDEX idx_reference_by_target ON idx_reference (type, param, target_id, target_type, rid);
CREATE INDEX idx_reference_to ON idx_reference (target_type, target_id);
CREATE INDEX idx_reference_by_url ON idx_reference (type, param, url);

CREATE TABLE idx_uri (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX idx_uri_by_rid ON idx_uri (rid);
CREATE INDEX idx_uri_by_value ON idx_uri (type, param, value, rid);

CREATE TABLE idx_composite (
  rid INTEGER NOT NULL,
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  c1_system TEXT, c1_code TEXT, c1_low REAL, c1_high REAL,
  c2_system TEXT, c2_code TEXT, c2_low REAL, c2_high REAL,
  c3_system TEXT, c3_code TEXT, c3_low REAL, c3_high REAL
);
CREATE INDEX idx_composite_by_rid ON idx_composite (rid);
CREATE INDEX idx_composite_by_c1 ON idx_composite (type, param, c1_code);
)sql";

// Schema v3: idx_date_shape, per (type, param) of idx_date, the longest range any value has had
// (max_span = high - low, ms) and whether any resource has had more than one value (multiple).
// Both only grow (a delete or update never lowers them), so they are safe upper bounds for the
// query compiler (store/sqlite/search_sql.h): with max_span a bound on `high` becomes a bound on
// `low` too, so a date prefix reads one range of idx_date_by_low; and a parameter no resource
// has more than one value of can AND all its criteria on the same index row
// (date=ge2020-01&date=lt2020-02 reads one month, not a third and two thirds of the table).
// Kept up to date by InsertIndexRows (index_rows.cc) in the write's own savepoint.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE idx_date_shape (
  type TEXT NOT NULL,
  param TEXT NOT NULL,
  max_span INTEGER NOT NULL,
  multiple INTEGER NOT NULL,
  PRIMARY KEY (type, param)
) WITHOUT ROWID;
INSERT INTO idx_date_shape (type, param, max_span, multiple)
  SELECT type, param, max(span), max(n > 1)
  FROM (SELECT type, param, rid, max(high - low) AS span, count(*) AS n
        FROM idx_date GROUP BY type, param, rid)
  GROUP BY type, param;
)sql";

struct Migration {
  std::int64_t version;  // the user_version once this migration has run
  const char* sql;
};

// Append only: a file at version N runs every entry after N. Never edit a released entry.
constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
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
