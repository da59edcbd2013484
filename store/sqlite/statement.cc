#include "store/sqlite/statement.h"

#include <sqlite3.h>

#include <limits>

namespace schakel::store::sqlite {

fhir::Result<Statement> Statement::Prepare(Connection& db, std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return fhir::Status::Internal("database error: statement too long");
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) return db.Error(rc, "preparing a search");
  if (raw == nullptr) return fhir::Status::Internal("database error: empty statement");
  return Statement(&db, raw);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

Statement::~Statement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
}

fhir::Status Statement::BindAll(const std::vector<SqlValue>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int index = static_cast<int>(i + 1);
    const SqlValue& v = values[i];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(statement_, index);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(statement_, index, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(statement_, index, *d);
    } else {
      const std::string& s = std::get<std::string>(v);
      rc =
          sqlite3_bind_text64(statement_, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return db_->Error(rc, "binding a search value");
  }
  return fhir::Status::Ok();
}

fhir::Result<bool> Statement::Step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "running a search");
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(statement_, column);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string_view Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  int size = sqlite3_column_bytes(statement_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::string_view Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(statement_, column);
  int size = sqlite3_column_bytes(statement_, column);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob), static_cast<std::size_t>(size)};
}

SqlValue Statement::Column(int column) const {
  switch (sqlite3_column_type(statement_, column)) {
    case SQLITE_INTEGER:
      return ColumnInt64(column);
    case SQLITE_FLOAT:
      return ColumnDouble(column);
    case SQLITE_NULL:
      return nullptr;
    default:
      return std::string(ColumnText(column));
  }
}

fhir::Result<std::vector<std::string>> Statement::QueryPlan(Connection& db, std::string_view sql,
                                                            const std::vector<SqlValue>& values) {
  fhir::Result<Statement> plan = Prepare(db, "EXPLAIN QUERY PLAN " + std::string(sql));
  if (!plan.ok()) return plan.status();
  SCHAKEL_RETURN_IF_ERROR(plan->BindAll(values));
  std::vector<std::string> lines;
  while (true) {
    fhir::Result<bool> row = plan->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    lines.emplace_back(plan->ColumnText(3));
  }
  return lines;
}

}  // namespace schakel::store::sqlite
