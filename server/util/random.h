// Unpredictable identifiers from OpenSSL's CSPRNG: resource ids that cannot be enumerated, and
// request ids for logs.
#pragma once

#include <string>

namespace schakel::server {

// A random UUID v4 in lowercase, 36 characters: a valid FHIR id.
std::string NewUuid();
// `bytes` random bytes as lowercase hex.
std::string RandomHex(std::size_t bytes);

}  // namespace schakel::server
