// The JSON Web Algorithms Schakel accepts for signatures (RFC 7518 section 3), and the key types
// they need. Deliberately small: asymmetric algorithms only (no HMAC, whose shared secrets the
// SMART backend-services profile does not use), no "none", no RSASSA-PSS yet.
// https://www.rfc-editor.org/rfc/rfc7518#section-3.1
#pragma once

#include <optional>
#include <string_view>

namespace schakel::server::auth {

enum class Algorithm {
  kEs256,  // ECDSA P-256 with SHA-256
  kEs384,  // ECDSA P-384 with SHA-384
  kRs256,  // RSASSA-PKCS1-v1_5 with SHA-256
  kRs384,  // RSASSA-PKCS1-v1_5 with SHA-384
};

inline constexpr Algorithm kAllAlgorithms[] = {Algorithm::kEs256, Algorithm::kEs384,
                                               Algorithm::kRs256, Algorithm::kRs384};

// The "alg" name, e.g. "ES256".
std::string_view AlgorithmName(Algorithm alg);
// The algorithm named `name` (case-sensitive, as RFC 7515 requires), or nullopt.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);

// Public key types we can hold: EC on the two curves we sign with, and RSA.
enum class KeyType { kEcP256, kEcP384, kRsa };

// The key type `alg` needs: ES256 needs P-256, ES384 P-384, RS* RSA. A key on another curve
// must never be accepted for an algorithm (RFC 7518 section 3.4).
KeyType KeyTypeFor(Algorithm alg);

}  // namespace schakel::server::auth
