#include "store/sqlite/write_scope.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/apply_write.h"
#include "store/sqlite/read_queries.h"
#include "store/sqlite/search_exec.h"

namespace schakel::store::sqlite {
namespace {

fhir::Status RunCached(Connection& db, const char* sql) {
  fhir::Result<CachedStatement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.status();
  return statement->Run();
}

}  // namespace

fhir::Status SqliteWriteScope::CheckOpen() const {
  if (!failed_.ok()) return failed_;
  if (sqlite3_get_autocommit(db_.handle()) != 0) {
    return fhir::Status::Unavailable("the write transaction was rolled back by the database");
  }
  return fhir::Status::Ok();
}

fhir::Result<ResourceVersion> SqliteWriteScope::Read(std::string_view type, std::string_view id) {
  SCHAKEL_RETURN_IF_ERROR(CheckOpen());
  return ReadCurrent(db_, type, id);
}

fhir::Result<ResourceVersion> SqliteWriteScope::ReadVersion(std::string_view type,
                                                            std::string_view id,
                                                            std::int64_t version) {
  SCHAKEL_RETURN_IF_ERROR(CheckOpen());
  return sqlite::ReadVersion(db_, type, id, version);
}

fhir::Result<SearchResult> SqliteWriteScope::Search(const fhir::search::Query& query) {
  SCHAKEL_RETURN_IF_ERROR(CheckOpen());
  return ExecuteSearch(db_, query, now_ms_, /*own_transaction=*/false);
}

fhir::Result<WriteOutcome> SqliteWriteScope::Write(WriteRequest request) {
  SCHAKEL_RETURN_IF_ERROR(CheckOpen());
  if (all_or_nothing_) {
    // No savepoint: a failure fails the unit, whose own savepoint undoes everything.
    fhir::Result<WriteOutcome> outcome = ApplyWrite(db_, request, now_ms_);
    if (outcome.ok()) {
      ++writes_;
    } else {
      failed_ = outcome.status();
    }
    return outcome;
  }
  SCHAKEL_RETURN_IF_ERROR(RunCached(db_, "SAVEPOINT scope_write"));
  fhir::Result<WriteOutcome> outcome = ApplyWrite(db_, request, now_ms_);
  if (!outcome.ok()) {
    // After an error that ended the whole transaction there is no savepoint left to undo.
    SCHAKEL_RETURN_IF_ERROR(CheckOpen());
    SCHAKEL_RETURN_IF_ERROR(RunCached(db_, "ROLLBACK TO scope_write"));
  }
  SCHAKEL_RETURN_IF_ERROR(RunCached(db_, "RELEASE scope_write"));
  if (outcome.ok()) ++writes_;
  return outcome;
}

}  // namespace schakel::store::sqlite
