#include "store/sqlite/read_pool.h"

#include <sqlite3.h>

#include <utility>

namespace schakel::store::sqlite {
namespace {

// Reads map the file instead of copying pages through read() calls. A bound, not a reservation:
// address space only, and only as large as the file.
constexpr const char* kReadPragmas = "PRAGMA mmap_size = 268435456";

}  // namespace

fhir::Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int size,
                                                       int busy_timeout_ms) {
  std::vector<std::unique_ptr<Connection>> connections;
  connections.reserve(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i) {
    fhir::Result<std::unique_ptr<Connection>> connection =
        Connection::Open(path, SQLITE_OPEN_READONLY, busy_timeout_ms);
    if (!connection.ok()) return connection.status();
    SCHAKEL_RETURN_IF_ERROR((*connection)->Exec(kReadPragmas));
    connections.push_back(std::move(*connection));
  }
  return std::unique_ptr<ReadPool>(new ReadPool(std::move(connections)));
}

ReadPool::ReadPool(std::vector<std::unique_ptr<Connection>> connections)
    : connections_(std::move(connections)) {
  idle_.reserve(connections_.size());
  for (const auto& connection : connections_) idle_.push_back(connection.get());
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock lock(mutex_);
  idle_changed_.wait(lock, [this] { return !idle_.empty(); });
  Connection* connection = idle_.back();
  idle_.pop_back();
  return Lease(this, connection);
}

void ReadPool::Release(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection);  // capacity reserved up front: cannot throw
  }
  idle_changed_.notify_one();
}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::exchange(other.connection_, nullptr)) {}

ReadPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(connection_);
}

}  // namespace schakel::store::sqlite
