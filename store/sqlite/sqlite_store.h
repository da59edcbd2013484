// The SQLite implementation of ResourceStore.
//
// One database file in WAL mode. Reads use a pool of read-only connections (any thread).
// Writes go through one writer thread that takes every queued write scope (a single Write() is
// one), runs each inside its own SAVEPOINT of one transaction (so one failing scope does not undo
// the others), commits once (synchronous=FULL by default: one fsync for the whole batch) and
// then calls every callback. A scope's reads and searches run on the write connection.
// The schema is versioned (PRAGMA user_version) and migrated on open. See docs/architecture.md
// and store/sqlite/schema.cc.
//
// Write callbacks run on the writer thread, except for a write refused at once (queue full,
// store closing): its callback runs on the calling thread before Write() (or WriteAtomically())
// returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "store/store.h"

namespace schakel::store {

struct SqliteOptions {
  std::string path;                // database file; created with its schema if missing
  bool synchronous_full = true;    // PRAGMA synchronous=FULL (else NORMAL: faster, not durable)
  int read_connections = 4;        // size of the read pool (readers wait when all are busy)
  std::size_t max_batch = 512;     // most writes in one commit
  std::size_t max_queue = 20'000;  // queued writes beyond this are refused with kUnavailable
  // How long a connection waits for a lock held by another process (a backup, the sqlite3
  // shell) before the request fails with kUnavailable.
  int busy_timeout_ms = 5'000;
  // Milliseconds since the Unix epoch; replaceable in tests. The store never lets
  // lastUpdated go backwards even if this clock does.
  std::function<std::int64_t()> clock;
};

// Counters for tests and metrics. Monotonic over the life of one SqliteStore.
struct SqliteStoreStats {
  std::int64_t commits = 0;           // write transactions committed
  std::int64_t writes_committed = 0;  // resource writes committed in those transactions
};

namespace sqlite {
class ReadPool;
class Writer;
}  // namespace sqlite

// Thread-safe: every method may be called from any thread (Close() not from a write callback).
class SqliteStore final : public ResourceStore {
 public:
  // Opens (creating if missing) the database at options.path, whose directory must exist, and
  // migrates its schema. Fails with a message naming the file when it cannot be opened, is not
  // a Schakel database, or has a newer schema version than this build knows.
  static fhir::Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  fhir::Result<ResourceVersion> Read(const RequestContext& ctx, std::string_view type,
                                     std::string_view id) override;
  fhir::Result<ResourceVersion> ReadVersion(const RequestContext& ctx, std::string_view type,
                                            std::string_view id, std::int64_t version) override;
  fhir::Result<HistoryPage> History(const RequestContext& ctx, const HistoryQuery& query) override;
  void WriteAtomically(const RequestContext& ctx, ScopeBody body, ScopeCallback done) override;
  fhir::Result<ReindexResult> Reindex(const RequestContext& ctx, IndexFunction compute,
                                      ReindexProgress progress, std::size_t batch = 500,
                                      std::string_view type = {}) override;
  fhir::Result<SearchResult> Search(const RequestContext& ctx,
                                    const fhir::search::Query& query) override;
  fhir::Result<bool> IsEmpty(const RequestContext& ctx) override;
  // Reads keep working after Close(); only writes are refused.
  void Close() override;

  SqliteStoreStats stats() const;

 private:
  SqliteStore(std::unique_ptr<sqlite::Writer> writer, std::unique_ptr<sqlite::ReadPool> readers);

  // Declared first so it is destroyed last: the write connection closes after the readers, and
  // the last connection to close checkpoints the WAL into the database file.
  std::unique_ptr<sqlite::Writer> writer_;
  std::unique_ptr<sqlite::ReadPool> readers_;
};

fhir::Result<std::unique_ptr<ResourceStore>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace schakel::store
