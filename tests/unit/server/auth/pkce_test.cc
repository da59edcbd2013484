#include "server/auth/pkce.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace schakel::server::auth {
namespace {

// RFC 7636 appendix B.
constexpr std::string_view kRfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kRfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

TEST(Pkce, VerifiesTheRfc7636Example) {
  EXPECT_TRUE(CheckCodeVerifierSyntax(kRfcVerifier).ok());
  EXPECT_TRUE(CheckCodeChallenge(kRfcChallenge, "S256").ok());
  EXPECT_TRUE(VerifyS256(kRfcVerifier, kRfcChallenge));
}

TEST(Pkce, RejectsAnotherVerifierOrChallenge) {
  std::string verifier(kRfcVerifier);
  verifier.back() = 'j';
  EXPECT_FALSE(VerifyS256(verifier, kRfcChallenge));
  std::string challenge(kRfcChallenge);
  challenge[0] = 'F';
  EXPECT_FALSE(VerifyS256(kRfcVerifier, challenge));
  EXPECT_FALSE(VerifyS256(kRfcVerifier, ""));
  EXPECT_FALSE(VerifyS256(kRfcVerifier, std::string(kRfcChallenge) + "A"));
  EXPECT_FALSE(VerifyS256(kRfcVerifier, kRfcChallenge.substr(1)));
  // "plain" would compare the verifier itself.
  EXPECT_FALSE(VerifyS256(kRfcVerifier, kRfcVerifier));
}

TEST(Pkce, VerifyRefusesAVerifierOfBadSyntax) {
  // Too short to be a verifier, even though the challenge is its real digest:
  // base64url(SHA-256("abc")).
  EXPECT_FALSE(VerifyS256("abc", "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"));
}

TEST(Pkce, VerifierSyntax) {
  struct Case {
    std::string verifier;
    bool ok;
  };
  const Case cases[] = {
      {std::string(43, 'a'), true},
      {std::string(128, 'Z'), true},
      {std::string(42, 'a'), false},
      {std::string(129, 'a'), false},
      {"", false},
      {std::string(40, '0') + "-._~", true},
      {std::string(42, 'a') + "+", false},
      {std::string(42, 'a') + "/", false},
      {std::string(42, 'a') + "=", false},
      {std::string(42, 'a') + " ", false},
      {std::string(42, 'a') + "%", false},
      {std::string(41, 'a') + "\xc3\xa9", false},
      {std::string(42, 'a') + std::string(1, '\0'), false},
  };
  for (const Case& c : cases) {
    fhir::Status status = CheckCodeVerifierSyntax(c.verifier);
    EXPECT_EQ(status.ok(), c.ok) << c.verifier;
    if (!c.ok) {
      EXPECT_EQ(status.code(), fhir::Code::kInvalidInput);
      EXPECT_NE(status.message().find("code_verifier"), std::string_view::npos);
    }
  }
}

TEST(Pkce, ChallengeMethodMustBeS256) {
  for (std::string_view method : {"plain", "", "s256", "S512", "S256 "}) {
    fhir::Status status = CheckCodeChallenge(kRfcChallenge, method);
    ASSERT_FALSE(status.ok()) << method;
    EXPECT_EQ(status.code(), fhir::Code::kInvalidInput);
    EXPECT_NE(status.message().find("S256"), std::string_view::npos);
  }
  EXPECT_NE(CheckCodeChallenge(kRfcChallenge, "plain").message().find("plain"),
            std::string_view::npos);
}

TEST(Pkce, ChallengeMustBeADigestInBase64Url) {
  const std::string_view bad[] = {
      "",
      kRfcChallenge.substr(1),                          // 42 characters
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=",   // padded
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM",    // base64, not base64url
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN",    // non-zero left-over bits
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw cM",    // space
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cME9",  // 45 characters
  };
  for (std::string_view challenge : bad) {
    fhir::Status status = CheckCodeChallenge(challenge, "S256");
    EXPECT_FALSE(status.ok()) << challenge;
    EXPECT_EQ(status.code(), fhir::Code::kInvalidInput);
  }
}

}  // namespace
}  // namespace schakel::server::auth
