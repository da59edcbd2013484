#include "server/auth/jwt.h"

#include <gtest/gtest.h>

#include <string>

#include "fhir/json/parse.h"

namespace schakel::server::auth {
namespace {

using fhir::Code;
using fhir::json::Value;

constexpr std::int64_t kNow = 1'700'000'000;

fhir::Result<JwtClaims> Claims(std::string_view json) {
  fhir::Result<Value> payload = fhir::json::Parse(json);
  EXPECT_TRUE(payload.ok()) << payload.status().ToString();
  if (!payload.ok()) return payload.status();
  return JwtClaims::FromPayload(*payload);
}

TEST(JwtTest, ReadsRegisteredClaims) {
  fhir::Result<JwtClaims> claims = Claims(R"({"iss":"a","sub":"b","aud":"c","exp":1700000300,
      "nbf":1699999990.75,"iat":1.7e9,"jti":"j1","scope":"system/*.read"})");
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  EXPECT_EQ(claims->iss, "a");
  EXPECT_EQ(claims->sub, "b");
  EXPECT_EQ(claims->aud, std::vector<std::string>{"c"});
  EXPECT_EQ(claims->exp, 1700000300);
  EXPECT_EQ(claims->nbf, 1699999990);  // fractions round down
  EXPECT_EQ(claims->iat, 1700000000);
  EXPECT_EQ(claims->jti, "j1");
  EXPECT_EQ(*claims->payload.FindString("scope"), "system/*.read");

  fhir::Result<JwtClaims> none = Claims("{}");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->iss);
  EXPECT_TRUE(none->aud.empty());
  EXPECT_FALSE(none->exp);
}

TEST(JwtTest, ReadsAnAudienceArray) {
  fhir::Result<JwtClaims> claims = Claims(R"({"aud":["x","https://fhir/token"],"exp":1700000100})");
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->aud, (std::vector<std::string>{"x", "https://fhir/token"}));
  ClaimExpectations expected;
  expected.now = kNow;
  expected.audience = "https://fhir/token";
  EXPECT_TRUE(CheckClaims(*claims, expected).ok());
  expected.audience = "y";
  EXPECT_EQ(CheckClaims(*claims, expected).message(), "wrong audience");
}

TEST(JwtTest, RejectsClaimsOfTheWrongType) {
  for (const char* json : {
           R"({"iss":1})",
           R"({"sub":null})",
           R"({"jti":["a"]})",
           R"({"aud":1})",
           R"({"aud":["a",1]})",
           R"({"aud":{"a":1}})",
           R"({"exp":"1700000000"})",
           R"({"exp":true})",
           R"({"nbf":null})",
           R"({"iat":-1})",
           R"({"exp":1e300})",
           R"({"exp":253402300800})",
           R"({"exp":-0.5})",
       }) {
    fhir::Result<JwtClaims> claims = Claims(json);
    EXPECT_FALSE(claims.ok()) << json;
    EXPECT_EQ(claims.status().code(), Code::kUnauthorized) << json;
  }
}

TEST(JwtTest, ChecksClaimsAgainstExpectations) {
  struct Case {
    const char* name;
    std::string payload;
    ClaimExpectations expected;
    std::string error;  // empty: valid
  };
  ClaimExpectations base;
  base.now = kNow;
  base.issuer = "client-1";
  base.audience = "https://fhir/token";

  ClaimExpectations no_leeway = base;
  no_leeway.leeway_seconds = 0;
  ClaimExpectations assertion = base;  // a SMART client assertion
  assertion.subject = "client-1";
  assertion.max_lifetime_seconds = 300;
  assertion.require_jti = true;
  ClaimExpectations exp_optional = base;
  exp_optional.require_exp = false;

  auto payload = [](std::string_view extra) {
    return R"({"iss":"client-1","sub":"client-1","aud":"https://fhir/token","jti":"j")" +
           std::string(extra) + "}";
  };
  const std::string now = std::to_string(kNow);
  const Case cases[] = {
      {"valid", payload(R"(,"exp":1700000100)"), base, ""},
      {"expired", payload(R"(,"exp":1699999900)"), base, "token expired"},
      {"expired within leeway", payload(R"(,"exp":1699999950)"), base, ""},
      {"expired at leeway", payload(R"(,"exp":1699999940)"), base, "token expired"},
      {"expires now, no leeway", payload(R"(,"exp":)" + now), no_leeway, "token expired"},
      {"expires next second, no leeway", payload(R"(,"exp":1700000001)"), no_leeway, ""},
      {"no exp", payload(""), base, "token has no \"exp\" claim"},
      {"no exp, not required", payload(""), exp_optional, ""},
      {"nbf in the future", payload(R"(,"exp":1700000300,"nbf":1700000100)"), base,
       "token not yet valid (nbf is in the future)"},
      {"nbf within leeway", payload(R"(,"exp":1700000300,"nbf":1700000030)"), base, ""},
      {"nbf past", payload(R"(,"exp":1700000300,"nbf":1699990000)"), base, ""},
      {"iat in the future", payload(R"(,"exp":1700000300,"iat":1700000100)"), base,
       "token issued in the future (iat)"},
      {"wrong issuer", R"({"iss":"client-2","aud":"https://fhir/token","exp":1700000100})", base,
       "wrong issuer"},
      {"no issuer", R"({"aud":"https://fhir/token","exp":1700000100})", base, "wrong issuer"},
      {"wrong audience", R"({"iss":"client-1","aud":"https://fhir/","exp":1700000100})", base,
       "wrong audience"},
      {"no audience", R"({"iss":"client-1","exp":1700000100})", base, "wrong audience"},
      {"assertion", payload(R"(,"exp":1700000300)"), assertion, ""},
      {"assertion within leeway", payload(R"(,"exp":1700000360)"), assertion, ""},
      {"assertion too far ahead", payload(R"(,"exp":1700000361)"), assertion,
       "token exp is more than 300 seconds in the future"},
      {"assertion a day ahead", payload(R"(,"exp":1700086400)"), assertion,
       "token exp is more than 300 seconds in the future"},
      {"assertion without exp", payload(""),
       [&] {
         ClaimExpectations e = assertion;
         e.require_exp = false;
         return e;
       }(),
       "token has no \"exp\" claim"},
      {"assertion wrong subject",
       R"({"iss":"client-1","sub":"client-2","aud":"https://fhir/token","jti":"j","exp":1700000100})",
       assertion, "wrong subject"},
      {"assertion without jti",
       R"({"iss":"client-1","sub":"client-1","aud":"https://fhir/token","exp":1700000100})",
       assertion, "token has no \"jti\" claim"},
      {"assertion empty jti",
       R"({"iss":"client-1","sub":"client-1","aud":"https://fhir/token","jti":"","exp":1700000100})",
       assertion, "token has no \"jti\" claim"},
  };
  for (const Case& c : cases) {
    fhir::Result<JwtClaims> claims = Claims(c.payload);
    ASSERT_TRUE(claims.ok()) << c.name << ": " << claims.status().ToString();
    const fhir::Status status = CheckClaims(*claims, c.expected);
    if (c.error.empty()) {
      EXPECT_TRUE(status.ok()) << c.name << ": " << status.ToString();
    } else {
      EXPECT_EQ(status.code(), Code::kUnauthorized) << c.name;
      EXPECT_EQ(status.message(), c.error) << c.name;
    }
  }
}

}  // namespace
}  // namespace schakel::server::auth
