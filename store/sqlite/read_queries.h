// The read side of the store as functions over one connection: read, vread, history, emptiness.
// Each runs as few statements as possible, each a cached prepared statement with bound
// parameters only. The caller provides the connection (from the read pool, or the writer's).
// Spec: https://hl7.org/fhir/R4/http.html#read, #vread, #history
#pragma once

#include <cstdint>
#include <string_view>

#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace schakel::store::sqlite {

// The current version (maybe a deleted marker); kNotFound if the resource never existed.
fhir::Result<ResourceVersion> ReadCurrent(Connection& db, std::string_view type,
                                          std::string_view id);

// One version; kNotFound if absent.
fhir::Result<ResourceVersion> ReadVersion(Connection& db, std::string_view type,
                                          std::string_view id, std::int64_t version);

// The row with this sequence number; kNotFound if absent.
fhir::Result<ResourceVersion> ReadSequence(Connection& db, std::int64_t sequence);

// A page of history as HistoryQuery describes it. kInvalidInput for a query that makes no sense
// (count 0, an id without a type); kNotFound for instance history of a resource never stored.
fhir::Result<HistoryPage> ReadHistory(Connection& db, const HistoryQuery& query);

// True when resource_version has no rows.
fhir::Result<bool> IsEmpty(Connection& db);

// The newest last_updated stored, or 0 for an empty database.
fhir::Result<std::int64_t> NewestLastUpdated(Connection& db);

}  // namespace schakel::store::sqlite
