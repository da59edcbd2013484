#include "server/util/random.h"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>
#include <vector>

namespace schakel::server {
namespace {

void Fill(unsigned char* out, std::size_t n) {
  // RAND_bytes fails only if the CSPRNG cannot be seeded; continuing with predictable ids would
  // be worse than stopping.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

void AppendHex(std::string& s, unsigned char byte) {
  static constexpr char kHex[] = "0123456789abcdef";
  s += kHex[byte >> 4];
  s += kHex[byte & 0xf];
}

}  // namespace

std::string NewUuid() {
  std::array<unsigned char, 16> b{};
  Fill(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    AppendHex(s, b[i]);
  }
  return s;
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  Fill(b.data(), b.size());
  std::string s;
  s.reserve(bytes * 2);
  for (unsigned char c : b) AppendHex(s, c);
  return s;
}

}  // namespace schakel::server
