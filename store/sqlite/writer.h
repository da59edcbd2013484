// The group-commit writer: one thread that owns the write connection.
//
// Submit() queues a write (bounded; beyond the bound it is refused at once). The thread takes up
// to max_batch queued writes, opens one transaction (BEGIN IMMEDIATE), applies each write inside
// its own SAVEPOINT (a failing write is rolled back alone; the others stay), commits once, and
// only then calls every callback: with the write's own result, or, if the transaction as a whole
// failed, with that failure for every write in it. With synchronous=FULL the commit is one fsync
// for the whole batch, which is what makes durable writes cheap under load.
//
// Besides writes, the queue takes jobs (SubmitJob): other work on the write connection, such as
// reindexing a batch of resources, that runs in its own savepoint of a batch like a write does,
// so it commits with the writes around it and never holds the writer longer than one batch.
//
// All writes of a batch share one lastUpdated: max(clock(), the last one used), so lastUpdated
// never goes backwards, even across restarts (the caller passes the newest one stored).
//
// Thread-safe. Callbacks run on the writer thread, except refusals (queue full, closing), which
// run on the submitting thread before Submit() (or SubmitJob()) returns.
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
#include "store/store.h"

namespace schakel::store::sqlite {

struct WriterOptions {
  std::size_t max_batch = 512;          // >= 1
  std::size_t max_queue = 20'000;       // >= 1
  std::function<std::int64_t()> clock;  // milliseconds since the epoch; must be set
};

struct WriterStats {
  std::int64_t commits = 0;           // transactions committed
  std::int64_t writes_committed = 0;  // writes that succeeded in them (not counting jobs)
};

// Work run on the writer thread with the write connection, inside its own savepoint of the
// batch's transaction. A failure rolls back what the job did, and only that.
using WriterJob = std::function<fhir::Status(Connection& db)>;

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

  // Queues `request`; `done` is called exactly once (see the header comment for which thread).
  // Refusals: kUnavailable "write queue full" and "store is closing".
  void Submit(const RequestContext& ctx, WriteRequest request, WriteCallback done);

  // Queues `job` like a write (same queue, same bound, same refusals). `done` gets the job's
  // failure, or an empty WriteOutcome once the job's transaction is durable.
  void SubmitJob(const RequestContext& ctx, WriterJob job, WriteCallback done);

  // Refuses new writes, finishes every queued one, and stops the thread. Idempotent; must not be
  // called from a write callback.
  void Close();

  WriterStats stats() const;

 private:
  struct Pending {
    Pending(const RequestContext& ctx, WriteRequest&& write, WriterJob&& work,
            WriteCallback&& callback)
        : context(ctx),
          request(std::move(write)),
          job(std::move(work)),
          done(std::move(callback)) {}

    RequestContext context;  // for audit, once audit rows are written with the change
    WriteRequest request;    // unused for a job
    WriterJob job;           // empty for a write
    WriteCallback done;      // last: see Enqueue()
  };
  // A queued write moves without throwing, so a failed push_back leaves it whole.
  static_assert(std::is_nothrow_move_constructible_v<Pending>);

  Writer(std::unique_ptr<Connection> db, WriterOptions options, std::int64_t last_used_ms);
  void Enqueue(const RequestContext& ctx, WriteRequest&& request, WriterJob&& job,
               WriteCallback&& done);
  void Run();
  void CommitBatch(std::vector<Pending>& batch);
  // Applies one write inside its own savepoint. The Status is for the transaction as a whole
  // (a savepoint that could not be released, a transaction SQLite rolled back by itself);
  // the Result is the write's own.
  fhir::Status ApplyInSavepoint(Pending& pending, std::int64_t now_ms,
                                std::vector<fhir::Result<WriteOutcome>>& results);
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
