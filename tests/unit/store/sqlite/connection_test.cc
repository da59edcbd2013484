// The SQLite handle wrappers: error mapping, the statement cache, binding.
#include "store/sqlite/connection.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store::sqlite {
namespace {

TEST(SqliteConnectionTest, StatusFromSqlite) {
  struct Case {
    int rc;
    fhir::Code code;
    fhir::IssueType type;
  };
  const Case cases[] = {
      {SQLITE_BUSY, fhir::Code::kUnavailable, fhir::IssueType::kTooCostly},
      {SQLITE_BUSY_SNAPSHOT, fhir::Code::kUnavailable, fhir::IssueType::kTooCostly},
      {SQLITE_LOCKED, fhir::Code::kUnavailable, fhir::IssueType::kTooCostly},
      {SQLITE_FULL, fhir::Code::kUnavailable, fhir::IssueType::kTransient},
      {SQLITE_IOERR, fhir::Code::kUnavailable, fhir::IssueType::kTransient},
      {SQLITE_IOERR_FSYNC, fhir::Code::kUnavailable, fhir::IssueType::kTransient},
      {SQLITE_CANTOPEN, fhir::Code::kUnavailable, fhir::IssueType::kTransient},
      {SQLITE_ERROR, fhir::Code::kInternal, fhir::IssueType::kException},
      {SQLITE_CONSTRAINT_UNIQUE, fhir::Code::kInternal, fhir::IssueType::kException},
      {SQLITE_CORRUPT, fhir::Code::kInternal, fhir::IssueType::kException},
      {SQLITE_NOTADB, fhir::Code::kInternal, fhir::IssueType::kException},
      {SQLITE_MISUSE, fhir::Code::kInternal, fhir::IssueType::kException},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rc);
    fhir::Status status = StatusFromSqlite(c.rc, "reading Patient/1", "the message");
    EXPECT_EQ(status.code(), c.code);
    ASSERT_EQ(status.issues().size(), 1U);
    EXPECT_EQ(status.issues()[0].type, c.type);
    EXPECT_NE(status.message().find("reading Patient/1: the message"), std::string_view::npos)
        << status.message();
  }
}

class SqliteConnectionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fhir::Result<std::unique_ptr<Connection>> db =
        Connection::Open(dir_.File("c.db"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }

  TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(SqliteConnectionCacheTest, ReusesStatementsPerText) {
  for (int i = 0; i < 3; ++i) {
    fhir::Result<std::int64_t> value = db_->QueryInt64("SELECT 40 + 2");
    ASSERT_TRUE(value.ok()) << value.status().ToString();
    EXPECT_EQ(*value, 42);
  }
  EXPECT_EQ(db_->cached_statements(), 1U);
  ASSERT_TRUE(db_->QueryInt64("SELECT 1").ok());
  EXPECT_EQ(db_->cached_statements(), 2U);
}

TEST_F(SqliteConnectionCacheTest, RefusesASecondUseOfABusyStatement) {
  fhir::Result<CachedStatement> first = db_->Prepare("SELECT 1");
  ASSERT_TRUE(first.ok());
  fhir::Result<CachedStatement> second = db_->Prepare("SELECT 1");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), fhir::Code::kInternal);
}

TEST_F(SqliteConnectionCacheTest, EndingAUseResetsTheStatement) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)").ok());
  for (int i = 0; i < 2; ++i) {
    // Stop after the first row: the next use must start from the beginning again, unbound.
    fhir::Result<CachedStatement> statement = db_->Prepare("SELECT x, ?1 FROM t ORDER BY x");
    ASSERT_TRUE(statement.ok());
    if (i == 0) statement->Bind(1, std::int64_t{7});
    fhir::Result<bool> row = statement->Step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ(statement->ColumnInt64(0), 1);
    EXPECT_EQ(statement->ColumnIsNull(1), i == 1);
  }
}

TEST_F(SqliteConnectionCacheTest, BindsTextAndBlobsExactly) {
  fhir::Result<CachedStatement> statement =
      db_->Prepare("SELECT ?1 IS NULL, length(?1), typeof(?2), ?2, ?3 IS NULL");
  ASSERT_TRUE(statement.ok());
  const std::string bytes("a\0b", 3);
  statement->Bind(1, std::string_view());  // empty, not NULL
  statement->BindBlob(2, bytes);
  statement->BindNull(3);
  fhir::Result<bool> row = statement->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(statement->ColumnInt64(0), 0);
  EXPECT_EQ(statement->ColumnInt64(1), 0);
  EXPECT_EQ(statement->ColumnText(2), "blob");
  EXPECT_EQ(statement->ColumnBlob(3), bytes);
  EXPECT_EQ(statement->ColumnInt64(4), 1);
}

TEST_F(SqliteConnectionCacheTest, ReportsErrorsAsStatus) {
  fhir::Result<CachedStatement> bad = db_->Prepare("SELEC nonsense");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), fhir::Code::kInternal);
  EXPECT_NE(bad.status().message().find("syntax error"), std::string_view::npos);

  // A bind to a parameter that does not exist surfaces at Step().
  fhir::Result<CachedStatement> select = db_->Prepare("SELECT ?1");
  ASSERT_TRUE(select.ok());
  select->Bind(2, std::int64_t{1});
  EXPECT_EQ(select->Step().status().code(), fhir::Code::kInternal);
}

TEST_F(SqliteConnectionCacheTest, UniqueViolationIsInternal) {
  ASSERT_TRUE(db_->Exec("CREATE TABLE u (x INTEGER UNIQUE); INSERT INTO u VALUES (1)").ok());
  fhir::Result<CachedStatement> insert = db_->Prepare("INSERT INTO u VALUES (1)");
  ASSERT_TRUE(insert.ok());
  fhir::Status status = insert->Run();
  EXPECT_EQ(status.code(), fhir::Code::kInternal);
  EXPECT_NE(status.message().find("UNIQUE"), std::string_view::npos) << status.message();
}

}  // namespace
}  // namespace schakel::store::sqlite
