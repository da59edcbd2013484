// Concurrent writers: no lost updates, no duplicate or skipped versions.
// Spec: https://hl7.org/fhir/R4/http.html#concurrency
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using ConcurrencyTest = ServerTest;

constexpr int kThreads = 16;

// Runs body(thread_index) on kThreads threads and joins them.
template <class Body>
void RunThreads(int count, Body body) {
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(count));
  for (int t = 0; t < count; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

::testing::AssertionResult HistoryIsExactly(HttpClient& client, const std::string& target,
                                            int newest) {
  std::string error;
  std::vector<HistoryEntry> entries = FetchAllHistory(client, target, &error);
  if (!error.empty()) return ::testing::AssertionFailure() << error;
  if (entries.size() != static_cast<std::size_t>(newest)) {
    return ::testing::AssertionFailure() << entries.size() << " history entries, want " << newest;
  }
  for (int i = 0; i < newest; ++i) {
    if (entries[static_cast<std::size_t>(i)].version != newest - i) {
      return ::testing::AssertionFailure()
             << "entry " << i << " has version " << entries[static_cast<std::size_t>(i)].version
             << ", want " << newest - i;
    }
  }
  return ::testing::AssertionSuccess();
}

TEST_F(ConcurrencyTest, UnconditionalUpdatesToOneResourceAllGetTheirOwnVersion) {
  constexpr int kUpdatesPerThread = 20;
  const std::string id = "contended";
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("T", id)).status, 201);

  std::mutex mutex;
  std::vector<std::string> failures;
  std::set<int> versions;
  RunThreads(kThreads, [&](int t) {
    HttpClient writer(server().port());
    for (int i = 0; i < kUpdatesPerThread; ++i) {
      const std::string family = "T" + std::to_string(t) + "-" + std::to_string(i);
      Response response = writer.Put(Fhir("Patient/" + id), PatientJson(family, id));
      std::lock_guard<std::mutex> lock(mutex);
      if (response.status != 200) {
        failures.push_back(response.Describe());
      } else if (!versions.insert(EtagVersion(response.Header("ETag"))).second) {
        failures.push_back("version handed out twice: " + response.Header("ETag"));
      }
    }
  });
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first:\n" << failures.front();

  constexpr int kFinal = 1 + kThreads * kUpdatesPerThread;  // 321
  EXPECT_EQ(CurrentVersion("Patient", id), kFinal);
  EXPECT_EQ(versions.size(), static_cast<std::size_t>(kFinal - 1));
  EXPECT_EQ(*versions.begin(), 2);
  EXPECT_EQ(*versions.rbegin(), kFinal);
  EXPECT_TRUE(HistoryIsExactly(client(), Fhir("Patient/" + id + "/_history?_count=1000"), kFinal));
  EXPECT_TRUE(HistoryIsExactly(client(), Fhir("Patient/" + id + "/_history?_count=50"), kFinal));
}

TEST_F(ConcurrencyTest, OptimisticUpdatesWithIfMatchLoseNothing) {
  constexpr int kMaxAttempts = 2000;
  const std::string id = CreatePatient("Optimist");
  ASSERT_FALSE(id.empty());

  std::atomic<int> successes{0};
  std::atomic<int> conflicts{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  RunThreads(kThreads, [&](int t) {
    HttpClient writer(server().port());
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      Response read = writer.Get(Fhir("Patient/" + id));
      if (read.status != 200) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back(read.Describe());
        return;
      }
      Response update =
          writer.Put(Fhir("Patient/" + id), PatientJson("Writer" + std::to_string(t), id),
                     {{"If-Match", read.Header("ETag")}});
      if (update.status == 200) {
        ++successes;
        return;
      }
      if (update.status != 412) {
        std::lock_guard<std::mutex> lock(mutex);
        failures.push_back(update.Describe());
        return;
      }
      ++conflicts;
    }
    std::lock_guard<std::mutex> lock(mutex);
    failures.push_back("thread " + std::to_string(t) + " never succeeded");
  });
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first:\n" << failures.front();
  EXPECT_EQ(successes.load(), kThreads);
  const int final_version = CurrentVersion("Patient", id);
  EXPECT_EQ(successes.load(), final_version - 1) << conflicts.load() << " conflicts";
  EXPECT_TRUE(HistoryIsExactly(client(), Fhir("Patient/" + id + "/_history"), final_version));
}

TEST_F(ConcurrencyTest, ConcurrentCreatesGetDistinctIds) {
  constexpr int kPerThread = 10;
  std::mutex mutex;
  std::set<std::string> ids;
  std::vector<std::string> failures;
  RunThreads(kThreads, [&](int t) {
    HttpClient writer(server().port());
    for (int i = 0; i < kPerThread; ++i) {
      Response response = writer.Post(
          Fhir("Patient"), PatientJson("Nieuw" + std::to_string(t) + "-" + std::to_string(i)));
      std::lock_guard<std::mutex> lock(mutex);
      if (response.status != 201) {
        failures.push_back(response.Describe());
      } else {
        ids.insert(ParseLocation(response.Header("Location")).id);
      }
    }
  });
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first:\n" << failures.front();
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::string error;
  std::vector<HistoryEntry> entries =
      FetchAllHistory(client(), Fhir("Patient/_history?_count=37"), &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(entries.size(), ids.size());
}

}  // namespace
}  // namespace schakel::integration
