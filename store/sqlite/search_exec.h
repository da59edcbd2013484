// Runs a compiled search on one connection: the page, the total, _include and _revinclude.
// https://hl7.org/fhir/R4/search.html#include
#pragma once

#include <cstdint>

#include "fhir/search/query.h"
#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace schakel::store::sqlite {

// Most resources _include/_revinclude add to one page (all rounds of :iterate together).
inline constexpr std::size_t kMaxIncluded = 1000;
// Rounds of :iterate.
inline constexpr int kMaxIncludeRounds = 4;

// Runs the page, the total and the includes in one read transaction, so they see one snapshot.
// With `own_transaction` false it runs inside the transaction the caller has open instead (the
// writer's, for a WriteScope), and sees that transaction's uncommitted writes.
fhir::Result<SearchResult> ExecuteSearch(Connection& db, const fhir::search::Query& query,
                                         std::int64_t now_ms, bool own_transaction = true);

}  // namespace schakel::store::sqlite
