#include "server/auth/jwk.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "fhir/json/parse.h"
#include "server/auth/base64url.h"
#include "server/auth/jws.h"

namespace schakel::server::auth {
namespace {

using fhir::Code;
using fhir::json::Value;

Value Json(std::string_view text) {
  fhir::Result<Value> v = fhir::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

// RFC 7638 section 3.1.
constexpr std::string_view kRfc7638Jwk = R"({
  "kty": "RSA",
  "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
  "e": "AQAB",
  "alg": "RS256",
  "kid": "2011-04-29"
})";

// RFC 7515 appendix A.3, private member included.
constexpr std::string_view kRfc7515A3Jwk = R"({
  "kty": "EC",
  "crv": "P-256",
  "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
  "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
})";

// A 1024-bit RSA modulus: a real key, too small to accept.
constexpr std::string_view kSmallRsaN =
    "0TQGH4DQ5AEY7CyqdeEV2xddIqLFJxJMZSN8b8TybBhOyQfdzQMst7zaJF1N9K2d-9lnSfCUjXW17ekMct2XTM--IEAlrt"
    "kEZ0O_xGeOV0rSYTCQ-mEHoVG_8Ru-Whnc5Fku3YceVap3V_kclLdrDP61ceoqpUlFP70ShHNl_r0";

TEST(JwkTest, Rfc7638Thumbprint) {
  fhir::Result<PublicKey> key = PublicKey::FromJwk(Json(kRfc7638Jwk));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->type(), KeyType::kRsa);
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(key->kid(), "2011-04-29");
  EXPECT_EQ(key->alg(), "RS256");
}

TEST(JwkTest, NormalizesALeadingZeroInTheModulus) {
  Value jwk = Json(kRfc7638Jwk);
  const std::string n = *jwk.FindString("n");
  std::optional<std::string> bytes = Base64UrlDecode(n);
  ASSERT_TRUE(bytes);
  jwk.Set("n", Value::String(Base64UrlEncode(std::string(1, '\0') + *bytes)));
  fhir::Result<PublicKey> key = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(*key->ToJwk().FindString("n"), n);
}

TEST(JwkTest, ParsesAnEcKeyAndNeverExportsPrivateMembers) {
  fhir::Result<PublicKey> key = PublicKey::FromJwk(Json(kRfc7515A3Jwk));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->type(), KeyType::kEcP256);
  const Value jwk = key->ToJwk();
  EXPECT_EQ(jwk.Find("d"), nullptr);
  EXPECT_EQ(*jwk.FindString("kty"), "EC");
  EXPECT_EQ(*jwk.FindString("crv"), "P-256");
  EXPECT_EQ(*jwk.FindString("x"), "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
  EXPECT_EQ(*jwk.FindString("y"), "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
  EXPECT_EQ(jwk.Find("kid"), nullptr);
}

TEST(JwkTest, KeepsAndExportsMetadata) {
  Value jwk = Json(kRfc7515A3Jwk);
  jwk.Set("kid", Value::String("k1"));
  jwk.Set("alg", Value::String("ES256"));
  jwk.Set("use", Value::String("sig"));
  Value ops = Value::Array();
  ops.Push(Value::String("verify"));
  jwk.Set("key_ops", std::move(ops));
  fhir::Result<PublicKey> key = PublicKey::FromJwk(jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->kid(), "k1");
  EXPECT_EQ(key->alg(), "ES256");
  EXPECT_EQ(key->use(), "sig");
  EXPECT_EQ(key->key_ops(), std::vector<std::string>{"verify"});
  const Value out = key->ToJwk();
  EXPECT_EQ(*out.FindString("kid"), "k1");
  EXPECT_EQ(*out.FindString("alg"), "ES256");
  EXPECT_EQ(*out.FindString("use"), "sig");
  EXPECT_TRUE(key->CanVerify(Algorithm::kEs256));
}

TEST(JwkTest, ExportedJwkParsesBackToTheSameKey) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384}) {
    fhir::Result<PrivateKey> private_key = PrivateKey::Generate(type);
    ASSERT_TRUE(private_key.ok()) << private_key.status().ToString();
    fhir::Result<PublicKey> key = private_key->GetPublicKey();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->type(), type);
    fhir::Result<PublicKey> again = PublicKey::FromJwk(key->ToJwk());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->Thumbprint(), key->Thumbprint());
    EXPECT_EQ(again->ToJwk(), key->ToJwk());
  }
}

TEST(JwkTest, MetadataLimitsWhichAlgorithmsAKeyVerifies) {
  struct Case {
    const char* member;
    Value value;
    bool can_verify_es256;
  };
  Value sign_only = Value::Array();
  sign_only.Push(Value::String("sign"));
  const Case cases[] = {
      {"alg", Value::String("ES256"), true}, {"alg", Value::String("ES384"), false},
      {"use", Value::String("sig"), true},   {"use", Value::String("enc"), false},
      {"key_ops", sign_only, false},
  };
  for (const Case& c : cases) {
    Value jwk = Json(kRfc7515A3Jwk);
    jwk.Set(c.member, c.value);
    fhir::Result<PublicKey> key = PublicKey::FromJwk(jwk);
    ASSERT_TRUE(key.ok()) << c.member;
    EXPECT_EQ(key->CanVerify(Algorithm::kEs256), c.can_verify_es256) << c.member;
    EXPECT_FALSE(key->CanVerify(Algorithm::kRs256)) << c.member;
    EXPECT_FALSE(key->CanVerify(Algorithm::kEs384)) << c.member;
  }
}

TEST(JwkTest, RejectsKeysWeCannotUse) {
  struct Case {
    const char* name;
    std::string jwk;
  };
  const std::string x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
  const std::string y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
  const Case cases[] = {
      {"not an object", R"([1])"},
      {"no kty", R"({"crv":"P-256","x":")" + x + R"(","y":")" + y + R"("})"},
      {"kty not a string", R"({"kty":1})"},
      {"oct", R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"})"},
      {"OKP", R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"},
      {"P-521", R"({"kty":"EC","crv":"P-521","x":")" + x + R"(","y":")" + y + R"("})"},
      {"no crv", R"({"kty":"EC","x":")" + x + R"(","y":")" + y + R"("})"},
      {"no y", R"({"kty":"EC","crv":"P-256","x":")" + x + R"("})"},
      {"short x",
       R"({"kty":"EC","crv":"P-256","x":")" + x.substr(0, 42) + R"(","y":")" + y + R"("})"},
      {"P-256 coordinates on P-384",
       R"({"kty":"EC","crv":"P-384","x":")" + x + R"(","y":")" + y + R"("})"},
      {"x not base64url",
       R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVE=","y":")" + y +
           R"("})"},
      // The last byte of y changed: the point is no longer on the curve.
      {"off the curve",
       R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y.substr(0, 42) + R"(4"})"},
      {"all-zero point", R"({"kty":"EC","crv":"P-256","x":")" + std::string(42, 'A') +
                             R"(A","y":")" + std::string(43, 'A') + R"("})"},
      {"RSA 1024 bits", R"({"kty":"RSA","n":")" + std::string(kSmallRsaN) + R"(","e":"AQAB"})"},
      {"RSA no n", R"({"kty":"RSA","e":"AQAB"})"},
      {"RSA even e",
       R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAA"})"},
      {"RSA e = 1",
       R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQ"})"},
      {"kid not a string",
       R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + R"(","kid":7})"},
      {"key_ops not an array",
       R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + R"(","key_ops":"verify"})"},
  };
  for (const Case& c : cases) {
    fhir::Result<PublicKey> key = PublicKey::FromJwk(Json(c.jwk));
    EXPECT_FALSE(key.ok()) << c.name;
    EXPECT_EQ(key.status().code(), Code::kInvalidInput) << c.name;
  }
}

TEST(JwkSetTest, SkipsUnsupportedKeysAndKeepsTheRest) {
  const std::string text = R"({"keys":[
    {"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ","kid":"hmac"},
    {"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
    {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"},
    {"kty":"RSA","kid":"rsa","e":"AQAB","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"},
    {"kty":"RSA","kid":"small","e":"AQAB","n":")" +
                           std::string(kSmallRsaN) + R"("}
  ]})";
  fhir::Result<JwkSet> set = JwkSet::Parse(text);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->keys().size(), 2u);
  EXPECT_EQ(set->skipped().size(), 3u);
  ASSERT_NE(set->Find("ec"), nullptr);
  EXPECT_EQ(set->Find("ec")->type(), KeyType::kEcP256);
  ASSERT_NE(set->Find("rsa"), nullptr);
  EXPECT_EQ(set->Find("hmac"), nullptr);
  EXPECT_EQ(set->Find("small"), nullptr);
  EXPECT_EQ(set->Find("nope"), nullptr);

  const std::vector<const PublicKey*> es256 = set->CandidatesFor(Algorithm::kEs256);
  ASSERT_EQ(es256.size(), 1u);
  EXPECT_EQ(es256[0]->kid(), "ec");
  EXPECT_EQ(set->CandidatesFor(Algorithm::kRs384).size(), 1u);
  EXPECT_TRUE(set->CandidatesFor(Algorithm::kEs384).empty());
}

TEST(JwkSetTest, RejectsSetsWithoutUsableKeysOrTooManyKeys) {
  EXPECT_FALSE(JwkSet::Parse(R"({"keys":[]})").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys":[{"kty":"oct","k":"AAAA"}]})").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys":{}})").ok());
  EXPECT_FALSE(JwkSet::Parse(R"([])").ok());
  EXPECT_FALSE(JwkSet::Parse(R"({"keys":[)").ok());
  EXPECT_FALSE(JwkSet::Parse(std::string(JwkSet::kMaxDocumentBytes + 1, ' ')).ok());

  Value key = Json(kRfc7515A3Jwk);
  Value keys = Value::Array();
  for (std::size_t i = 0; i < JwkSet::kMaxKeys; ++i) keys.Push(key);
  Value doc = Value::Object();
  doc.Set("keys", keys);
  EXPECT_TRUE(JwkSet::FromValue(doc).ok());
  doc.Find("keys")->Push(key);
  fhir::Result<JwkSet> too_many = JwkSet::FromValue(doc);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), Code::kInvalidInput);
}

}  // namespace
}  // namespace schakel::server::auth
