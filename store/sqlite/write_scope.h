// The WriteScope of the SQLite store: one unit of work on the write connection, inside the
// savepoint the writer opened for it in its batch's transaction (writer.h).
//
// Reads and searches run on the write connection, so they see the transaction's uncommitted
// writes, this unit's included. Each Write() runs in a nested savepoint, so a failed write leaves
// nothing behind even when the body carries on. If SQLite rolls back the whole transaction by
// itself (disk full, I/O error), every later call fails instead of running outside a
// transaction.
//
// Used only by the writer thread, during one unit's work.
#pragma once

#include <cstdint>
#include <string_view>

#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace schakel::store::sqlite {

class SqliteWriteScope final : public WriteScope {
 public:
  // `now_ms` is the lastUpdated of every write in the batch.
  SqliteWriteScope(Connection& db, std::int64_t now_ms) : db_(db), now_ms_(now_ms) {}
  SqliteWriteScope(const SqliteWriteScope&) = delete;
  SqliteWriteScope& operator=(const SqliteWriteScope&) = delete;

  fhir::Result<ResourceVersion> Read(std::string_view type, std::string_view id) override;
  fhir::Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                            std::int64_t version) override;
  fhir::Result<SearchResult> Search(const fhir::search::Query& query) override;
  fhir::Result<WriteOutcome> Write(WriteRequest request) override;
  void AllOrNothing() override { all_or_nothing_ = true; }

  // For work that is not resource writes (reindexing): the connection itself.
  Connection& db() { return db_; }
  // Writes that succeeded in this unit (rolled back with it if the unit fails).
  std::int64_t writes() const { return writes_; }
  // The failed write of an all-or-nothing scope (Ok when there was none): the unit fails.
  const fhir::Status& failed() const { return failed_; }

 private:
  // kUnavailable when the transaction is gone (SQLite rolled it back by itself).
  fhir::Status CheckOpen() const;

  Connection& db_;
  const std::int64_t now_ms_;
  std::int64_t writes_ = 0;
  bool all_or_nothing_ = false;
  fhir::Status failed_;
};

}  // namespace schakel::store::sqlite
