// `schakel clients add|list|remove`: the registry of OAuth clients of the authorization server
// (DATA/auth.db). Usable while the server runs.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

// Returns the process exit code.
int RunClients(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
