#include "fhir/path/fhirpath.h"

#include "fhir/path/checker.h"
#include "fhir/path/evaluator.h"
#include "fhir/path/parser.h"

namespace schakel::fhir::path {

Result<Expression> Expression::Parse(std::string_view text) {
  Result<std::unique_ptr<Node>> root = ParseExpression(text);
  if (!root.ok()) return root.status();
  return Expression(std::string(text), std::shared_ptr<const Node>(std::move(root).value()));
}

Result<Collection> Expression::Evaluate(const json::Value& resource,
                                        const EvaluationContext& context) const {
  if (context.registry == nullptr) {
    return Status::Internal("FHIRPath: EvaluationContext.registry is not set");
  }
  Evaluator probe(context, Item{});
  Item root = probe.ResourceItem(resource);
  Evaluator evaluator(context, root);
  Collection focus{root};
  Frame frame{&focus, -1, nullptr};
  return evaluator.Eval(*root_, frame);
}

Result<Collection> Expression::EvaluateOn(const Item& focus, const json::Value& resource,
                                          const EvaluationContext& context) const {
  if (context.registry == nullptr) {
    return Status::Internal("FHIRPath: EvaluationContext.registry is not set");
  }
  Evaluator probe(context, Item{});
  Evaluator evaluator(context, probe.ResourceItem(resource));
  Collection input{focus};
  Frame frame{&input, -1, nullptr};
  return evaluator.Eval(*root_, frame);
}

Status Expression::Check(std::string_view context_type, const definitions::Registry& registry,
                         const CheckOptions& options) const {
  return CheckAgainstType(*root_, context_type, registry, options);
}

json::Value ResultToJson(const Collection& items, const definitions::Registry& registry) {
  return CollectionToJson(items, registry);
}

}  // namespace schakel::fhir::path
