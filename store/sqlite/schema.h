// The database schema, its migrations, and how values are encoded in it.
//
// The schema version lives in PRAGMA user_version. On open, every migration newer than the
// file's version runs in one transaction, so a file is always at a version this code knows.
// A file from a newer build (a higher user_version) is refused rather than guessed at.
// See schema.cc for the tables and why they look the way they do.
#pragma once

#include <cstdint>
#include <optional>

#include "fhir/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace schakel::store::sqlite {

// The user_version after every migration has run.
std::int64_t LatestSchemaVersion();

// Our PRAGMA application_id ("SCHK"), so that another program's SQLite file is not mistaken
// for ours.
inline constexpr std::int64_t kApplicationId = 0x5343484B;

// Brings the database on `db` (the write connection, outside any transaction) to
// LatestSchemaVersion(). Idempotent. Refuses a newer schema version, and a database that is
// not empty but was not created by Schakel.
fhir::Status Migrate(Connection& db);

// resource_version.method holds these numbers; they are on disk, so never renumber them.
std::int64_t MethodToColumn(WriteMethod method);
std::optional<WriteMethod> MethodFromColumn(std::int64_t column);

}  // namespace schakel::store::sqlite
