// The group-commit writer: one thread that owns the write connection.
//
// Submit() queues a unit of work (bounded; beyond the bound it is refused at once). The thread
// takes up to max_batch queued units, opens one transaction (BEGIN IMMEDIATE), runs each inside
// its own SAVEPOINT (a failing unit is rolled back alone; the others stay), commits once, and
// only then calls every callback: with the unit's own result, or, if the transaction as a whole
// failed, with that failure for every unit in it. With synchronous=FULL the commit is one fsync
// for the whole batch, which is what makes durable writes cheap under load.
//
// A unit is a write scope (ResourceStore::WriteAtomically, and so every Write()), or other work
// on the write connection such as reindexing a batch of resources; each gets a SqliteWriteScope
// (write_scope.h). Units run one after the other in queue order, so nothing interleaves with a
// unit's reads and writes, and a large unit holds up the ones behind it for as long as it runs.
//
// All units of a batch share one lastUpdated: max(clock(), the last one used), so lastUpdated
// never goes backwards, even across restarts (the caller passes the newest one stored).
//
// Thread-safe. Callbacks run on the writer thread, except refusals (queue full, closing), which
// run on the submitting thread before Submit() returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/write_scope.h"
#include "store/store.h"

namespace schakel::store::sqlite {

struct WriterOptions {
  std::size_t max_batch = 512;          // >= 1
  std::size_t max_queue = 20'000;       // >= 1
  std::function<std::int64_t()> clock;  // milliseconds since the epoch; must be set
};

struct WriterStats {
  std::int64_t commits = 0;           // transactions committed
  std::int64_t writes_committed = 0;  // resource writes made by the units committed in them
};

// Work run on the writer thread inside its own savepoint of the batch's transaction. A failure
// (or an exception) rolls back what the work did, and only that.
using WriterWork = std::function<fhir::Status(SqliteWriteScope& scope)>;

class Writer {
 public:
  // Starts the thread. `db` is the write connection, schema already migrated; `last_used_ms` the
  // newest lastUpdated already stored.
  static fhir::Result<std::unique_ptr<Writer>> Start(std::unique_ptr<Connection> db,
                                                     WriterOptions options,
                                                     std::int64_t last_used_ms);

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();  // Close()

  // Queues `work`; `done` is called exactly once (see the header comment for which thread),
  // with the work's result once the transaction is durable, or with the reason it is not.
  // Refusals: kUnavailable "write queue full" and "store is closing".
  void Submit(const RequestContext& ctx, WriterWork work, ScopeCallback done);

  // Refuses new writes, finishes every queued one, and stops the thread. Idempotent; must not be
  // called from a write callback.
  void Close();

  WriterStats stats() const;

 private:
  struct Pending {
    Pending(const RequestContext& ctx, WriterWork&& unit, ScopeCallback&& callback)
        : context(ctx), work(std::move(unit)), done(std::move(callback)) {}

    RequestContext context;  // for audit, once audit rows are written with the change
    WriterWork work;
    ScopeCallback done;  // last: see Submit()
  };
  // A queued unit moves without throwing, so a failed push_back leaves it whole.
  static_assert(std::is_nothrow_move_constructible_v<Pending>);

  // What one unit came to: its status, and the writes it made (counted when it commits).
  struct Done {
    fhir::Status status;
    std::int64_t writes = 0;
  };

  Writer(std::unique_ptr<Connection> db, WriterOptions options, std::int64_t last_used_ms);
  void Run();
  void CommitBatch(std::vector<Pending>& batch);
  // Runs one unit inside its own savepoint. The Status returned is for the transaction as a
  // whole (a savepoint that could not be released, a transaction SQLite rolled back by itself);
  // the unit's own result goes to `results`.
  fhir::Status ApplyInSavepoint(Pending& pending, std::int64_t now_ms, std::vector<Done>& results);
  fhir::Status RunCached(const char* sql);

  const std::unique_ptr<Connection> db_;  // used only by the thread once it runs
  const WriterOptions options_;
  std::int64_t last_used_ms_;  // only the thread touches it once it runs

  std::mutex mutex_;
  std::condition_variable queue_changed_;
  std::deque<Pending> queue_;  // GUARDED_BY(mutex_)
  bool closing_ = false;       // GUARDED_BY(mutex_)

  std::atomic<std::int64_t> commits_{0};
  std::atomic<std::int64_t> writes_committed_{0};

  std::mutex join_mutex_;  // two Close() calls must not join at once
  std::thread thread_;     // last: starts after everything above exists
};

}  // namespace schakel::store::sqlite
