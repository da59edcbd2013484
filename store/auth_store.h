// AuthStore: what the SMART authorization server keeps between requests and across restarts:
// registered clients, refresh tokens, revoked access tokens, and the client assertions already
// seen. Separate from the FHIR ResourceStore (its own file), so that token traffic never waits
// for the FHIR store's writer.
//
// Times are seconds since the Unix epoch, as in a JWT's iat and exp. Something that expires at
// `expires_at` is valid while now < expires_at (RFC 7519 section 4.1.4), and Prune may delete it
// from then on.
//
// Several processes may use the same store at once (the CLI registers a client while the server
// runs): every client read and every refresh-token operation goes to the store, and each
// operation is atomic across processes.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace schakel::store {

// A registered OAuth client.
struct Client {
  enum class Kind {
    kPatientApp,  // a SMART app launched by a patient (authorization code + PKCE)
    kBackend,     // SMART Backend Services (client_credentials + private_key_jwt)
  };

  std::string id;  // client_id; unique, not empty
  std::string name;
  Kind kind = Kind::kPatientApp;
  std::vector<std::string> redirect_uris;  // in the order registered
  std::string jwks;                        // JWK Set as JSON text (backend clients)
  std::string organization_ura;            // URA of the client's organization (backend only)
  std::string organization_type;           // (backend only)
  // The most this client may be granted, as a scope string; empty = the default for its kind.
  std::string scope;
  std::int64_t created_at = 0;

  friend bool operator==(const Client&, const Client&) = default;
};

// A refresh token, known by the SHA-256 hash of its value only, so that a copy of the store does
// not hold usable tokens. Rotation: each use issues a new token of the same family and marks
// the used one; a second use of a marked token means it was stolen, and revokes the family
// (OAuth 2.0 Security BCP, RFC 9700 section 4.14).
struct RefreshToken {
  std::string hash;       // computed by the caller; stored and compared as bytes
  std::string client_id;  // a registered client
  std::string family;     // the same for every token rotated from one grant
  std::string scope;      // the scopes granted
  std::string patient;    // launch context: the patient's id, or empty
  std::string fhir_user;  // the user's FHIR resource URL, or empty
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;

  friend bool operator==(const RefreshToken&, const RefreshToken&) = default;
};

class AuthStore {
 public:
  virtual ~AuthStore() = default;

  // --- Clients ---

  // kConflict when the id is taken; kInvalidInput for an empty id.
  virtual fhir::Status AddClient(const Client& client) = 0;
  // kNotFound when no client has that id.
  virtual fhir::Result<Client> GetClient(std::string_view id) = 0;
  // Every client, ordered by id.
  virtual fhir::Result<std::vector<Client>> ListClients() = 0;
  // Removes the client and its refresh tokens. kNotFound when no client has that id.
  virtual fhir::Status RemoveClient(std::string_view id) = 0;

  // --- Refresh tokens ---

  // Stores a new token. kNotFound when its client is not registered; kConflict when a token with
  // that hash exists; kUnauthorized when its family has been revoked (a rotation that raced with
  // the detection of a reuse).
  virtual fhir::Status PutRefreshToken(const RefreshToken& token) = 0;
  // Marks the token used and returns it, atomically: of concurrent uses of one token, one wins.
  // kNotFound when the token is unknown, expired or revoked. kUnauthorized when it was used
  // before (a replay of a rotated token): the whole family is then revoked, so that neither the
  // thief nor the client can refresh again.
  virtual fhir::Result<RefreshToken> UseRefreshToken(std::string_view hash, std::int64_t now) = 0;
  // Revokes the token's whole family (RFC 7009). kNotFound when the token is unknown.
  virtual fhir::Status RevokeRefreshToken(std::string_view hash) = 0;
  // Revokes every refresh token of the client (none is fine).
  virtual fhir::Status RevokeClientTokens(std::string_view client_id) = 0;

  // --- Access tokens ---

  // Records that the access token with this jti is revoked until it expires.
  virtual fhir::Status RevokeAccessToken(std::string_view jti, std::int64_t expires_at) = 0;
  // Whether the access token is revoked. Called on every FHIR request, so it answers from memory
  // and never fails; it may go on answering true after the token expired until Prune.
  virtual bool IsRevoked(std::string_view jti) const = 0;

  // --- Client assertions (RFC 7523 section 3, item 7) ---

  // Remembers the jti of a client's assertion JWT until `expires_at` (its exp). True the first
  // time; false when that (client_id, jti) was remembered before and has not expired, i.e. a
  // replay. Atomic across threads and processes: of concurrent calls, exactly one sees true.
  // The caller rejects expired assertions, and ones whose exp is too far away, before asking.
  virtual fhir::Result<bool> RememberAssertion(std::string_view client_id, std::string_view jti,
                                               std::int64_t expires_at, std::int64_t now) = 0;

  // --- Housekeeping ---

  // Deletes every refresh token, revoked access token and remembered assertion that expired at
  // `now` or before. Returns how many were deleted.
  virtual fhir::Result<std::int64_t> Prune(std::int64_t now) = 0;
};

}  // namespace schakel::store
