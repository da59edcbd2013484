// `schakel token`: prints a signed access token, for administrators and tests.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

// Returns the process exit code.
int RunToken(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
