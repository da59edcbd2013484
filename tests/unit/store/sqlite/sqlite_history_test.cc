// History at system, type and instance level, with _since, _at and keyset paging.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

constexpr std::int64_t kT0 = TestClock::kStart;

// "Patient/a/2" for each entry, newest first.
std::vector<std::string> Names(const HistoryPage& page) {
  std::vector<std::string> names;
  for (const ResourceVersion& v : page.entries) {
    names.push_back(v.type + "/" + v.id + "/" + std::to_string(v.version));
  }
  return names;
}

// A fixed story, one write per second after kT0:
//   +1s create Patient/a    +2s create Patient/b   +3s update Patient/a
//   +4s create Observation/o   +5s delete Patient/b   +6s update Patient/a
class SqliteHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(dir_.File("history.db"), clock_.Function()));
    ASSERT_NE(store_, nullptr);
    At(1000, CreateRequest("Patient", "a"));
    At(2000, CreateRequest("Patient", "b"));
    At(3000, UpdateRequest("Patient", "a"));
    At(4000, CreateRequest("Observation", "o"));
    At(5000, DeleteRequest("Patient", "b"));
    At(6000, UpdateRequest("Patient", "a"));
  }

  void At(std::int64_t offset_ms, WriteRequest request) {
    clock_.Set(kT0 + offset_ms);
    MustWrite(*store_, std::move(request));
  }

  HistoryPage MustHistory(const HistoryQuery& query) {
    fhir::Result<HistoryPage> page = store_->History(ctx_, query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? std::move(*page) : HistoryPage{};
  }

  // Every page from the start, following next_before_sequence.
  std::vector<std::vector<std::string>> AllPages(HistoryQuery query) {
    std::vector<std::vector<std::string>> pages;
    while (true) {
      HistoryPage page = MustHistory(query);
      pages.push_back(Names(page));
      if (!page.next_before_sequence) break;
      EXPECT_EQ(*page.next_before_sequence, page.entries.back().sequence);
      query.before_sequence = page.next_before_sequence;
      if (pages.size() > 1000) {
        ADD_FAILURE() << "paging does not end";
        break;
      }
    }
    return pages;
  }

  TempDir dir_;
  TestClock clock_;
  RequestContext ctx_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteHistoryTest, Filters) {
  struct Case {
    const char* name;
    const char* type;
    const char* id;
    std::optional<std::int64_t> since;  // offsets from kT0
    std::optional<std::int64_t> at_begin;
    std::optional<std::int64_t> at_end;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {"system",
       "",
       "",
       {},
       {},
       {},
       {"Patient/a/3", "Patient/b/2", "Observation/o/1", "Patient/a/2", "Patient/b/1",
        "Patient/a/1"}},
      {"type",
       "Patient",
       "",
       {},
       {},
       {},
       {"Patient/a/3", "Patient/b/2", "Patient/a/2", "Patient/b/1", "Patient/a/1"}},
      {"other type", "Observation", "", {}, {}, {}, {"Observation/o/1"}},
      {"type never written", "Encounter", "", {}, {}, {}, {}},
      {"instance", "Patient", "a", {}, {}, {}, {"Patient/a/3", "Patient/a/2", "Patient/a/1"}},
      {"instance of deleted", "Patient", "b", {}, {}, {}, {"Patient/b/2", "Patient/b/1"}},
      {"since is inclusive",
       "",
       "",
       3000,
       {},
       {},
       {"Patient/a/3", "Patient/b/2", "Observation/o/1", "Patient/a/2"}},
      {"since at type level", "Patient", "", 3001, {}, {}, {"Patient/a/3", "Patient/b/2"}},
      {"since at instance level", "Patient", "a", 2000, {}, {}, {"Patient/a/3", "Patient/a/2"}},
      {"since before everything",
       "",
       "",
       -5000,
       {},
       {},
       {"Patient/a/3", "Patient/b/2", "Observation/o/1", "Patient/a/2", "Patient/b/1",
        "Patient/a/1"}},
      {"since after everything", "", "", 7000, {}, {}, {}},
      {"since after everything, instance", "Patient", "a", 7000, {}, {}, {}},
      {"at one instant", "", "", {}, 3500, 3501, {"Patient/a/2", "Patient/b/1"}},
      {"at a range", "", "", {}, 3500, 4500, {"Observation/o/1", "Patient/a/2", "Patient/b/1"}},
      {"at after the last write",
       "",
       "",
       {},
       7000,
       7001,
       {"Patient/a/3", "Patient/b/2", "Observation/o/1"}},
      {"at before the first write", "", "", {}, 0, 1000, {}},
      {"at the first write", "", "", {}, 1000, 1001, {"Patient/a/1"}},
      {"at the instant of an update", "", "", {}, 3000, 3001, {"Patient/a/2", "Patient/b/1"}},
      {"at just before an update", "", "", {}, 2999, 3000, {"Patient/b/1", "Patient/a/1"}},
      {"at, type level", "Observation", "", {}, 3500, 3501, {}},
      {"at, instance level", "Patient", "a", {}, 3500, 3501, {"Patient/a/2"}},
      {"since and at", "", "", 2500, 3500, 3501, {"Patient/a/2"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HistoryQuery query;
    query.type = c.type;
    query.id = c.id;
    if (c.since) query.since_ms = kT0 + *c.since;
    if (c.at_begin) query.at_begin_ms = kT0 + *c.at_begin;
    if (c.at_end) query.at_end_ms = kT0 + *c.at_end;
    query.count = 100;
    HistoryPage page = MustHistory(query);
    EXPECT_EQ(Names(page), c.expected);
    EXPECT_FALSE(page.next_before_sequence);
  }
}

TEST_F(SqliteHistoryTest, EntriesCarryTheStoredVersions) {
  HistoryQuery query;
  query.type = "Patient";
  query.id = "b";
  HistoryPage page = MustHistory(query);
  ASSERT_EQ(page.entries.size(), 2U);
  const ResourceVersion& deleted = page.entries[0];
  EXPECT_TRUE(deleted.deleted);
  EXPECT_TRUE(deleted.json.empty());
  EXPECT_EQ(deleted.method, WriteMethod::kDelete);
  EXPECT_EQ(deleted.last_updated_ms, kT0 + 5000);
  const ResourceVersion& created = page.entries[1];
  EXPECT_FALSE(created.deleted);
  EXPECT_EQ(created.method, WriteMethod::kCreate);
  EXPECT_EQ(created.last_updated_ms, kT0 + 2000);
  fhir::Result<ResourceVersion> vread = store_->ReadVersion(ctx_, "Patient", "b", 1);
  ASSERT_TRUE(vread.ok());
  EXPECT_EQ(created.json, vread->json);
  EXPECT_EQ(created.sequence, vread->sequence);
  EXPECT_GT(deleted.sequence, created.sequence);
}

TEST_F(SqliteHistoryTest, Paging) {
  struct Case {
    const char* name;
    const char* type;
    const char* id;
    std::optional<std::int64_t> since;
    std::size_t count;
    std::vector<std::vector<std::string>> pages;
  };
  const Case cases[] = {
      {"system by two",
       "",
       "",
       {},
       2,
       {{"Patient/a/3", "Patient/b/2"},
        {"Observation/o/1", "Patient/a/2"},
        {"Patient/b/1", "Patient/a/1"}}},
      {"exactly two full pages",
       "",
       "",
       {},
       3,
       {{"Patient/a/3", "Patient/b/2", "Observation/o/1"},
        {"Patient/a/2", "Patient/b/1", "Patient/a/1"}}},
      {"one big page",
       "",
       "",
       {},
       6,
       {{"Patient/a/3", "Patient/b/2", "Observation/o/1", "Patient/a/2", "Patient/b/1",
         "Patient/a/1"}}},
      {"type by two",
       "Patient",
       "",
       {},
       2,
       {{"Patient/a/3", "Patient/b/2"}, {"Patient/a/2", "Patient/b/1"}, {"Patient/a/1"}}},
      {"instance by one",
       "Patient",
       "a",
       {},
       1,
       {{"Patient/a/3"}, {"Patient/a/2"}, {"Patient/a/1"}}},
      {"since by three",
       "",
       "",
       3000,
       3,
       {{"Patient/a/3", "Patient/b/2", "Observation/o/1"}, {"Patient/a/2"}}},
      {"empty", "Encounter", "", {}, 2, {{}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HistoryQuery query;
    query.type = c.type;
    query.id = c.id;
    if (c.since) query.since_ms = kT0 + *c.since;
    query.count = c.count;
    EXPECT_EQ(AllPages(query), c.pages);
  }
}

TEST_F(SqliteHistoryTest, PagesStayStableWhenWritesArriveBetweenThem) {
  HistoryQuery query;
  query.count = 2;
  HistoryPage first = MustHistory(query);
  ASSERT_EQ(Names(first), (std::vector<std::string>{"Patient/a/3", "Patient/b/2"}));
  ASSERT_TRUE(first.next_before_sequence);

  At(7000, UpdateRequest("Patient", "a"));
  At(8000, CreateRequest("Patient", "c"));
  At(9000, UpdateRequest("Patient", "b"));

  query.before_sequence = first.next_before_sequence;
  std::vector<std::vector<std::string>> rest = AllPages(query);
  EXPECT_EQ(rest, (std::vector<std::vector<std::string>>{{"Observation/o/1", "Patient/a/2"},
                                                         {"Patient/b/1", "Patient/a/1"}}));
}

TEST_F(SqliteHistoryTest, ManyPagesHaveNoGapAndNoOverlap) {
  for (int i = 0; i < 60; ++i) {
    At(10'000 + i, UpdateRequest(i % 3 == 0 ? "Observation" : "Patient",
                                 std::string("r") + std::to_string(i % 7)));
  }
  for (const char* type : {"", "Patient", "Observation"}) {
    SCOPED_TRACE(type);
    HistoryQuery all;
    all.type = type;
    all.count = 1000;
    std::vector<std::string> expected = Names(MustHistory(all));

    HistoryQuery paged;
    paged.type = type;
    paged.count = 7;
    std::vector<std::string> got;
    std::set<std::string> seen;
    for (const std::vector<std::string>& page : AllPages(paged)) {
      EXPECT_LE(page.size(), 7U);
      for (const std::string& name : page) {
        EXPECT_TRUE(seen.insert(name).second) << name << " appears twice";
        got.push_back(name);
      }
    }
    EXPECT_EQ(got, expected);
  }
}

TEST_F(SqliteHistoryTest, InstanceHistoryOfUnknownResourceIsNotFound) {
  HistoryQuery query;
  query.type = "Patient";
  query.id = "nobody";
  fhir::Result<HistoryPage> page = store_->History(ctx_, query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), fhir::Code::kNotFound);

  // A known resource whose versions are all filtered out is an empty page, not an error.
  query.id = "a";
  query.since_ms = kT0 + 100'000;
  page = store_->History(ctx_, query);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->entries.empty());
}

TEST_F(SqliteHistoryTest, RejectsMeaninglessQueries) {
  HistoryQuery zero;
  zero.count = 0;
  EXPECT_EQ(store_->History(ctx_, zero).status().code(), fhir::Code::kInvalidInput);

  HistoryQuery id_without_type;
  id_without_type.id = "a";
  EXPECT_EQ(store_->History(ctx_, id_without_type).status().code(), fhir::Code::kInvalidInput);
}

}  // namespace
}  // namespace schakel::store
