#include "server/auth/jwt.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace schakel::server::auth {
namespace {

using fhir::Result;
using fhir::Status;
using fhir::json::Value;

// 9999-12-31T23:59:59Z: far beyond any real token, and small enough that adding leeways and
// lifetimes to it cannot overflow.
constexpr std::int64_t kMaxNumericDate = 253402300799;

Status StringClaim(const Value& payload, std::string_view name, std::optional<std::string>& out) {
  const Value* v = payload.Find(name);
  if (v == nullptr) return Status::Ok();
  if (!v->is_string()) {
    return Status::Unauthorized("claim \"" + std::string(name) + "\" must be a string");
  }
  out = v->text();
  return Status::Ok();
}

Status DateClaim(const Value& payload, std::string_view name, std::optional<std::int64_t>& out) {
  const Value* v = payload.Find(name);
  if (v == nullptr) return Status::Ok();
  const std::string error = "claim \"" + std::string(name) + "\" must be a NumericDate";
  if (!v->is_number()) return Status::Unauthorized(error);
  if (std::optional<std::int64_t> n = v->AsInt64(); n) {
    if (*n < 0 || *n > kMaxNumericDate) return Status::Unauthorized(error + " in range");
    out = *n;
    return Status::Ok();
  }
  // A fraction or exponent form ("1.7e9", "1700000000.5").
  const std::string& text = v->text();
  double d = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(d)) {
    return Status::Unauthorized(error);
  }
  d = std::floor(d);
  if (d < 0 || d > static_cast<double>(kMaxNumericDate)) {
    return Status::Unauthorized(error + " in range");
  }
  out = static_cast<std::int64_t>(d);
  return Status::Ok();
}

}  // namespace

Result<JwtClaims> JwtClaims::FromPayload(const Value& payload) {
  if (!payload.is_object()) return Status::Unauthorized("JWT claims must be a JSON object");
  JwtClaims claims;
  SCHAKEL_RETURN_IF_ERROR(StringClaim(payload, "iss", claims.iss));
  SCHAKEL_RETURN_IF_ERROR(StringClaim(payload, "sub", claims.sub));
  SCHAKEL_RETURN_IF_ERROR(StringClaim(payload, "jti", claims.jti));
  if (const Value* aud = payload.Find("aud"); aud != nullptr) {
    if (aud->is_string()) {
      claims.aud.push_back(aud->text());
    } else if (aud->is_array()) {
      for (const Value& item : aud->items()) {
        if (!item.is_string()) {
          return Status::Unauthorized("claim \"aud\" must be a string or an array of strings");
        }
        claims.aud.push_back(item.text());
      }
    } else {
      return Status::Unauthorized("claim \"aud\" must be a string or an array of strings");
    }
  }
  SCHAKEL_RETURN_IF_ERROR(DateClaim(payload, "exp", claims.exp));
  SCHAKEL_RETURN_IF_ERROR(DateClaim(payload, "nbf", claims.nbf));
  SCHAKEL_RETURN_IF_ERROR(DateClaim(payload, "iat", claims.iat));
  claims.payload = payload;
  return claims;
}

Status CheckClaims(const JwtClaims& claims, const ClaimExpectations& expected) {
  const std::int64_t leeway = expected.leeway_seconds;
  if (!claims.exp && (expected.require_exp || expected.max_lifetime_seconds)) {
    return Status::Unauthorized("token has no \"exp\" claim");
  }
  if (claims.exp && expected.now >= *claims.exp + leeway) {
    return Status::Unauthorized("token expired");
  }
  if (claims.nbf && *claims.nbf > expected.now + leeway) {
    return Status::Unauthorized("token not yet valid (nbf is in the future)");
  }
  if (claims.iat && *claims.iat > expected.now + leeway) {
    return Status::Unauthorized("token issued in the future (iat)");
  }
  if (expected.max_lifetime_seconds &&
      *claims.exp - expected.now > *expected.max_lifetime_seconds + leeway) {
    return Status::Unauthorized("token exp is more than " +
                                std::to_string(*expected.max_lifetime_seconds) +
                                " seconds in the future");
  }
  if (expected.issuer && claims.iss != expected.issuer) {
    return Status::Unauthorized("wrong issuer");
  }
  if (expected.subject && claims.sub != expected.subject) {
    return Status::Unauthorized("wrong subject");
  }
  if (expected.audience) {
    bool found = false;
    for (const std::string& aud : claims.aud) found = found || aud == *expected.audience;
    if (!found) return Status::Unauthorized("wrong audience");
  }
  if (expected.require_jti && (!claims.jti || claims.jti->empty())) {
    return Status::Unauthorized("token has no \"jti\" claim");
  }
  return Status::Ok();
}

}  // namespace schakel::server::auth
