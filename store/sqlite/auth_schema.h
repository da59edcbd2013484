// The schema of the authorization server's database (auth.db) and its migrations.
//
// As for the FHIR store (schema.h): the version lives in PRAGMA user_version, every migration
// newer than the file's runs in one transaction on open, and a file from a newer build is refused.
// The application_id differs from the FHIR store's, so that neither file is taken for the other.
// See auth_schema.cc for the tables and why they look the way they do.
#pragma once

#include <cstdint>

#include "fhir/status.h"
#include "store/sqlite/connection.h"

namespace schakel::store::sqlite {

// The user_version of auth.db after every migration has run.
std::int64_t LatestAuthSchemaVersion();

// PRAGMA application_id of auth.db ("SCHA").
inline constexpr std::int64_t kAuthApplicationId = 0x53434841;

// Brings the database on `db` (outside any transaction) to LatestAuthSchemaVersion(). Idempotent
// and safe when several processes open the file at once. Refuses a newer schema version, and a
// database that is not empty but is not an auth database.
fhir::Status MigrateAuth(Connection& db);

}  // namespace schakel::store::sqlite
