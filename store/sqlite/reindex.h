// The two halves of reindexing (ResourceStore::Reindex): reading the current resources in rid
// order on a read connection, and, on the write connection inside the writer's transaction,
// replacing the index rows of a batch of them, but only of those that no write has changed since
// they were read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/search/index_values.h"
#include "fhir/status.h"
#include "store/sqlite/connection.h"

namespace schakel::store::sqlite {

// A current, non-deleted resource as reindexing reads it.
struct LiveResource {
  std::int64_t rid = 0;
  std::int64_t seq = 0;  // of the version read
  std::string type;
  std::string id;
  std::string json;
};

// How many resources are current and not deleted (of `type`, when not empty).
fhir::Result<std::int64_t> CountLive(Connection& db, std::string_view type);

// Up to `limit` current, non-deleted resources (of `type`, when not empty) with rid > after_rid,
// in rid order.
fhir::Result<std::vector<LiveResource>> ReadLive(Connection& db, std::string_view type,
                                                 std::int64_t after_rid, std::size_t limit);

// The new index entries of one resource, computed from the version with sequence `seq`.
struct ReindexItem {
  std::int64_t rid = 0;
  std::int64_t seq = 0;
  std::string type;
  fhir::search::IndexValues values;
};

struct ReindexApplied {
  std::int64_t resources = 0;  // whose rows were replaced
  std::int64_t entries = 0;    // rows written for them
  std::int64_t skipped = 0;    // no longer at `seq` (updated or deleted since): left alone
};

// Replaces the index rows of every item whose resource is still at the item's seq. Runs inside
// the caller's transaction on the write connection; checking seq there, where no other write can
// interleave, is what keeps a concurrent update's fresher rows from being overwritten.
fhir::Result<ReindexApplied> ApplyReindexBatch(Connection& db,
                                               const std::vector<ReindexItem>& items);

}  // namespace schakel::store::sqlite
