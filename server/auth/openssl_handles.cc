#include "server/auth/openssl_handles.h"

#include <openssl/err.h>

namespace schakel::server::auth {

std::string OpenSslError(std::string_view what) {
  std::string message(what);
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += ": ";
    message += buffer;
  }
  ERR_clear_error();
  return message;
}

}  // namespace schakel::server::auth
