// Write scopes (ResourceStore::WriteAtomically): a unit of reads, searches and writes that runs
// on the writer thread in a savepoint of its own. Its writes commit together or not at all, a
// failing scope leaves the rest of its group commit alone, it sees its own writes, and nothing
// interleaves with it (which is what makes conditional create race-free).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fhir/search/index_values.h"
#include "fhir/search/query.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"
#include "unit/fhir/search/search_fixture.h"

namespace schakel::store {
namespace {

namespace search = fhir::search;
using fhir::Code;
using fhir::Status;

constexpr const char* kMrn = "http://example.org/mrn";

// A Patient create whose index has identifier `kMrn|value`, as the server would extract it.
WriteRequest PatientWithMrn(const std::string& id, const std::string& value) {
  WriteRequest request = CreateRequest("Patient", id, PatientNamed("Mrn " + value));
  request.index.tokens.push_back(
      {"identifier", std::string(kMrn), value, "", std::nullopt, std::nullopt});
  return request;
}

// Patient?identifier=kMrn|value, as a conditional interaction asks it (at most two matches).
search::Query ByMrn(const std::string& value) {
  fhir::Result<search::Query> query =
      search::ParseQuery("Patient", {{"identifier", std::string(kMrn) + "|" + value}},
                         test::SharedSearchParameters(), {});
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  if (!query.ok()) return search::Query{};
  query->count = 2;
  query->total = search::Total::kNone;
  return std::move(query).value();
}

// A store whose writer waits at `gate` until the test releases it (see sqlite_writer_test.cc).
struct GatedStore {
  explicit GatedStore(const std::string& path) {
    store = OpenOrDie(OptionsFor(path, gate.Function()));
  }
  GatedStore(const GatedStore&) = delete;
  GatedStore& operator=(const GatedStore&) = delete;
  ~GatedStore() {
    gate.Release();
    store.reset();
  }

  ClockGate gate;
  std::unique_ptr<SqliteStore> store;
};

// Collects asynchronous results by the order they were submitted.
template <typename T>
class Slots {
 public:
  explicit Slots(std::size_t n) : values_(n), done_(static_cast<std::ptrdiff_t>(n)) {}

  std::function<void(T)> Slot(std::size_t i) {
    return [this, i](T value) {
      {
        std::lock_guard lock(mutex_);
        values_[i].emplace(std::move(value));
      }
      done_.count_down();
    };
  }
  void Wait() { done_.wait(); }
  const T& operator[](std::size_t i) const { return *values_[i]; }

 private:
  std::mutex mutex_;
  std::vector<std::optional<T>> values_;
  std::latch done_;
};

class SqliteWriteScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
    ASSERT_NE(store_, nullptr);
  }

  bool Exists(const std::string& type, const std::string& id) {
    fhir::Result<ResourceVersion> read = store_->Read(RequestContext{}, type, id);
    return read.ok() && !read->deleted;
  }

  TempDir dir_;
  const std::string path_ = dir_.File("scope.db");
  TestClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteWriteScopeTest, CommitsEveryWriteOfTheScopeInOneTransaction) {
  const SqliteStoreStats before = store_->stats();
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [](WriteScope& scope) {
    for (const char* id : {"a", "b", "c"}) {
      SCHAKEL_RETURN_IF_ERROR(scope.Write(CreateRequest("Patient", id)).status());
    }
    return scope.Write(UpdateRequest("Patient", "a")).status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(store_->Read(RequestContext{}, "Patient", "a")->version, 2);
  EXPECT_TRUE(Exists("Patient", "b"));
  EXPECT_TRUE(Exists("Patient", "c"));
  const SqliteStoreStats after = store_->stats();
  EXPECT_EQ(after.commits - before.commits, 1);
  EXPECT_EQ(after.writes_committed - before.writes_committed, 4);
}

TEST_F(SqliteWriteScopeTest, AFailingBodyLeavesNothing) {
  MustWrite(*store_, PatientWithMrn("kept", "k"));
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [](WriteScope& scope) {
    SCHAKEL_RETURN_IF_ERROR(scope.Write(PatientWithMrn("x", "x")).status());
    SCHAKEL_RETURN_IF_ERROR(scope.Write(UpdateRequest("Patient", "kept")).status());
    SCHAKEL_RETURN_IF_ERROR(scope.Write(DeleteRequest("Patient", "kept")).status());
    return Status::PreconditionFailed("the last entry fails");
  });
  EXPECT_EQ(status.code(), Code::kPreconditionFailed);
  EXPECT_EQ(status.message(), "the last entry fails");
  EXPECT_EQ(store_->Read(RequestContext{}, "Patient", "x").status().code(), Code::kNotFound);
  fhir::Result<ResourceVersion> kept = store_->Read(RequestContext{}, "Patient", "kept");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->version, 1);
  EXPECT_FALSE(kept->deleted);
  // Neither the version rows nor the index rows of the rolled-back writes remain.
  EXPECT_EQ(QueryRows(path_, "SELECT count(*) FROM resource_version"),
            std::vector<std::string>{"1"});
  EXPECT_EQ(QueryRows(path_, "SELECT count(*) FROM idx_token"),
            std::vector<std::string>{"1"});  // kept's
  fhir::Result<SearchResult> found = store_->Search(RequestContext{}, ByMrn("k"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->matches.size(), 1U);
}

TEST_F(SqliteWriteScopeTest, AThrowingBodyIsAnInternalErrorAndLeavesNothing) {
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [](WriteScope& scope) {
    if (!scope.Write(CreateRequest("Patient", "thrown")).ok()) return Status::Ok();
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status.code(), Code::kInternal);
  EXPECT_EQ(store_->Read(RequestContext{}, "Patient", "thrown").status().code(), Code::kNotFound);
  MustWrite(*store_, CreateRequest("Patient", "after"));  // the writer goes on
}

TEST_F(SqliteWriteScopeTest, AFailingScopeDoesNotUndoTheOthersInItsGroupCommit) {
  GatedStore gated(dir_.File("group.db"));
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  Slots<fhir::Result<WriteOutcome>> writes(3);
  Slots<Status> scopes(2);
  store.Write(RequestContext{}, CreateRequest("Patient", "first"), writes.Slot(0));
  gated.gate.WaitUntilEntered();  // "first" is the writer's batch; the rest queue behind it
  store.Write(RequestContext{}, CreateRequest("Patient", "before"), writes.Slot(1));
  store.WriteAtomically(
      RequestContext{},
      [](WriteScope& scope) {
        SCHAKEL_RETURN_IF_ERROR(scope.Write(CreateRequest("Patient", "doomed-1")).status());
        SCHAKEL_RETURN_IF_ERROR(scope.Write(CreateRequest("Patient", "doomed-2")).status());
        // Fails: "before" exists by now, in the same transaction.
        return scope.Write(CreateRequest("Patient", "before")).status();
      },
      scopes.Slot(0));
  store.WriteAtomically(
      RequestContext{},
      [](WriteScope& scope) {
        SCHAKEL_RETURN_IF_ERROR(scope.Write(CreateRequest("Patient", "kept-1")).status());
        return scope.Write(CreateRequest("Patient", "kept-2")).status();
      },
      scopes.Slot(1));
  store.Write(RequestContext{}, CreateRequest("Patient", "after"), writes.Slot(2));
  gated.gate.Release();
  writes.Wait();
  scopes.Wait();

  EXPECT_TRUE(writes[0].ok());
  EXPECT_TRUE(writes[1].ok());
  EXPECT_TRUE(writes[2].ok());
  EXPECT_EQ(scopes[0].code(), Code::kConflict) << scopes[0].ToString();
  EXPECT_TRUE(scopes[1].ok()) << scopes[1].ToString();
  for (const char* id : {"first", "before", "kept-1", "kept-2", "after"}) {
    EXPECT_TRUE(store.Read(RequestContext{}, "Patient", id).ok()) << id;
  }
  for (const char* id : {"doomed-1", "doomed-2"}) {
    EXPECT_EQ(store.Read(RequestContext{}, "Patient", id).status().code(), Code::kNotFound) << id;
  }
  SqliteStoreStats stats = store.stats();
  EXPECT_EQ(stats.commits, 2);  // "first", then everything that queued behind it
  EXPECT_EQ(stats.writes_committed, 5);
}

TEST_F(SqliteWriteScopeTest, ReadsAndSearchesSeeTheScopesOwnWrites) {
  MustWrite(*store_, PatientWithMrn("old", "shared"));
  std::vector<std::string> seen;
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [&](WriteScope& scope) {
    fhir::Result<SearchResult> before = scope.Search(ByMrn("new"));
    if (!before.ok()) return before.status();
    seen.push_back("before:" + std::to_string(before->matches.size()));

    SCHAKEL_RETURN_IF_ERROR(scope.Write(PatientWithMrn("new", "new")).status());
    fhir::Result<SearchResult> after = scope.Search(ByMrn("new"));
    if (!after.ok()) return after.status();
    for (const ResourceVersion& v : after->matches) seen.push_back("after:" + v.id);

    // Deleting removes the index entries at once, also for the scope's own search.
    SCHAKEL_RETURN_IF_ERROR(scope.Write(DeleteRequest("Patient", "old")).status());
    fhir::Result<SearchResult> shared = scope.Search(ByMrn("shared"));
    if (!shared.ok()) return shared.status();
    seen.push_back("shared:" + std::to_string(shared->matches.size()));

    SCHAKEL_RETURN_IF_ERROR(scope.Write(UpdateRequest("Patient", "new")).status());
    fhir::Result<ResourceVersion> read = scope.Read("Patient", "new");
    if (!read.ok()) return read.status();
    seen.push_back("read:" + std::to_string(read->version));
    fhir::Result<ResourceVersion> first = scope.ReadVersion("Patient", "new", 1);
    if (!first.ok()) return first.status();
    seen.push_back("vread:" + std::to_string(first->version));
    fhir::Result<ResourceVersion> gone = scope.Read("Patient", "old");
    if (!gone.ok()) return gone.status();
    seen.push_back(std::string("deleted:") + (gone->deleted ? "yes" : "no"));
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"before:0", "after:new", "shared:0", "read:2",
                                            "vread:1", "deleted:yes"}));
}

TEST_F(SqliteWriteScopeTest, OthersDoNotSeeTheScopeUntilItCommits) {
  std::optional<Code> outside;
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [&](WriteScope& scope) {
    SCHAKEL_RETURN_IF_ERROR(scope.Write(CreateRequest("Patient", "pending")).status());
    // A read through the read pool sees the last committed state.
    outside = store_->Read(RequestContext{}, "Patient", "pending").status().code();
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(outside, Code::kNotFound);
  EXPECT_TRUE(Exists("Patient", "pending"));
}

TEST_F(SqliteWriteScopeTest, AFailedWriteInsideAScopeLeavesNothingAndTheBodyMayGoOn) {
  Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [](WriteScope& scope) {
    SCHAKEL_RETURN_IF_ERROR(scope.Write(PatientWithMrn("p", "p")).status());
    fhir::Result<WriteOutcome> again = scope.Write(PatientWithMrn("p", "p"));
    if (again.status().code() != Code::kConflict) return Status::Internal("expected a conflict");
    fhir::Result<WriteOutcome> stale = scope.Write(UpdateRequest("Patient", "p", /*if_match=*/7));
    if (stale.status().code() != Code::kPreconditionFailed) {
      return Status::Internal("expected a failed If-Match");
    }
    return scope.Write(CreateRequest("Patient", "q")).status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(store_->Read(RequestContext{}, "Patient", "p")->version, 1);
  EXPECT_TRUE(Exists("Patient", "q"));
  EXPECT_EQ(QueryRows(path_, "SELECT count(*) FROM idx_token"), std::vector<std::string>{"1"});
}

// The race a conditional create has when it searches and writes in two steps: here every
// thread searches and creates inside one scope, so exactly one creates, however many try.
TEST_F(SqliteWriteScopeTest, ConcurrentConditionalCreatesCreateOnce) {
  constexpr int kThreads = 16;
  constexpr int kRounds = 5;
  std::atomic<int> created{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const std::string key = "race-" + std::to_string(round);
        // Plain writes from the same threads, interleaved with the scopes.
        if (!store_
                 ->WriteAndWait(RequestContext{},
                                CreateRequest("Observation", "o-" + std::to_string(t) + "-" +
                                                                 std::to_string(round)))
                 .ok()) {
          ++failures;
        }
        Status status = store_->WriteAtomicallyAndWait(RequestContext{}, [&](WriteScope& scope) {
          fhir::Result<SearchResult> found = scope.Search(ByMrn(key));
          if (!found.ok()) return found.status();
          if (!found->matches.empty()) return Status::Ok();
          std::string id = key + "-by-" + std::to_string(t);
          SCHAKEL_RETURN_IF_ERROR(scope.Write(PatientWithMrn(id, key)).status());
          ++created;
          return Status::Ok();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(created.load(), kRounds);
  for (int round = 0; round < kRounds; ++round) {
    fhir::Result<SearchResult> found =
        store_->Search(RequestContext{}, ByMrn("race-" + std::to_string(round)));
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->matches.size(), 1U) << round;
  }
  EXPECT_EQ(store_->stats().writes_committed, kThreads * kRounds + kRounds);
}

TEST_F(SqliteWriteScopeTest, ACommittedScopeSurvivesReopening) {
  ASSERT_TRUE(store_
                  ->WriteAtomicallyAndWait(
                      RequestContext{},
                      [](WriteScope& scope) {
                        SCHAKEL_RETURN_IF_ERROR(scope.Write(PatientWithMrn("d1", "d")).status());
                        return scope.Write(CreateRequest("Patient", "d2")).status();
                      })
                  .ok());
  store_.reset();  // closes: the last connection checkpoints the WAL
  store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(Exists("Patient", "d1"));
  EXPECT_TRUE(Exists("Patient", "d2"));
  fhir::Result<SearchResult> found = store_->Search(RequestContext{}, ByMrn("d"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->matches.size(), 1U);
}

TEST_F(SqliteWriteScopeTest, ClosedStoreRefusesAtOnce) {
  store_->Close();
  bool called_before_return = false;
  store_->WriteAtomically(
      RequestContext{}, [](WriteScope&) { return Status::Ok(); },
      [&](Status status) {
        called_before_return = true;
        EXPECT_EQ(status.code(), Code::kUnavailable);
        EXPECT_EQ(status.message(), "store is closing");
      });
  EXPECT_TRUE(called_before_return);
}

}  // namespace
}  // namespace schakel::store
