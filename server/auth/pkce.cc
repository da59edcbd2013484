#include "server/auth/pkce.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <optional>
#include <string>

#include "server/auth/base64url.h"

namespace schakel::server::auth {
namespace {

constexpr std::size_t kMinVerifierLength = 43;
constexpr std::size_t kMaxVerifierLength = 128;
constexpr std::size_t kSha256Length = 32;
constexpr std::size_t kChallengeLength = 43;  // unpadded base64url of 32 bytes

// RFC 3986 "unreserved": ALPHA / DIGIT / "-" / "." / "_" / "~".
bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::optional<std::string> Sha256(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != kSha256Length) {
    return std::nullopt;
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

}  // namespace

fhir::Status CheckCodeVerifierSyntax(std::string_view verifier) {
  if (verifier.size() < kMinVerifierLength || verifier.size() > kMaxVerifierLength) {
    return fhir::Status::InvalidInput("code_verifier must be 43 to 128 characters long, not " +
                                      std::to_string(verifier.size()));
  }
  for (char c : verifier) {
    if (!IsUnreserved(c)) {
      return fhir::Status::InvalidInput(
          "code_verifier may contain only letters, digits and '-', '.', '_', '~'");
    }
  }
  return fhir::Status::Ok();
}

fhir::Status CheckCodeChallenge(std::string_view challenge, std::string_view method) {
  if (method != kPkceMethodS256) {
    if (method.empty() || method == "plain") {
      return fhir::Status::InvalidInput(
          "code_challenge_method must be S256: the plain method is not supported");
    }
    return fhir::Status::InvalidInput("code_challenge_method must be S256");
  }
  if (challenge.size() != kChallengeLength) {
    return fhir::Status::InvalidInput(
        "code_challenge must be the 43-character base64url encoding of a SHA-256 digest");
  }
  std::optional<std::string> digest = Base64UrlDecode(challenge);
  if (!digest || digest->size() != kSha256Length) {
    return fhir::Status::InvalidInput("code_challenge is not valid base64url");
  }
  return fhir::Status::Ok();
}

bool VerifyS256(std::string_view verifier, std::string_view challenge) {
  if (!CheckCodeVerifierSyntax(verifier).ok()) return false;
  std::optional<std::string> digest = Sha256(verifier);
  if (!digest) return false;
  const std::string expected = Base64UrlEncode(*digest);
  // The length of a valid challenge is public (always 43); only the content is compared in
  // constant time.
  if (challenge.size() != expected.size()) return false;
  return CRYPTO_memcmp(expected.data(), challenge.data(), expected.size()) == 0;
}

}  // namespace schakel::server::auth
