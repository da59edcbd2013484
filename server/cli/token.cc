#include "server/cli/token.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/auth/access_tokens.h"
#include "server/cli/auth_files.h"
#include "store/sqlite/sqlite_auth_store.h"

namespace schakel::server::cli {
namespace {

using fhir::Status;

constexpr const char* kHelp =
    R"(Usage: schakel token --data DIR --scope "SCOPES" [--patient ID] [--client ID]
                     [--ttl SECONDS] [--base-url URL]

Prints an access token signed with the server's key (DIR/keys), for administrators and tests.

  --client ID    the token acts as that registered client; a backend client's organization
                 comes with it, so the exchange's rules apply as to the client's own tokens
  --patient ID   the token acts as that patient (a Patient id), confined to their compartment
  neither        the token acts as the server's administrator, limited only by its scopes;
                 every use of an administrator token is logged as an AuditEvent
  --scope        SMART scopes, e.g. "system/*.cruds" or "patient/*.rs" (required)
  --ttl          lifetime in seconds (default 3600, at most 86400)
  --base-url     the FHIR base URL the token is for (its iss and aud); default: the one the
                 server wrote to DIR/base-url when it last started, else http://127.0.0.1:8080/fhir
)";

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "schakel token: %s\n", message.c_str());
  return code;
}

}  // namespace

int RunToken(const std::vector<std::string>& args) {
  std::string data = "data";
  if (const char* env = std::getenv("SCHAKEL_DATA")) data = env;
  std::string scope, patient, client_id, base_url;
  std::int64_t ttl = 3600;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (i + 1 >= args.size()) return Fail(a + ": unknown option or missing value", 2);
    const std::string& value = args[++i];
    if (a == "--data") {
      data = value;
    } else if (a == "--scope") {
      scope = value;
    } else if (a == "--patient") {
      patient = value;
    } else if (a == "--client") {
      client_id = value;
    } else if (a == "--base-url") {
      base_url = value;
    } else if (a == "--ttl") {
      char* end = nullptr;
      ttl = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || ttl < 1 ||
          ttl > auth::AccessTokens::kMaxLifetimeSeconds) {
        return Fail("--ttl must be 1 to " + std::to_string(auth::AccessTokens::kMaxLifetimeSeconds),
                    2);
      }
    } else {
      return Fail("unknown option " + a, 2);
    }
  }
  if (scope.empty()) return Fail("--scope is required (see schakel token --help)", 2);
  fhir::Result<auth::ScopeSet> scopes = auth::ScopeSet::Parse(scope);
  if (!scopes.ok()) return Fail(std::string(scopes.status().message()), 2);
  if (base_url.empty()) base_url = ReadBaseUrl(data);

  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  const std::int64_t now = std::time(nullptr);
  fhir::Result<AuthFiles> files = OpenAuthFiles(data, now);
  if (!files.ok()) return Fail(files.status().ToString());

  auth::TokenGrant grant;
  grant.scope = scope;
  grant.lifetime_seconds = ttl;
  grant.patient = patient;
  if (!client_id.empty()) {
    fhir::Result<store::Client> client = files->store->GetClient(client_id);
    if (!client.ok())
      return Fail("client " + client_id + ": " + std::string(client.status().message()));
    grant.client_id = client->id;
    grant.subject = client->id;
    if (client->kind == store::Client::Kind::kBackend) {
      if (!patient.empty()) return Fail("a backend client's token has no patient", 2);
      grant.kind = auth::Principal::Kind::kBackend;
      grant.organization_ura = client->organization_ura;
      grant.organization_type = client->organization_type;
    } else if (patient.empty()) {
      return Fail("a patient-app client's token needs --patient", 2);
    }
  }
  if (!patient.empty()) {
    grant.kind = auth::Principal::Kind::kPatient;
    grant.subject = "Patient/" + patient;
    grant.fhir_user = base_url + "/Patient/" + patient;
  } else if (client_id.empty()) {
    grant.kind = auth::Principal::Kind::kAdministrator;
    grant.subject = "administrator";
  }
  auth::AccessTokens tokens(*files->keys, *files->store, base_url, base_url);
  fhir::Result<auth::IssuedToken> issued = tokens.Issue(grant, now);
  if (!issued.ok()) return Fail(issued.status().ToString());
  std::printf("%s\n", issued->token.c_str());
  return 0;
}

}  // namespace schakel::server::cli
