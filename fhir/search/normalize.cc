// NormalizeString (extract.h): the form string search compares, so that "Müller" matches
// "muller" and "MULLER" (https://hl7.org/fhir/R4/search.html#string: "case- and
// accent-insensitive"). Table-driven over Latin-1 Supplement and Latin Extended-A, which cover
// the Western and Central European names Schakel meets; other scripts are kept as they are.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/search/extract.h"

namespace schakel::fhir::search {
namespace {

constexpr char32_t kFoldFirst = 0xC0;
// U+00C0..U+017F without accents, lower case; empty: keep the character (× and ÷).
constexpr std::array<std::string_view, 0x180 - 0xC0> kFold = {
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // U+00C0
    "d", "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // U+00D0
    "a", "a", "a",  "a",  "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // U+00E0
    "d", "n", "o",  "o",  "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // U+00F0
    "a", "a", "a",  "a",  "a", "a", "c",  "c", "c", "c", "c", "c", "c", "c", "d",  "d",   // U+0100
    "d", "d", "e",  "e",  "e", "e", "e",  "e", "e", "e", "e", "e", "g", "g", "g",  "g",   // U+0110
    "g", "g", "g",  "g",  "h", "h", "h",  "h", "i", "i", "i", "i", "i", "i", "i",  "i",   // U+0120
    "i", "i", "ij", "ij", "j", "j", "k",  "k", "k", "l", "l", "l", "l", "l", "l",  "l",   // U+0130
    "l", "l", "l",  "n",  "n", "n", "n",  "n", "n", "n", "n", "n", "o", "o", "o",  "o",   // U+0140
    "o", "o", "oe", "oe", "r", "r", "r",  "r", "r", "r", "s", "s", "s", "s", "s",  "s",   // U+0150
    "s", "s", "t",  "t",  "t", "t", "t",  "t", "u", "u", "u", "u", "u", "u", "u",  "u",   // U+0160
    "u", "u", "u",  "u",  "w", "w", "y",  "y", "y", "z", "z", "z", "z", "z", "z",  "s",   // U+0170
};

// Combining diacritical marks (text in decomposed form, "e" + U+0301): dropped.
constexpr char32_t kCombiningFirst = 0x300;
constexpr char32_t kCombiningLast = 0x36F;
constexpr char32_t kNoBreakSpace = 0xA0;

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when the bytes are not valid
// UTF-8 (the caller then copies one byte as it is).
std::size_t Decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t length = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return length;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string NormalizeString(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto emit = [&out, &pending_space](std::string_view piece) {
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += piece;
  };
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      ++i;
      if (IsAsciiSpace(c)) {
        pending_space = true;
      } else {
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        emit(std::string_view(&lower, 1));
      }
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = Decode(text, i, cp);
    if (length == 0) {
      emit(text.substr(i, 1));
      ++i;
      continue;
    }
    const std::string_view original = text.substr(i, length);
    i += length;
    if (cp == kNoBreakSpace) {
      pending_space = true;
    } else if (cp >= kCombiningFirst && cp <= kCombiningLast) {
      continue;
    } else if (cp >= kFoldFirst && cp < kFoldFirst + kFold.size() &&
               !kFold[cp - kFoldFirst].empty()) {
      emit(kFold[cp - kFoldFirst]);
    } else {
      emit(original);
    }
  }
  return out;
}

}  // namespace schakel::fhir::search
