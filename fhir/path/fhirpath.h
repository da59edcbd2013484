// FHIRPath: the public interface of the engine shared by search parameters, invariants and
// FHIRPath Patch. http://hl7.org/fhirpath/N1/ with the FHIR-specific additions of
// https://hl7.org/fhir/R4/fhirpath.html.
//
// Compile once, evaluate many: Expression::Parse builds an immutable syntax tree; Evaluate may
// be called from any number of threads at once (all evaluation state lives on the caller's
// stack). Errors are Status values: Code::kInvalidInput for syntax errors (the message names the
// offset), Code::kUnprocessable for evaluation errors the specification defines (single() on two
// items, comparing a string with a number, an unknown function or variable), Code::kTooLarge
// (issue too-costly) when a collection grows beyond EvaluationLimits::max_items or evaluation
// takes more than max_steps, and
// Code::kNotSupported for functions that need a terminology service (memberOf) or profiles
// (conformsTo).
//
// Result items that are nodes point into the resource passed to Evaluate: keep it alive while
// using them.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/path/value.h"
#include "fhir/status.h"

namespace schakel::fhir::path {

struct Node;

struct EvaluationLimits {
  // Collections larger than this (repeat(), descendants(), combining) end the evaluation.
  std::size_t max_items = 100'000;
  // Expression nodes evaluated, in total: bounds the time of nested iterations such as
  // descendants().select(descendants()...), each of which stays within max_items.
  std::size_t max_steps = 10'000'000;
};

struct EvaluationContext {
  // Required: types every element (Registry::ResolveChild) and answers is/as/ofType.
  const definitions::Registry* registry = nullptr;
  // External constants, by name without '%' (e.g. "patient"). %resource, %rootResource,
  // %context, %ucum, %sct, %loinc, %vs-* and %ext-* are built in.
  std::map<std::string, Collection, std::less<>> variables;
  // Receives trace(name, ...) output; ignored when empty. Must be thread-safe if the context is
  // shared between threads.
  std::function<void(std::string_view name, const Collection& items)> trace;
  // The value of now(), today() and timeOfDay(); the system clock (UTC) when unset.
  std::optional<DateTimeValue> now;
  EvaluationLimits limits;
  // `as` (operator and function) on several items filters them like ofType() instead of
  // failing: for search-parameter extraction, where R4's expressions rely on it
  // (`(ActivityDefinition.useContext.value as Quantity)`).
  bool lenient_as = false;
  // resolve() on a literal reference it cannot find (neither contained nor a Bundle entry)
  // yields an empty placeholder of the type the reference names ("Patient/1",
  // "http://x/fhir/Patient/1" -> a Patient), so that `where(resolve() is Patient)` tests the
  // target type: for search-parameter extraction, where R4's expressions rely on it.
  bool resolve_placeholders = false;
};

// What Expression::Check reports besides unknown elements, functions and argument counts.
struct CheckOptions {
  // A path may start with a resource type other than the context's (`Condition.code` in an
  // expression shared by several resource types, as multi-base SearchParameters are); it
  // selects nothing there.
  bool allow_other_resource_types = false;
  // first(), last(), tail(), skip(), take() and [] on the unordered output of children() and
  // descendants() are errors (http://hl7.org/fhirpath/N1/#ordered-collections).
  bool check_ordered_functions = false;
};

class Expression {
 public:
  // Parses `text` (at most kMaxExpressionBytes, nesting at most kMaxParseDepth).
  static Result<Expression> Parse(std::string_view text);

  // Evaluates against `resource` (its resourceType types the root; %resource, %context and
  // $this start there).
  Result<Collection> Evaluate(const json::Value& resource, const EvaluationContext& context) const;

  // Evaluates with `focus` as $this (an item of a result of Evaluate on `resource`, e.g. a
  // composite search parameter's component on one Observation.component); %resource and
  // %context remain `resource`.
  Result<Collection> EvaluateOn(const Item& focus, const json::Value& resource,
                                const EvaluationContext& context) const;

  // Checks the expression statically against `context_type` (a FHIR type name such as
  // "Patient"; empty for an unknown context): the semantic errors of strict evaluation
  // (http://hl7.org/fhirpath/N1/#type-safety-and-strict-evaluation) that the types alone
  // prove, such as `Patient.name.given1`, `Observation.valueQuantity` (a choice element is
  // `value`) or `(Observation.value as Period).unit`. Code::kInvalidInput with the offset.
  Status Check(std::string_view context_type, const definitions::Registry& registry,
               const CheckOptions& options = {}) const;

  const std::string& text() const { return text_; }

 private:
  Expression(std::string text, std::shared_ptr<const Node> root)
      : text_(std::move(text)), root_(std::move(root)) {}

  std::string text_;
  std::shared_ptr<const Node> root_;
};

// The result as JSON for the CLI and tests: [{"type": "HumanName", "value": {...}},
// {"type": "System.Integer", "value": 3}, ...]. FHIR primitives carry their `_value` companion.
json::Value ResultToJson(const Collection& items, const definitions::Registry& registry);

}  // namespace schakel::fhir::path
