// Opening, reopening and migrating database files, and refusing the ones we must not touch.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

// A plain read-write connection to poke at a file behind the store's back.
std::unique_ptr<sqlite::Connection> RawConnection(const std::string& path) {
  fhir::Result<std::unique_ptr<sqlite::Connection>> db =
      sqlite::Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

std::int64_t QueryInt(const std::string& path, const char* sql) {
  std::unique_ptr<sqlite::Connection> db = RawConnection(path);
  if (db == nullptr) return -1;
  fhir::Result<std::int64_t> value = db->QueryInt64(sql);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? *value : -1;
}

std::string QueryText(const std::string& path, const char* sql) {
  std::unique_ptr<sqlite::Connection> db = RawConnection(path);
  if (db == nullptr) return "";
  fhir::Result<sqlite::CachedStatement> statement = db->Prepare(sql);
  EXPECT_TRUE(statement.ok()) << statement.status().ToString();
  if (!statement.ok()) return "";
  fhir::Result<bool> row = statement->Step();
  EXPECT_TRUE(row.ok() && *row);
  return row.ok() && *row ? std::string(statement->ColumnText(0)) : "";
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(SqliteOpenTest, EverythingSurvivesCloseAndReopen) {
  TempDir dir;
  TestClock clock;
  const std::string path = dir.File("durable.db");
  std::vector<ResourceVersion> written;
  {
    std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, clock.Function()));
    ASSERT_NE(store, nullptr);
    written.push_back(MustWrite(*store, CreateRequest("Patient", "a", PatientNamed("A"))).version);
    clock.Set(TestClock::kStart + 10);
    written.push_back(MustWrite(*store, UpdateRequest("Patient", "a")).version);
    written.push_back(MustWrite(*store, CreateRequest("Patient", "b")).version);
    written.push_back(MustWrite(*store, DeleteRequest("Patient", "b")).version);
    // Queued without waiting: the destructor's Close() must still write them.
    for (int i = 0; i < 20; ++i) {
      store->Write(RequestContext{},
                   CreateRequest("Observation", std::string("o") + std::to_string(i)),
                   [](const fhir::Result<WriteOutcome>&) {});
    }
  }

  clock.Set(TestClock::kStart - 60'000);  // the clock stepped back while we were down
  std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, clock.Function()));
  ASSERT_NE(store, nullptr);
  for (const ResourceVersion& expected : written) {
    SCOPED_TRACE(expected.type + "/" + expected.id + "/" + std::to_string(expected.version));
    fhir::Result<ResourceVersion> read =
        store->ReadVersion(RequestContext{}, expected.type, expected.id, expected.version);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(read->sequence, expected.sequence);
    EXPECT_EQ(read->last_updated_ms, expected.last_updated_ms);
    EXPECT_EQ(read->deleted, expected.deleted);
    EXPECT_EQ(read->method, expected.method);
    EXPECT_EQ(read->json, expected.json);
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(
        store->Read(RequestContext{}, "Observation", std::string("o") + std::to_string(i)).ok())
        << i;
  }
  EXPECT_TRUE(store->Read(RequestContext{}, "Patient", "b")->deleted);

  // New writes continue the sequence, the versions, and time.
  HistoryQuery newest;
  newest.count = 1;
  fhir::Result<HistoryPage> before = store->History(RequestContext{}, newest);
  ASSERT_TRUE(before.ok());
  WriteOutcome next = MustWrite(*store, UpdateRequest("Patient", "a"));
  EXPECT_EQ(next.version.version, 3);
  EXPECT_GT(next.version.sequence, before->entries.at(0).sequence);
  EXPECT_EQ(next.version.last_updated_ms, TestClock::kStart + 10);
}

TEST(SqliteOpenTest, MigrationIsIdempotentOnReopen) {
  TempDir dir;
  TestClock clock;
  const std::string path = dir.File("schema.db");
  const char* kObjects = "SELECT count(*) FROM sqlite_master";
  std::int64_t objects = 0;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    {
      std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, clock.Function()));
      ASSERT_NE(store, nullptr);
      MustWrite(*store, UpdateRequest("Patient", "p"));
    }
    EXPECT_EQ(QueryInt(path, "PRAGMA user_version"), sqlite::LatestSchemaVersion());
    EXPECT_EQ(QueryInt(path, "PRAGMA application_id"), sqlite::kApplicationId);
    EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
    if (round == 0) objects = QueryInt(path, kObjects);
    EXPECT_EQ(QueryInt(path, kObjects), objects);
    EXPECT_EQ(QueryInt(path, "SELECT max(version) FROM resource_version"), round + 1);
  }
  EXPECT_GT(objects, 0);
}

TEST(SqliteOpenTest, EmptyFileGetsTheSchema) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  std::ofstream(path).close();  // zero bytes: SQLite treats it as a new database
  std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, FixedClock()));
  ASSERT_NE(store, nullptr);
  fhir::Result<bool> empty = store->IsEmpty(RequestContext{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(*empty);
}

TEST(SqliteOpenTest, RefusesFilesItMustNotUse) {
  TempDir dir;
  struct Case {
    const char* name;
    // Prepares the file at `path` (or not); returns the path to open.
    std::function<std::string(const std::string& path)> prepare;
    fhir::Code code;
    const char* message_part;
  };
  const Case cases[] = {
      {"newer schema version",
       [](const std::string& path) {
         { OpenOrDie(OptionsFor(path, FixedClock())); }
         std::string sql = std::string("PRAGMA user_version = ") +
                           std::to_string(sqlite::LatestSchemaVersion() + 1);
         EXPECT_TRUE(RawConnection(path)->Exec(sql.c_str()).ok());
         return path;
       },
       fhir::Code::kNotSupported, "is newer than this build"},
      {"not a database",
       [](const std::string& path) {
         std::ofstream out(path);
         for (int i = 0; i < 100; ++i) out << "This is a text file, not a database.\n";
         return path;
       },
       fhir::Code::kInternal, "not a database"},
      {"another program's database",
       [](const std::string& path) {
         EXPECT_TRUE(RawConnection(path)->Exec("CREATE TABLE notes (text TEXT)").ok());
         return path;
       },
       fhir::Code::kInvalidInput, "not a Schakel one"},
      {"another program's versioned database",
       [](const std::string& path) {
         EXPECT_TRUE(RawConnection(path)
                         ->Exec("CREATE TABLE notes (text TEXT); PRAGMA user_version = 1")
                         .ok());
         return path;
       },
       fhir::Code::kInvalidInput, "not a Schakel one"},
      {"directory does not exist",
       [](const std::string& path) { return path + ".d/missing/store.db"; },
       fhir::Code::kUnavailable, "unable to open"},
  };
  int i = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = c.prepare(dir.File(std::string("refused") + std::to_string(i++) + ".db"));
    fhir::Result<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(OptionsFor(path, FixedClock()));
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), c.code) << store.status().ToString();
    EXPECT_TRUE(Contains(store.status().message(), c.message_part)) << store.status().message();
    EXPECT_TRUE(Contains(store.status().message(), path)) << store.status().message();
  }
}

TEST(SqliteOpenTest, RefusesNonsenseOptions) {
  TempDir dir;
  struct Case {
    const char* name;
    std::function<void(SqliteOptions&)> change;
  };
  const Case cases[] = {
      {"no path", [](SqliteOptions& o) { o.path.clear(); }},
      {"in-memory", [](SqliteOptions& o) { o.path = ":memory:"; }},
      {"URI", [](SqliteOptions& o) { o.path = "file:x.db?mode=memory"; }},
      {"no readers", [](SqliteOptions& o) { o.read_connections = 0; }},
      {"no batch", [](SqliteOptions& o) { o.max_batch = 0; }},
      {"no queue", [](SqliteOptions& o) { o.max_queue = 0; }},
      {"negative busy timeout", [](SqliteOptions& o) { o.busy_timeout_ms = -1; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SqliteOptions options = OptionsFor(dir.File("options.db"), FixedClock());
    c.change(options);
    EXPECT_EQ(SqliteStore::Open(options).status().code(), fhir::Code::kInvalidInput);
  }
}

TEST(SqliteOpenTest, OpenSqliteStoreGivesTheInterface) {
  TempDir dir;
  SqliteOptions options;  // default clock: the system clock
  options.path = dir.File("interface.db");
  fhir::Result<std::unique_ptr<ResourceStore>> store = OpenSqliteStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteOutcome outcome = MustWrite(**store, CreateRequest("Patient", "p"));
  EXPECT_GT(outcome.version.last_updated_ms, TestClock::kStart);  // a real, recent time
}

// Another process holding the write lock makes writes fail with kUnavailable (HTTP 503) once the
// busy timeout passes, not hang or fail with 500; reads go on (WAL).
TEST(SqliteOpenTest, LockedDatabaseMakesWritesUnavailable) {
  TempDir dir;
  const std::string path = dir.File("locked.db");
  SqliteOptions options = OptionsFor(path, FixedClock());
  options.busy_timeout_ms = 10;
  std::unique_ptr<SqliteStore> store = OpenOrDie(options);
  ASSERT_NE(store, nullptr);
  MustWrite(*store, CreateRequest("Patient", "p"));

  std::unique_ptr<sqlite::Connection> locker = RawConnection(path);
  ASSERT_NE(locker, nullptr);
  ASSERT_TRUE(locker->Exec("BEGIN IMMEDIATE").ok());
  fhir::Result<WriteOutcome> blocked =
      store->WriteAndWait(RequestContext{}, UpdateRequest("Patient", "p"));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), fhir::Code::kUnavailable);
  EXPECT_EQ(blocked.status().issues().at(0).type, fhir::IssueType::kTooCostly);
  EXPECT_TRUE(store->Read(RequestContext{}, "Patient", "p").ok());

  ASSERT_TRUE(locker->Exec("ROLLBACK").ok());
  EXPECT_EQ(MustWrite(*store, UpdateRequest("Patient", "p")).version.version, 2);
}

}  // namespace
}  // namespace schakel::store
