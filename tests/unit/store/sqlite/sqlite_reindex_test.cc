// Reindexing: every live resource's rows rebuilt from what compute() says now, in batches
// through the writer, with progress; failures counted and their old rows kept; resources written
// meanwhile keep the rows of their own write.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/search/index_values.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

namespace search = fhir::search;

// Two entries that say which generation wrote them, and for which resource.
search::IndexValues Generation(const std::string& generation, const std::string& id) {
  search::IndexValues values;
  values.strings.push_back({"name", generation + " " + id, generation});
  values.tokens.push_back({"identifier", std::nullopt, id, "", std::nullopt, std::nullopt});
  return values;
}

std::string IdOf(std::string_view json) {
  fhir::Result<fhir::json::Value> value = fhir::json::Parse(json);
  if (!value.ok()) return "";
  const std::string* id = value->FindString("id");
  return id != nullptr ? *id : "";
}

// compute() for generation `generation`: reads the id from the stored JSON.
IndexFunction ComputeGeneration(std::string generation) {
  return [generation](std::string_view type,
                      std::string_view json) -> fhir::Result<search::IndexValues> {
    (void)type;
    return Generation(generation, IdOf(json));
  };
}

class SqliteReindexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
    ASSERT_NE(store_, nullptr);
  }

  void Create(const std::string& type, const std::string& id) {
    WriteRequest request = CreateRequest(type, id);
    request.index = Generation("old", id);
    MustWrite(*store_, std::move(request));
  }

  // "type/id=norm" for every idx_string row, sorted.
  std::vector<std::string> Names() {
    return QueryRows(path_,
                     "SELECT r.type || '/' || r.id || '=' || s.norm FROM idx_string s "
                     "JOIN resource r ON r.rid = s.rid ORDER BY 1");
  }
  std::int64_t Count(const std::string& table) {
    return std::stoll(QueryRows(path_, "SELECT count(*) FROM " + table).at(0));
  }

  TempDir dir_;
  const std::string path_ = dir_.File("reindex.db");
  TestClock clock_;
  RequestContext ctx_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteReindexTest, RebuildsEveryLiveResourceInBatches) {
  for (int i = 0; i < 7; ++i) Create("Patient", "p" + std::to_string(i));
  for (int i = 0; i < 3; ++i) Create("Observation", "o" + std::to_string(i));
  MustWrite(*store_, DeleteRequest("Patient", "p3"));

  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
  fhir::Result<ReindexResult> result = store_->Reindex(
      ctx_, ComputeGeneration("new"),
      [&progress](std::int64_t done, std::int64_t total) { progress.emplace_back(done, total); },
      /*batch=*/4);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->resources, 9);
  EXPECT_EQ(result->entries, 18);
  EXPECT_EQ(result->failed, 0);
  EXPECT_EQ(result->skipped, 0);
  EXPECT_TRUE(result->failures.empty());
  EXPECT_EQ(progress, (std::vector<std::pair<std::int64_t, std::int64_t>>{{4, 9}, {8, 9}, {9, 9}}));

  std::vector<std::string> names = Names();
  EXPECT_EQ(names.size(), 9u);
  for (const std::string& name : names) {
    EXPECT_NE(name.find("=new "), std::string::npos) << name;
    EXPECT_EQ(name.find("p3"), std::string::npos) << name;  // deleted: no rows
  }
  EXPECT_EQ(Count("idx_token"), 9);
  // Versions are untouched: reindexing writes no version.
  EXPECT_EQ(Count("resource_version"), 11);
}

TEST_F(SqliteReindexTest, OnlyTheGivenType) {
  Create("Patient", "p");
  Create("Observation", "o1");
  Create("Observation", "o2");
  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
  fhir::Result<ReindexResult> result = store_->Reindex(
      ctx_, ComputeGeneration("new"),
      [&progress](std::int64_t done, std::int64_t total) { progress.emplace_back(done, total); },
      /*batch=*/500, "Observation");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->resources, 2);
  EXPECT_EQ(progress, (std::vector<std::pair<std::int64_t, std::int64_t>>{{2, 2}}));
  EXPECT_EQ(Names(), (std::vector<std::string>{"Observation/o1=new o1", "Observation/o2=new o2",
                                               "Patient/p=old p"}));
}

TEST_F(SqliteReindexTest, FailuresAreCountedAndKeepTheirOldRows) {
  for (const char* id : {"a", "b", "c", "d"}) Create("Patient", id);
  IndexFunction compute = [](std::string_view,
                             std::string_view json) -> fhir::Result<search::IndexValues> {
    std::string id = IdOf(json);
    if (id == "b") return fhir::Status::TooLarge("expression too deep");
    if (id == "c") throw std::runtime_error("boom");
    return Generation("new", id);
  };
  fhir::Result<ReindexResult> result = store_->Reindex(ctx_, compute, nullptr, /*batch=*/3);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->resources, 2);
  EXPECT_EQ(result->failed, 2);
  ASSERT_EQ(result->failures.size(), 2u);
  EXPECT_EQ(result->failures[0], "Patient/b: expression too deep");
  EXPECT_NE(result->failures[1].find("Patient/c: "), std::string::npos) << result->failures[1];
  EXPECT_NE(result->failures[1].find("boom"), std::string::npos) << result->failures[1];
  EXPECT_EQ(Names(), (std::vector<std::string>{"Patient/a=new a", "Patient/b=old b",
                                               "Patient/c=old c", "Patient/d=new d"}));
}

// A write that lands between a resource being read and its batch being applied wins: its rows
// describe a newer version than the ones reindexing computed.
TEST_F(SqliteReindexTest, WritesMeanwhileKeepTheirOwnRows) {
  for (const char* id : {"a", "updated", "deleted", "z"}) Create("Patient", id);
  IndexFunction compute = [this](std::string_view,
                                 std::string_view json) -> fhir::Result<search::IndexValues> {
    std::string id = IdOf(json);
    // compute() runs on the calling thread, outside any write callback: it may write.
    if (id == "updated") {
      WriteRequest request = UpdateRequest("Patient", "updated");
      request.index = Generation("fresh", id);
      MustWrite(*store_, std::move(request));
    } else if (id == "deleted") {
      MustWrite(*store_, DeleteRequest("Patient", "deleted"));
    }
    return Generation("new", id);
  };
  fhir::Result<ReindexResult> result = store_->Reindex(ctx_, compute, nullptr);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->resources, 2);
  EXPECT_EQ(result->skipped, 2);
  EXPECT_EQ(Names(), (std::vector<std::string>{"Patient/a=new a", "Patient/updated=fresh updated",
                                               "Patient/z=new z"}));
}

TEST_F(SqliteReindexTest, InterleavesWithConcurrentWrites) {
  for (int i = 0; i < 200; ++i) Create("Patient", "p" + std::to_string(i));
  std::atomic<bool> running{true};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; running.load() || i < 20; ++i) {
        // Updates of existing resources (with their own fresh rows) and new ones.
        std::string id = i % 2 == 0 ? "p" + std::to_string((w * 50 + i) % 200)
                                    : "w" + std::to_string(w) + "-" + std::to_string(i);
        WriteRequest request = UpdateRequest("Patient", id);
        request.index = Generation("new", id);
        if (!store_->WriteAndWait(ctx_, std::move(request)).ok()) ++failures;
      }
    });
  }
  fhir::Result<ReindexResult> result =
      store_->Reindex(ctx_, ComputeGeneration("new"), nullptr, /*batch=*/16);
  running = false;
  for (std::thread& t : writers) t.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(result->resources + result->skipped, 200);

  // Every live resource has exactly its own rows, all from generation "new".
  std::int64_t live = std::stoll(QueryRows(path_, "SELECT count(*) FROM resource").at(0));
  std::vector<std::string> names = Names();
  EXPECT_EQ(static_cast<std::int64_t>(names.size()), live);
  std::set<std::string> distinct(names.begin(), names.end());
  EXPECT_EQ(distinct.size(), names.size());
  for (const std::string& name : names) {
    std::string id = name.substr(name.find('/') + 1, name.find('=') - name.find('/') - 1);
    EXPECT_EQ(name, "Patient/" + id + "=new " + id);
  }
}

TEST_F(SqliteReindexTest, RefusesNonsenseAndFailsWhenClosed) {
  Create("Patient", "p");
  EXPECT_EQ(store_->Reindex(ctx_, ComputeGeneration("new"), nullptr, 0).status().code(),
            fhir::Code::kInvalidInput);
  EXPECT_EQ(store_->Reindex(ctx_, nullptr, nullptr).status().code(), fhir::Code::kInvalidInput);

  // Nothing to do: fine, even without progress.
  fhir::Result<ReindexResult> none =
      store_->Reindex(ctx_, ComputeGeneration("new"), nullptr, 500, "Observation");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->resources, 0);

  store_->Close();
  fhir::Result<ReindexResult> closed = store_->Reindex(ctx_, ComputeGeneration("new"), nullptr);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), fhir::Code::kUnavailable);
  EXPECT_EQ(Names(), std::vector<std::string>{"Patient/p=old p"});
}

}  // namespace
}  // namespace schakel::store
