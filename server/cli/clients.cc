#include "server/cli/clients.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/auth/jwk.h"
#include "server/auth/scopes.h"
#include "server/util/random.h"
#include "store/sqlite/sqlite_auth_store.h"

namespace schakel::server::cli {
namespace {

using fhir::Status;

constexpr const char* kHelp = R"(Usage:
  schakel clients add --data DIR --name NAME --kind patient-app --redirect-uri URI...
                      [--id ID] [--scope SCOPES]
  schakel clients add --data DIR --name NAME --kind backend --jwks FILE
                      --organization URA --organization-type CODE [--id ID] [--scope SCOPES]
  schakel clients list --data DIR
  schakel clients remove --data DIR ID

Registers the OAuth clients of the SMART authorization server, in DIR/auth.db; the server may
run meanwhile.

  patient-app  a public client (the portal, a patient app) that logs a patient in with the
               authorization code flow and PKCE; --redirect-uri (one or more) must match the
               redirect_uri of its requests exactly.
  backend      an organization's system (an EHR) that gets tokens with client_credentials and
               a JWT signed with its private key (private_key_jwt); --jwks is the file with its
               public keys (a JWK Set). The organization (URA number, organization-type code) is
               bound to the client here and never taken from a request.

--scope limits what the client may ever be granted (default: patient/*.cruds and the SMART
launch scopes for patient apps, system/*.cruds for backends). --id chooses the client_id
(default: a random one). `add` prints the client_id.
)";

struct Args {
  std::string data = "data";
  std::vector<std::string> positional;
  std::vector<std::string> redirect_uris;
  std::string name, kind, jwks, organization, organization_type, id, scope;
};

fhir::Result<Args> Parse(const std::vector<std::string>& args, bool& help) {
  Args out;
  if (const char* env = std::getenv("SCHAKEL_DATA")) out.data = env;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      help = true;
      return out;
    }
    if (!a.starts_with("--")) {
      out.positional.push_back(a);
      continue;
    }
    if (i + 1 >= args.size()) return Status::InvalidInput(a + " needs a value");
    const std::string& value = args[++i];
    if (a == "--data") {
      out.data = value;
    } else if (a == "--name") {
      out.name = value;
    } else if (a == "--kind") {
      out.kind = value;
    } else if (a == "--redirect-uri") {
      out.redirect_uris.push_back(value);
    } else if (a == "--jwks") {
      out.jwks = value;
    } else if (a == "--organization") {
      out.organization = value;
    } else if (a == "--organization-type") {
      out.organization_type = value;
    } else if (a == "--id") {
      out.id = value;
    } else if (a == "--scope") {
      out.scope = value;
    } else {
      return Status::InvalidInput("unknown option " + a);
    }
  }
  return out;
}

bool IsClientId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// An absolute https URI, or http on a loopback host (for development), without a fragment
// (RFC 6749 section 3.1.2).
Status CheckRedirectUri(const std::string& uri) {
  const bool https = uri.starts_with("https://");
  const bool loopback = uri.starts_with("http://127.0.0.1") ||
                        uri.starts_with("http://localhost") || uri.starts_with("http://[::1]");
  if (!https && !loopback) {
    return Status::InvalidInput("redirect URI " + uri +
                                " must be https (or http on 127.0.0.1, localhost or [::1])");
  }
  if (uri.find('#') != std::string::npos) {
    return Status::InvalidInput("redirect URI " + uri + " must not have a fragment");
  }
  for (unsigned char c : uri) {
    if (c <= 0x20 || c >= 0x7f) return Status::InvalidInput("redirect URI has a bad character");
  }
  return Status::Ok();
}

fhir::Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() > auth::JwkSet::kMaxDocumentBytes) {
    return Status::InvalidInput(path + ": larger than a JWK Set may be");
  }
  return text.str();
}

fhir::Result<store::Client> NewClient(const Args& args) {
  store::Client client;
  client.id = args.id.empty() ? RandomHex(16) : args.id;
  if (!IsClientId(client.id)) {
    return Status::InvalidInput("--id must be 1 to 128 letters, digits, '-', '_' or '.'");
  }
  if (args.name.empty()) return Status::InvalidInput("--name is required");
  client.name = args.name;
  client.created_at = std::time(nullptr);
  client.scope = args.scope;
  if (!client.scope.empty()) {
    fhir::Result<auth::ScopeSet> scopes = auth::ScopeSet::Parse(client.scope);
    if (!scopes.ok()) return scopes.status();
  }
  if (args.kind == "patient-app") {
    client.kind = store::Client::Kind::kPatientApp;
    if (args.redirect_uris.empty()) {
      return Status::InvalidInput("a patient-app needs at least one --redirect-uri");
    }
    for (const std::string& uri : args.redirect_uris)
      SCHAKEL_RETURN_IF_ERROR(CheckRedirectUri(uri));
    if (!args.jwks.empty() || !args.organization.empty() || !args.organization_type.empty()) {
      return Status::InvalidInput(
          "--jwks, --organization and --organization-type are for backend clients");
    }
    client.redirect_uris = args.redirect_uris;
  } else if (args.kind == "backend") {
    client.kind = store::Client::Kind::kBackend;
    if (args.jwks.empty() || args.organization.empty() || args.organization_type.empty()) {
      return Status::InvalidInput(
          "a backend client needs --jwks, --organization and --organization-type");
    }
    if (!args.redirect_uris.empty()) {
      return Status::InvalidInput("--redirect-uri is for patient apps");
    }
    fhir::Result<std::string> jwks = ReadSmallFile(args.jwks);
    if (!jwks.ok()) return jwks.status();
    fhir::Result<auth::JwkSet> keys = auth::JwkSet::Parse(*jwks);
    if (!keys.ok()) {
      return Status::InvalidInput(args.jwks + ": " + std::string(keys.status().message()));
    }
    for (const std::string& skipped : keys->skipped()) {
      std::fprintf(stderr, "warning: %s: %s\n", args.jwks.c_str(), skipped.c_str());
    }
    client.jwks = std::move(jwks).value();
    client.organization_ura = args.organization;
    client.organization_type = args.organization_type;
  } else {
    return Status::InvalidInput("--kind must be patient-app or backend");
  }
  return client;
}

std::string_view KindName(store::Client::Kind kind) {
  return kind == store::Client::Kind::kBackend ? "backend" : "patient-app";
}

int Fail(const Status& status) {
  std::fprintf(stderr, "schakel clients: %s\n", std::string(status.message()).c_str());
  return status.code() == fhir::Code::kInvalidInput ? 2 : 1;
}

}  // namespace

int RunClients(const std::vector<std::string>& args) {
  bool help = false;
  fhir::Result<Args> parsed = Parse(args, help);
  if (help || args.empty()) {
    std::fputs(kHelp, help ? stdout : stderr);
    return help ? 0 : 2;
  }
  if (!parsed.ok()) return Fail(parsed.status());
  if (parsed->positional.empty()) return Fail(Status::InvalidInput("add, list or remove?"));
  const std::string command = parsed->positional.front();
  std::error_code ec;
  std::filesystem::create_directories(parsed->data, ec);
  store::SqliteAuthStoreOptions options;
  options.path = parsed->data + "/auth.db";
  if (command == "add") {
    fhir::Result<store::Client> client = NewClient(*parsed);
    if (!client.ok()) return Fail(client.status());
    auto store = store::SqliteAuthStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    if (Status s = (*store)->AddClient(*client); !s.ok()) return Fail(s);
    std::printf("%s\n", client->id.c_str());
    return 0;
  }
  if (command == "list") {
    auto store = store::SqliteAuthStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    fhir::Result<std::vector<store::Client>> clients = (*store)->ListClients();
    if (!clients.ok()) return Fail(clients.status());
    for (const store::Client& c : *clients) {
      std::printf("%s\t%s\t%s", c.id.c_str(), std::string(KindName(c.kind)).c_str(),
                  c.name.c_str());
      if (c.kind == store::Client::Kind::kBackend) {
        std::printf("\tURA %s\ttype %s", c.organization_ura.c_str(), c.organization_type.c_str());
      } else {
        for (const std::string& uri : c.redirect_uris) std::printf("\t%s", uri.c_str());
      }
      std::printf("\n");
    }
    return 0;
  }
  if (command == "remove") {
    if (parsed->positional.size() != 2) return Fail(Status::InvalidInput("remove which client?"));
    auto store = store::SqliteAuthStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    if (Status s = (*store)->RemoveClient(parsed->positional[1]); !s.ok()) return Fail(s);
    return 0;
  }
  return Fail(Status::InvalidInput("unknown clients command " + command + " (add, list, remove)"));
}

}  // namespace schakel::server::cli
