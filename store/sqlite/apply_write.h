// One create, update or delete, applied on the write connection inside the writer's open
// transaction: the existence and If-Match checks, the meta stamp, the new resource_version row,
// superseded_at on the version it replaces, the resource row (and a new resource's rid), and the
// resource's search index rows (index_rows.h). Later the audit and notification rows of the same
// write belong here too, in the same transaction.
// Spec: https://hl7.org/fhir/R4/http.html#create, #update, #delete, and
// https://hl7.org/fhir/R4/http.html#concurrency (If-Match).
#pragma once

#include <cstdint>

#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace schakel::store::sqlite {

// Applies `request` with lastUpdated `now_ms`. On failure nothing needs undoing beyond the
// caller's savepoint. Consumes request.resource (it is stamped and serialized in place).
fhir::Result<WriteOutcome> ApplyWrite(Connection& db, WriteRequest& request, std::int64_t now_ms);

}  // namespace schakel::store::sqlite
