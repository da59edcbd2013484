// PKCE (RFC 7636), S256 only: the checks the authorization endpoint makes on a code_challenge and
// the token endpoint on a code_verifier.
//
// "plain" is refused: SMART App Launch 2.x requires S256 and forbids plain
// (https://hl7.org/fhir/smart-app-launch/app-launch.html). Stateless and thread-safe.
#pragma once

#include <string_view>

#include "fhir/status.h"

namespace schakel::server::auth {

// The only code_challenge_method accepted.
inline constexpr std::string_view kPkceMethodS256 = "S256";

// Checks that `verifier` is 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 section 4.1).
// kInvalidInput with a message naming the rule broken.
fhir::Status CheckCodeVerifierSyntax(std::string_view verifier);

// Checks a code_challenge and its code_challenge_method as sent to the authorization endpoint:
// the method must be exactly "S256" (an absent method means "plain" by RFC 7636 section 4.3, and
// is refused too: pass it as empty), and the challenge the unpadded base64url encoding of a
// SHA-256 digest, i.e. 43 characters that decode to 32 bytes. kInvalidInput otherwise.
fhir::Status CheckCodeChallenge(std::string_view challenge, std::string_view method);

// Whether base64url(SHA-256(verifier)) equals `challenge` (RFC 7636 section 4.6), compared in
// constant time. False also when `verifier` fails CheckCodeVerifierSyntax.
bool VerifyS256(std::string_view verifier, std::string_view challenge);

}  // namespace schakel::server::auth
