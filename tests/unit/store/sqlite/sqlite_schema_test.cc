// The schema as search relies on it (tables, columns, indexes, query plans of the writer's
// index statements), and the migration of a version 1 file to the current version.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

// Version 1 exactly as released (store/sqlite/schema.cc, kSchemaV1): the files in the field.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE resource_version (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  superseded_at INTEGER,
  deleted INTEGER NOT NULL,
  method INTEGER NOT NULL,
  body BLOB,
  UNIQUE (type, id, version)
);
CREATE INDEX resource_version_by_type ON resource_version (type);
CREATE INDEX resource_version_by_time ON resource_version (last_updated);
CREATE TABLE resource_current (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID;
)sql";

// A version 1 database with a little history, as the version 1 writer left it:
//   seq 1 Patient/a v1, 2 Observation/o v1, 3 Patient/a v2, 4 Patient/b v1, 5 Patient/b v2
//   (deleted), 6 Observation/o v2. Creation order: Patient/a, Observation/o, Patient/b.
constexpr const char* kVersion1Rows = R"sql(
INSERT INTO resource_version (seq, type, id, version, last_updated, superseded_at, deleted, method, body) VALUES
  (1, 'Patient', 'a', 1, 1000, 3000, 0, 0, '{"resourceType":"Patient","id":"a","meta":{"versionId":"1"}}'),
  (2, 'Observation', 'o', 1, 2000, 6000, 0, 0, '{"resourceType":"Observation","id":"o","meta":{"versionId":"1"}}'),
  (3, 'Patient', 'a', 2, 3000, NULL, 0, 1, '{"resourceType":"Patient","id":"a","meta":{"versionId":"2"}}'),
  (4, 'Patient', 'b', 1, 4000, 5000, 0, 1, '{"resourceType":"Patient","id":"b","meta":{"versionId":"1"}}'),
  (5, 'Patient', 'b', 2, 5000, NULL, 1, 2, NULL),
  (6, 'Observation', 'o', 2, 6000, NULL, 0, 1, '{"resourceType":"Observation","id":"o","meta":{"versionId":"2"}}');
INSERT INTO resource_current (type, id, version, seq, deleted) VALUES
  ('Observation', 'o', 2, 6, 0), ('Patient', 'a', 2, 3, 0), ('Patient', 'b', 2, 5, 1);
PRAGMA application_id = 1396918347;
PRAGMA user_version = 1;
)sql";

std::string One(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows = QueryRows(path, sql);
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.empty() ? "" : rows[0];
}

TEST(SqliteSchemaTest, MigratesAVersion1File) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    fhir::Result<std::unique_ptr<sqlite::Connection>> db =
        sqlite::Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec(kSchemaV1).ok());
    fhir::Status inserted = (*db)->Exec(kVersion1Rows);
    ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  }
  ASSERT_EQ(sqlite::kApplicationId, 1396918347);
  const std::vector<std::string> versions_before =
      QueryRows(path, "SELECT * FROM resource_version ORDER BY seq");
  ASSERT_EQ(versions_before.size(), 6u);

  TestClock clock;
  clock.Set(10'000);
  std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, clock.Function()));
  ASSERT_NE(store, nullptr);

  EXPECT_EQ(One(path, "PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(One(path, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(One(path, "SELECT count(*) FROM sqlite_master WHERE name = 'resource_current'"), "0");
  // Every version intact; rids in creation order, each pointing at the current version with
  // that version's last_updated.
  EXPECT_EQ(QueryRows(path, "SELECT * FROM resource_version ORDER BY seq"), versions_before);
  EXPECT_EQ(QueryRows(path,
                      "SELECT rid, type, id, version, seq, deleted, last_updated "
                      "FROM resource ORDER BY rid"),
            (std::vector<std::string>{"1|Patient|a|2|3|0|3000", "2|Observation|o|2|6|0|6000",
                                      "3|Patient|b|2|5|1|5000"}));

  // The store reads and writes the migrated file as its own.
  fhir::Result<ResourceVersion> a = store->Read(RequestContext{}, "Patient", "a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->version, 2);
  EXPECT_EQ(a->sequence, 3);
  EXPECT_TRUE(store->Read(RequestContext{}, "Patient", "b")->deleted);
  HistoryQuery history;
  history.type = "Observation";
  history.id = "o";
  EXPECT_EQ(store->History(RequestContext{}, history)->entries.size(), 2u);

  WriteOutcome updated = MustWrite(*store, UpdateRequest("Patient", "a"));
  EXPECT_EQ(updated.version.version, 3);
  EXPECT_EQ(updated.version.sequence, 7);
  MustWrite(*store, CreateRequest("Patient", "c"));
  EXPECT_EQ(QueryRows(path,
                      "SELECT rid, id, version FROM resource WHERE type = 'Patient' "
                      "ORDER BY rid"),
            (std::vector<std::string>{"1|a|3", "3|b|2", "4|c|1"}));

  // Reopening finds the current version and does nothing more.
  store.reset();
  store = OpenOrDie(OptionsFor(path, clock.Function()));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(One(path, "SELECT count(*) FROM resource"), "4");
}

// The query compiler is written against these names; a change here must change it too.
TEST(SqliteSchemaTest, IndexTablesAndTheirIndexes) {
  TempDir dir;
  const std::string path = dir.File("schema.db");
  { OpenOrDie(OptionsFor(path, FixedClock())); }

  struct Table {
    const char* name;
    const char* columns;
  };
  const Table tables[] = {
      {"resource", "rid,type,id,version,seq,deleted,last_updated"},
      {"idx_string", "rid,type,param,norm,exact"},
      {"idx_token", "rid,type,param,system,code,text,type_system,type_code"},
      {"idx_date", "rid,type,param,low,high"},
      {"idx_number", "rid,type,param,value"},
      {"idx_quantity", "rid,type,param,value,system,code,unit,canon_value,canon_unit"},
      {"idx_reference",
       "rid,type,param,target_type,target_id,target_version,url,ident_system,ident_value"},
      {"idx_uri", "rid,type,param,value"},
      {"idx_composite",
       "rid,type,param,c1_system,c1_code,c1_low,c1_high,c2_system,c2_code,c2_low,c2_high,"
       "c3_system,c3_code,c3_low,c3_high"},
  };
  for (const Table& table : tables) {
    SCOPED_TRACE(table.name);
    EXPECT_EQ(One(path, std::string("SELECT group_concat(name, ',') FROM (SELECT name FROM "
                                    "pragma_table_info('") +
                            table.name + "') ORDER BY cid)"),
              table.columns);
  }

  struct Index {
    const char* name;
    const char* table;
    const char* columns;
  };
  const Index indexes[] = {
      {"resource_by_type", "resource", "type,deleted"},
      {"resource_by_updated", "resource", "type,last_updated"},
      {"idx_string_by_rid", "idx_string", "rid"},
      {"idx_string_by_norm", "idx_string", "type,param,norm,rid"},
      {"idx_token_by_rid", "idx_token", "rid"},
      {"idx_token_by_code", "idx_token", "type,param,code,system,rid"},
      {"idx_date_by_rid", "idx_date", "rid"},
      {"idx_date_by_low", "idx_date", "type,param,low,high,rid"},
      {"idx_date_by_high", "idx_date", "type,param,high,low,rid"},
      {"idx_number_by_rid", "idx_number", "rid"},
      {"idx_number_by_value", "idx_number", "type,param,value,rid"},
      {"idx_quantity_by_rid", "idx_quantity", "rid"},
      {"idx_quantity_by_code", "idx_quantity", "type,param,code,value"},
      {"idx_quantity_by_canon", "idx_quantity", "type,param,canon_unit,canon_value,rid"},
      {"idx_reference_by_rid", "idx_reference", "rid"},
      {"idx_reference_by_target", "idx_reference", "type,param,target_id,target_type,rid"},
      {"idx_reference_to", "idx_reference", "target_type,target_id"},
      {"idx_reference_by_url", "idx_reference", "type,param,url"},
      {"idx_uri_by_rid", "idx_uri", "rid"},
      {"idx_uri_by_value", "idx_uri", "type,param,value,rid"},
      {"idx_composite_by_rid", "idx_composite", "rid"},
      {"idx_composite_by_c1", "idx_composite", "type,param,c1_code"},
  };
  for (const Index& index : indexes) {
    SCOPED_TRACE(index.name);
    EXPECT_EQ(One(path, std::string("SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND "
                                    "name = '") +
                            index.name + "'"),
              index.table);
    EXPECT_EQ(One(path, std::string("SELECT group_concat(name, ',') FROM (SELECT name FROM "
                                    "pragma_index_info('") +
                            index.name + "') ORDER BY seqno)"),
              index.columns);
  }
  // No index beyond these (and the automatic ones of UNIQUE constraints).
  EXPECT_EQ(One(path,
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                "(tbl_name = 'resource' OR tbl_name LIKE 'idx\\_%' ESCAPE '\\') AND "
                "name NOT LIKE 'sqlite_autoindex_%'"),
            std::to_string(std::size(indexes)));
}

// The writer's statements on the index tables and the resource row are index lookups, never scans.
TEST(SqliteSchemaTest, WriterStatementsUseIndexes) {
  TempDir dir;
  const std::string path = dir.File("plans.db");
  { OpenOrDie(OptionsFor(path, FixedClock())); }
  struct Plan {
    const char* sql;
    const char* expected;  // a part of EXPLAIN QUERY PLAN's detail
  };
  const Plan plans[] = {
      {"DELETE FROM idx_string WHERE rid = 1", "USING INDEX idx_string_by_rid (rid=?)"},
      {"DELETE FROM idx_token WHERE rid = 1", "USING INDEX idx_token_by_rid (rid=?)"},
      {"DELETE FROM idx_date WHERE rid = 1", "USING INDEX idx_date_by_rid (rid=?)"},
      {"DELETE FROM idx_number WHERE rid = 1", "USING INDEX idx_number_by_rid (rid=?)"},
      {"DELETE FROM idx_quantity WHERE rid = 1", "USING INDEX idx_quantity_by_rid (rid=?)"},
      {"DELETE FROM idx_reference WHERE rid = 1", "USING INDEX idx_reference_by_rid (rid=?)"},
      {"DELETE FROM idx_uri WHERE rid = 1", "USING INDEX idx_uri_by_rid (rid=?)"},
      {"DELETE FROM idx_composite WHERE rid = 1", "USING INDEX idx_composite_by_rid (rid=?)"},
      {"SELECT rid, version, seq, deleted FROM resource WHERE type = 'P' AND id = 'a'",
       "USING INDEX sqlite_autoindex_resource_1 (type=? AND id=?)"},
      {"SELECT seq, deleted FROM resource WHERE rid = 1", "USING INTEGER PRIMARY KEY (rowid=?)"},
      {"SELECT rid FROM resource WHERE type = 'P' AND deleted = 0 AND rid > 5 ORDER BY rid",
       "USING COVERING INDEX resource_by_type (type=? AND deleted=? AND rowid>?)"},
  };
  for (const Plan& plan : plans) {
    SCOPED_TRACE(plan.sql);
    std::vector<std::string> rows = QueryRows(path, std::string("EXPLAIN QUERY PLAN ") + plan.sql);
    std::string all;
    for (const std::string& row : rows) all += row + "\n";
    EXPECT_NE(all.find(plan.expected), std::string::npos) << all;
    EXPECT_EQ(all.find("SCAN"), std::string::npos) << all;
    EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace schakel::store
