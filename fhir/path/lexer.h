// FHIRPath lexer: turns expression text into tokens. http://hl7.org/fhirpath/N1/#grammar
//
// Comments (// and /* */) and whitespace are skipped. Every token records its byte offset in the
// text, so parse errors can point at the place. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace schakel::fhir::path {

enum class TokenKind {
  kEnd,
  kIdentifier,  // name or `delimited` (text holds the unescaped name)
  kString,      // 'text' (text holds the unescaped value)
  kNumber,      // 12 or 1.5 (text holds the literal)
  kDate,        // @2020-01-01 (text without the '@')
  kDateTime,    // @2020-01-01T10:00 (text without the '@')
  kTime,        // @T12:00 (text without the "@T")
  kSpecial,     // $this, $index, $total (text holds "this", ...)
  kVariable,    // %name or %`name` or %'name' (text holds the name)
  kOperator,    // punctuation and symbolic operators: . , ( ) [ ] { } + - * / & | < > ...
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  std::size_t position = 0;  // byte offset in the expression
  bool delimited = false;    // an identifier written as `name`
};

// The largest expression accepted, in bytes.
inline constexpr std::size_t kMaxExpressionBytes = std::size_t{64} * 1024;

// Tokenizes `text`; the last token is kEnd. Errors (Code::kInvalidInput) name the offset.
Result<std::vector<Token>> Tokenize(std::string_view text);

}  // namespace schakel::fhir::path
