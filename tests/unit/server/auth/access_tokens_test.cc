#include "server/auth/access_tokens.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "fhir/json/write.h"
#include "server/auth/base64url.h"
#include "server/auth/jws.h"
#include "store/sqlite/sqlite_auth_store.h"

namespace schakel::server::auth {
namespace {

namespace fs = std::filesystem;
using fhir::Code;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr const char* kBase = "https://fhir.example.nl/fhir";

class AccessTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    root_ = fs::temp_directory_path() /
            ("schakel-tokens-" + std::to_string(random()) + "-" + std::to_string(random()));
    ASSERT_TRUE(fs::create_directory(root_));
    auto keys = SigningKeyRing::Open(root_ / "keys", kNow, AccessTokens::kMaxLifetimeSeconds);
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    keys_ = std::move(keys).value();
    auto store = store::SqliteAuthStore::Open({(root_ / "auth.db").string()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    tokens_ = std::make_unique<AccessTokens>(*keys_, *store_, kBase, kBase);
  }
  void TearDown() override {
    tokens_.reset();
    store_.reset();
    keys_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string Issue(const TokenGrant& grant, std::int64_t now = kNow) {
    fhir::Result<IssuedToken> issued = tokens_->Issue(grant, now);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? issued->token : "";
  }

  static TokenGrant PatientGrant() {
    TokenGrant grant;
    grant.kind = Principal::Kind::kPatient;
    grant.client_id = "portal";
    grant.subject = "Patient/p1";
    grant.scope = "launch/patient openid fhirUser patient/*.rs";
    grant.patient = "p1";
    grant.fhir_user = std::string(kBase) + "/Patient/p1";
    return grant;
  }

  fs::path root_;
  std::unique_ptr<SigningKeyRing> keys_;
  std::unique_ptr<store::SqliteAuthStore> store_;
  std::unique_ptr<AccessTokens> tokens_;
};

TEST_F(AccessTokensTest, APatientTokenVerifiesToItsPrincipal) {
  const std::string token = Issue(PatientGrant());
  fhir::Result<Principal> principal = tokens_->Verify(token, kNow + 10);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->kind, Principal::Kind::kPatient);
  EXPECT_EQ(principal->patient, "p1");
  EXPECT_EQ(principal->client_id, "portal");
  EXPECT_EQ(principal->fhir_user, std::string(kBase) + "/Patient/p1");
  EXPECT_TRUE(principal->scopes.Grants(ScopeContext::kPatient, "Observation", Permission::kRead));
  EXPECT_FALSE(
      principal->scopes.Grants(ScopeContext::kPatient, "Observation", Permission::kCreate));
  EXPECT_EQ(principal->expires_at, kNow + 3600);
  // The header names our key and the type of token.
  fhir::Result<ParsedJws> jws = ParseCompact(token);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(*jws->kid(), keys_->active_kid());
  EXPECT_EQ(*jws->header.FindString("typ"), "at+jwt");
}

TEST_F(AccessTokensTest, BackendAndAdministratorTokens) {
  TokenGrant backend;
  backend.kind = Principal::Kind::kBackend;
  backend.client_id = "ehr-1";
  backend.scope = "system/Patient.rs";
  backend.organization_ura = "12345678";
  backend.organization_type = "Z3";
  fhir::Result<Principal> b = tokens_->Verify(Issue(backend), kNow);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->kind, Principal::Kind::kBackend);
  EXPECT_EQ(b->organization_ura, "12345678");
  EXPECT_EQ(b->organization_type, "Z3");

  TokenGrant admin;
  admin.kind = Principal::Kind::kAdministrator;
  admin.subject = "administrator";
  admin.scope = "system/*.cruds";
  fhir::Result<Principal> a = tokens_->Verify(Issue(admin), kNow);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->kind, Principal::Kind::kAdministrator);

  // Grants that cannot make a principal are refused at issue.
  TokenGrant incomplete = backend;
  incomplete.organization_ura.clear();
  EXPECT_FALSE(tokens_->Issue(incomplete, kNow).ok());
  TokenGrant no_patient = PatientGrant();
  no_patient.patient.clear();
  EXPECT_FALSE(tokens_->Issue(no_patient, kNow).ok());
  TokenGrant too_long = PatientGrant();
  too_long.lifetime_seconds = AccessTokens::kMaxLifetimeSeconds + 1;
  EXPECT_FALSE(tokens_->Issue(too_long, kNow).ok());
}

TEST_F(AccessTokensTest, RefusesExpiredRevokedTamperedAndForeignTokens) {
  const std::string token = Issue(PatientGrant());
  auto refused = [&](const std::string& t, std::int64_t now = kNow) {
    fhir::Result<Principal> p = tokens_->Verify(t, now);
    return !p.ok() && p.status().code() == Code::kUnauthorized;
  };
  EXPECT_TRUE(refused(token, kNow + 3600 + 31));  // expired (30 s leeway)
  EXPECT_FALSE(refused(token, kNow + 3600 + 29));
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("not.a.token"));

  // A payload changed after signing.
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  std::string payload = *Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("\"p1\""), 4, "\"p2\"");
  EXPECT_TRUE(refused(token.substr(0, dot1 + 1) + Base64UrlEncode(payload) + token.substr(dot2)));
  // alg none, with the signature dropped.
  const std::string none_header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  EXPECT_TRUE(refused(none_header + token.substr(dot1, dot2 - dot1) + "."));

  // Another audience (a token of a server with another base URL, signed with our own key).
  AccessTokens other(*keys_, *store_, kBase, "https://other.example.nl/fhir");
  fhir::Result<IssuedToken> foreign = other.Issue(PatientGrant(), kNow);
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE(refused(foreign->token));
  // Another key ring: an unknown kid.
  auto stranger_keys =
      SigningKeyRing::Open(root_ / "other-keys", kNow, AccessTokens::kMaxLifetimeSeconds);
  ASSERT_TRUE(stranger_keys.ok());
  AccessTokens stranger(**stranger_keys, *store_, kBase, kBase);
  EXPECT_TRUE(refused(stranger.Issue(PatientGrant(), kNow)->token));

  // Revoked.
  fhir::Result<Principal> principal = tokens_->Verify(token, kNow);
  ASSERT_TRUE(principal.ok());
  ASSERT_TRUE(store_->RevokeAccessToken(principal->jti, principal->expires_at).ok());
  EXPECT_TRUE(refused(token));
}

TEST_F(AccessTokensTest, TokensOfARetiredKeyStayValidAfterRotation) {
  const std::string before = Issue(PatientGrant());
  ASSERT_TRUE(keys_->Rotate(kNow + 5).ok());
  const std::string after = Issue(PatientGrant(), kNow + 5);
  EXPECT_TRUE(tokens_->Verify(before, kNow + 10).ok());
  EXPECT_TRUE(tokens_->Verify(after, kNow + 10).ok());
  EXPECT_NE(*ParseCompact(before)->kid(), *ParseCompact(after)->kid());
}

}  // namespace
}  // namespace schakel::server::auth

namespace schakel::server::auth {
namespace {

// A second Verify of the same token comes from the cache, but expiry and revocation still hold.
TEST_F(AccessTokensTest, ACachedTokenStillExpiresAndCanBeRevoked) {
  const std::string token = Issue(PatientGrant());
  fhir::Result<Principal> first = tokens_->Verify(token, kNow + 10);
  ASSERT_TRUE(first.ok());
  fhir::Result<Principal> again = tokens_->Verify(token, kNow + 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->jti, first->jti);
  EXPECT_EQ(again->patient, "p1");
  EXPECT_EQ(tokens_->Verify(token, kNow + 3600 + 31).status().code(), Code::kUnauthorized);
  ASSERT_TRUE(store_->RevokeAccessToken(first->jti, first->expires_at).ok());
  EXPECT_EQ(tokens_->Verify(token, kNow + 30).status().code(), Code::kUnauthorized);
  // A token that failed is not remembered as good: a tampered copy fails every time.
  std::string tampered = token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens_->Verify(tampered, kNow + 10).ok());
  EXPECT_FALSE(tokens_->Verify(tampered, kNow + 10).ok());
}

}  // namespace
}  // namespace schakel::server::auth
