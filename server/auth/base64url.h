// base64url without padding (RFC 4648 section 5, as JOSE uses it: RFC 7515 section 2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schakel::server::auth {

// Encodes bytes as base64url, without '=' padding.
std::string Base64UrlEncode(std::string_view bytes);

// Decodes unpadded base64url. Strict: any character outside [A-Za-z0-9_-], '=' padding, a length
// of 1 modulo 4, or non-zero bits left over in the last character is an error (nullopt), so
// every byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace schakel::server::auth
