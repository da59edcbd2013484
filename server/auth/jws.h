// JSON Web Signatures in compact serialization (RFC 7515 section 7.1), for JWTs: SMART client
// assertions we verify and access tokens we sign.
// https://www.rfc-editor.org/rfc/rfc7515, algorithms: RFC 7518 section 3 (see jwa.h).
//
// Error contract:
//   - A token that is malformed, oversized, uses an algorithm we refuse, or fails verification:
//     Code::kUnauthorized (the caller answers 401 / invalid_client / invalid_grant).
//   - A key that cannot be used (bad PEM, unsupported type, too small), or signing arguments
//     that do not fit (an ES384 request with a P-256 key): Code::kInvalidInput.
//   - OpenSSL failing where it should not: Code::kInternal.
//
// PrivateKey is a move-only value owning its EVP_PKEY; its const methods, Sign and Verify are
// safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/auth/jwa.h"
#include "server/auth/jwk.h"
#include "server/auth/openssl_handles.h"

namespace schakel::server::auth {

// A private signing key: EC P-256, EC P-384 or RSA (2048..8192 bits).
class PrivateKey {
 public:
  static constexpr int kGeneratedRsaBits = 2048;

  // A fresh key from OpenSSL's CSPRNG (RSA keys get kGeneratedRsaBits).
  static fhir::Result<PrivateKey> Generate(KeyType type);
  // An unencrypted private key in PEM (PKCS#8 "PRIVATE KEY"; OpenSSL's traditional EC/RSA forms
  // are read too). Encrypted PEM is refused, never prompted for.
  static fhir::Result<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  ~PrivateKey() = default;

  KeyType type() const { return type_; }
  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). Holds the secret: write it only to
  // files no one else can read.
  fhir::Result<std::string> ToPem() const;
  // The public half, without metadata.
  fhir::Result<PublicKey> GetPublicKey() const;

  // The OpenSSL key, owned by this object. Not to be modified.
  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  PrivateKey(EvpPkeyPtr pkey, KeyType type) : pkey_(std::move(pkey)), type_(type) {}
  static fhir::Result<PrivateKey> Adopt(EvpPkeyPtr pkey);

  EvpPkeyPtr pkey_;
  KeyType type_;
};

// Signs `payload` (a JSON object) as a compact JWS. `header` must be an object; its "alg" is set
// to `alg` (other members, such as "kid" or "typ", are the caller's). ECDSA signatures are the
// fixed-length r || s of RFC 7518 section 3.4, not DER.
fhir::Result<std::string> Sign(Algorithm alg, const PrivateKey& key, fhir::json::Value header,
                               const fhir::json::Value& payload);

// A compact JWS taken apart, not yet verified: nothing in it is to be trusted before Verify.
struct ParsedJws {
  Algorithm alg = Algorithm::kEs256;
  fhir::json::Value header;   // a JSON object
  fhir::json::Value payload;  // a JSON object (we only accept JWTs)
  std::string signing_input;  // ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), as received
  std::string signature;      // raw signature bytes

  // The "kid" header, or nullptr when there is none.
  const std::string* kid() const { return header.FindString("kid"); }
};

inline constexpr std::size_t kMaxCompactJwsBytes = 16 * std::size_t{1024};

// Splits and decodes a compact JWS. Refuses tokens longer than `max_bytes`, anything but three
// strict base64url parts, a header or payload that is not a JSON object, a "crit" header (we
// understand no extensions, RFC 7515 section 4.1.11), alg "none", any alg not in jwa.h, and a
// "kid" that is not a string.
fhir::Result<ParsedJws> ParseCompact(std::string_view token,
                                     std::size_t max_bytes = kMaxCompactJwsBytes);

// Verifies the signature of `jws` with `key`. The token's alg must be in `allowed` and fit the
// key (type and curve, and the key's own alg/use/key_ops when given); an ECDSA signature must
// be exactly twice the coordinate length. OpenSSL does the comparison.
fhir::Status Verify(const ParsedJws& jws, const PublicKey& key, std::span<const Algorithm> allowed);

}  // namespace schakel::server::auth
