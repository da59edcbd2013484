#include "store/sqlite/writer.h"

#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <new>
#include <optional>
#include <system_error>
#include <utility>

namespace schakel::store::sqlite {

fhir::Result<std::unique_ptr<Writer>> Writer::Start(std::unique_ptr<Connection> db,
                                                    WriterOptions options,
                                                    std::int64_t last_used_ms) {
  std::unique_ptr<Writer> writer(new Writer(std::move(db), std::move(options), last_used_ms));
  try {
    writer->thread_ = std::thread(&Writer::Run, writer.get());
  } catch (const std::system_error& e) {
    return fhir::Status::Unavailable(std::string("cannot start the writer thread: ") + e.what());
  }
  return writer;
}

Writer::Writer(std::unique_ptr<Connection> db, WriterOptions options, std::int64_t last_used_ms)
    : db_(std::move(db)), options_(std::move(options)), last_used_ms_(last_used_ms) {}

Writer::~Writer() { Close(); }

void Writer::Submit(const RequestContext& ctx, WriterWork work, ScopeCallback done) {
  std::optional<Pending> pending;
  try {
    pending.emplace(ctx, std::move(work), std::move(done));
  } catch (const std::bad_alloc&) {
    // Pending builds `done` last, so when building it throws, `done` has not been moved from.
    // NOLINTNEXTLINE(bugprone-use-after-move)
    done(fhir::Status::Unavailable("out of memory queueing a write"));
    return;
  }
  fhir::Status refusal;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      refusal = fhir::Status::Unavailable("store is closing");
    } else if (queue_.size() >= options_.max_queue) {
      refusal = fhir::Status::Unavailable("write queue full", fhir::IssueType::kThrottled);
    } else {
      try {
        queue_.push_back(std::move(*pending));  // no effect if it throws: *pending is intact
      } catch (const std::bad_alloc&) {
        refusal = fhir::Status::Unavailable("out of memory queueing a write");
      }
    }
  }
  if (!refusal.ok()) {
    pending->done(std::move(refusal));
    return;
  }
  queue_changed_.notify_one();
}

void Writer::Close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  queue_changed_.notify_all();
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

WriterStats Writer::stats() const {
  return WriterStats{commits_.load(std::memory_order_relaxed),
                     writes_committed_.load(std::memory_order_relaxed)};
}

void Writer::Run() {
  std::vector<Pending> batch;
  batch.reserve(std::min<std::size_t>(options_.max_batch, 1024));
  while (true) {
    {
      std::unique_lock lock(mutex_);
      queue_changed_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything queued is done
      auto end =
          queue_.begin() + static_cast<std::ptrdiff_t>(std::min(options_.max_batch, queue_.size()));
      std::move(queue_.begin(), end, std::back_inserter(batch));
      queue_.erase(queue_.begin(), end);
    }
    CommitBatch(batch);
    batch.clear();
  }
}

fhir::Status Writer::RunCached(const char* sql) {
  fhir::Result<CachedStatement> statement = db_->Prepare(sql);
  if (!statement.ok()) return statement.status();
  return statement->Run();
}

fhir::Status Writer::ApplyInSavepoint(Pending& pending, std::int64_t now_ms,
                                      std::vector<Done>& results) {
  SCHAKEL_RETURN_IF_ERROR(RunCached("SAVEPOINT one_unit"));
  SqliteWriteScope scope(*db_, now_ms);
  fhir::Status status;
  try {
    status = pending.work(scope);
  } catch (const std::exception& e) {
    // Nothing we call is meant to throw; if it does (bad_alloc), fail this unit alone.
    status = fhir::Status::Internal(std::string("writing failed: ") + e.what());
  }
  if (status.ok() && !scope.failed().ok()) status = scope.failed();
  if (!status.ok()) {
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make SQLite roll back the whole transaction
    // itself; then the units before this one are gone too, and the batch has failed.
    if (sqlite3_get_autocommit(db_->handle()) != 0) return status;
    SCHAKEL_RETURN_IF_ERROR(RunCached("ROLLBACK TO one_unit"));
  }
  SCHAKEL_RETURN_IF_ERROR(RunCached("RELEASE one_unit"));
  results.push_back(Done{std::move(status), scope.writes()});
  return fhir::Status::Ok();
}

void Writer::CommitBatch(std::vector<Pending>& batch) {
  std::int64_t now_ms = std::max(options_.clock(), last_used_ms_);
  last_used_ms_ = now_ms;

  std::vector<Done> results;
  results.reserve(batch.size());
  fhir::Status status = RunCached("BEGIN IMMEDIATE");
  if (status.ok()) {
    for (Pending& pending : batch) {
      status = ApplyInSavepoint(pending, now_ms, results);
      if (!status.ok()) break;
    }
    if (status.ok()) status = RunCached("COMMIT");
    // After a failed COMMIT (SQLITE_BUSY, an I/O error) the transaction may still be open.
    if (!status.ok() && sqlite3_get_autocommit(db_->handle()) == 0) (void)db_->Exec("ROLLBACK");
  }

  if (status.ok()) {
    std::int64_t writes = 0;
    for (const Done& done : results) {
      if (done.status.ok()) writes += done.writes;
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
    writes_committed_.fetch_add(writes, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      if (status.ok()) {
        batch[i].done(std::move(results[i].status));
      } else {
        batch[i].done(status);
      }
    } catch (...) {
      // A callback must not throw; if one does, the other units still get their answers.
    }
  }
}

}  // namespace schakel::store::sqlite
