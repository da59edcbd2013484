// A fixed pool of read-only connections shared by all reading threads.
//
// Each connection serves one thread at a time: Acquire() hands out an idle one, waiting while all
// are busy, and the Lease gives it back when it goes out of scope. In WAL mode readers never
// wait for the writer, and each statement sees one consistent snapshot.
//
// Thread-safe. The pool must outlive every Lease.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "store/sqlite/connection.h"

namespace schakel::store::sqlite {

class ReadPool {
 public:
  // Opens `size` (>= 1) read-only connections to an existing database.
  static fhir::Result<std::unique_ptr<ReadPool>> Open(const std::string& path, int size,
                                                      int busy_timeout_ms);

  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // A connection borrowed from the pool. Move-only.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    friend class ReadPool;
    Lease(ReadPool* pool, Connection* connection) : pool_(pool), connection_(connection) {}

    ReadPool* pool_;
    Connection* connection_;
  };

  // Blocks until a connection is idle.
  Lease Acquire();

 private:
  explicit ReadPool(std::vector<std::unique_ptr<Connection>> connections);
  void Release(Connection* connection);

  const std::vector<std::unique_ptr<Connection>> connections_;
  std::mutex mutex_;
  std::condition_variable idle_changed_;
  std::vector<Connection*> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace schakel::store::sqlite
