// What the authorization server keeps in the data directory, opened the same way by `serve` and
// the commands that issue tokens or register clients: DATA/auth.db (clients, refresh tokens,
// revocations), DATA/keys/ (the signing keys) and DATA/base-url (the FHIR base URL the server
// last ran with, the issuer and audience of its tokens).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "server/auth/signing_keys.h"
#include "store/auth_store.h"

namespace schakel::server::cli {

struct AuthFiles {
  std::unique_ptr<store::AuthStore> store;
  std::unique_ptr<auth::SigningKeyRing> keys;
};

fhir::Result<AuthFiles> OpenAuthFiles(const std::string& data_dir, std::int64_t now);

// DATA/base-url, or http://127.0.0.1:8080/fhir when there is none.
std::string ReadBaseUrl(const std::string& data_dir);
fhir::Status WriteBaseUrl(const std::string& data_dir, const std::string& base_url);

}  // namespace schakel::server::cli
