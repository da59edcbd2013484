// `schakel serve`: the server process.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int RunServe(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
