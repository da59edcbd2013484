#include "server/auth/access_tokens.h"

#include <utility>

#include "server/auth/jws.h"
#include "server/auth/jwt.h"
#include "server/util/random.h"

namespace schakel::server::auth {
namespace {

using fhir::Status;
using fhir::json::Value;

Status Refuse(std::string message) { return Status::Unauthorized(std::move(message)); }

const std::string* OptionalString(const Value& payload, std::string_view name) {
  const std::string* value = payload.FindString(name);
  return value != nullptr && !value->empty() ? value : nullptr;
}

}  // namespace

std::string_view PrincipalKindName(Principal::Kind kind) {
  switch (kind) {
    case Principal::Kind::kAnonymous:
      return "anonymous";
    case Principal::Kind::kPatient:
      return "patient";
    case Principal::Kind::kBackend:
      return "backend";
    case Principal::Kind::kAdministrator:
      return "administrator";
  }
  return "anonymous";
}

fhir::Result<IssuedToken> AccessTokens::Issue(const TokenGrant& grant, std::int64_t now) const {
  if (grant.lifetime_seconds < 1 || grant.lifetime_seconds > kMaxLifetimeSeconds) {
    return Status::InvalidInput("a token lifetime must be 1 to " +
                                std::to_string(kMaxLifetimeSeconds) + " seconds");
  }
  fhir::Result<ScopeSet> scopes = ScopeSet::Parse(grant.scope);
  if (!scopes.ok()) return scopes.status();
  IssuedToken issued;
  issued.jti = RandomHex(16);
  issued.expires_at = now + grant.lifetime_seconds;
  Value claims = Value::Object();
  claims.Set("iss", Value::String(issuer_));
  claims.Set("sub", Value::String(grant.subject.empty() ? grant.client_id : grant.subject));
  claims.Set("aud", Value::String(audience_));
  claims.Set("iat", Value::Integer(now));
  claims.Set("exp", Value::Integer(issued.expires_at));
  claims.Set("jti", Value::String(issued.jti));
  claims.Set("scope", Value::String(grant.scope));
  if (!grant.client_id.empty()) claims.Set("client_id", Value::String(grant.client_id));
  switch (grant.kind) {
    case Principal::Kind::kPatient:
      if (grant.patient.empty()) return Status::InvalidInput("a patient token needs a patient");
      claims.Set("patient", Value::String(grant.patient));
      if (!grant.fhir_user.empty()) claims.Set("fhirUser", Value::String(grant.fhir_user));
      break;
    case Principal::Kind::kBackend: {
      if (grant.organization_ura.empty() || grant.client_id.empty()) {
        return Status::InvalidInput("a backend token needs its client and organization");
      }
      Value organization = Value::Object();
      organization.Set("ura", Value::String(grant.organization_ura));
      organization.Set("type", Value::String(grant.organization_type));
      claims.Set("organization", std::move(organization));
      break;
    }
    case Principal::Kind::kAdministrator:
      claims.Set("adm", Value::Bool(true));
      break;
    case Principal::Kind::kAnonymous:
      return Status::InvalidInput("no token is issued to nobody");
  }
  Value header = Value::Object();
  header.Set("typ", Value::String("at+jwt"));  // RFC 9068
  fhir::Result<std::string> token = keys_.Sign(std::move(header), claims);
  if (!token.ok()) return token.status();
  issued.token = std::move(token).value();
  return issued;
}

fhir::Result<Principal> AccessTokens::Verify(std::string_view token, std::int64_t now) const {
  {
    std::shared_lock lock(cache_mutex_);
    if (auto hit = cache_.find(token); hit != cache_.end()) {
      const Principal& principal = *hit->second;
      // The checks that change with time; the rest held when it was verified.
      if (now >= principal.expires_at + kLeewaySeconds) return Refuse("token expired");
      if (store_.IsRevoked(principal.jti)) return Refuse("token revoked");
      return principal;
    }
  }
  fhir::Result<Principal> principal = VerifyUncached(token, now);
  if (!principal.ok()) return principal;
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(std::string(token), std::make_shared<const Principal>(*principal));
  return principal;
}

fhir::Result<Principal> AccessTokens::VerifyUncached(std::string_view token,
                                                     std::int64_t now) const {
  fhir::Result<ParsedJws> jws = ParseCompact(token);
  if (!jws.ok()) return jws.status();
  SCHAKEL_RETURN_IF_ERROR(keys_.Verify(*jws));
  fhir::Result<JwtClaims> claims = JwtClaims::FromPayload(jws->payload);
  if (!claims.ok()) return claims.status();
  ClaimExpectations expected;
  expected.issuer = issuer_;
  expected.audience = audience_;
  expected.now = now;
  expected.leeway_seconds = kLeewaySeconds;
  expected.require_exp = true;
  expected.require_jti = true;
  SCHAKEL_RETURN_IF_ERROR(CheckClaims(*claims, expected));
  if (store_.IsRevoked(*claims->jti)) return Refuse("token revoked");

  const Value& payload = claims->payload;
  Principal principal;
  principal.subject = claims->sub.value_or("");
  principal.jti = *claims->jti;
  principal.expires_at = *claims->exp;
  const std::string* scope = payload.FindString("scope");
  if (scope == nullptr) return Refuse("token without scope");
  fhir::Result<ScopeSet> scopes = ScopeSet::Parse(*scope);
  if (!scopes.ok()) return Refuse("token with an invalid scope");
  principal.scopes = std::move(scopes).value();
  if (const std::string* client = OptionalString(payload, "client_id")) {
    principal.client_id = *client;
  }
  const std::string* patient = OptionalString(payload, "patient");
  const Value* organization = payload.Find("organization");
  const Value* admin = payload.Find("adm");
  const int kinds = (patient != nullptr) + (organization != nullptr) + (admin != nullptr);
  if (kinds != 1) return Refuse("token that is not for one patient, organization or administrator");
  if (patient != nullptr) {
    principal.kind = Principal::Kind::kPatient;
    principal.patient = *patient;
    if (const std::string* user = OptionalString(payload, "fhirUser")) principal.fhir_user = *user;
  } else if (organization != nullptr) {
    const std::string* ura = organization->is_object() ? organization->FindString("ura") : nullptr;
    const std::string* type =
        organization->is_object() ? organization->FindString("type") : nullptr;
    if (ura == nullptr || ura->empty() || principal.client_id.empty()) {
      return Refuse("backend token without its organization or client");
    }
    principal.kind = Principal::Kind::kBackend;
    principal.organization_ura = *ura;
    principal.organization_type = type != nullptr ? *type : "";
  } else {
    if (!admin->is_bool() || !admin->bool_value()) return Refuse("token with a bad adm claim");
    principal.kind = Principal::Kind::kAdministrator;
  }
  return principal;
}

}  // namespace schakel::server::auth
