// schakel clients and schakel token against a running server's data directory, and the server's
// JWKS endpoint verifying the tokens printed.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "integration/test_support.h"
#include "server/auth/jws.h"
#include "server/auth/jwt.h"

namespace schakel::integration {
namespace {

using server::auth::JwkSet;
using server::auth::ParseCompact;

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class AuthCliTest : public ServerTest {
 protected:
  // Runs `schakel ARGS --data <the server's data dir>`; stderr is discarded.
  CommandRun Schakel(const std::string& args) {
    const std::string command = std::string(SCHAKEL_BINARY) + " " + args + " --data " +
                                Quote(server().data_dir()) + " 2>/dev/null";
    CommandRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    while (!run.out.empty() && run.out.back() == '\n') run.out.pop_back();
    return run;
  }

  // A JWK Set file with the public half of a new P-384 key (as an EHR would register).
  std::string WriteClientJwks() {
    auto key = server::auth::PrivateKey::Generate(server::auth::KeyType::kEcP384);
    EXPECT_TRUE(key.ok());
    auto pub = key->GetPublicKey();
    EXPECT_TRUE(pub.ok());
    pub->set_kid("ehr-key-1");
    fhir::json::Value jwks = fhir::json::Value::Object();
    jwks.Set("keys", fhir::json::Value::Array()).Push(pub->ToJwk());
    const std::string path = server().temp_dir() + "/ehr-jwks.json";
    std::ofstream(path) << fhir::json::Serialize(jwks);
    return path;
  }

  // The claims of `token` after checking its signature against the server's JWKS.
  fhir::json::Value VerifiedClaims(const std::string& token) {
    Response jwks = client().Get("/.well-known/jwks.json");
    EXPECT_EQ(jwks.status, 200) << jwks;
    EXPECT_EQ(jwks.Header("Content-Type"), "application/json");
    fhir::Result<JwkSet> keys = JwkSet::Parse(jwks.body);
    EXPECT_TRUE(keys.ok()) << jwks.body;
    fhir::Result<server::auth::ParsedJws> jws = ParseCompact(token);
    EXPECT_TRUE(jws.ok()) << token;
    if (!keys.ok() || !jws.ok() || jws->kid() == nullptr) return {};
    const server::auth::PublicKey* key = keys->Find(*jws->kid());
    EXPECT_NE(key, nullptr);
    if (key == nullptr) return {};
    const server::auth::Algorithm es256[] = {server::auth::Algorithm::kEs256};
    EXPECT_TRUE(server::auth::Verify(*jws, *key, es256).ok());
    return jws->payload;
  }
};

TEST_F(AuthCliTest, RegistersListsAndRemovesClients) {
  const std::string jwks = WriteClientJwks();
  CommandRun added = Schakel("clients add --name 'HAP Noord' --kind backend --jwks " + Quote(jwks) +
                             " --organization 12345678 --organization-type N6 --id hap-noord");
  ASSERT_EQ(added.exit_code, 0);
  EXPECT_EQ(added.out, "hap-noord");
  CommandRun app = Schakel(
      "clients add --name Portaal --kind patient-app --redirect-uri https://portaal.example.nl/cb");
  ASSERT_EQ(app.exit_code, 0);
  EXPECT_EQ(app.out.size(), 32u) << app.out;  // a random client_id

  CommandRun list = Schakel("clients list");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("hap-noord\tbackend\tHAP Noord\tURA 12345678\ttype N6"),
            std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find(app.out + "\tpatient-app\tPortaal\thttps://portaal.example.nl/cb"),
            std::string::npos)
      << list.out;

  // Refused: a taken id, a redirect URI over plain http elsewhere than loopback, a backend
  // without its organization, a JWKS that is not one, an unknown kind.
  EXPECT_EQ(Schakel("clients add --name X --kind backend --jwks " + Quote(jwks) +
                    " --organization 1 --organization-type Z3 --id hap-noord")
                .exit_code,
            1);
  EXPECT_EQ(Schakel("clients add --name X --kind patient-app --redirect-uri http://app.example/cb")
                .exit_code,
            2);
  EXPECT_EQ(Schakel("clients add --name X --kind backend --jwks " + Quote(jwks)).exit_code, 2);
  EXPECT_EQ(Schakel("clients add --name X --kind backend --jwks /etc/hostname --organization 1 "
                    "--organization-type Z3")
                .exit_code,
            2);
  EXPECT_EQ(Schakel("clients add --name X --kind insurer").exit_code, 2);

  EXPECT_EQ(Schakel("clients remove hap-noord").exit_code, 0);
  EXPECT_EQ(Schakel("clients remove hap-noord").exit_code, 1);
  EXPECT_EQ(Schakel("clients list").out.find("hap-noord"), std::string::npos);
}

TEST_F(AuthCliTest, PrintsTokensTheServersKeysVerify) {
  const std::string jwks = WriteClientJwks();
  ASSERT_EQ(Schakel("clients add --name EHR --kind backend --jwks " + Quote(jwks) +
                    " --organization 87654321 --organization-type J8 --id apotheek")
                .exit_code,
            0);
  CommandRun backend = Schakel("token --scope 'system/MedicationStatement.rs' --client apotheek");
  ASSERT_EQ(backend.exit_code, 0);
  fhir::json::Value claims = VerifiedClaims(backend.out);
  // Issuer and audience are the running server's base URL (DATA/base-url).
  EXPECT_EQ(*claims.FindString("aud"), base());
  EXPECT_EQ(*claims.FindString("iss"), base());
  EXPECT_EQ(*claims.FindString("client_id"), "apotheek");
  EXPECT_EQ(*claims.FindString("scope"), "system/MedicationStatement.rs");
  ASSERT_NE(claims.Find("organization"), nullptr);
  EXPECT_EQ(*claims.Find("organization")->FindString("ura"), "87654321");
  EXPECT_EQ(*claims.Find("organization")->FindString("type"), "J8");

  CommandRun patient = Schakel("token --scope 'patient/*.rs' --patient p-42 --ttl 60");
  ASSERT_EQ(patient.exit_code, 0);
  fhir::json::Value patient_claims = VerifiedClaims(patient.out);
  EXPECT_EQ(*patient_claims.FindString("patient"), "p-42");
  EXPECT_EQ(*patient_claims.Find("exp")->AsInt64() - *patient_claims.Find("iat")->AsInt64(), 60);

  CommandRun admin = Schakel("token --scope 'system/*.cruds'");
  ASSERT_EQ(admin.exit_code, 0);
  EXPECT_TRUE(VerifiedClaims(admin.out).Find("adm")->bool_value());

  EXPECT_EQ(Schakel("token").exit_code, 2);                                // no scope
  EXPECT_EQ(Schakel("token --scope 'nobody/Patient.read'").exit_code, 2);  // malformed
  EXPECT_EQ(Schakel("token --scope 'system/*.rs' --ttl 0").exit_code, 2);  // bad lifetime
  EXPECT_EQ(Schakel("token --scope 'system/*.rs' --client nobody").exit_code, 1);
  EXPECT_EQ(Schakel("token --scope 'system/*.rs' --client apotheek --patient p").exit_code, 2);
}

TEST_F(AuthCliTest, TheKeysPersistAcrossRestartsAndArePrivate) {
  Response before = client().Get("/.well-known/jwks.json");
  ASSERT_EQ(before.status, 200) << before;
  ASSERT_TRUE(server().Restart().empty());
  client_ = NewClient();
  Response after = client().Get("/.well-known/jwks.json");
  EXPECT_EQ(after.body, before.body);
  EXPECT_EQ(client().Send("POST", "/.well-known/jwks.json", {}, "").status, 405);
  for (const auto& entry : std::filesystem::directory_iterator(server().data_dir() + "/keys")) {
    const auto perms = entry.status().permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none)
        << entry.path();
  }
}

}  // namespace
}  // namespace schakel::integration
