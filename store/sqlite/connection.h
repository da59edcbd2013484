// RAII wrappers for SQLite handles: Connection owns a sqlite3* and a cache of prepared statements;
// CachedStatement is one use of a cached statement, reset when the use ends.
//
// Thread safety: connections are opened with SQLITE_OPEN_NOMUTEX, so a Connection, and every
// CachedStatement taken from it, must be used by one thread at a time. The read pool and the
// writer thread guarantee that.
//
// Errors: SQLite result codes become fhir::Status through StatusFromSqlite(), the one place that
// decides what a client sees (503 for a busy, full or unreachable database; 500 otherwise).
// https://www.sqlite.org/rescode.html
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fhir/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace schakel::store::sqlite {

// Maps a SQLite result code (primary or extended) and its message to a Status.
// SQLITE_BUSY and SQLITE_LOCKED (a lock not obtained within the busy timeout: a database timeout)
// become kUnavailable with issue type too-costly; SQLITE_FULL, SQLITE_IOERR and SQLITE_CANTOPEN
// become kUnavailable (transient); everything else is kInternal. `context` says what was being
// done ("reading Patient/1").
fhir::Status StatusFromSqlite(int rc, std::string_view context, std::string_view message);

class Connection;

// One use of a prepared statement from a Connection's cache. Binding does not copy: text and
// blobs passed to Bind() must stay alive until the CachedStatement is destroyed. Destruction
// resets the statement (ending its read transaction) and clears its bindings. Move-only.
class CachedStatement {
 public:
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement();

  // Parameters are 1-based, as in SQL (?1, ?2, ...). A failed bind is reported by Step().
  void Bind(int index, std::int64_t value);
  void Bind(int index, std::string_view text);
  // Named apart from Bind() so that an int argument is never ambiguous. NaN binds as NULL.
  void BindDouble(int index, double value);
  void BindBlob(int index, std::string_view bytes);
  void BindNull(int index);

  // Runs until the next row: true when there is one, false when the statement is done.
  fhir::Result<bool> Step();
  // Runs a statement that returns no rows (INSERT, UPDATE, ...) to completion.
  fhir::Status Run();
  // Rewinds the statement and clears its bindings, so that it can be bound and run again in the
  // same use (one prepared INSERT for many rows).
  void Reset();

  // Columns of the current row, 0-based. Views are valid until the next Step() or destruction.
  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;
  std::string_view ColumnText(int column) const;
  std::string_view ColumnBlob(int column) const;

 private:
  friend class Connection;
  CachedStatement(Connection* connection, sqlite3_stmt* statement, bool* in_use);

  void NoteBind(int rc);

  Connection* connection_;
  sqlite3_stmt* statement_;
  bool* in_use_;  // the cache entry's flag, cleared on destruction
  int bind_rc_;   // first failed bind, reported by Step()
};

// An open database connection and its prepared-statement cache. Neither copyable nor movable
// (cached statements point back to it); hold it by unique_ptr.
class Connection {
 public:
  // Opens `path` with SQLITE_OPEN_NOMUTEX added to `flags` (SQLITE_OPEN_READWRITE, ...) and
  // sets the busy timeout. Failures name the path.
  static fhir::Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags,
                                                        int busy_timeout_ms);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements that return nothing (DDL, PRAGMA with no result, BEGIN...).
  // Not cached: for set-up and transaction control.
  fhir::Status Exec(const char* sql);

  // The cached prepared statement for `sql`, prepared on first use. `sql` must come from a fixed
  // set of texts (never user input), since the cache keeps one statement per distinct text.
  // A statement already in use (two uses of the same text at once) is kInternal.
  fhir::Result<CachedStatement> Prepare(std::string_view sql);

  // Runs a statement that returns one integer (PRAGMA user_version, SELECT count(*)...).
  fhir::Result<std::int64_t> QueryInt64(std::string_view sql);

  // The Status for `rc` with this connection's latest error message.
  fhir::Status Error(int rc, std::string_view context) const;

  // The rowid of the latest INSERT on this connection.
  std::int64_t LastInsertRowid() const;

  std::size_t cached_statements() const { return cache_.size(); }
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct StatementDeleter {
    void operator()(sqlite3_stmt* statement) const;
  };
  struct CacheEntry {
    std::unique_ptr<sqlite3_stmt, StatementDeleter> statement;
    bool in_use = false;
  };
  // Transparent hashing, so that a lookup by string_view does not allocate.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, CacheEntry, SqlHash, std::equal_to<>> cache_;
};

}  // namespace schakel::store::sqlite
