#include "store/sqlite/apply_write.h"

#include <optional>
#include <string>
#include <utility>

#include "fhir/json/write.h"
#include "fhir/resource.h"
#include "store/sqlite/index_rows.h"
#include "store/sqlite/read_queries.h"
#include "store/sqlite/schema.h"

namespace schakel::store::sqlite {
namespace {

constexpr const char* kCurrentSql =
    "SELECT rid, version, seq, deleted FROM resource WHERE type = ?1 AND id = ?2";
constexpr const char* kInsertVersionSql =
    "INSERT INTO resource_version (type, id, version, last_updated, deleted, method, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kSupersedeSql =
    "UPDATE resource_version SET superseded_at = ?1 WHERE seq = ?2";
constexpr const char* kInsertResourceSql =
    "INSERT INTO resource (type, id, version, seq, deleted, last_updated) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kUpdateResourceSql =
    "UPDATE resource SET version = ?2, seq = ?3, deleted = ?4, last_updated = ?5 WHERE rid = ?1";

struct Current {
  std::int64_t rid = 0;
  std::int64_t version = 0;
  std::int64_t seq = 0;
  bool deleted = false;
};

std::string Name(const WriteRequest& request) { return request.type + "/" + request.id; }

fhir::Result<std::optional<Current>> FindCurrent(Connection& db, const WriteRequest& request) {
  fhir::Result<CachedStatement> statement = db.Prepare(kCurrentSql);
  if (!statement.ok()) return statement.status();
  statement->Bind(1, request.type);
  statement->Bind(2, request.id);
  fhir::Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Current>();
  return std::optional<Current>(Current{statement->ColumnInt64(0), statement->ColumnInt64(1),
                                        statement->ColumnInt64(2), statement->ColumnInt64(3) != 0});
}

fhir::Status CheckIfMatch(const WriteRequest& request, const std::optional<Current>& current) {
  if (request.if_match_existing && current && !current->deleted &&
      current->version != *request.if_match_existing) {
    return fhir::Status::PreconditionFailed(
        "the update is based on version " + std::to_string(*request.if_match_existing) + " of " +
        Name(request) + ", but the current version is " + std::to_string(current->version));
  }
  if (!request.if_match) return fhir::Status::Ok();
  std::string expected = std::string("If-Match expects version ") +
                         std::to_string(*request.if_match) + " of " + Name(request);
  if (!current) return fhir::Status::PreconditionFailed(expected + ", which does not exist");
  if (current->version != *request.if_match) {
    return fhir::Status::PreconditionFailed(expected + ", but the current version is " +
                                            std::to_string(current->version));
  }
  return fhir::Status::Ok();
}

// The store trusts the server's validation, but never files a body under the wrong name.
fhir::Status CheckResource(const WriteRequest& request) {
  if (!request.resource.is_object()) {
    return fhir::Status::InvalidInput("the resource to store is not a JSON object");
  }
  const std::string* resource_type = request.resource.FindString("resourceType");
  if (resource_type == nullptr || *resource_type != request.type) {
    return fhir::Status::InvalidInput(std::string("the resource to store is not a ") +
                                      request.type);
  }
  return fhir::Status::Ok();
}

struct Added {
  std::int64_t seq = 0;
  std::int64_t rid = 0;
};

// Adds version `version` of the resource and makes it current, giving a new resource its rid.
// `body` is empty for a delete.
fhir::Result<Added> AddVersion(Connection& db, const WriteRequest& request,
                               const std::optional<Current>& current, std::int64_t version,
                               std::int64_t now_ms, WriteMethod method, const std::string& body) {
  bool deleted = method == WriteMethod::kDelete;
  Added added;
  {
    fhir::Result<CachedStatement> insert = db.Prepare(kInsertVersionSql);
    if (!insert.ok()) return insert.status();
    insert->Bind(1, request.type);
    insert->Bind(2, request.id);
    insert->Bind(3, version);
    insert->Bind(4, now_ms);
    insert->Bind(5, std::int64_t{deleted ? 1 : 0});
    insert->Bind(6, MethodToColumn(method));
    if (deleted) {
      insert->BindNull(7);
    } else {
      insert->BindBlob(7, body);
    }
    SCHAKEL_RETURN_IF_ERROR(insert->Run());
    added.seq = db.LastInsertRowid();
  }
  if (current) {
    fhir::Result<CachedStatement> supersede = db.Prepare(kSupersedeSql);
    if (!supersede.ok()) return supersede.status();
    supersede->Bind(1, now_ms);
    supersede->Bind(2, current->seq);
    SCHAKEL_RETURN_IF_ERROR(supersede->Run());

    fhir::Result<CachedStatement> update = db.Prepare(kUpdateResourceSql);
    if (!update.ok()) return update.status();
    update->Bind(1, current->rid);
    update->Bind(2, version);
    update->Bind(3, added.seq);
    update->Bind(4, std::int64_t{deleted ? 1 : 0});
    update->Bind(5, now_ms);
    SCHAKEL_RETURN_IF_ERROR(update->Run());
    added.rid = current->rid;
    return added;
  }
  fhir::Result<CachedStatement> insert = db.Prepare(kInsertResourceSql);
  if (!insert.ok()) return insert.status();
  insert->Bind(1, request.type);
  insert->Bind(2, request.id);
  insert->Bind(3, version);
  insert->Bind(4, added.seq);
  insert->Bind(5, std::int64_t{deleted ? 1 : 0});
  insert->Bind(6, now_ms);
  SCHAKEL_RETURN_IF_ERROR(insert->Run());
  added.rid = db.LastInsertRowid();
  return added;
}

fhir::Result<WriteOutcome> Delete(Connection& db, const WriteRequest& request,
                                  const std::optional<Current>& current, std::int64_t now_ms) {
  WriteOutcome outcome;
  if (!current || current->deleted) {
    // Nothing to delete (https://hl7.org/fhir/R4/http.html#delete: still a success).
    outcome.changed = false;
    if (current) {
      fhir::Result<ResourceVersion> marker = ReadSequence(db, current->seq);
      if (!marker.ok()) return marker.status();
      outcome.version = std::move(*marker);
    } else {
      outcome.version.type = request.type;
      outcome.version.id = request.id;
    }
    return outcome;
  }
  std::int64_t version = current->version + 1;
  fhir::Result<Added> added =
      AddVersion(db, request, current, version, now_ms, WriteMethod::kDelete, std::string());
  if (!added.ok()) return added.status();
  // A deleted resource has no index entries: search never finds it.
  SCHAKEL_RETURN_IF_ERROR(DeleteIndexRows(db, added->rid));
  outcome.version =
      ResourceVersion{request.type,     request.id,           version,      added->seq, now_ms,
                      /*deleted=*/true, WriteMethod::kDelete, std::string()};
  return outcome;
}

}  // namespace

fhir::Result<WriteOutcome> ApplyWrite(Connection& db, WriteRequest& request, std::int64_t now_ms) {
  fhir::Result<std::optional<Current>> current = FindCurrent(db, request);
  if (!current.ok()) return current.status();
  SCHAKEL_RETURN_IF_ERROR(CheckIfMatch(request, *current));
  if (request.kind == WriteKind::kDelete) return Delete(db, request, *current, now_ms);

  SCHAKEL_RETURN_IF_ERROR(CheckResource(request));
  WriteMethod method = WriteMethod::kUpdate;
  if (request.kind == WriteKind::kCreate) {
    if (*current) return fhir::Status::Conflict(Name(request) + " already exists");
    method = WriteMethod::kCreate;
  }
  std::int64_t version = *current ? (*current)->version + 1 : 1;
  bool created = !*current || (*current)->deleted;

  fhir::StampMeta(request.resource, request.id, version, now_ms);
  std::string body = fhir::json::Serialize(request.resource);
  fhir::Result<Added> added = AddVersion(db, request, *current, version, now_ms, method, body);
  if (!added.ok()) return added.status();
  // A new resource has no entries yet; one that existed (maybe deleted) has its old ones replaced.
  if (*current) {
    SCHAKEL_RETURN_IF_ERROR(ReplaceIndexRows(db, added->rid, request.type, request.index));
  } else {
    SCHAKEL_RETURN_IF_ERROR(InsertIndexRows(db, added->rid, request.type, request.index));
  }

  WriteOutcome outcome;
  outcome.created = created;
  outcome.version = ResourceVersion{request.type, request.id,        version, added->seq,
                                    now_ms,       /*deleted=*/false, method,  std::move(body)};
  return outcome;
}

}  // namespace schakel::store::sqlite
