// FHIRPath parser: expression text to AST, by precedence climbing over the lexer's tokens.
// http://hl7.org/fhirpath/N1/#grammar and the operator precedence of
// http://hl7.org/fhirpath/N1/#operator-precedence.
//
// Bounded: the text by kMaxExpressionBytes, the nesting of the tree by kMaxParseDepth, so that a
// hostile expression cannot exhaust the stack. Errors are Code::kInvalidInput with the offset.
// Stateless; thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "fhir/path/ast.h"
#include "fhir/status.h"

namespace schakel::fhir::path {

inline constexpr int kMaxParseDepth = 200;

Result<std::unique_ptr<Node>> ParseExpression(std::string_view text);

}  // namespace schakel::fhir::path
