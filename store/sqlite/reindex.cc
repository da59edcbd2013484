#include "store/sqlite/reindex.h"

#include <algorithm>
#include <utility>

#include "store/sqlite/index_rows.h"

namespace schakel::store::sqlite {
namespace {

// The type-less forms walk the rowid (rid) order of resource; the typed ones walk
// resource_by_type, which is (type, deleted, rid).
constexpr const char* kCountAllSql = "SELECT count(*) FROM resource WHERE deleted = 0";
constexpr const char* kCountTypeSql =
    "SELECT count(*) FROM resource WHERE type = ?1 AND deleted = 0";
constexpr const char* kReadAllSql =
    "SELECT r.rid, r.seq, r.type, r.id, v.body FROM resource r"
    " JOIN resource_version v ON v.seq = r.seq"
    " WHERE r.rid > ?1 AND r.deleted = 0 ORDER BY r.rid LIMIT ?2";
constexpr const char* kReadTypeSql =
    "SELECT r.rid, r.seq, r.type, r.id, v.body FROM resource r"
    " JOIN resource_version v ON v.seq = r.seq"
    " WHERE r.type = ?3 AND r.deleted = 0 AND r.rid > ?1 ORDER BY r.rid LIMIT ?2";
constexpr const char* kCurrentSeqSql = "SELECT seq, deleted FROM resource WHERE rid = ?1";

// A bound on one page whatever the caller asks for, as a number SQLite takes.
constexpr std::size_t kMaxPage = 100'000;

}  // namespace

fhir::Result<std::int64_t> CountLive(Connection& db, std::string_view type) {
  fhir::Result<CachedStatement> statement = db.Prepare(type.empty() ? kCountAllSql : kCountTypeSql);
  if (!statement.ok()) return statement.status();
  if (!type.empty()) statement->Bind(1, type);
  fhir::Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return fhir::Status::Internal("database error: count returned no row");
  return statement->ColumnInt64(0);
}

fhir::Result<std::vector<LiveResource>> ReadLive(Connection& db, std::string_view type,
                                                 std::int64_t after_rid, std::size_t limit) {
  fhir::Result<CachedStatement> statement = db.Prepare(type.empty() ? kReadAllSql : kReadTypeSql);
  if (!statement.ok()) return statement.status();
  statement->Bind(1, after_rid);
  statement->Bind(2, static_cast<std::int64_t>(std::min(limit, kMaxPage)));
  if (!type.empty()) statement->Bind(3, type);
  std::vector<LiveResource> page;
  page.reserve(std::min<std::size_t>(limit, 1024));
  while (true) {
    fhir::Result<bool> row = statement->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    LiveResource resource;
    resource.rid = statement->ColumnInt64(0);
    resource.seq = statement->ColumnInt64(1);
    resource.type = statement->ColumnText(2);
    resource.id = statement->ColumnText(3);
    resource.json = statement->ColumnBlob(4);
    page.push_back(std::move(resource));
  }
  return page;
}

fhir::Result<ReindexApplied> ApplyReindexBatch(Connection& db,
                                               const std::vector<ReindexItem>& items) {
  ReindexApplied applied;
  for (const ReindexItem& item : items) {
    bool unchanged = false;
    {
      fhir::Result<CachedStatement> current = db.Prepare(kCurrentSeqSql);
      if (!current.ok()) return current.status();
      current->Bind(1, item.rid);
      fhir::Result<bool> row = current->Step();
      if (!row.ok()) return row.status();
      unchanged = *row && current->ColumnInt64(0) == item.seq && current->ColumnInt64(1) == 0;
    }
    if (!unchanged) {
      ++applied.skipped;
      continue;
    }
    SCHAKEL_RETURN_IF_ERROR(ReplaceIndexRows(db, item.rid, item.type, item.values));
    ++applied.resources;
    applied.entries += static_cast<std::int64_t>(item.values.size());
  }
  return applied;
}

}  // namespace schakel::store::sqlite
