#include "fhir/patch/fhirpath_patch.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "fhir/patch/element_location.h"

namespace schakel::fhir::patch {
namespace {

using json::Value;
using Type = FhirPathPatchType;

constexpr std::string_view kPartNames[] = {"type",  "path",   "name",       "value",
                                           "index", "source", "destination"};

std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 200;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

std::optional<Type> TypeNamed(std::string_view name) {
  for (Type t : {Type::kAdd, Type::kInsert, Type::kDelete, Type::kReplace, Type::kMove}) {
    if (FhirPathPatchTypeName(t) == name) return t;
  }
  return std::nullopt;
}

// A part's string: valueString, or valueCode where `code_too`.
const std::string* PartString(const Value& part, bool code_too) {
  if (const std::string* s = part.FindString("valueString")) return s;
  return code_too ? part.FindString("valueCode") : nullptr;
}

// A part's non-negative integer (valueInteger, valueUnsignedInt or valuePositiveInt).
std::optional<std::size_t> PartIndex(const Value& part) {
  for (std::string_view member : {"valueInteger", "valueUnsignedInt", "valuePositiveInt"}) {
    if (const Value* v = part.Find(member)) {
      std::optional<std::int64_t> n = v->AsInt64();
      if (!n || *n < 0) return std::nullopt;
      return static_cast<std::size_t>(*n);
    }
  }
  return std::nullopt;
}

Result<FhirPathPatchOperation> ParseOperation(const Value& parameter,
                                              const definitions::Registry& registry,
                                              const std::string& where) {
  const Value* parts = parameter.Find("part");
  if (parts == nullptr || !parts->is_array() || parts->items().empty()) {
    return Status::InvalidInput(where + " has no parts");
  }
  const Value* by_name[std::size(kPartNames)] = {};
  for (const Value& part : parts->items()) {
    const std::string* name = part.is_object() ? part.FindString("name") : nullptr;
    if (name == nullptr) return Status::InvalidInput(where + " has a part without a name");
    auto it = std::find(std::begin(kPartNames), std::end(kPartNames), *name);
    if (it == std::end(kPartNames)) {
      return Status::InvalidInput(where + " has an unknown part '" + Quote(*name) +
                                  "' (type, path, name, value, index, source, destination)");
    }
    const Value*& slot = by_name[it - std::begin(kPartNames)];
    if (slot != nullptr) return Status::InvalidInput(where + " has two '" + *name + "' parts");
    slot = &part;
  }
  auto part = [&](std::string_view name) {
    auto it = std::find(std::begin(kPartNames), std::end(kPartNames), name);
    return by_name[it - std::begin(kPartNames)];
  };
  auto missing = [&](std::string_view name, std::string_view as) {
    return Status::InvalidInput(where + " needs a '" + std::string(name) + "' part (" +
                                std::string(as) + ")");
  };

  FhirPathPatchOperation op;
  const std::string* type_name = part("type") ? PartString(*part("type"), true) : nullptr;
  if (type_name == nullptr) return missing("type", "valueCode");
  std::optional<Type> type = TypeNamed(*type_name);
  if (!type) {
    return Status::InvalidInput(where + " has an unknown type '" + Quote(*type_name) +
                                "' (add, insert, delete, replace or move)");
  }
  op.type = *type;
  const std::string* path_text = part("path") ? PartString(*part("path"), false) : nullptr;
  if (path_text == nullptr) return missing("path", "valueString");
  Result<path::Expression> path = path::Expression::Parse(*path_text);
  if (!path.ok()) {
    return Status::InvalidInput(
        where + ": the path does not parse: " + std::string(path.status().message()));
  }
  op.path = std::move(path).value();

  if (op.type == Type::kAdd) {
    const std::string* name = part("name") ? PartString(*part("name"), false) : nullptr;
    if (name == nullptr) return missing("name", "valueString");
    op.name = *name;
  }
  if (op.type == Type::kAdd || op.type == Type::kInsert || op.type == Type::kReplace) {
    if (part("value") == nullptr) return missing("value", "value[x], resource or part");
    Result<PatchValue> value = ReadPartValue(*part("value"), registry);
    if (!value.ok())
      return Status::InvalidInput(where + ": " + std::string(value.status().message()));
    if (value->kind == PatchValue::Kind::kParts) {
      Status nested = CheckNestedParts(*value->parts, registry);
      if (!nested.ok()) return Status::InvalidInput(where + ": " + std::string(nested.message()));
    }
    op.value = std::move(value).value();
  }
  auto index = [&](std::string_view name, std::size_t* out) -> Status {
    if (part(name) == nullptr) return missing(name, "valueInteger");
    std::optional<std::size_t> n = PartIndex(*part(name));
    if (!n) {
      return Status::InvalidInput(where + ": '" + std::string(name) +
                                  "' must be a non-negative valueInteger");
    }
    *out = *n;
    return Status::Ok();
  };
  if (op.type == Type::kInsert) SCHAKEL_RETURN_IF_ERROR(index("index", &op.index));
  if (op.type == Type::kMove) {
    SCHAKEL_RETURN_IF_ERROR(index("source", &op.source));
    SCHAKEL_RETURN_IF_ERROR(index("destination", &op.destination));
  }
  return op;
}

// Applies one operation; the resource is changed only when it succeeds.
class OperationRunner {
 public:
  OperationRunner(const definitions::Registry& registry, const FhirPathPatchLimits& limits,
                  std::size_t* budget)
      : registry_(registry), limits_(limits), budget_(budget) {
    context_.registry = &registry;
    context_.limits.max_steps = limits.max_steps_per_path;
  }

  Status Run(Value& resource, const FhirPathPatchOperation& op) {
    Result<path::Collection> items = op.path->Evaluate(resource, context_);
    if (!items.ok()) return items.status();
    switch (op.type) {
      case Type::kDelete:
        return Delete(resource, *items);
      case Type::kReplace:
        return Replace(resource, *items, *op.value);
      case Type::kAdd:
        return Add(resource, *items, op.name, *op.value);
      case Type::kInsert:
        return Insert(resource, *items, op.index, *op.value);
      case Type::kMove:
        return Move(resource, *items, op.source, op.destination);
    }
    return Status::Internal("unknown FHIRPath Patch operation");
  }

 private:
  // The one element the path must select.
  Result<ElementLocation> One(Value& resource, const path::Collection& items,
                              std::string_view what) {
    if (items.size() != 1) {
      return Status::Unprocessable("the path selects " + std::to_string(items.size()) +
                                   " elements; " + std::string(what) + " needs exactly one");
    }
    return Locate(resource, items.front(), registry_, budget_);
  }

  Status CheckDepth(const ElementLocation& at, std::size_t extra, const Value& value) {
    if (at.depth + extra + NestingDepth(value) > limits_.max_depth) {
      return Status::Unprocessable("the patched resource would nest deeper than " +
                                       std::to_string(limits_.max_depth) + " levels",
                                   "", IssueType::kTooCostly);
    }
    return Status::Ok();
  }

  static Status UnknownElement() {
    return Status::Unprocessable(
        "the definitions do not know the element the path selects, so the value's type cannot "
        "be checked");
  }

  Status Delete(Value& resource, const path::Collection& items) {
    if (items.empty()) return Status::Ok();
    Result<ElementLocation> at = One(resource, items, "delete");
    if (!at.ok()) return at.status();
    if (at->is_root()) return Status::Unprocessable("the resource itself cannot be deleted");
    RemoveEntry(*at->parent, at->member, at->index);
    PruneEmptyParents(at->steps);
    return Status::Ok();
  }

  Status Replace(Value& resource, const path::Collection& items, const PatchValue& value) {
    Result<ElementLocation> at = One(resource, items, "replace");
    if (!at.ok()) return at.status();
    if (at->is_root()) return Status::Unprocessable("the resource itself cannot be replaced");
    if (!at->parent_element || !at->element) return UnknownElement();
    Result<Placement> placement =
        PlaceChild(*at->parent_element, at->element->element->name, value, registry_);
    if (!placement.ok()) return placement.status();
    Result<Materialized> built = Materialize(value, placement->element, registry_);
    if (!built.ok()) return built.status();
    SCHAKEL_RETURN_IF_ERROR(CheckDepth(*at, 0, built->value));
    ReplaceEntry(*at->parent, at->member, placement->member, at->index, std::move(built->value),
                 std::move(built->companion));
    return Status::Ok();
  }

  Status Add(Value& resource, const path::Collection& items, const std::string& name,
             const PatchValue& value) {
    Result<ElementLocation> at = One(resource, items, "add");
    if (!at.ok()) return at.status();
    if (!at->value_type) return UnknownElement();
    Result<Placement> placement = PlaceChild(*at->value_type, name, value, registry_);
    if (!placement.ok()) return placement.status();
    Result<Materialized> built = Materialize(value, placement->element, registry_);
    if (!built.ok()) return built.status();
    SCHAKEL_RETURN_IF_ERROR(CheckDepth(*at, placement->repeats ? 2 : 1, built->value));

    // The object the child goes into: the element itself, or a primitive's companion (which
    // holds its id and extensions).
    Value* object = &resource;
    if (!at->is_root()) {
      Value* element = EntryValue(*at->parent, at->member, at->index);
      object = element != nullptr && element->is_object()
                   ? element
                   : &EnsureCompanion(*at->parent, at->member, at->index);
    }
    const std::string& member = placement->member;
    if (placement->repeats) {
      if (const Value* list = object->Find(member); list != nullptr && !list->is_array()) {
        return Status::Unprocessable(placement->element.element->path +
                                     " repeats, but the resource has it as a single value");
      }
      InsertEntry(*object, member, ListSize(*object, member), std::move(built->value),
                  std::move(built->companion));
      return Status::Ok();
    }
    // Any variant of a choice counts as the element being there.
    for (const json::Member& m : object->members()) {
      std::string_view existing = m.name;
      if (existing.starts_with('_')) existing.remove_prefix(1);
      std::optional<definitions::ElementRef> ref =
          registry_.ResolveChild(*at->value_type, existing);
      if (ref && ref->element == placement->element.element) {
        return Status::Unprocessable(placement->element.element->path +
                                     " is already there and does not repeat; use replace");
      }
    }
    if (!built->value.is_null()) object->Set(member, std::move(built->value));
    if (!built->companion.is_null()) object->Set("_" + member, std::move(built->companion));
    return Status::Ok();
  }

  // The list every item of the path belongs to, all of whose entries the path must select.
  Result<ElementLocation> WholeList(Value& resource, const path::Collection& items,
                                    std::string_view what) {
    if (items.empty()) {
      return Status::Unprocessable("the path selects nothing; " + std::string(what) +
                                   " needs the entries of an existing list (add starts a list)");
    }
    Result<ElementLocation> at = Locate(resource, items.front(), registry_, budget_);
    if (!at.ok()) return at.status();
    if (!at->index) {
      return Status::Unprocessable("the path selects an element that does not repeat; " +
                                   std::string(what) + " works on a list");
    }
    // Every item must be a distinct entry of the same list: look their addresses up.
    std::unordered_map<const Value*, std::size_t> entries;
    for (const std::string& name : {at->member, "_" + at->member}) {
      const Value* list = at->parent->Find(name);
      if (list == nullptr || !list->is_array()) continue;
      for (std::size_t i = 0; i < list->items().size(); ++i) entries.emplace(&list->items()[i], i);
    }
    std::vector<bool> seen(ListSize(*at->parent, at->member), false);
    std::size_t distinct = 0;
    for (const path::Item& item : items) {
      const Value* address = item.node != nullptr ? item.node : item.companion;
      auto it = item.is_node() ? entries.find(address) : entries.end();
      if (it == entries.end()) {
        return Status::Unprocessable("the path selects elements of more than one list; " +
                                     std::string(what) + " works on one list");
      }
      if (!seen[it->second]) ++distinct;
      seen[it->second] = true;
    }
    if (distinct != seen.size()) {
      return Status::Unprocessable("the path selects " + std::to_string(distinct) + " of the " +
                                   std::to_string(seen.size()) + " entries of " + at->member +
                                   "; " + std::string(what) + " needs the whole list");
    }
    return at;
  }

  Status Insert(Value& resource, const path::Collection& items, std::size_t index,
                const PatchValue& value) {
    Result<ElementLocation> at = WholeList(resource, items, "insert");
    if (!at.ok()) return at.status();
    const std::size_t size = ListSize(*at->parent, at->member);
    if (index > size) {
      return Status::Unprocessable("index " + std::to_string(index) + " is beyond the end of " +
                                   at->member + " (" + std::to_string(size) + " entries)");
    }
    if (!at->parent_element || !at->element) return UnknownElement();
    Result<Placement> placement =
        PlaceChild(*at->parent_element, at->element->element->name, value, registry_);
    if (!placement.ok()) return placement.status();
    Result<Materialized> built = Materialize(value, placement->element, registry_);
    if (!built.ok()) return built.status();
    SCHAKEL_RETURN_IF_ERROR(CheckDepth(*at, 0, built->value));
    InsertEntry(*at->parent, at->member, index, std::move(built->value),
                std::move(built->companion));
    return Status::Ok();
  }

  Status Move(Value& resource, const path::Collection& items, std::size_t source,
              std::size_t destination) {
    Result<ElementLocation> at = WholeList(resource, items, "move");
    if (!at.ok()) return at.status();
    const std::size_t size = ListSize(*at->parent, at->member);
    for (std::size_t i : {source, destination}) {
      if (i >= size) {
        return Status::Unprocessable("index " + std::to_string(i) + " is not an entry of " +
                                     at->member + " (" + std::to_string(size) + " entries)");
      }
    }
    MoveEntry(*at->parent, at->member, source, destination);
    return Status::Ok();
  }

  const definitions::Registry& registry_;
  const FhirPathPatchLimits& limits_;
  std::size_t* budget_;
  path::EvaluationContext context_;
};

}  // namespace

std::string_view FhirPathPatchTypeName(FhirPathPatchType type) {
  switch (type) {
    case Type::kAdd:
      return "add";
    case Type::kInsert:
      return "insert";
    case Type::kDelete:
      return "delete";
    case Type::kReplace:
      return "replace";
    case Type::kMove:
      return "move";
  }
  return "unknown";
}

Result<FhirPathPatch> FhirPathPatch::Parse(Value parameters, const definitions::Registry& registry,
                                           const FhirPathPatchLimits& limits) {
  const std::string* resource_type =
      parameters.is_object() ? parameters.FindString("resourceType") : nullptr;
  if (resource_type == nullptr || *resource_type != "Parameters") {
    return Status::InvalidInput("a FHIRPath Patch is a Parameters resource");
  }
  FhirPathPatch patch(registry, limits);
  patch.parameters_ = std::make_shared<const Value>(std::move(parameters));
  const Value* list = patch.parameters_->Find("parameter");
  if (list == nullptr) return patch;  // no operations: nothing changes
  if (!list->is_array()) return Status::InvalidInput("Parameters.parameter must be an array");
  if (list->items().size() > limits.max_operations) {
    return Status::TooLarge("the FHIRPath Patch has " + std::to_string(list->items().size()) +
                            " operations; this server takes at most " +
                            std::to_string(limits.max_operations));
  }
  for (std::size_t i = 0; i < list->items().size(); ++i) {
    const Value& parameter = list->items()[i];
    const std::string where = "FHIRPath Patch operation " + std::to_string(i);
    const std::string* name = parameter.is_object() ? parameter.FindString("name") : nullptr;
    if (name == nullptr || *name != "operation") {
      return Status::InvalidInput("Parameters.parameter[" + std::to_string(i) +
                                  "] is not an 'operation'; a FHIRPath Patch has only those");
    }
    Result<FhirPathPatchOperation> op = ParseOperation(parameter, registry, where);
    if (!op.ok()) return op.status();
    patch.operations_.push_back(std::move(op).value());
  }
  return patch;
}

Result<Value> FhirPathPatch::Apply(Value resource) const {
  std::size_t budget = limits_.max_work;
  OperationRunner runner(*registry_, limits_, &budget);
  for (std::size_t i = 0; i < operations_.size(); ++i) {
    const FhirPathPatchOperation& op = operations_[i];
    Status s = runner.Run(resource, op);
    if (s.ok()) continue;
    std::vector<Issue> issues = s.issues();
    for (Issue& issue : issues) {
      issue.diagnostics = "FHIRPath Patch operation " + std::to_string(i) + " (" +
                          std::string(FhirPathPatchTypeName(op.type)) + " " +
                          Quote(op.path->text()) + "): " + issue.diagnostics;
      if (issue.expression.empty()) issue.expression = Quote(op.path->text());
    }
    return Status::WithIssues(s.code(), std::move(issues));
  }
  return resource;
}

}  // namespace schakel::fhir::patch
