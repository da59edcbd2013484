// The SQLite implementation of ResourceStore.
//
// One database file in WAL mode. Reads use a pool of read-only connections (any thread).
// Writes go through one writer thread that takes every queued write, runs each inside its own
// SAVEPOINT of one transaction (so one failing write does not undo the others), commits once
// (synchronous=FULL by default: one fsync for the whole batch) and then calls every callback.
// The schema is versioned (PRAGMA user_version) and migrated on open. See docs/architecture.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "store/store.h"

namespace schakel::store {

struct SqliteOptions {
  std::string path;                // database file; created with its schema if missing
  bool synchronous_full = true;    // PRAGMA synchronous=FULL (else NORMAL: faster, not durable)
  int read_connections = 4;        // size of the read pool (readers wait when all are busy)
  std::size_t max_batch = 512;     // most writes in one commit
  std::size_t max_queue = 20'000;  // queued writes beyond this are refused with kUnavailable
  // Milliseconds since the Unix epoch; replaceable in tests. The store never lets
  // lastUpdated go backwards even if this clock does.
  std::function<std::int64_t()> clock;
};

fhir::Result<std::unique_ptr<ResourceStore>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace schakel::store
