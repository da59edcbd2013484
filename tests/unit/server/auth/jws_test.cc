#include "server/auth/jws.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <optional>
#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "server/auth/base64url.h"

namespace schakel::server::auth {
namespace {

using fhir::Code;
using fhir::json::Value;

Value Json(std::string_view text) {
  fhir::Result<Value> v = fhir::json::Parse(text);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

PublicKey KeyFromJwk(std::string_view text) {
  fhir::Result<PublicKey> key = PublicKey::FromJwk(Json(text));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

// One generated key per type for the whole test binary: RSA generation is slow.
const PrivateKey& TestKey(KeyType type) {
  static const PrivateKey p256 = PrivateKey::Generate(KeyType::kEcP256).value();
  static const PrivateKey p384 = PrivateKey::Generate(KeyType::kEcP384).value();
  static const PrivateKey rsa = PrivateKey::Generate(KeyType::kRsa).value();
  switch (type) {
    case KeyType::kEcP256:
      return p256;
    case KeyType::kEcP384:
      return p384;
    case KeyType::kRsa:
      return rsa;
  }
  return rsa;
}

PublicKey TestPublicKey(KeyType type) { return TestKey(type).GetPublicKey().value(); }

Value Claims() {
  return Json(R"({"iss":"client","sub":"client","aud":"https://fhir","exp":2000})");
}

std::string SignedToken(Algorithm alg) {
  fhir::Result<std::string> token =
      Sign(alg, TestKey(KeyTypeFor(alg)), Json(R"({"typ":"JWT","kid":"k"})"), Claims());
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : std::string();
}

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ".") + parts[i];
  return out;
}

std::string B64Json(std::string_view json) { return Base64UrlEncode(json); }

// Parses and verifies; the status of whichever step failed.
fhir::Status ParseAndVerify(std::string_view token, const PublicKey& key,
                            std::span<const Algorithm> allowed = kAllAlgorithms) {
  fhir::Result<ParsedJws> jws = ParseCompact(token);
  if (!jws.ok()) return jws.status();
  return Verify(*jws, key, allowed);
}

constexpr std::string_view kA3Token =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
constexpr std::string_view kA3Jwk = R"({"kty":"EC","crv":"P-256",
  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
  "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";

constexpr std::string_view kA2Token =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5ju"
    "jGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_"
    "nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Q"
    "e7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-"
    "eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI"
    "8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
constexpr std::string_view kA2Jwk = R"({"kty":"RSA","e":"AQAB",
  "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"})";

TEST(JwsTest, VerifiesRfc7515AppendixA3) {
  fhir::Result<ParsedJws> jws = ParseCompact(kA3Token);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(jws->alg, Algorithm::kEs256);
  EXPECT_EQ(*jws->payload.FindString("iss"), "joe");
  EXPECT_EQ(jws->kid(), nullptr);
  const PublicKey key = KeyFromJwk(kA3Jwk);
  const fhir::Status status = Verify(*jws, key, kAllAlgorithms);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(JwsTest, VerifiesRfc7515AppendixA2) {
  const PublicKey key = KeyFromJwk(kA2Jwk);
  const fhir::Status status = ParseAndVerify(kA2Token, key);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST(JwsTest, RoundTripsEveryAlgorithm) {
  for (Algorithm alg : kAllAlgorithms) {
    SCOPED_TRACE(AlgorithmName(alg));
    const std::string token = SignedToken(alg);
    fhir::Result<ParsedJws> jws = ParseCompact(token);
    ASSERT_TRUE(jws.ok()) << jws.status().ToString();
    EXPECT_EQ(jws->alg, alg);
    EXPECT_EQ(*jws->header.FindString("alg"), AlgorithmName(alg));
    EXPECT_EQ(*jws->header.FindString("typ"), "JWT");
    ASSERT_NE(jws->kid(), nullptr);
    EXPECT_EQ(*jws->kid(), "k");
    EXPECT_EQ(jws->payload, Claims());
    const std::size_t signature_size = alg == Algorithm::kEs256   ? 64
                                       : alg == Algorithm::kEs384 ? 96
                                                                  : 256;  // RSA 2048
    EXPECT_EQ(jws->signature.size(), signature_size);
    const PublicKey key = TestPublicKey(KeyTypeFor(alg));
    const fhir::Status status = Verify(*jws, key, kAllAlgorithms);
    EXPECT_TRUE(status.ok()) << status.ToString();
    // The key's public JWK, as a client would publish it, verifies too.
    const PublicKey published = KeyFromJwk(fhir::json::Serialize(key.ToJwk()));
    EXPECT_TRUE(Verify(*jws, published, kAllAlgorithms).ok());
  }
}

TEST(JwsTest, TamperedTokensFail) {
  for (Algorithm alg : kAllAlgorithms) {
    SCOPED_TRACE(AlgorithmName(alg));
    const PublicKey key = TestPublicKey(KeyTypeFor(alg));
    const std::vector<std::string> parts = Split(SignedToken(alg));
    ASSERT_EQ(parts.size(), 3u);

    std::vector<std::string> payload = parts;
    payload[1] = B64Json(R"({"iss":"client","sub":"admin","aud":"https://fhir","exp":2000})");
    std::vector<std::string> header = parts;
    header[0] = B64Json(R"({"typ":"JWT","kid":"other","alg":")" + std::string(AlgorithmName(alg)) +
                        R"("})");
    std::vector<std::string> signature = parts;
    std::string raw = *Base64UrlDecode(parts[2]);
    raw[raw.size() / 2] = static_cast<char>(raw[raw.size() / 2] ^ 0x01);
    signature[2] = Base64UrlEncode(raw);
    std::vector<std::string> foreign = parts;  // the signature of another payload
    foreign[2] = Split(*Sign(alg, TestKey(KeyTypeFor(alg)), Json(R"({"typ":"JWT","kid":"k"})"),
                             Json(R"({"sub":"admin"})")))[2];

    for (const auto& tampered : {payload, header, signature, foreign}) {
      const fhir::Status status = ParseAndVerify(Join(tampered), key);
      EXPECT_FALSE(status.ok());
      EXPECT_EQ(status.code(), Code::kUnauthorized);
    }
  }
}

TEST(JwsTest, RejectsAlgNone) {
  const std::string unsigned_token =
      B64Json(R"({"alg":"none"})") + "." + B64Json(R"({"sub":"admin"})") + ".";
  for (const std::string& token : {unsigned_token, unsigned_token + "c2ln"}) {
    fhir::Result<ParsedJws> jws = ParseCompact(token);
    ASSERT_FALSE(jws.ok());
    EXPECT_EQ(jws.status().code(), Code::kUnauthorized);
    EXPECT_NE(jws.status().message().find("none"), std::string_view::npos)
        << jws.status().message();
  }
}

TEST(JwsTest, RejectsAlgorithmsWeDoNotSupport) {
  for (const char* alg : {"HS256", "PS256", "ES512", "EdDSA", "es256", ""}) {
    const std::string token =
        B64Json(R"({"alg":")" + std::string(alg) + R"("})") + "." + B64Json("{}") + ".c2ln";
    fhir::Result<ParsedJws> jws = ParseCompact(token);
    EXPECT_FALSE(jws.ok()) << alg;
    EXPECT_EQ(jws.status().code(), Code::kUnauthorized);
  }
}

TEST(JwsTest, RejectsAlgorithmAndKeyMismatches) {
  // ES384 token, P-256 key.
  EXPECT_FALSE(
      ParseAndVerify(SignedToken(Algorithm::kEs384), TestPublicKey(KeyType::kEcP256)).ok());
  // ES256 token, P-384 key.
  EXPECT_FALSE(
      ParseAndVerify(SignedToken(Algorithm::kEs256), TestPublicKey(KeyType::kEcP384)).ok());
  // RS256 token, EC key; ES256 token, RSA key.
  EXPECT_FALSE(
      ParseAndVerify(SignedToken(Algorithm::kRs256), TestPublicKey(KeyType::kEcP256)).ok());
  EXPECT_FALSE(ParseAndVerify(SignedToken(Algorithm::kEs256), TestPublicKey(KeyType::kRsa)).ok());
  // RS384 token, RSA key that says it is for RS256.
  Value jwk = TestPublicKey(KeyType::kRsa).ToJwk();
  jwk.Set("alg", Value::String("RS256"));
  const fhir::Status status =
      ParseAndVerify(SignedToken(Algorithm::kRs384), KeyFromJwk(fhir::json::Serialize(jwk)));
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Code::kUnauthorized);
  // A good token whose alg is not allowed where it is presented.
  const Algorithm only_rs[] = {Algorithm::kRs256};
  const fhir::Status not_allowed =
      ParseAndVerify(SignedToken(Algorithm::kEs256), TestPublicKey(KeyType::kEcP256), only_rs);
  EXPECT_FALSE(not_allowed.ok());
  EXPECT_NE(not_allowed.message().find("not allowed"), std::string_view::npos);
  // And signing refuses a key that does not fit.
  fhir::Result<std::string> wrong =
      Sign(Algorithm::kEs384, TestKey(KeyType::kEcP256), Value::Object(), Claims());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kInvalidInput);
}

TEST(JwsTest, RejectsSignaturesOfTheWrongLength) {
  for (Algorithm alg : kAllAlgorithms) {
    SCOPED_TRACE(AlgorithmName(alg));
    const PublicKey key = TestPublicKey(KeyTypeFor(alg));
    std::vector<std::string> parts = Split(SignedToken(alg));
    const std::string raw = *Base64UrlDecode(parts[2]);
    for (const std::string& wrong :
         {raw.substr(0, raw.size() - 1), raw + '\0', std::string(1, '\0') + raw}) {
      parts[2] = Base64UrlEncode(wrong);
      const fhir::Status status = ParseAndVerify(Join(parts), key);
      EXPECT_FALSE(status.ok());
      EXPECT_EQ(status.code(), Code::kUnauthorized);
    }
  }
  // A DER signature where raw r || s belongs.
  const PublicKey a3 = KeyFromJwk(kA3Jwk);
  std::vector<std::string> parts = Split(std::string(kA3Token));
  parts[2] = Base64UrlEncode(std::string("\x30\x44\x02\x20", 4) + std::string(32, '\x01') +
                             std::string("\x02\x20", 2) + std::string(32, '\x01'));
  EXPECT_FALSE(ParseAndVerify(Join(parts), a3).ok());
}

TEST(JwsTest, RejectsOversizedTokens) {
  Value claims = Claims();
  claims.Set("padding", Value::String(std::string(kMaxCompactJwsBytes, 'x')));
  fhir::Result<std::string> token =
      Sign(Algorithm::kEs256, TestKey(KeyType::kEcP256), Value::Object(), claims);
  ASSERT_TRUE(token.ok());
  fhir::Result<ParsedJws> jws = ParseCompact(*token);
  ASSERT_FALSE(jws.ok());
  EXPECT_EQ(jws.status().code(), Code::kUnauthorized);
  EXPECT_TRUE(ParseCompact(*token, token->size()).ok());
  EXPECT_FALSE(ParseCompact(SignedToken(Algorithm::kEs256), 64).ok());
}

TEST(JwsTest, RejectsGarbage) {
  const std::string header = B64Json(R"({"alg":"ES256"})");
  const std::string payload = B64Json(R"({"sub":"x"})");
  const std::string sig = Base64UrlEncode(std::string(64, '\x01'));
  struct Case {
    const char* name;
    std::string token;
  };
  const Case cases[] = {
      {"empty", ""},
      {"one part", header},
      {"two parts", header + "." + payload},
      {"four parts", header + "." + payload + "." + sig + "." + sig},
      {"only dots", ".."},
      {"empty header", "." + payload + "." + sig},
      {"empty payload", header + ".." + sig},
      {"empty signature", header + "." + payload + "."},
      {"padding", header + "=." + payload + "." + sig},
      {"base64 not base64url",
       header + "." + payload + "." + sig.substr(0, 10) + "+" + sig.substr(11)},
      {"whitespace", header + " ." + payload + "." + sig},
      {"header not JSON", B64Json("alg:ES256") + "." + payload + "." + sig},
      {"header an array", B64Json(R"(["ES256"])") + "." + payload + "." + sig},
      {"header a string", B64Json(R"("ES256")") + "." + payload + "." + sig},
      {"payload an array", header + "." + B64Json("[1]") + "." + sig},
      {"payload not JSON", header + "." + B64Json("hello") + "." + sig},
      {"no alg", B64Json(R"({"typ":"JWT"})") + "." + payload + "." + sig},
      {"alg not a string", B64Json(R"({"alg":256})") + "." + payload + "." + sig},
      {"crit",
       B64Json(R"({"alg":"ES256","crit":["b64"],"b64":false})") + "." + payload + "." + sig},
      {"kid not a string", B64Json(R"({"alg":"ES256","kid":1})") + "." + payload + "." + sig},
      {"duplicate alg", B64Json(R"({"alg":"ES256","alg":"none"})") + "." + payload + "." + sig},
      {"deep payload",
       header + "." + B64Json(std::string(100, '[') + std::string(100, ']')) + "." + sig},
  };
  for (const Case& c : cases) {
    fhir::Result<ParsedJws> jws = ParseCompact(c.token);
    EXPECT_FALSE(jws.ok()) << c.name;
    EXPECT_EQ(jws.status().code(), Code::kUnauthorized) << c.name;
  }
}

TEST(JwsTest, PrivateKeyPemRoundTrip) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa}) {
    const PrivateKey& key = TestKey(type);
    fhir::Result<std::string> pem = key.ToPem();
    ASSERT_TRUE(pem.ok()) << pem.status().ToString();
    EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    fhir::Result<PrivateKey> again = PrivateKey::FromPem(*pem);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->type(), type);
    EXPECT_EQ(again->GetPublicKey()->Thumbprint(), key.GetPublicKey()->Thumbprint());
    // The derived public key never carries private material.
    EXPECT_EQ(again->GetPublicKey()->ToJwk().Find("d"), nullptr);
  }
}

TEST(JwsTest, PrivateKeyFromPemRejectsWhatItCannotUse) {
  EXPECT_EQ(PrivateKey::FromPem("").status().code(), Code::kInvalidInput);
  EXPECT_EQ(PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .status()
                .code(),
            Code::kInvalidInput);

  // An encrypted key fails without prompting for a passphrase.
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio.get(), TestKey(KeyType::kEcP256).pkey(), EVP_aes_128_cbc(),
                                    nullptr, 0, nullptr, const_cast<char*>("secret")),
      1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  EXPECT_FALSE(PrivateKey::FromPem(std::string(data, static_cast<std::size_t>(size))).ok());

  // A key on a curve we do not sign with.
  EvpPkeyPtr p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ASSERT_TRUE(p521);
  BioPtr out(BIO_new(BIO_s_mem()));
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(out.get(), p521.get(), nullptr, nullptr, 0, nullptr, nullptr),
      1);
  const long p521_size = BIO_get_mem_data(out.get(), &data);
  fhir::Result<PrivateKey> rejected =
      PrivateKey::FromPem(std::string(data, static_cast<std::size_t>(p521_size)));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), Code::kInvalidInput);
}

TEST(JwsTest, SignRequiresObjects) {
  EXPECT_FALSE(Sign(Algorithm::kEs256, TestKey(KeyType::kEcP256), Value::Array(), Claims()).ok());
  EXPECT_FALSE(
      Sign(Algorithm::kEs256, TestKey(KeyType::kEcP256), Value::Object(), Value::String("x")).ok());
}

}  // namespace
}  // namespace schakel::server::auth
