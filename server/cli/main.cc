// schakel: the command-line entry point. Subcommands live in server/cli/, one file each.
#include <cstdio>
#include <string>
#include <vector>

#include "server/cli/clients.h"
#include "server/cli/fhirpath.h"
#include "server/cli/import.h"
#include "server/cli/reindex.h"
#include "server/cli/serve.h"
#include "server/cli/token.h"

#ifndef SCHAKEL_VERSION
#define SCHAKEL_VERSION "0.0.0"
#endif

namespace {

constexpr const char* kHelp = R"(Usage: schakel COMMAND [options]

Schakel is a FHIR R4 server for a national health-data exchange.

Commands:
  serve      start the FHIR server (schakel serve --help for its options)
  import     load Bundles and NDJSON files into a data directory (schakel import --help)
  fhirpath   evaluate a FHIRPath expression (schakel fhirpath --help)
  reindex    rebuild the search index of a data directory (schakel reindex --help)
  clients    register the OAuth clients of the authorization server (schakel clients --help)
  token      print a signed access token (schakel token --help)
  version    print the version
  help       this text
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kHelp, stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return schakel::server::cli::RunServe(args);
  if (command == "fhirpath") return schakel::server::cli::RunFhirPath(args);
  if (command == "import") return schakel::server::cli::RunImport(args);
  if (command == "clients") return schakel::server::cli::RunClients(args);
  if (command == "token") return schakel::server::cli::RunToken(args);
  if (command == "reindex") return schakel::server::cli::RunReindex(args);
  if (command == "version" || command == "--version") {
    std::printf("schakel %s (FHIR 4.0.1)\n", SCHAKEL_VERSION);
    return 0;
  }
  std::fprintf(stderr, "schakel: unknown command '%s' (see schakel --help)\n", command.c_str());
  return 2;
}
