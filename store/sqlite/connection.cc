#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <climits>
#include <utility>

namespace schakel::store::sqlite {
namespace {

// sqlite3_bind_text with a null pointer binds SQL NULL; an empty string must stay a string.
const char* NonNullData(std::string_view text) { return text.data() != nullptr ? text.data() : ""; }

int LengthOf(std::string_view text) {
  // SQLite's own limit (SQLITE_MAX_LENGTH) is far below INT_MAX; longer input fails the bind.
  return text.size() > static_cast<std::size_t>(INT_MAX) ? -1 : static_cast<int>(text.size());
}

}  // namespace

fhir::Status StatusFromSqlite(int rc, std::string_view context, std::string_view message) {
  std::string text(context);
  text += ": ";
  text += message;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fhir::Status::Unavailable("database busy, " + text, fhir::IssueType::kTooCostly);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return fhir::Status::Unavailable("database unavailable, " + text);
    default:
      return fhir::Status::Internal("database error, " + text);
  }
}

// --- CachedStatement ---

CachedStatement::CachedStatement(Connection* connection, sqlite3_stmt* statement, bool* in_use)
    : connection_(connection), statement_(statement), in_use_(in_use), bind_rc_(SQLITE_OK) {
  *in_use_ = true;
}

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : connection_(other.connection_),
      statement_(std::exchange(other.statement_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_rc_(other.bind_rc_) {}

CachedStatement::~CachedStatement() {
  if (statement_ == nullptr) return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  *in_use_ = false;
}

void CachedStatement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void CachedStatement::Bind(int index, std::int64_t value) {
  NoteBind(sqlite3_bind_int64(statement_, index, value));
}

void CachedStatement::Bind(int index, std::string_view text) {
  NoteBind(sqlite3_bind_text(statement_, index, NonNullData(text), LengthOf(text), SQLITE_STATIC));
}

void CachedStatement::BindDouble(int index, double value) {
  NoteBind(sqlite3_bind_double(statement_, index, value));
}

void CachedStatement::BindBlob(int index, std::string_view bytes) {
  NoteBind(
      sqlite3_bind_blob(statement_, index, NonNullData(bytes), LengthOf(bytes), SQLITE_STATIC));
}

void CachedStatement::BindNull(int index) { NoteBind(sqlite3_bind_null(statement_, index)); }

fhir::Result<bool> CachedStatement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    return StatusFromSqlite(bind_rc_, "binding a parameter", sqlite3_errstr(bind_rc_));
  }
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->Error(rc, "running a statement");
}

fhir::Status CachedStatement::Run() {
  fhir::Result<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row)
    return fhir::Status::Internal("database error: a statement meant to return no rows did");
  return fhir::Status::Ok();
}

void CachedStatement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_rc_ = SQLITE_OK;
}

std::int64_t CachedStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double CachedStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(statement_, column);
}

bool CachedStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string_view CachedStatement::ColumnText(int column) const {
  // Pointer first, then size: the documented order that avoids a conversion invalidating it.
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  int size = sqlite3_column_bytes(statement_, column);
  return data == nullptr ? std::string_view()
                         : std::string_view(data, static_cast<std::size_t>(size));
}

std::string_view CachedStatement::ColumnBlob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  int size = sqlite3_column_bytes(statement_, column);
  return data == nullptr ? std::string_view()
                         : std::string_view(data, static_cast<std::size_t>(size));
}

// --- Connection ---

namespace {

// Process-wide SQLite settings, made once before the library initializes (sqlite3_config must
// precede sqlite3_initialize, which the first open does). Memory statistics off: with them on,
// every allocation of every connection takes one global mutex, and concurrent searches on the
// read pool spent a tenth of their time waiting for it.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

void Connection::StatementDeleter::operator()(sqlite3_stmt* statement) const {
  sqlite3_finalize(statement);
}

fhir::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags,
                                                           int busy_timeout_ms) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    // Even on failure SQLite usually allocates a handle that carries the message.
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return StatusFromSqlite(rc, "opening the file", message);
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  rc = sqlite3_busy_timeout(db, busy_timeout_ms);
  if (rc != SQLITE_OK) return connection->Error(rc, "setting the busy timeout");
  return connection;
}

Connection::~Connection() {
  cache_.clear();  // every statement must be finalized before the connection can close
  sqlite3_close(db_);
}

fhir::Status Connection::Exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "running a statement");
  return fhir::Status::Ok();
}

fhir::Result<CachedStatement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), LengthOf(sql), SQLITE_PREPARE_PERSISTENT, &raw,
                                nullptr);
    if (rc != SQLITE_OK) return Error(rc, "preparing a statement");
    if (raw == nullptr) return fhir::Status::Internal("database error: empty statement");
    CacheEntry entry;
    entry.statement.reset(raw);
    it = cache_.emplace(std::string(sql), std::move(entry)).first;
  }
  if (it->second.in_use) {
    return fhir::Status::Internal("database error: a cached statement is already in use");
  }
  return CachedStatement(this, it->second.statement.get(), &it->second.in_use);
}

fhir::Result<std::int64_t> Connection::QueryInt64(std::string_view sql) {
  fhir::Result<CachedStatement> statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  fhir::Result<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return fhir::Status::Internal("database error: a query returned no row");
  return statement->ColumnInt64(0);
}

fhir::Status Connection::Error(int rc, std::string_view context) const {
  return StatusFromSqlite(rc, context, sqlite3_errmsg(db_));
}

std::int64_t Connection::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace schakel::store::sqlite
