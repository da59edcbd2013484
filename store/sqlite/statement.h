// A prepared statement that is not cached: for SQL composed per request (search), where caching
// every distinct text would let clients grow the cache without bound. Finalized on destruction.
// Values bound are copied (SQLITE_TRANSIENT), so temporaries are fine.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fhir/status.h"
#include "store/sqlite/connection.h"

struct sqlite3_stmt;

namespace schakel::store::sqlite {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class Statement {
 public:
  static fhir::Result<Statement> Prepare(Connection& db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds values[i] to parameter i + 1.
  fhir::Status BindAll(const std::vector<SqlValue>& values);

  fhir::Result<bool> Step();

  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;
  std::string_view ColumnText(int column) const;
  std::string_view ColumnBlob(int column) const;
  // The column as a SqlValue of its storage class.
  SqlValue Column(int column) const;

  // EXPLAIN QUERY PLAN of this statement's SQL, one detail line per row (for tests).
  static fhir::Result<std::vector<std::string>> QueryPlan(Connection& db, std::string_view sql,
                                                          const std::vector<SqlValue>& values);

 private:
  Statement(Connection* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}

  Connection* db_;
  sqlite3_stmt* statement_;
};

}  // namespace schakel::store::sqlite
