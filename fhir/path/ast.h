// The FHIRPath abstract syntax tree built by the parser. Immutable once built; shared by all
// evaluations of an expression. http://hl7.org/fhirpath/N1/#grammar
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fhir/path/value.h"

namespace schakel::fhir::path {

enum class NodeKind {
  kLiteral,   // `literal` holds the value
  kEmpty,     // {}
  kMember,    // `name` on `target` (or on $this when target is null)
  kFunction,  // `name`(`args`) on `target` (or on $this when target is null)
  kIndexer,   // target[args[0]]
  kUnary,     // op_ ("+" or "-") applied to args[0]
  kBinary,    // args[0] op args[1]
  kTypeOp,    // args[0] is/as type_name (`name` is "is" or "as")
  kThis,      // $this
  kIndex,     // $index
  kTotal,     // $total
  kVariable,  // %name
};

struct Node {
  Node() = default;
  // Tears the subtree down without recursion: the parser builds operator and invocation chains
  // in loops, so a 64 KiB expression can be thousands of nodes deep before the depth check
  // refuses it.
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  NodeKind kind = NodeKind::kEmpty;
  std::string name;       // member, function, operator or variable name
  std::string type_name;  // kTypeOp: the type specifier as written ("FHIR.string")
  Item literal;
  std::unique_ptr<Node> target;
  std::vector<std::unique_ptr<Node>> args;
  std::size_t position = 0;  // byte offset in the expression
};

}  // namespace schakel::fhir::path
