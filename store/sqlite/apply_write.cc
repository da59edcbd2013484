#include "store/sqlite/apply_write.h"

#include <optional>
#include <string>
#include <utility>

#include "fhir/json/write.h"
#include "fhir/resource.h"
#include "store/sqlite/read_queries.h"
#include "store/sqlite/schema.h"

namespace schakel::store::sqlite {
namespace {

constexpr const char* kCurrentSql =
    "SELECT version, seq, deleted FROM resource_current WHERE type = ?1 AND id = ?2";
constexpr const char* kInsertVersionSql =
    "INSERT INTO resource_version (type, id, version, last_updated, deleted, method, body) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kSupersedeSql =
    "UPDATE resource_version SET superseded_at = ?1 WHERE seq = ?2";
constexpr const char* kSetCurrentSql =
    "INSERT INTO resource_current (type, id, version, seq, deleted) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (type, id) DO UPDATE SET "
    "version = excluded.version, seq = excluded.seq, deleted = excluded.deleted";

struct Current {
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
                                        statement->ColumnInt64(2) != 0});
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

// Adds version `version` of the resource and makes it current. `body` is empty for a delete.
fhir::Result<std::int64_t> AddVersion(Connection& db, const WriteRequest& request,
                                      const std::optional<Current>& current, std::int64_t version,
                                      std::int64_t now_ms, WriteMethod method,
                                      const std::string& body) {
  bool deleted = method == WriteMethod::kDelete;
  std::int64_t seq = 0;
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
    seq = db.LastInsertRowid();
  }
  if (current) {
    fhir::Result<CachedStatement> supersede = db.Prepare(kSupersedeSql);
    if (!supersede.ok()) return supersede.status();
    supersede->Bind(1, now_ms);
    supersede->Bind(2, current->seq);
    SCHAKEL_RETURN_IF_ERROR(supersede->Run());
  }
  fhir::Result<CachedStatement> set_current = db.Prepare(kSetCurrentSql);
  if (!set_current.ok()) return set_current.status();
  set_current->Bind(1, request.type);
  set_current->Bind(2, request.id);
  set_current->Bind(3, version);
  set_current->Bind(4, seq);
  set_current->Bind(5, std::int64_t{deleted ? 1 : 0});
  SCHAKEL_RETURN_IF_ERROR(set_current->Run());
  return seq;
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
  fhir::Result<std::int64_t> seq =
      AddVersion(db, request, current, version, now_ms, WriteMethod::kDelete, std::string());
  if (!seq.ok()) return seq.status();
  outcome.version =
      ResourceVersion{request.type,     request.id,           version,      *seq, now_ms,
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
  fhir::Result<std::int64_t> seq = AddVersion(db, request, *current, version, now_ms, method, body);
  if (!seq.ok()) return seq.status();

  WriteOutcome outcome;
  outcome.created = created;
  outcome.version = ResourceVersion{request.type,      request.id, version,        *seq, now_ms,
                                    /*deleted=*/false, method,     std::move(body)};
  return outcome;
}

}  // namespace schakel::store::sqlite
