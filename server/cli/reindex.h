// `schakel reindex`: rebuilds the search index of a data directory offline.
#pragma once

#include <string>
#include <vector>

namespace schakel::server::cli {

// Returns the process exit code.
int RunReindex(const std::vector<std::string>& args);

}  // namespace schakel::server::cli
