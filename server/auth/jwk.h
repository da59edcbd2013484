// JSON Web Keys (RFC 7517) for signature verification: a single public key, and a JWK Set such as
// a SMART client publishes at its jwks_uri or registers inline.
// https://www.rfc-editor.org/rfc/rfc7517, key parameters: RFC 7518 section 6,
// thumbprints: RFC 7638.
//
// Error contract: every failure here is about a key someone handed us, so it is
// Code::kInvalidInput with a message naming the member at fault ("EC key x must be 32 bytes").
//
// PublicKey and JwkSet are move-only values that own their OpenSSL objects; const methods are
// safe to call from many threads at once (OpenSSL allows concurrent use of a const EVP_PKEY).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/auth/jwa.h"
#include "server/auth/openssl_handles.h"

namespace schakel::server::auth {

// Bounds on RSA moduli: below 2048 bits is too weak (NIST SP 800-131A), above 8192 only costs
// verification time that an attacker chooses.
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

// A public key for verifying signatures, with the JWK metadata that restricts its use.
// Never holds private material: keys are rebuilt from their public components only, whatever
// they were made from.
class PublicKey {
 public:
  // Parses a JWK object: kty "EC" with crv "P-256"/"P-384" (x and y of the full coordinate
  // length, the point on the curve), or kty "RSA" (n of 2048..8192 bits, e odd). Private members
  // ("d", "p", "q", ...) are ignored and never exported. Keeps kid, alg, use and key_ops.
  static fhir::Result<PublicKey> FromJwk(const fhir::json::Value& jwk);
  // The public half of an OpenSSL key (which may be a private key), with the same checks as
  // FromJwk and no metadata.
  static fhir::Result<PublicKey> FromEvpPkey(const EVP_PKEY* pkey);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  ~PublicKey() = default;

  KeyType type() const { return type_; }
  // Metadata; empty when absent.
  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }
  const std::string& use() const { return use_; }
  const std::vector<std::string>& key_ops() const { return key_ops_; }
  void set_kid(std::string kid) { kid_ = std::move(kid); }
  void set_alg(std::string alg) { alg_ = std::move(alg); }
  void set_use(std::string use) { use_ = std::move(use); }

  // Empty when this key may verify signatures made with `alg`; otherwise why not: the key type
  // or curve does not fit the algorithm, or the key's "alg", "use" or "key_ops" rule it out.
  std::string WhyNotFor(Algorithm alg) const;
  bool CanVerify(Algorithm alg) const { return WhyNotFor(alg).empty(); }

  // The public JWK: kty and its public members, then kid, alg and use when set.
  fhir::json::Value ToJwk() const;
  // RFC 7638 thumbprint: base64url(SHA-256(canonical JSON of the required members)).
  std::string Thumbprint() const;

  // The OpenSSL key, owned by this object. Not to be modified.
  EVP_PKEY* pkey() const { return pkey_.get(); }

 private:
  PublicKey(EvpPkeyPtr pkey, KeyType type, std::string a, std::string b)
      : pkey_(std::move(pkey)), type_(type), a_(std::move(a)), b_(std::move(b)) {}
  // Builds and checks the key from its public components (see a_ and b_).
  static fhir::Result<PublicKey> FromComponents(KeyType type, std::string a, std::string b);

  EvpPkeyPtr pkey_;
  KeyType type_;
  // The public components as big-endian bytes: EC x and y (full coordinate length), or RSA n
  // and e (no leading zeros).
  std::string a_;
  std::string b_;
  std::string kid_;
  std::string alg_;
  std::string use_;
  std::vector<std::string> key_ops_;
};

// A JWK Set ({"keys": [...]}). Following RFC 7517 section 5, keys we cannot use (unknown kty or
// crv, missing or out-of-range members) are skipped, not fatal; a set with no usable key is an
// error. Duplicate kids are kept; Find returns the first.
class JwkSet {
 public:
  static constexpr std::size_t kMaxKeys = 32;
  static constexpr std::size_t kMaxDocumentBytes = 64 * std::size_t{1024};

  // From a parsed document. More than kMaxKeys entries is an error, as is no usable key.
  static fhir::Result<JwkSet> FromValue(const fhir::json::Value& document);
  // From JSON text of at most kMaxDocumentBytes.
  static fhir::Result<JwkSet> Parse(std::string_view text);

  const std::vector<PublicKey>& keys() const { return keys_; }
  // One message per skipped key, for logs.
  const std::vector<std::string>& skipped() const { return skipped_; }

  // The first key with this kid, or nullptr. The pointer lives as long as this set.
  const PublicKey* Find(std::string_view kid) const;
  // The keys that may verify a signature made with `alg`, for tokens without a "kid".
  std::vector<const PublicKey*> CandidatesFor(Algorithm alg) const;

 private:
  std::vector<PublicKey> keys_;
  std::vector<std::string> skipped_;
};

}  // namespace schakel::server::auth
