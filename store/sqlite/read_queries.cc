#include "store/sqlite/read_queries.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/schema.h"

namespace schakel::store::sqlite {
namespace {

// A bound on one page, whatever the caller asks: the page still says where the next one starts.
constexpr std::size_t kMaxHistoryCount = 10'000;

// Every query selects these columns first, in this order, for VersionFromRow().
#define SCHAKEL_VERSION_COLUMNS \
  "v.seq, v.type, v.id, v.version, v.last_updated, v.deleted, v.method, v.body"

constexpr const char* kReadCurrentSql = "SELECT " SCHAKEL_VERSION_COLUMNS
                                        " FROM resource r JOIN resource_version v ON v.seq = r.seq"
                                        " WHERE r.type = ?1 AND r.id = ?2";
constexpr const char* kReadVersionSql =
    "SELECT " SCHAKEL_VERSION_COLUMNS
    " FROM resource_version v WHERE v.type = ?1 AND v.id = ?2 AND v.version = ?3";
constexpr const char* kReadSequenceSql =
    "SELECT " SCHAKEL_VERSION_COLUMNS " FROM resource_version v WHERE v.seq = ?1";
constexpr const char* kExistsSql = "SELECT 1 FROM resource WHERE type = ?1 AND id = ?2";

// History parameters have fixed numbers whichever filters a query uses, so binding is simple.
// The LIMIT (?7) is always present, so every lower number is a valid slot to bind.
enum HistoryParam { kType = 1, kId, kBefore, kSince, kAtEnd, kAtBegin, kLimit };

// The first seq at or after a time, through resource_version_by_time. Valid as a seq bound
// because last_updated never decreases as seq grows (see schema.cc).
#define SCHAKEL_FIRST_SEQ_AT(param)                                      \
  "(SELECT t.seq FROM resource_version t WHERE t.last_updated >= " param \
  " ORDER BY t.last_updated, t.seq LIMIT 1)"

std::string HistorySql(const HistoryQuery& query) {
  std::string sql = "SELECT " SCHAKEL_VERSION_COLUMNS " FROM resource_version v WHERE 1";
  if (!query.type.empty()) sql += " AND v.type = ?1";
  if (!query.id.empty()) sql += " AND v.id = ?2";
  if (query.before_sequence) sql += " AND v.seq < ?3";
  // last_updated >= since: from the first seq stored at or after `since` (none: no rows).
  if (query.since_ms) sql += " AND v.seq >= " SCHAKEL_FIRST_SEQ_AT("?4");
  // Current at some moment of [at_begin, at_end): created before at_end (so before the first
  // seq stored at or after at_end, if any) and not superseded by at_begin.
  if (query.at_end_ms) {
    sql += " AND v.seq < coalesce(" SCHAKEL_FIRST_SEQ_AT("?5") ", 9223372036854775807)";
  }
  if (query.at_begin_ms) sql += " AND (v.superseded_at IS NULL OR v.superseded_at > ?6)";
  // One resource's versions are in seq order too; ordering by version uses the unique index.
  sql += query.id.empty() ? " ORDER BY v.seq DESC" : " ORDER BY v.version DESC";
  sql += " LIMIT ?7";
  return sql;
}

#undef SCHAKEL_FIRST_SEQ_AT
#undef SCHAKEL_VERSION_COLUMNS

fhir::Result<ResourceVersion> VersionFromRow(const CachedStatement& row) {
  std::optional<WriteMethod> method = MethodFromColumn(row.ColumnInt64(6));
  if (!method) return fhir::Status::Internal("database error: unknown write method stored");
  ResourceVersion version;
  version.sequence = row.ColumnInt64(0);
  version.type = row.ColumnText(1);
  version.id = row.ColumnText(2);
  version.version = row.ColumnInt64(3);
  version.last_updated_ms = row.ColumnInt64(4);
  version.deleted = row.ColumnInt64(5) != 0;
  version.method = *method;
  version.json = row.ColumnBlob(7);
  return version;
}

// The row a single-row query finds, if any.
fhir::Result<std::optional<ResourceVersion>> StepOne(CachedStatement& statement) {
  fhir::Result<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ResourceVersion>();
  fhir::Result<ResourceVersion> version = VersionFromRow(statement);
  if (!version.ok()) return version.status();
  return std::optional<ResourceVersion>(std::move(*version));
}

std::string Name(std::string_view type, std::string_view id) {
  std::string name(type);
  name += '/';
  name += id;
  return name;
}

}  // namespace

fhir::Result<ResourceVersion> ReadCurrent(Connection& db, std::string_view type,
                                          std::string_view id) {
  fhir::Result<CachedStatement> statement = db.Prepare(kReadCurrentSql);
  if (!statement.ok()) return statement.status();
  statement->Bind(1, type);
  statement->Bind(2, id);
  fhir::Result<std::optional<ResourceVersion>> found = StepOne(*statement);
  if (!found.ok()) return found.status();
  if (!*found) return fhir::Status::NotFound(Name(type, id) + " is not known");
  return std::move(**found);
}

fhir::Result<ResourceVersion> ReadVersion(Connection& db, std::string_view type,
                                          std::string_view id, std::int64_t version) {
  fhir::Result<CachedStatement> statement = db.Prepare(kReadVersionSql);
  if (!statement.ok()) return statement.status();
  statement->Bind(1, type);
  statement->Bind(2, id);
  statement->Bind(3, version);
  fhir::Result<std::optional<ResourceVersion>> found = StepOne(*statement);
  if (!found.ok()) return found.status();
  if (!*found) {
    return fhir::Status::NotFound(Name(type, id) + " has no version " + std::to_string(version));
  }
  return std::move(**found);
}

fhir::Result<ResourceVersion> ReadSequence(Connection& db, std::int64_t sequence) {
  fhir::Result<CachedStatement> statement = db.Prepare(kReadSequenceSql);
  if (!statement.ok()) return statement.status();
  statement->Bind(1, sequence);
  fhir::Result<std::optional<ResourceVersion>> found = StepOne(*statement);
  if (!found.ok()) return found.status();
  if (!*found)
    return fhir::Status::NotFound(std::string("no version has sequence ") +
                                  std::to_string(sequence));
  return std::move(**found);
}

fhir::Result<HistoryPage> ReadHistory(Connection& db, const HistoryQuery& query) {
  if (query.count == 0) return fhir::Status::InvalidInput("history page size must be at least 1");
  if (!query.id.empty() && query.type.empty()) {
    return fhir::Status::InvalidInput("instance history needs a resource type");
  }
  std::size_t count = std::min(query.count, kMaxHistoryCount);

  HistoryPage page;
  {
    fhir::Result<CachedStatement> statement = db.Prepare(HistorySql(query));
    if (!statement.ok()) return statement.status();
    if (!query.type.empty()) statement->Bind(kType, query.type);
    if (!query.id.empty()) statement->Bind(kId, query.id);
    if (query.before_sequence) statement->Bind(kBefore, *query.before_sequence);
    if (query.since_ms) statement->Bind(kSince, *query.since_ms);
    if (query.at_end_ms) statement->Bind(kAtEnd, *query.at_end_ms);
    if (query.at_begin_ms) statement->Bind(kAtBegin, *query.at_begin_ms);
    // One more than a page, to know whether there is a next one.
    statement->Bind(kLimit, static_cast<std::int64_t>(count) + 1);

    page.entries.reserve(std::min<std::size_t>(count + 1, 64));
    while (true) {
      fhir::Result<bool> row = statement->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      fhir::Result<ResourceVersion> version = VersionFromRow(*statement);
      if (!version.ok()) return version.status();
      page.entries.push_back(std::move(*version));
    }
  }
  if (page.entries.size() > count) {
    page.entries.pop_back();
    page.next_before_sequence = page.entries.back().sequence;
  }

  if (page.entries.empty() && !query.id.empty()) {
    // Versions are never removed, so a resource absent now was never stored.
    fhir::Result<CachedStatement> exists = db.Prepare(kExistsSql);
    if (!exists.ok()) return exists.status();
    exists->Bind(1, query.type);
    exists->Bind(2, query.id);
    fhir::Result<bool> row = exists->Step();
    if (!row.ok()) return row.status();
    if (!*row) return fhir::Status::NotFound(Name(query.type, query.id) + " is not known");
  }
  return page;
}

fhir::Result<bool> IsEmpty(Connection& db) {
  fhir::Result<std::int64_t> any = db.QueryInt64("SELECT EXISTS (SELECT 1 FROM resource_version)");
  if (!any.ok()) return any.status();
  return *any == 0;
}

fhir::Result<std::int64_t> NewestLastUpdated(Connection& db) {
  return db.QueryInt64("SELECT coalesce(max(last_updated), 0) FROM resource_version");
}

}  // namespace schakel::store::sqlite
