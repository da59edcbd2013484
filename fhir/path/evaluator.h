// The tree-walking evaluator behind Expression::Evaluate, and what the function families
// (functions_*.cc) and operators.cc share. Internal to fhir/path/.
//
// One Evaluator lives for one evaluation, on the caller's stack; it only reads the syntax tree,
// the resource and the registry, so evaluations on several threads never share state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fhir/path/ast.h"
#include "fhir/path/fhirpath.h"
#include "fhir/path/value.h"

namespace schakel::fhir::path {

// What $this, $index and $total stand for while evaluating a (sub)expression.
struct Frame {
  const Collection* focus = nullptr;  // $this: the input of a path that has no explicit start
  std::int64_t index = -1;            // $index; -1 outside of an iteration
  const Collection* total = nullptr;  // $total inside aggregate()
};

class Evaluator {
 public:
  Evaluator(const EvaluationContext& context, const Item& root);

  Result<Collection> Eval(const Node& node, const Frame& frame);

  // Evaluates `expr` with $this the single `item` (and $index `index`): the criteria of
  // where(), select(), all(), exists(), repeat().
  Result<Collection> EvalOn(const Node& expr, const Item& item, std::int64_t index,
                            const Frame& outer);

  const definitions::Registry& registry() const { return *context_.registry; }
  const EvaluationContext& context() const { return context_; }
  const Item& root() const { return root_; }

  // The children of a node item named `name` (choice types included), appended to `out`.
  void AddChildren(const Item& parent, std::string_view name, Collection& out) const;
  // All children of a node item, in document order.
  void AddAllChildren(const Item& parent, Collection& out) const;
  // A node item for a resource (types it by resourceType).
  Item ResourceItem(const json::Value& resource) const;

  // Type tests for is/as/ofType: `type_name` may be qualified ("FHIR.string", "System.Integer").
  // `exact`: as()/ofType() semantics, where a FHIR primitive matches only its own type (a code
  // is(string) but does not convert as(string), as the R4 test suite has it).
  bool IsOfType(const Item& item, std::string_view type_name, bool exact = false) const;
  // True when `type_name` names a known FHIR or System type.
  bool IsKnownType(std::string_view type_name) const;

  // The bound on collection sizes.
  Status CheckSize(std::size_t size) const;

 private:
  Result<Collection> EvalMember(const Node& node, const Frame& frame);
  Result<Collection> EvalFunction(const Node& node, const Frame& frame);
  Result<Collection> EvalVariable(const Node& node);

  const EvaluationContext& context_;
  Item root_;
  std::size_t steps_ = 0;
};

// --- Helpers for function and operator implementations. ---

// An evaluation error at the position of `node`.
Status EvalError(const Node& node, const std::string& message);

// Singleton evaluation (http://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections): empty
// gives nullopt, one item gives it (FHIR primitives as their System value), more is an error.
Result<std::optional<Item>> Singleton(const Collection& items, const Node& where,
                                      const definitions::Registry& registry);
// The same, for a Boolean context: a single non-Boolean item counts as true.
Result<std::optional<bool>> SingletonBoolean(const Collection& items, const Node& where,
                                             const definitions::Registry& registry);

// Evaluates argument `i` of `call` against the caller's frame.
Result<Collection> EvalArg(Evaluator& ev, const Node& call, std::size_t i, const Frame& frame);
// Argument `i` as a single value (nullopt when empty).
Result<std::optional<Item>> SingletonArg(Evaluator& ev, const Node& call, std::size_t i,
                                         const Frame& frame);

// Collection equality helpers for distinct(), union, in/contains.
bool ContainsEqual(const Collection& items, const Item& item, const definitions::Registry& r);

using FunctionImpl = Result<Collection> (*)(Evaluator& ev, const Collection& input,
                                            const Node& call, const Frame& frame);
struct FunctionSpec {
  std::string_view name;
  int min_args;
  int max_args;
  FunctionImpl impl;
};

// The function called `name`, from all families; nullptr when there is none.
const FunctionSpec* FindFunction(std::string_view name);

// One table per family (functions_*.cc).
std::span<const FunctionSpec> ExistenceFunctions();
std::span<const FunctionSpec> FilteringFunctions();
std::span<const FunctionSpec> ConversionFunctions();
std::span<const FunctionSpec> StringFunctions();
std::span<const FunctionSpec> MathFunctions();
std::span<const FunctionSpec> FhirFunctions();
std::span<const FunctionSpec> ReflectionFunctions();
std::span<const FunctionSpec> EncodingFunctions();
std::span<const FunctionSpec> BoundaryFunctions();

// operators.cc
Result<Collection> EvalBinary(Evaluator& ev, const Node& node, const Frame& frame);
Result<Collection> EvalUnary(Evaluator& ev, const Node& node, const Frame& frame);
Result<Collection> EvalTypeOp(Evaluator& ev, const Node& node, const Frame& frame);
// Date/time arithmetic shared by operators and conversions: value +/- a calendar quantity.
Result<Item> AddDuration(const Item& date_time, const Item& quantity, int sign, const Node& where);

}  // namespace schakel::fhir::path
