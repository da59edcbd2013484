// The group-commit writer: batching, isolation of failures within a batch, the queue bound,
// closing, and many threads writing at once. The ClockGate holds the writer thread still (it
// reads the clock once per batch) so that what ends up in which batch is deterministic.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

// A store whose writer waits at `gate`; the gate opens before the store closes, so a failing
// test cannot hang in the destructor.
struct GatedStore {
  explicit GatedStore(const std::string& path, std::size_t max_queue = 20'000) {
    SqliteOptions options = OptionsFor(path, gate.Function());
    options.max_queue = max_queue;
    store = OpenOrDie(options);
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

// Collects the results of asynchronous writes, indexed by the order they were submitted.
class Results {
 public:
  explicit Results(std::size_t n) : results_(n), done_(static_cast<std::ptrdiff_t>(n)) {}

  WriteCallback Slot(std::size_t i) {
    return [this, i](fhir::Result<WriteOutcome> result) {
      {
        std::lock_guard lock(mutex_);
        results_[i] = std::move(result);
      }
      done_.count_down();
    };
  }
  void Wait() { done_.wait(); }
  const fhir::Result<WriteOutcome>& operator[](std::size_t i) const { return *results_[i]; }
  bool has(std::size_t i) {
    std::lock_guard lock(mutex_);
    return results_[i].has_value();
  }

 private:
  std::mutex mutex_;
  std::vector<std::optional<fhir::Result<WriteOutcome>>> results_;
  std::latch done_;
};

TEST(SqliteWriterTest, ConcurrentWritesShareCommits) {
  TempDir dir;
  GatedStore gated(dir.File("group.db"));
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  constexpr int kThreads = 64;
  Results results(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&store, &results, i] {
      store.Write(RequestContext{}, CreateRequest("Patient", std::string("p") + std::to_string(i)),
                  results.Slot(static_cast<std::size_t>(i)));
    });
  }
  for (std::thread& t : threads) t.join();
  // Every write is queued (or taken by the writer, which is held at the gate).
  gated.gate.Release();
  results.Wait();

  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->version.id, std::string("p") + std::to_string(i));
    EXPECT_EQ(results[i]->version.version, 1);
  }
  SqliteStoreStats stats = store.stats();
  EXPECT_EQ(stats.writes_committed, kThreads);
  // The writer's first batch, then everything that queued while it was held: at most two.
  EXPECT_GE(stats.commits, 1);
  EXPECT_LE(stats.commits, 2);
}

TEST(SqliteWriterTest, ConcurrentUpdatesOfOneResourceGetConsecutiveVersions) {
  TempDir dir;
  GatedStore gated(dir.File("one.db"));
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  constexpr int kThreads = 64;
  Results results(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&store, &results, i] {
      store.Write(RequestContext{}, UpdateRequest("Patient", "shared"),
                  results.Slot(static_cast<std::size_t>(i)));
    });
  }
  for (std::thread& t : threads) t.join();
  gated.gate.Release();
  results.Wait();

  std::set<std::int64_t> versions;
  int created = 0;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    versions.insert(results[i]->version.version);
    if (results[i]->created) ++created;
  }
  EXPECT_EQ(created, 1);
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(kThreads));
  EXPECT_EQ(*versions.begin(), 1);
  EXPECT_EQ(*versions.rbegin(), kThreads);
  EXPECT_LE(store.stats().commits, 2);

  HistoryQuery query;
  query.type = "Patient";
  query.id = "shared";
  query.count = 1000;
  fhir::Result<HistoryPage> history = store.History(RequestContext{}, query);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->entries.size(), static_cast<std::size_t>(kThreads));
  for (std::size_t i = 0; i < history->entries.size(); ++i) {
    EXPECT_EQ(history->entries[i].version, kThreads - static_cast<std::int64_t>(i));
    if (i > 0) {
      EXPECT_LT(history->entries[i].sequence, history->entries[i - 1].sequence);
    }
  }
}

TEST(SqliteWriterTest, ManyThreadsWaitingForTheirWritesWhileOthersRead) {
  TempDir dir;
  TestClock clock;
  std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(dir.File("busy.db"), clock.Function()));
  ASSERT_NE(store, nullptr);
  MustWrite(*store, CreateRequest("Patient", "shared"));

  constexpr int kWriters = 16;
  constexpr int kWritesEach = 20;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  threads.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWritesEach; ++i) {
        // Half update one shared resource, half create their own.
        WriteRequest request =
            w % 2 == 0 ? UpdateRequest("Patient", "shared")
                       : CreateRequest("Observation", std::to_string(w) + "-" + std::to_string(i));
        if (!store->WriteAndWait(RequestContext{}, std::move(request)).ok()) ++failures;
      }
    });
  }
  constexpr int kReaders = 4;
  std::vector<std::thread> readers;
  readers.reserve(kReaders);
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      std::int64_t last = 0;
      while (writing.load()) {
        fhir::Result<ResourceVersion> read = store->Read(RequestContext{}, "Patient", "shared");
        if (!read.ok() || read->version < last) ++failures;
        if (read.ok()) last = read->version;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  writing = false;
  for (std::thread& t : readers) t.join();

  EXPECT_EQ(failures.load(), 0);
  fhir::Result<ResourceVersion> shared = store->Read(RequestContext{}, "Patient", "shared");
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->version, 1 + kWriters / 2 * kWritesEach);
  SqliteStoreStats stats = store->stats();
  EXPECT_EQ(stats.writes_committed, 1 + kWriters * kWritesEach);
  EXPECT_LE(stats.commits, stats.writes_committed);
}

TEST(SqliteWriterTest, AFailingWriteDoesNotUndoTheOthersInItsBatch) {
  TempDir dir;
  GatedStore gated(dir.File("isolation.db"));
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  Results results(5);
  store.Write(RequestContext{}, CreateRequest("Patient", "first"), results.Slot(0));
  gated.gate.WaitUntilEntered();  // "first" is the writer's batch; the rest queue behind it
  store.Write(RequestContext{}, CreateRequest("Patient", "x"), results.Slot(1));
  store.Write(RequestContext{}, CreateRequest("Patient", "x"), results.Slot(2));
  store.Write(RequestContext{}, UpdateRequest("Patient", "y", /*if_match=*/5), results.Slot(3));
  store.Write(RequestContext{}, CreateRequest("Patient", "z"), results.Slot(4));
  gated.gate.Release();
  results.Wait();

  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(results[2].status().code(), fhir::Code::kConflict);
  EXPECT_EQ(results[3].status().code(), fhir::Code::kPreconditionFailed);
  EXPECT_TRUE(results[4].ok());
  SqliteStoreStats stats = store.stats();
  EXPECT_EQ(stats.commits, 2);
  EXPECT_EQ(stats.writes_committed, 3);

  EXPECT_EQ(store.Read(RequestContext{}, "Patient", "x")->version, 1);
  EXPECT_EQ(store.Read(RequestContext{}, "Patient", "y").status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store.Read(RequestContext{}, "Patient", "z")->version, 1);
}

TEST(SqliteWriterTest, FullQueueRefusesAtOnce) {
  TempDir dir;
  GatedStore gated(dir.File("queue.db"), /*max_queue=*/2);
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  Results results(4);
  store.Write(RequestContext{}, CreateRequest("Patient", "held"), results.Slot(0));
  gated.gate.WaitUntilEntered();  // taken off the queue, held at the gate
  store.Write(RequestContext{}, CreateRequest("Patient", "q1"), results.Slot(1));
  store.Write(RequestContext{}, CreateRequest("Patient", "q2"), results.Slot(2));
  store.Write(RequestContext{}, CreateRequest("Patient", "refused"), results.Slot(3));
  // The refusal was answered before Write returned, while the others still wait.
  ASSERT_TRUE(results.has(3));
  EXPECT_FALSE(results.has(1));
  EXPECT_EQ(results[3].status().code(), fhir::Code::kUnavailable);
  EXPECT_EQ(results[3].status().message(), "write queue full");

  gated.gate.Release();
  results.Wait();
  for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(results[i].ok()) << i;
  EXPECT_EQ(store.Read(RequestContext{}, "Patient", "refused").status().code(),
            fhir::Code::kNotFound);
  // With the queue drained, writes are accepted again.
  MustWrite(store, CreateRequest("Patient", "later"));
}

TEST(SqliteWriterTest, CloseFinishesQueuedWritesThenRefuses) {
  TempDir dir;
  GatedStore gated(dir.File("close.db"));
  ASSERT_NE(gated.store, nullptr);
  SqliteStore& store = *gated.store;

  Results results(3);
  store.Write(RequestContext{}, CreateRequest("Patient", "a"), results.Slot(0));
  gated.gate.WaitUntilEntered();
  store.Write(RequestContext{}, CreateRequest("Patient", "b"), results.Slot(1));
  store.Write(RequestContext{}, CreateRequest("Patient", "c"), results.Slot(2));
  std::thread closer([&store] { store.Close(); });
  gated.gate.Release();
  closer.join();  // Close() returns only when everything queued is written
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(results.has(i));
    EXPECT_TRUE(results[i].ok()) << i;
  }

  fhir::Result<WriteOutcome> refused =
      store.WriteAndWait(RequestContext{}, CreateRequest("Patient", "d"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), fhir::Code::kUnavailable);
  EXPECT_EQ(refused.status().message(), "store is closing");

  store.Close();  // idempotent
  // Reads still work after Close().
  fhir::Result<ResourceVersion> read = store.Read(RequestContext{}, "Patient", "c");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->version, 1);
}

}  // namespace
}  // namespace schakel::store
