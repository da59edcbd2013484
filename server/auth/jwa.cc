#include "server/auth/jwa.h"

namespace schakel::server::auth {

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return "ES256";
    case Algorithm::kEs384:
      return "ES384";
    case Algorithm::kRs256:
      return "RS256";
    case Algorithm::kRs384:
      return "RS384";
  }
  return "?";
}

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  for (Algorithm alg : kAllAlgorithms) {
    if (AlgorithmName(alg) == name) return alg;
  }
  return std::nullopt;
}

KeyType KeyTypeFor(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return KeyType::kEcP256;
    case Algorithm::kEs384:
      return KeyType::kEcP384;
    case Algorithm::kRs256:
    case Algorithm::kRs384:
      return KeyType::kRsa;
  }
  return KeyType::kRsa;
}

}  // namespace schakel::server::auth
