// Access tokens: JWTs the server signs with its own key ring (ES256, with kid) and verifies on
// every FHIR request. https://hl7.org/fhir/smart-app-launch/app-launch.html#response-5
//
// Claims: iss (the issuer, our FHIR base URL), sub, aud (the FHIR base URL the token is for),
// iat, exp, jti, scope, client_id; for a patient "patient" (and "fhirUser" when asked); for a
// backend client "organization" {"ura","type"} (bound at the client's registration); for an
// administrator token "adm": true. The principal's kind follows from these claims.
//
// Verification refuses: anything but a compact JWS signed ES256 by a key of ours (alg none,
// other algorithms, unknown kid), a wrong iss or aud, an expired or not yet valid token, a
// revoked jti, and claims that do not make a principal. Every refusal is Code::kUnauthorized.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fhir/status.h"
#include "server/auth/principal.h"
#include "server/auth/signing_keys.h"
#include "store/auth_store.h"

namespace schakel::server::auth {

// What a token is issued for.
struct TokenGrant {
  Principal::Kind kind = Principal::Kind::kPatient;  // not kAnonymous
  std::string subject;
  std::string client_id;
  std::string scope;  // the granted scope string
  std::string patient;
  std::string fhir_user;
  std::string organization_ura;
  std::string organization_type;
  std::int64_t lifetime_seconds = 3600;
};

struct IssuedToken {
  std::string token;
  std::string jti;
  std::int64_t expires_at = 0;
};

class AccessTokens {
 public:
  // The longest lifetime Issue allows; the key ring keeps retired keys this long.
  static constexpr std::int64_t kMaxLifetimeSeconds = 24 * 3600;

  // `issuer` and `audience` are both the FHIR base URL in practice.
  AccessTokens(const SigningKeyRing& keys, const store::AuthStore& store, std::string issuer,
               std::string audience)
      : keys_(keys), store_(store), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

  fhir::Result<IssuedToken> Issue(const TokenGrant& grant, std::int64_t now) const;
  // Verifies `token`. A token verified before is answered from a cache (an ECDSA verification
  // costs more than a whole FHIR read), still checked for expiry and revocation every time.
  fhir::Result<Principal> Verify(std::string_view token, std::int64_t now) const;

  const std::string& issuer() const { return issuer_; }
  const std::string& audience() const { return audience_; }

 private:
  // The most verified tokens kept; when full, the cache starts over.
  static constexpr std::size_t kCacheLimit = 10'000;
  static constexpr std::int64_t kLeewaySeconds = 30;

  fhir::Result<Principal> VerifyUncached(std::string_view token, std::int64_t now) const;

  const SigningKeyRing& keys_;
  const store::AuthStore& store_;
  std::string issuer_;
  std::string audience_;
  mutable std::shared_mutex cache_mutex_;
  // Token text -> what it verified to.
  struct TokenHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  mutable std::unordered_map<std::string, std::shared_ptr<const Principal>, TokenHash,
                             std::equal_to<>>
      cache_;  // GUARDED_BY(cache_mutex_)
};

}  // namespace schakel::server::auth
