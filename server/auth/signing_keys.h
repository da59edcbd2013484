// The authorization server's own signing keys: ES256 (EC P-256) keys kept in one directory
// (e.g. DATA/keys/). The newest signs access tokens; every key still needed to verify tokens is
// published at the JWKS endpoint.
//
// Files: `<created-unix-seconds>-<kid>.pem`, unencrypted PKCS#8, mode 0600 in a 0700 directory;
// kid is the RFC 7638 thumbprint. A file is written under a temporary name ('.'-prefixed, which
// loading ignores), fsynced, renamed into place and the directory fsynced, so a crash never
// leaves half a key. Files with another name are ignored; a key file that group or other may
// access is refused.
//
// Rotation: Rotate() makes a new key the active one. The one it replaces stops signing but must
// verify the tokens it signed until they expire: it stays until its successor's creation time +
// max_token_lifetime, after which Prune() deletes it. Find() and Jwks() cover every key not yet
// pruned; call Prune() periodically (Open and Rotate prune too).
//
// Errors: filesystem failures are Code::kInternal; unusable key files (wrong mode, not a P-256
// PEM key, a kid that is not the key's thumbprint) are Code::kInvalidInput; verifying a token
// whose kid we do not know is Code::kUnauthorized.
//
// One process owns the directory: two rings on the same directory do not see each other's
// rotations.
//
// Thread-safe: Sign, Verify, Find and Jwks run concurrently with each other and with Rotate and
// Prune (which serialize among themselves); keys in use stay alive through shared ownership.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/auth/jwk.h"
#include "server/auth/jws.h"

namespace schakel::server::auth {

class SigningKeyRing {
 public:
  // Opens (creating with mode 0700 if needed) `dir`, loads every key file, generates a key if
  // there is none, and prunes keys retired more than `max_token_lifetime_seconds` before `now`.
  static fhir::Result<std::unique_ptr<SigningKeyRing>> Open(
      const std::filesystem::path& dir, std::int64_t now, std::int64_t max_token_lifetime_seconds);

  SigningKeyRing(const SigningKeyRing&) = delete;
  SigningKeyRing& operator=(const SigningKeyRing&) = delete;

  // Signs `payload` (a JSON object) with the active key; sets "kid" and "alg": "ES256" in
  // `header` (a JSON object).
  fhir::Result<std::string> Sign(fhir::json::Value header, const fhir::json::Value& payload) const;
  // Verifies a token we signed: ES256, with the key its "kid" names.
  fhir::Status Verify(const ParsedJws& jws) const;
  // The public key with this kid, or null when there is none (never was, or pruned).
  std::shared_ptr<const PublicKey> Find(std::string_view kid) const;
  // {"keys": [...]} with every key not yet pruned: kty, crv, x, y, kid, alg "ES256", use "sig".
  fhir::json::Value Jwks() const;
  std::string active_kid() const;
  std::size_t size() const;

  // Generates, stores and activates a new key. Its creation time is `now`, or one second after
  // the newest key's if the clock has gone back, so that the newest key is always the active one.
  fhir::Status Rotate(std::int64_t now);
  // Deletes the retired keys whose successor was created at least max_token_lifetime ago.
  fhir::Status Prune(std::int64_t now);

 private:
  struct Entry {
    std::int64_t created = 0;
    std::string kid;
    std::filesystem::path path;
    std::shared_ptr<const PrivateKey> private_key;
    std::shared_ptr<const PublicKey> public_key;  // with kid, alg and use set
  };

  SigningKeyRing(std::filesystem::path dir, std::int64_t max_token_lifetime_seconds)
      : dir_(std::move(dir)), max_token_lifetime_(max_token_lifetime_seconds) {}

  fhir::Status Load();
  // Prune, with write_mutex_ held.
  fhir::Status PruneLocked(std::int64_t now);
  // Generates and stores a key created at `created` (requires write_mutex_).
  fhir::Result<Entry> Create(std::int64_t created) const;
  // The active key (requires mutex_, shared).
  const Entry& Active() const { return keys_.back(); }

  const std::filesystem::path dir_;
  const std::int64_t max_token_lifetime_;
  // Serializes changes (Rotate, Prune) so that file work happens outside mutex_.
  std::mutex write_mutex_;
  mutable std::shared_mutex mutex_;
  // Oldest first; the last is active; never empty after Open. GUARDED_BY(mutex_) for reading,
  // and changed only with write_mutex_ held too.
  std::vector<Entry> keys_;
};

}  // namespace schakel::server::auth
