// Helpers for the SQLite store tests: a temporary directory, a clock the test controls, a gate
// that holds the writer thread still, and builders for write requests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/json/value.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace schakel::store {

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "schakel-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A clock that says what the test tells it to.
class TestClock {
 public:
  static constexpr std::int64_t kStart = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

  std::function<std::int64_t()> Function() {
    return [this] { return now_.load(); };
  }
  void Set(std::int64_t ms) { now_.store(ms); }
  std::int64_t now() const { return now_.load(); }

 private:
  std::atomic<std::int64_t> now_{kStart};
};

// A clock that always says TestClock::kStart; needs no object that must outlive the store.
inline std::function<std::int64_t()> FixedClock() {
  return [] { return TestClock::kStart; };
}

// A clock that blocks the writer thread (which reads the clock once per batch, after taking the
// batch from the queue) until Release(). Lets a test fill the queue while the writer is busy.
class ClockGate {
 public:
  std::function<std::int64_t()> Function() {
    return [this] {
      std::unique_lock lock(mutex_);
      entered_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      return TestClock::kStart;
    };
  }
  // Waits until the writer is held at the gate (with its first batch taken from the queue).
  void WaitUntilEntered() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return entered_; });
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool released_ = false;
};

inline SqliteOptions OptionsFor(const std::string& path, std::function<std::int64_t()> clock) {
  SqliteOptions options;
  options.path = path;
  options.read_connections = 2;
  options.clock = std::move(clock);
  return options;
}

inline std::unique_ptr<SqliteStore> OpenOrDie(const SqliteOptions& options) {
  fhir::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

inline fhir::json::Value Json(std::string_view text) {
  fhir::Result<fhir::json::Value> value = fhir::json::Parse(text);
  EXPECT_TRUE(value.ok()) << value.status().ToString();
  return value.ok() ? std::move(*value) : fhir::json::Value();
}

inline fhir::json::Value PatientNamed(const std::string& family) {
  fhir::json::Value name = fhir::json::Value::Object();
  name.Set("family", fhir::json::Value::String(family));
  fhir::json::Value patient = fhir::json::Value::Object();
  patient.Set("resourceType", fhir::json::Value::String("Patient"));
  patient.Set("name", fhir::json::Value::Array()).Push(std::move(name));
  return patient;
}

inline fhir::json::Value ResourceOf(const std::string& type) {
  fhir::json::Value resource = fhir::json::Value::Object();
  resource.Set("resourceType", fhir::json::Value::String(type));
  return resource;
}

inline WriteRequest CreateRequest(const std::string& type, const std::string& id,
                                  std::optional<fhir::json::Value> resource = std::nullopt) {
  WriteRequest request;
  request.kind = WriteKind::kCreate;
  request.type = type;
  request.id = id;
  request.resource = resource ? std::move(*resource) : ResourceOf(type);
  return request;
}

inline WriteRequest UpdateRequest(const std::string& type, const std::string& id,
                                  std::optional<std::int64_t> if_match = std::nullopt,
                                  std::optional<fhir::json::Value> resource = std::nullopt) {
  WriteRequest request = CreateRequest(type, id, std::move(resource));
  request.kind = WriteKind::kUpdate;
  request.if_match = if_match;
  return request;
}

inline WriteRequest DeleteRequest(const std::string& type, const std::string& id,
                                  std::optional<std::int64_t> if_match = std::nullopt) {
  WriteRequest request;
  request.kind = WriteKind::kDelete;
  request.type = type;
  request.id = id;
  request.if_match = if_match;
  return request;
}

// Writes and expects success.
inline WriteOutcome MustWrite(ResourceStore& store, WriteRequest request) {
  fhir::Result<WriteOutcome> outcome = store.WriteAndWait(RequestContext{}, std::move(request));
  EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
  return outcome.ok() ? std::move(*outcome) : WriteOutcome{};
}

// Every row `sql` returns, each as its columns joined with '|' (NULL as "NULL"), read through a
// connection of its own, behind the store's back (WAL: it sees what is committed).
inline std::vector<std::string> QueryRows(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows;
  fhir::Result<std::unique_ptr<sqlite::Connection>> db =
      sqlite::Connection::Open(path, SQLITE_OPEN_READWRITE, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return rows;
  auto collect = [](void* out, int columns, char** values, char** /*names*/) {
    std::string row;
    for (int i = 0; i < columns; ++i) {
      if (i > 0) row += '|';
      row += values[i] != nullptr ? values[i] : "NULL";
    }
    static_cast<std::vector<std::string>*>(out)->push_back(std::move(row));
    return 0;
  };
  char* error = nullptr;
  int rc = sqlite3_exec((*db)->handle(), sql.c_str(), collect, &rows, &error);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
  sqlite3_free(error);
  return rows;
}

}  // namespace schakel::store
