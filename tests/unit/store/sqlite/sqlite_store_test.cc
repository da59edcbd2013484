// Read, vread, create, update, delete and If-Match against a real database file.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "fhir/json/write.h"
#include "fhir/primitives/date_time.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(dir_.File("store.db"), clock_.Function()));
    ASSERT_NE(store_, nullptr);
  }

  fhir::Result<WriteOutcome> Write(WriteRequest request) {
    return store_->WriteAndWait(ctx_, std::move(request));
  }

  TempDir dir_;
  TestClock clock_;
  RequestContext ctx_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CreateThenRead) {
  WriteOutcome created = MustWrite(*store_, CreateRequest("Patient", "p1", PatientNamed("Jansen")));
  EXPECT_TRUE(created.created);
  EXPECT_TRUE(created.changed);
  EXPECT_EQ(created.version.type, "Patient");
  EXPECT_EQ(created.version.id, "p1");
  EXPECT_EQ(created.version.version, 1);
  EXPECT_GT(created.version.sequence, 0);
  EXPECT_EQ(created.version.last_updated_ms, TestClock::kStart);
  EXPECT_FALSE(created.version.deleted);
  EXPECT_EQ(created.version.method, WriteMethod::kCreate);

  fhir::Result<ResourceVersion> read = store_->Read(ctx_, "Patient", "p1");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(read->sequence, created.version.sequence);
  EXPECT_EQ(read->last_updated_ms, TestClock::kStart);
  EXPECT_EQ(read->method, WriteMethod::kCreate);
  // The callback's bytes are exactly the stored bytes.
  EXPECT_EQ(read->json, created.version.json);
  EXPECT_EQ(read->json,
            R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":")" +
                fhir::FormatInstant(TestClock::kStart) + R"("},"name":[{"family":"Jansen"}]})");
}

TEST_F(SqliteStoreTest, ReadOfUnknownResourceIsNotFound) {
  fhir::Result<ResourceVersion> read = store_->Read(ctx_, "Patient", "nobody");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), fhir::Code::kNotFound);
  EXPECT_NE(read.status().message().find("Patient/nobody"), std::string_view::npos);

  MustWrite(*store_, CreateRequest("Patient", "p1"));
  // Same id, other type: still unknown.
  EXPECT_EQ(store_->Read(ctx_, "Observation", "p1").status().code(), fhir::Code::kNotFound);
}

TEST_F(SqliteStoreTest, StampingKeepsOtherMetaContent) {
  fhir::json::Value resource = Json(R"({"resourceType":"Patient","id":"client-chosen",
      "meta":{"versionId":"42","lastUpdated":"2001-01-01T00:00:00Z","profile":["http://example.org/p"],
              "tag":[{"system":"http://example.org/t","code":"x"}],"source":"#abc"},
      "active":true,"birthDate":"1970-01-01"})");
  clock_.Set(TestClock::kStart + 123);
  WriteOutcome outcome = MustWrite(*store_, UpdateRequest("Patient", "p1", std::nullopt, resource));
  EXPECT_EQ(outcome.version.json,
            R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":")" +
                fhir::FormatInstant(TestClock::kStart + 123) +
                R"(","profile":["http://example.org/p"],"tag":[{"system":"http://example.org/t",)"
                R"("code":"x"}],"source":"#abc"},"active":true,"birthDate":"1970-01-01"})");
}

TEST_F(SqliteStoreTest, UpdateAddsVersionsAndKeepsOldOnes) {
  MustWrite(*store_, CreateRequest("Patient", "p1", PatientNamed("One")));
  clock_.Set(TestClock::kStart + 1000);
  WriteOutcome second =
      MustWrite(*store_, UpdateRequest("Patient", "p1", std::nullopt, PatientNamed("Two")));
  EXPECT_FALSE(second.created);
  EXPECT_TRUE(second.changed);
  EXPECT_EQ(second.version.version, 2);
  EXPECT_EQ(second.version.method, WriteMethod::kUpdate);
  EXPECT_EQ(second.version.last_updated_ms, TestClock::kStart + 1000);

  fhir::Result<ResourceVersion> current = store_->Read(ctx_, "Patient", "p1");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2);
  EXPECT_NE(current->json.find("Two"), std::string::npos);

  fhir::Result<ResourceVersion> first = store_->ReadVersion(ctx_, "Patient", "p1", 1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(first->last_updated_ms, TestClock::kStart);
  EXPECT_NE(first->json.find("One"), std::string::npos);
  EXPECT_NE(first->json.find(R"("versionId":"1")"), std::string::npos);
  EXPECT_LT(first->sequence, current->sequence);

  fhir::Result<ResourceVersion> missing = store_->ReadVersion(ctx_, "Patient", "p1", 3);
  EXPECT_EQ(missing.status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->ReadVersion(ctx_, "Patient", "nobody", 1).status().code(),
            fhir::Code::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateOfMissingResourceCreatesIt) {
  WriteOutcome outcome = MustWrite(*store_, UpdateRequest("Patient", "new"));
  EXPECT_TRUE(outcome.created);
  EXPECT_EQ(outcome.version.version, 1);
  EXPECT_EQ(outcome.version.method, WriteMethod::kUpdate);
  fhir::Result<ResourceVersion> read = store_->Read(ctx_, "Patient", "new");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->method, WriteMethod::kUpdate);
}

TEST_F(SqliteStoreTest, DeleteAddsDeletedVersionAndUpdateResurrects) {
  MustWrite(*store_, CreateRequest("Patient", "p1"));

  WriteOutcome deleted = MustWrite(*store_, DeleteRequest("Patient", "p1"));
  EXPECT_TRUE(deleted.changed);
  EXPECT_FALSE(deleted.created);
  EXPECT_EQ(deleted.version.version, 2);
  EXPECT_TRUE(deleted.version.deleted);
  EXPECT_EQ(deleted.version.method, WriteMethod::kDelete);
  EXPECT_TRUE(deleted.version.json.empty());

  fhir::Result<ResourceVersion> read = store_->Read(ctx_, "Patient", "p1");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->deleted);
  EXPECT_EQ(read->version, 2);
  EXPECT_TRUE(read->json.empty());
  EXPECT_EQ(read->sequence, deleted.version.sequence);
  // The version before the delete is still there.
  fhir::Result<ResourceVersion> first = store_->ReadVersion(ctx_, "Patient", "p1", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->deleted);
  EXPECT_FALSE(first->json.empty());

  // Deleting again changes nothing and reports the deleted marker.
  WriteOutcome again = MustWrite(*store_, DeleteRequest("Patient", "p1"));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(again.version.version, 2);
  EXPECT_TRUE(again.version.deleted);
  EXPECT_EQ(again.version.sequence, deleted.version.sequence);

  // An update brings it back as a new resource with the next version.
  WriteOutcome resurrected = MustWrite(*store_, UpdateRequest("Patient", "p1"));
  EXPECT_TRUE(resurrected.created);
  EXPECT_EQ(resurrected.version.version, 3);
  EXPECT_FALSE(resurrected.version.deleted);
  fhir::Result<ResourceVersion> back = store_->Read(ctx_, "Patient", "p1");
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->deleted);
  EXPECT_EQ(back->version, 3);
}

TEST_F(SqliteStoreTest, DeleteOfUnknownResourceChangesNothing) {
  WriteOutcome outcome = MustWrite(*store_, DeleteRequest("Patient", "nobody"));
  EXPECT_FALSE(outcome.changed);
  EXPECT_FALSE(outcome.created);
  EXPECT_EQ(outcome.version.type, "Patient");
  EXPECT_EQ(outcome.version.id, "nobody");
  EXPECT_EQ(outcome.version.version, 0);
  EXPECT_EQ(store_->Read(ctx_, "Patient", "nobody").status().code(), fhir::Code::kNotFound);
  fhir::Result<bool> empty = store_->IsEmpty(ctx_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(*empty);
}

TEST_F(SqliteStoreTest, CreateOfExistingIdConflictsInAnyState) {
  MustWrite(*store_, CreateRequest("Patient", "live"));
  MustWrite(*store_, CreateRequest("Patient", "gone"));
  MustWrite(*store_, DeleteRequest("Patient", "gone"));
  for (const char* id : {"live", "gone"}) {
    SCOPED_TRACE(id);
    fhir::Result<WriteOutcome> outcome = Write(CreateRequest("Patient", id));
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.status().code(), fhir::Code::kConflict);
    EXPECT_NE(outcome.status().message().find(std::string("Patient/") + id),
              std::string_view::npos);
  }
  // The failed creates wrote nothing.
  EXPECT_EQ(store_->Read(ctx_, "Patient", "live")->version, 1);
  EXPECT_EQ(store_->Read(ctx_, "Patient", "gone")->version, 2);
}

TEST_F(SqliteStoreTest, IfMatch) {
  struct Case {
    const char* name;
    int existing_versions;  // 0: the resource does not exist
    bool last_is_delete;
    WriteKind kind;
    std::int64_t if_match;
    fhir::Code expected;
    std::int64_t expected_version;      // on success
    const char* expected_message_part;  // on failure
  };
  const Case cases[] = {
      {"update matching", 1, false, WriteKind::kUpdate, 1, fhir::Code::kOk, 2, ""},
      {"update stale", 2, false, WriteKind::kUpdate, 1, fhir::Code::kPreconditionFailed, 0,
       "expects version 1 of Patient/r, but the current version is 2"},
      {"update ahead", 1, false, WriteKind::kUpdate, 5, fhir::Code::kPreconditionFailed, 0,
       "expects version 5 of Patient/r, but the current version is 1"},
      {"update missing", 0, false, WriteKind::kUpdate, 1, fhir::Code::kPreconditionFailed, 0,
       "expects version 1 of Patient/r, which does not exist"},
      {"update of deleted, matching the marker", 2, true, WriteKind::kUpdate, 2, fhir::Code::kOk, 3,
       ""},
      {"delete matching", 3, false, WriteKind::kDelete, 3, fhir::Code::kOk, 4, ""},
      {"delete stale", 3, false, WriteKind::kDelete, 2, fhir::Code::kPreconditionFailed, 0,
       "but the current version is 3"},
      {"delete missing", 0, false, WriteKind::kDelete, 1, fhir::Code::kPreconditionFailed, 0,
       "which does not exist"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    // A fresh store per case: the resource is always Patient/r.
    TempDir dir;
    std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(dir.File("c.db"), clock_.Function()));
    ASSERT_NE(store, nullptr);
    for (int v = 1; v <= c.existing_versions; ++v) {
      if (v == c.existing_versions && c.last_is_delete) {
        MustWrite(*store, DeleteRequest("Patient", "r"));
      } else {
        MustWrite(*store, UpdateRequest("Patient", "r"));
      }
    }
    WriteRequest request = c.kind == WriteKind::kDelete ? DeleteRequest("Patient", "r", c.if_match)
                                                        : UpdateRequest("Patient", "r", c.if_match);
    fhir::Result<WriteOutcome> outcome = store->WriteAndWait(ctx_, std::move(request));
    if (c.expected == fhir::Code::kOk) {
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      EXPECT_EQ(outcome->version.version, c.expected_version);
    } else {
      ASSERT_FALSE(outcome.ok());
      EXPECT_EQ(outcome.status().code(), c.expected);
      EXPECT_NE(outcome.status().message().find(c.expected_message_part), std::string_view::npos)
          << outcome.status().message();
      // Nothing was written.
      fhir::Result<ResourceVersion> current = store->Read(ctx_, "Patient", "r");
      if (c.existing_versions == 0) {
        EXPECT_EQ(current.status().code(), fhir::Code::kNotFound);
      } else {
        ASSERT_TRUE(current.ok());
        EXPECT_EQ(current->version, c.existing_versions);
      }
    }
  }
}

TEST_F(SqliteStoreTest, RefusesResourceOfAnotherTypeOrNotAnObject) {
  fhir::Result<WriteOutcome> wrong_type =
      Write(UpdateRequest("Observation", "o1", std::nullopt, PatientNamed("x")));
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().code(), fhir::Code::kInvalidInput);

  WriteRequest not_object = CreateRequest("Patient", "p1");
  not_object.resource = fhir::json::Value::String("Patient");
  fhir::Result<WriteOutcome> outcome = Write(std::move(not_object));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), fhir::Code::kInvalidInput);

  fhir::Result<bool> empty = store_->IsEmpty(ctx_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(*empty);
}

TEST_F(SqliteStoreTest, SequenceIncreasesAcrossAllResources) {
  const std::pair<const char*, const char*> writes[] = {
      {"Patient", "a"}, {"Observation", "a"}, {"Patient", "b"}, {"Patient", "a"}};
  std::int64_t previous = 0;
  for (const auto& [type, id] : writes) {
    WriteOutcome outcome = MustWrite(*store_, UpdateRequest(type, id));
    EXPECT_GT(outcome.version.sequence, previous);
    previous = outcome.version.sequence;
  }
  EXPECT_EQ(store_->Read(ctx_, "Patient", "a")->version, 2);
  EXPECT_EQ(store_->Read(ctx_, "Observation", "a")->version, 1);
}

TEST_F(SqliteStoreTest, IsEmptyUntilFirstWrite) {
  fhir::Result<bool> empty = store_->IsEmpty(ctx_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(*empty);
  MustWrite(*store_, CreateRequest("Patient", "p1"));
  empty = store_->IsEmpty(ctx_);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(*empty);
}

TEST_F(SqliteStoreTest, LastUpdatedNeverGoesBackwards) {
  clock_.Set(TestClock::kStart + 5000);
  MustWrite(*store_, UpdateRequest("Patient", "p1"));
  clock_.Set(TestClock::kStart + 3000);  // the clock steps back
  WriteOutcome outcome = MustWrite(*store_, UpdateRequest("Patient", "p1"));
  EXPECT_EQ(outcome.version.last_updated_ms, TestClock::kStart + 5000);
  EXPECT_NE(outcome.version.json.find(fhir::FormatInstant(TestClock::kStart + 5000)),
            std::string::npos);
  clock_.Set(TestClock::kStart + 6000);
  EXPECT_EQ(MustWrite(*store_, UpdateRequest("Patient", "p1")).version.last_updated_ms,
            TestClock::kStart + 6000);
}

}  // namespace
}  // namespace schakel::store
