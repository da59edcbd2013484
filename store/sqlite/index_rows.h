// The search index rows of one resource (the idx_* tables, see schema.cc): inserted with every
// version written, replaced when the resource changes, removed when it is deleted, and rebuilt
// by reindexing. Runs on the write connection, inside the caller's transaction and savepoint, so
// the rows commit or roll back together with the version they describe.
// Spec: https://hl7.org/fhir/R4/search.html (one section per parameter type).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/search/index_values.h"
#include "fhir/status.h"
#include "store/sqlite/connection.h"

namespace schakel::store::sqlite {

// The most components a composite entry can have: idx_composite has columns for three.
inline constexpr std::size_t kMaxCompositeParts = 3;

// The `type` a contained resource's index rows have: "#Medication" for a contained Medication,
// with the container's rid. No resource type starts with '#', so searches of the type itself
// never see them; _contained searches ask for exactly these.
// https://hl7.org/fhir/R4/search.html#contained
inline std::string ContainedIndexType(std::string_view type) { return "#" + std::string(type); }

// Removes every index row of resource `rid` (its contained resources' included).
fhir::Status DeleteIndexRows(Connection& db, std::int64_t rid);

// Adds `values` as the index rows of resource `rid` of `type`, without removing any first (for
// a resource that has none: a new one). Contained resources' entries get the type
// ContainedIndexType(their type), plus a token `_id` entry with their id. A composite entry with
// more than kMaxCompositeParts parts is kInternal: the search parameter registry must not make such
// parameters indexable.
fhir::Status InsertIndexRows(Connection& db, std::int64_t rid, std::string_view type,
                             const fhir::search::IndexValues& values);

// DeleteIndexRows, then InsertIndexRows.
fhir::Status ReplaceIndexRows(Connection& db, std::int64_t rid, std::string_view type,
                              const fhir::search::IndexValues& values);

}  // namespace schakel::store::sqlite
