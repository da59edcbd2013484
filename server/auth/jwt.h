// JSON Web Token claims (RFC 7519 section 4.1) and the checks every token we accept must pass:
// client assertions (RFC 7523, SMART Backend Services) and our own access tokens.
// https://www.rfc-editor.org/rfc/rfc7519#section-4.1
//
// Use after jws.h: ParseCompact, Verify, then JwtClaims::FromPayload and CheckClaims. Claims of a
// token whose signature was not verified mean nothing.
//
// Every failure is Code::kUnauthorized with a short message ("token expired", "wrong audience").
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::server::auth {

// The registered claims of a JWT payload, typed. Times are NumericDate (seconds since the epoch,
// RFC 7519 section 2); fractional values are rounded down to whole seconds.
struct JwtClaims {
  std::optional<std::string> iss;
  std::optional<std::string> sub;
  std::vector<std::string> aud;  // "aud" as a string or an array of strings; empty if absent
  std::optional<std::int64_t> exp;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> iat;
  std::optional<std::string> jti;
  fhir::json::Value payload;  // the whole payload, for other claims (scope, client_id, ...)

  // Reads the claims from a payload object. Registered claims of the wrong JSON type, and
  // NumericDates that are not numbers in [0, 253402300799] (up to year 9999), are errors.
  static fhir::Result<JwtClaims> FromPayload(const fhir::json::Value& payload);
};

struct ClaimExpectations {
  std::optional<std::string> issuer;    // "iss" must equal it
  std::optional<std::string> subject;   // "sub" must equal it
  std::optional<std::string> audience;  // must be one of "aud"
  std::int64_t now = 0;                 // seconds since the epoch
  std::int64_t leeway_seconds = 60;     // allowed clock skew, applied to every time check
  bool require_exp = true;
  // When set, "exp" is required and may lie at most this far after `now` (plus leeway): e.g.
  // 300 for client assertions (SMART Backend Services: "no more than five minutes in the
  // future").
  std::optional<std::int64_t> max_lifetime_seconds;
  bool require_jti = false;  // a non-empty "jti", for replay protection by the caller
};

// Checks `claims` against `expected`:
//   exp: now < exp + leeway; nbf: nbf <= now + leeway; iat: iat <= now + leeway;
//   exp - now <= max_lifetime + leeway; iss, sub, aud, jti as configured.
fhir::Status CheckClaims(const JwtClaims& claims, const ClaimExpectations& expected);

}  // namespace schakel::server::auth
