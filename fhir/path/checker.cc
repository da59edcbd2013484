// Static checking of a parsed expression against the type of its context: the "semantic"
// errors of http://hl7.org/fhirpath/N1/#type-safety-and-strict-evaluation. Internal to
// fhir/path/; callers use Expression::Check.
//
// The checker walks the syntax tree once, carrying for every subexpression the set of FHIR
// element positions its items can come from. It only reports what is certainly wrong: a member
// that none of the possible types has, a path that starts with another resource type, an unknown
// function or a wrong number of arguments, and (on request) an order-dependent function applied
// to an unordered collection. Where the type is not known statically (resolve(), descendants(),
// a Resource-typed element, a function's computed value) it checks nothing further down.
#include "fhir/path/checker.h"

#include <string>
#include <utility>
#include <vector>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

using definitions::ElementDefinition;
using definitions::ElementRef;
using definitions::Registry;

// What a subexpression can produce.
struct StaticType {
  bool any = false;              // not known statically: no further checks
  std::vector<ElementRef> fhir;  // the FHIR positions its items can come from
  bool unordered = false;        // produced by children()/descendants()

  static StaticType Any() { return StaticType{true, {}, false}; }
  static StaticType None() { return StaticType{}; }  // System values or nothing
};

StaticType Union(StaticType a, const StaticType& b) {
  if (a.any || b.any) return StaticType::Any();
  a.fhir.insert(a.fhir.end(), b.fhir.begin(), b.fhir.end());
  a.unordered = a.unordered || b.unordered;
  return a;
}

std::string DescribeTypes(const StaticType& t) {
  std::string out;
  for (const ElementRef& ref : t.fhir) {
    std::string name = ref.type_code.empty() ? ref.element->path : std::string(ref.type_code);
    if (name == "BackboneElement" || name == "Element") name = ref.element->path;
    if (out.find(name) != std::string::npos) continue;
    if (!out.empty()) out += " | ";
    out += name;
  }
  return out;
}

class Checker {
 public:
  Checker(const Registry& registry, std::string_view context_type, const CheckOptions& options)
      : registry_(registry), context_type_(context_type), options_(options) {}

  Result<StaticType> Check(const Node& node, const StaticType& self) {
    switch (node.kind) {
      case NodeKind::kLiteral:
      case NodeKind::kEmpty:
      case NodeKind::kIndex:
      case NodeKind::kTotal:
        return StaticType::None();
      case NodeKind::kThis:
        return self;
      case NodeKind::kVariable:
        if (node.name == "resource" || node.name == "rootResource" || node.name == "context") {
          return TypeRoot(context_type_);
        }
        return StaticType::Any();
      case NodeKind::kMember:
        return CheckMember(node, self);
      case NodeKind::kFunction:
        return CheckFunction(node, self);
      case NodeKind::kIndexer: {
        Result<StaticType> target = Check(*node.target, self);
        if (!target.ok()) return target;
        SCHAKEL_RETURN_IF_ERROR(CheckOrdered(*target, node, "an indexer"));
        Result<StaticType> index = Check(*node.args[0], self);
        if (!index.ok()) return index;
        StaticType out = std::move(target).value();
        return out;
      }
      case NodeKind::kUnary:
      case NodeKind::kBinary: {
        StaticType out = StaticType::None();
        for (const auto& arg : node.args) {
          Result<StaticType> t = Check(*arg, self);
          if (!t.ok()) return t;
          if (node.name == "|") out = Union(std::move(out), *t);
        }
        return node.name == "|" ? out : StaticType::Any();
      }
      case NodeKind::kTypeOp: {
        Result<StaticType> operand = Check(*node.args[0], self);
        if (!operand.ok()) return operand;
        if (node.name == "is") return StaticType::None();
        return NamedType(node.type_name);
      }
    }
    return StaticType::Any();
  }

 private:
  // The root of a FHIR type; Any for abstract resource types, whose concrete type (and so their
  // elements) only the instance knows.
  StaticType TypeRoot(std::string_view type) const {
    const definitions::StructureInfo* info = registry_.Find(type);
    if (info == nullptr ||
        (info->is_abstract && info->kind == definitions::StructureKind::kResource))
      return StaticType::Any();
    std::optional<ElementRef> root = registry_.Root(type);
    if (!root.has_value()) return StaticType::Any();
    return StaticType{false, {*root}, false};
  }

  // The type an `as`/ofType() names: a FHIR type (optionally "FHIR."-qualified), else Any.
  StaticType NamedType(std::string_view name) const {
    if (name.starts_with("System.")) return StaticType::None();
    if (name.starts_with("FHIR.")) name.remove_prefix(5);
    return TypeRoot(name);
  }

  bool IsOfType(std::string_view type, std::string_view name) const {
    for (int guard = 0; !type.empty() && guard < 16; ++guard) {
      if (type == name) return true;
      const definitions::StructureInfo* info = registry_.Find(type);
      if (info == nullptr) break;
      type = info->base_type;
    }
    return false;
  }

  // The child positions called `name` (a choice element by its name without [x], one position
  // per type it allows). Appends to `out`; false when `parent` has no such element.
  bool AddChildren(const ElementRef& parent, std::string_view name, StaticType& out) const {
    auto [owner, children] = registry_.ChildrenOf(parent);
    for (std::uint32_t index : *children) {
      const ElementDefinition& e = owner->element(index);
      if (e.name != name) continue;
      if (e.is_choice) {
        for (const std::string& type : e.type_codes)
          out.fhir.push_back(ElementRef{owner, &e, type});
        return true;
      }
      const ElementDefinition& typed =
          e.content_reference >= 0 ? owner->element(static_cast<std::uint32_t>(e.content_reference))
                                   : e;
      if (typed.type_codes.size() != 1) {
        out.any = true;
        return true;
      }
      const std::string& type = typed.type_codes[0];
      const definitions::StructureInfo* info = registry_.Find(type);
      if (info != nullptr && info->is_abstract &&
          info->kind == definitions::StructureKind::kResource) {
        out.any = true;  // Bundle.entry.resource, DomainResource.contained
        return true;
      }
      out.fhir.push_back(ElementRef{owner, &e, type});
      return true;
    }
    return false;
  }

  Result<StaticType> CheckMember(const Node& node, const StaticType& self) {
    StaticType input = self;
    if (node.target) {
      Result<StaticType> target = Check(*node.target, self);
      if (!target.ok()) return target;
      input = std::move(target).value();
    } else if (!node.name.empty() && node.name[0] >= 'A' && node.name[0] <= 'Z' &&
               registry_.Find(node.name) != nullptr) {
      // A path may start with the type of its context: `Patient.name` on a Patient.
      if (input.any) return input;
      StaticType matching;
      for (const ElementRef& ref : input.fhir) {
        if (IsOfType(ref.type_code, node.name)) matching.fhir.push_back(ref);
      }
      if (!matching.fhir.empty()) return matching;
      if (registry_.IsResourceType(node.name)) {
        if (options_.allow_other_resource_types) return StaticType::None();
        return Error(
            node, "the expression starts at " + node.name + " but its context is " +
                      (input.fhir.empty() ? std::string("not a resource") : DescribeTypes(input)));
      }
    }
    if (input.any) return StaticType::Any();
    StaticType out;
    out.unordered = input.unordered;
    for (const ElementRef& ref : input.fhir) {
      if (AddChildren(ref, node.name, out) && out.any) return StaticType::Any();
    }
    if (out.fhir.empty() && !input.fhir.empty()) {
      std::string hint;
      for (const ElementRef& ref : input.fhir) {
        auto [owner, children] = registry_.ChildrenOf(ref);
        for (std::uint32_t index : *children) {
          const ElementDefinition& e = owner->element(index);
          if (e.is_choice && node.name.starts_with(e.name)) {
            hint = " (a choice element is named '" + e.name + "' in FHIRPath; use '" + e.name +
                   ".ofType(...)' or '" + e.name + " as ...')";
          }
        }
      }
      return Error(node, DescribeTypes(input) + " has no element '" + node.name + "'" + hint);
    }
    return out;
  }

  Result<StaticType> CheckFunction(const Node& node, const StaticType& self) {
    const FunctionSpec* spec = FindFunction(node.name);
    if (spec == nullptr) return Error(node, "unknown function " + node.name + "()");
    const int argc = static_cast<int>(node.args.size());
    if (argc < spec->min_args || argc > spec->max_args) {
      return Error(node,
                   node.name + "() takes " +
                       (spec->min_args == spec->max_args ? std::to_string(spec->min_args)
                                                         : std::to_string(spec->min_args) + " to " +
                                                               std::to_string(spec->max_args)) +
                       " arguments, not " + std::to_string(argc));
    }
    StaticType input = self;
    if (node.target) {
      Result<StaticType> target = Check(*node.target, self);
      if (!target.ok()) return target;
      input = std::move(target).value();
    }
    const std::string& name = node.name;
    if (name == "ofType" || name == "as" || name == "is") {
      if (name == "is") return StaticType::None();
      StaticType out = NamedType(TypeArgument(*node.args[0]));
      out.unordered = input.unordered;
      return out;
    }
    if (name == "first" || name == "last" || name == "tail" || name == "skip" || name == "take") {
      SCHAKEL_RETURN_IF_ERROR(CheckOrdered(input, node, name + "()"));
    }
    // Arguments evaluated once per input item see that item as $this; the others see the
    // caller's $this (iif() on a target sees its input).
    const bool per_item = name == "where" || name == "select" || name == "all" ||
                          name == "exists" || name == "aggregate" || name == "sort";
    std::vector<StaticType> args;
    for (std::size_t i = 0; i < node.args.size(); ++i) {
      const StaticType* arg_self = &self;
      StaticType any = StaticType::Any();
      if (per_item || (name == "trace" && i == 1) || (name == "iif" && node.target)) {
        arg_self = &input;
      }
      // repeat() applies its argument to its own output as well, whose type is not the input's.
      if (name == "repeat") arg_self = &any;
      Result<StaticType> arg = Check(*node.args[i], *arg_self);
      if (!arg.ok()) return arg;
      args.push_back(std::move(arg).value());
    }
    if (name == "where" || name == "first" || name == "last" || name == "tail" || name == "skip" ||
        name == "take" || name == "single" || name == "distinct" || name == "trace" ||
        name == "intersect" || name == "exclude" || name == "sort") {
      return input;
    }
    if (name == "select") return input.any ? StaticType::Any() : args[0];
    if (name == "union" || name == "combine") return Union(input, args[0]);
    if (name == "iif") return args.size() > 2 ? Union(args[1], args[2]) : args[1];
    if (name == "extension") return TypeRoot("Extension");
    if (name == "children" || name == "descendants") {
      StaticType out = StaticType::Any();
      out.unordered = true;
      return out;
    }
    return StaticType::Any();
  }

  static std::string TypeArgument(const Node& arg) {
    if (arg.kind == NodeKind::kMember && !arg.target) return arg.name;
    if (arg.kind == NodeKind::kMember && arg.target && arg.target->kind == NodeKind::kMember &&
        !arg.target->target) {
      return arg.target->name + "." + arg.name;
    }
    return "";
  }

  Status CheckOrdered(const StaticType& input, const Node& node, const std::string& what) const {
    if (!options_.check_ordered_functions || !input.unordered) return Status::Ok();
    return Error(node, what +
                           " needs an ordered collection, and children()/descendants() "
                           "give an unordered one");
  }

  static Status Error(const Node& node, const std::string& message) {
    return Status::InvalidInput("FHIRPath type error at offset " + std::to_string(node.position) +
                                ": " + message);
  }

  const Registry& registry_;
  std::string_view context_type_;
  const CheckOptions& options_;
};

}  // namespace

Status CheckAgainstType(const Node& root, std::string_view context_type,
                        const definitions::Registry& registry, const CheckOptions& options) {
  Checker checker(registry, context_type, options);
  StaticType self = StaticType::Any();
  if (!context_type.empty()) {
    const definitions::StructureInfo* info = registry.Find(context_type);
    if (info == nullptr)
      return Status::InvalidInput("FHIRPath: unknown type " + std::string(context_type));
    if (std::optional<ElementRef> r = registry.Root(context_type))
      self = StaticType{false, {*r}, false};
  }
  Result<StaticType> result = checker.Check(root, self);
  return result.ok() ? Status::Ok() : result.status();
}

}  // namespace schakel::fhir::path
