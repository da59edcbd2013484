#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/read_queries.h"
#include "store/sqlite/reindex.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/search_exec.h"
#include "store/sqlite/writer.h"

namespace schakel::store {
namespace {

// The write connection's settings besides journal_mode and synchronous. foreign_keys stays off:
// the schema has none, and checks would cost on every write. cache_size (negative: KiB) keeps the
// hot index pages of a busy writer in memory.
// temp_store = MEMORY keeps each write's savepoint journal in memory: SQLite otherwise spills it
// to a temporary file once it passes 64 KiB, which a write with its search index rows (a page in
// each of some twenty B-trees) does; that was a temporary file per transaction and five times the
// writes.
// wal_autocheckpoint = 10000 pages (40 MB at 4 KiB) instead of 1000: index B-tree pages are
// rewritten by commit after commit, and a checkpoint copies each page once however often it was
// rewritten since the last one, so fewer checkpoints write far less (+25-30% creates/s with
// search index rows). journal_size_limit (64 MB) trims the WAL file back after a checkpoint.
// cache_size 256 MB (a limit: pages are allocated as they are used): a transaction Bundle of
// 10,000 entries dirties tens of thousands of index pages, and once the dirty pages fill the
// cache SQLite spills them, scanning its dirty list for every page it needs; with 16 MB a
// third 10,000-entry transaction on the same database took 31 s instead of 1.2 s.
constexpr const char* kWritePragmas =
    "PRAGMA foreign_keys = OFF; PRAGMA journal_size_limit = 67108864; "
    "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 10000";

std::int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The same status with "opening database PATH: " before each message.
fhir::Status WhileOpening(const std::string& path, const fhir::Status& status) {
  if (status.ok()) return status;
  std::vector<fhir::Issue> issues = status.issues();
  for (fhir::Issue& issue : issues)
    issue.diagnostics = std::string("opening database ") + path + ": " + issue.diagnostics;
  return fhir::Status::WithIssues(status.code(), std::move(issues));
}

fhir::Status CheckOptions(const SqliteOptions& options) {
  // Readers and the writer need one shared file: no in-memory or temporary databases.
  if (options.path.empty() || options.path == ":memory:" || options.path.starts_with("file:")) {
    return fhir::Status::InvalidInput("the database path must name a file");
  }
  if (options.read_connections < 1) {
    return fhir::Status::InvalidInput("read_connections must be at least 1");
  }
  if (options.max_batch < 1 || options.max_queue < 1) {
    return fhir::Status::InvalidInput("max_batch and max_queue must be at least 1");
  }
  if (options.busy_timeout_ms < 0) {
    return fhir::Status::InvalidInput("busy_timeout_ms must not be negative");
  }
  return fhir::Status::Ok();
}

// Opens the write connection, switches the file to WAL and brings its schema up to date.
fhir::Result<std::unique_ptr<sqlite::Connection>> OpenWriteConnection(
    const SqliteOptions& options) {
  fhir::Result<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(
      options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  sqlite::Connection& connection = **db;
  {
    // The first statement that reads the file: a file that is not a database fails here.
    fhir::Result<sqlite::CachedStatement> wal = connection.Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    fhir::Result<bool> row = wal->Step();
    if (!row.ok()) return row.status();
    if (!*row || wal->ColumnText(0) != "wal") {
      return fhir::Status::Internal("the database cannot use write-ahead logging");
    }
  }
  SCHAKEL_RETURN_IF_ERROR(connection.Exec(
      options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"));
  SCHAKEL_RETURN_IF_ERROR(connection.Exec(kWritePragmas));
  SCHAKEL_RETURN_IF_ERROR(sqlite::Migrate(connection));
  return db;
}

// Runs `read`, turning an escaping exception (bad_alloc) into kInternal: nothing throws across
// the ResourceStore interface.
template <typename Read>
auto Guarded(Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    return fhir::Status::Internal(std::string("reading failed: ") + e.what());
  }
}

}  // namespace

fhir::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  SCHAKEL_RETURN_IF_ERROR(CheckOptions(options));
  try {
    fhir::Result<std::unique_ptr<sqlite::Connection>> db = OpenWriteConnection(options);
    if (!db.ok()) return WhileOpening(options.path, db.status());
    fhir::Result<std::int64_t> newest = sqlite::NewestLastUpdated(**db);
    if (!newest.ok()) return WhileOpening(options.path, newest.status());

    // Readers open after the schema exists and the file is in WAL mode.
    fhir::Result<std::unique_ptr<sqlite::ReadPool>> readers =
        sqlite::ReadPool::Open(options.path, options.read_connections, options.busy_timeout_ms);
    if (!readers.ok()) return WhileOpening(options.path, readers.status());

    sqlite::WriterOptions writer_options;
    writer_options.max_batch = options.max_batch;
    writer_options.max_queue = options.max_queue;
    writer_options.clock = options.clock ? options.clock : SystemClockMs;
    fhir::Result<std::unique_ptr<sqlite::Writer>> writer =
        sqlite::Writer::Start(std::move(*db), std::move(writer_options), *newest);
    if (!writer.ok()) return WhileOpening(options.path, writer.status());

    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*writer), std::move(*readers)));
  } catch (const std::exception& e) {
    return fhir::Status::Internal(std::string("opening database ") + options.path + ": " +
                                  e.what());
  }
}

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Writer> writer,
                         std::unique_ptr<sqlite::ReadPool> readers)
    : writer_(std::move(writer)), readers_(std::move(readers)) {}

SqliteStore::~SqliteStore() { Close(); }

fhir::Result<ResourceVersion> SqliteStore::Read(const RequestContext& /*ctx*/,
                                                std::string_view type, std::string_view id) {
  return Guarded([&]() -> fhir::Result<ResourceVersion> {
    sqlite::ReadPool::Lease db = readers_->Acquire();
    return sqlite::ReadCurrent(*db, type, id);
  });
}

fhir::Result<ResourceVersion> SqliteStore::ReadVersion(const RequestContext& /*ctx*/,
                                                       std::string_view type, std::string_view id,
                                                       std::int64_t version) {
  return Guarded([&]() -> fhir::Result<ResourceVersion> {
    sqlite::ReadPool::Lease db = readers_->Acquire();
    return sqlite::ReadVersion(*db, type, id, version);
  });
}

fhir::Result<HistoryPage> SqliteStore::History(const RequestContext& /*ctx*/,
                                               const HistoryQuery& query) {
  return Guarded([&]() -> fhir::Result<HistoryPage> {
    sqlite::ReadPool::Lease db = readers_->Acquire();
    return sqlite::ReadHistory(*db, query);
  });
}

fhir::Result<SearchResult> SqliteStore::Search(const RequestContext& /*ctx*/,
                                               const fhir::search::Query& query) {
  return Guarded([&]() -> fhir::Result<SearchResult> {
    sqlite::ReadPool::Lease db = readers_->Acquire();
    return sqlite::ExecuteSearch(*db, query, SystemClockMs());
  });
}

void SqliteStore::WriteAtomically(const RequestContext& ctx, ScopeBody body, ScopeCallback done) {
  if (!body) return done(fhir::Status::Internal("WriteAtomically needs a body"));
  writer_->Submit(
      ctx, [body = std::move(body)](sqlite::SqliteWriteScope& scope) { return body(scope); },
      std::move(done));
}

fhir::Result<ReindexResult> SqliteStore::Reindex(const RequestContext& ctx, IndexFunction compute,
                                                 ReindexProgress progress, std::size_t batch,
                                                 std::string_view type) {
  if (batch == 0) return fhir::Status::InvalidInput("the reindex batch size must be at least 1");
  if (!compute) return fhir::Status::InvalidInput("reindexing needs an index function");
  try {
    fhir::Result<std::int64_t> total = Guarded([&]() -> fhir::Result<std::int64_t> {
      sqlite::ReadPool::Lease db = readers_->Acquire();
      return sqlite::CountLive(*db, type);
    });
    if (!total.ok()) return total.status();

    ReindexResult result;
    std::int64_t done = 0;
    std::int64_t after_rid = 0;
    while (true) {
      fhir::Result<std::vector<sqlite::LiveResource>> page =
          Guarded([&]() -> fhir::Result<std::vector<sqlite::LiveResource>> {
            sqlite::ReadPool::Lease db = readers_->Acquire();
            return sqlite::ReadLive(*db, type, after_rid, batch);
          });
      if (!page.ok()) return page.status();
      if (page->empty()) break;
      after_rid = page->back().rid;
      done += static_cast<std::int64_t>(page->size());

      // Computed here, on the calling thread, so the writer spends its time only on writing.
      auto items = std::make_shared<std::vector<sqlite::ReindexItem>>();
      items->reserve(page->size());
      for (sqlite::LiveResource& resource : *page) {
        fhir::Result<fhir::search::IndexValues> values = fhir::Status::Internal("not computed");
        try {
          values = compute(resource.type, resource.json);
        } catch (const std::exception& e) {
          values = fhir::Status::Internal(std::string("computing the index failed: ") + e.what());
        }
        if (!values.ok()) {
          ++result.failed;
          if (result.failures.size() < ReindexResult::kMaxReportedFailures) {
            result.failures.push_back(resource.type + "/" + resource.id + ": " +
                                      std::string(values.status().message()));
          }
          continue;
        }
        items->push_back(sqlite::ReindexItem{resource.rid, resource.seq, std::move(resource.type),
                                             std::move(*values)});
      }

      if (!items->empty()) {
        auto applied = std::make_shared<sqlite::ReindexApplied>();
        std::promise<fhir::Status> promise;
        std::future<fhir::Status> future = promise.get_future();
        writer_->Submit(
            ctx,
            [items, applied](sqlite::SqliteWriteScope& scope) -> fhir::Status {
              fhir::Result<sqlite::ReindexApplied> batch_applied =
                  sqlite::ApplyReindexBatch(scope.db(), *items);
              if (!batch_applied.ok()) return batch_applied.status();
              *applied = *batch_applied;
              return fhir::Status::Ok();
            },
            [&promise](fhir::Status status) { promise.set_value(std::move(status)); });
        SCHAKEL_RETURN_IF_ERROR(future.get());
        result.resources += applied->resources;
        result.entries += applied->entries;
        result.skipped += applied->skipped;
      }
      if (progress) progress(done, *total);
    }
    return result;
  } catch (const std::exception& e) {
    return fhir::Status::Internal(std::string("reindexing failed: ") + e.what());
  }
}

fhir::Result<bool> SqliteStore::IsEmpty(const RequestContext& /*ctx*/) {
  return Guarded([&]() -> fhir::Result<bool> {
    sqlite::ReadPool::Lease db = readers_->Acquire();
    return sqlite::IsEmpty(*db);
  });
}

void SqliteStore::Close() { writer_->Close(); }

SqliteStoreStats SqliteStore::stats() const {
  sqlite::WriterStats stats = writer_->stats();
  return SqliteStoreStats{stats.commits, stats.writes_committed};
}

fhir::Result<std::unique_ptr<ResourceStore>> OpenSqliteStore(const SqliteOptions& options) {
  fhir::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ResourceStore>(std::move(*store));
}

}  // namespace schakel::store
