#include "fhir/path/evaluator.h"

#include <unordered_map>

namespace schakel::fhir::path {
namespace {

using FunctionTable = std::unordered_map<std::string_view, const FunctionSpec*>;

const FunctionTable& Functions() {
  static const FunctionTable kTable = [] {
    FunctionTable table;
    for (auto family : {ExistenceFunctions(), FilteringFunctions(), ConversionFunctions(),
                        StringFunctions(), MathFunctions(), FhirFunctions(), ReflectionFunctions(),
                        EncodingFunctions(), BoundaryFunctions()}) {
      for (const FunctionSpec& spec : family) table.emplace(spec.name, &spec);
    }
    return table;
  }();
  return kTable;
}

bool IsSystemTypeName(std::string_view name) {
  static constexpr std::string_view kNames[] = {"Boolean", "String",   "Integer", "Decimal",
                                                "Date",    "DateTime", "Time",    "Quantity"};
  for (std::string_view n : kNames) {
    if (n == name) return true;
  }
  return false;
}

bool IsResourceLike(std::string_view type) {
  return type.empty() || type == "Resource" || type == "DomainResource";
}

}  // namespace

const FunctionSpec* FindFunction(std::string_view name) {
  const FunctionTable& table = Functions();
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

Status EvalError(const Node& node, const std::string& message) {
  return Status::Unprocessable("FHIRPath evaluation error at offset " +
                               std::to_string(node.position) + ": " + message);
}

Evaluator::Evaluator(const EvaluationContext& context, const Item& root)
    : context_(context), root_(root) {}

Status Evaluator::CheckSize(std::size_t size) const {
  if (size > context_.limits.max_items) {
    return Status::Unprocessable("FHIRPath: a collection grew beyond " +
                                     std::to_string(context_.limits.max_items) + " items",
                                 "", IssueType::kTooCostly);
  }
  return Status::Ok();
}

Item Evaluator::ResourceItem(const json::Value& resource) const {
  Item item;
  item.node = &resource;
  if (const std::string* type = resource.FindString("resourceType")) {
    item.type = *type;
    if (std::optional<definitions::ElementRef> root = registry().Root(*type)) {
      item.element = *root;
      item.type = root->type_code;
    }
  }
  return item;
}

namespace {

void AddValues(const Evaluator& ev, const json::Value* value, const json::Value* companion,
               const std::optional<definitions::ElementRef>& ref, Collection& out) {
  auto make = [&](const json::Value* v, const json::Value* c) {
    if ((v == nullptr || v->is_null()) && (c == nullptr || c->is_null())) return;
    if (v != nullptr && v->is_null()) v = nullptr;
    if (c != nullptr && c->is_null()) c = nullptr;
    std::string_view type = ref.has_value() ? ref->type_code : std::string_view();
    if (v != nullptr && v->is_object() && IsResourceLike(type) && v->Find("resourceType")) {
      out.push_back(ev.ResourceItem(*v));
      return;
    }
    Item item;
    item.node = v;
    item.companion = c;
    if (ref.has_value()) {
      item.element = *ref;
      item.type = ref->type_code;
    }
    out.push_back(std::move(item));
  };
  const bool value_array = value != nullptr && value->is_array();
  const bool companion_array = companion != nullptr && companion->is_array();
  if (value_array || companion_array) {
    std::size_t n = std::max(value_array ? value->items().size() : 0,
                             companion_array ? companion->items().size() : 0);
    for (std::size_t i = 0; i < n; ++i) {
      const json::Value* v =
          value_array && i < value->items().size() ? &value->items()[i] : nullptr;
      const json::Value* c =
          companion_array && i < companion->items().size() ? &companion->items()[i] : nullptr;
      make(v, c);
    }
    return;
  }
  make(value, companion);
}

}  // namespace

void Evaluator::AddChildren(const Item& parent, std::string_view name, Collection& out) const {
  // The id and extensions of a primitive live in its companion (`birthDate.extension`).
  if (parent.companion != nullptr && parent.companion->is_object()) {
    Item companion = parent;
    companion.node = parent.companion;
    companion.companion = nullptr;
    AddChildren(companion, name, out);
  }
  const json::Value* object = parent.node;
  if (object == nullptr || !object->is_object() || name.empty()) return;
  const bool typed = parent.element.element != nullptr;
  for (const json::Member& m : object->members()) {
    std::string_view member = m.name;
    bool is_companion = false;
    if (!member.empty() && member[0] == '_') {
      member.remove_prefix(1);
      is_companion = true;
    }
    if (member.size() < name.size() || member.compare(0, name.size(), name) != 0) continue;
    if (member == "resourceType") continue;
    std::optional<definitions::ElementRef> ref;
    if (typed) ref = registry().ResolveChild(parent.element, member);
    if (member.size() != name.size()) {
      // valueQuantity for `value`: only through a choice element of that name.
      if (!ref.has_value() || !ref->element->is_choice || ref->element->name != name) continue;
    }
    std::string companion_name = "_" + std::string(member);
    if (is_companion) {
      // A primitive with only its companion (no value): report it once, here.
      if (object->Find(member) != nullptr) continue;
      AddValues(*this, nullptr, &m.value, ref, out);
    } else {
      AddValues(*this, &m.value, object->Find(companion_name), ref, out);
    }
  }
}

void Evaluator::AddAllChildren(const Item& parent, Collection& out) const {
  // The id and extensions of a primitive live in its companion.
  if (parent.companion != nullptr && parent.companion->is_object()) {
    Item companion = parent;
    companion.node = parent.companion;
    companion.companion = nullptr;
    AddAllChildren(companion, out);
  }
  const json::Value* object = parent.node;
  if (object == nullptr || !object->is_object()) return;
  const bool typed = parent.element.element != nullptr;
  for (const json::Member& m : object->members()) {
    std::string_view member = m.name;
    if (member == "resourceType") continue;
    std::optional<definitions::ElementRef> ref;
    if (!member.empty() && member[0] == '_') {
      member.remove_prefix(1);
      if (object->Find(member) != nullptr) continue;
      if (typed) ref = registry().ResolveChild(parent.element, member);
      AddValues(*this, nullptr, &m.value, ref, out);
      continue;
    }
    if (typed) ref = registry().ResolveChild(parent.element, member);
    AddValues(*this, &m.value, object->Find("_" + std::string(member)), ref, out);
  }
}

bool Evaluator::IsKnownType(std::string_view type_name) const {
  std::string_view ns;
  std::string_view name = type_name;
  if (std::size_t dot = type_name.find('.'); dot != std::string_view::npos) {
    ns = type_name.substr(0, dot);
    name = type_name.substr(dot + 1);
  }
  if (ns.empty() || ns == "System") {
    if (IsSystemTypeName(name)) return true;
  }
  if (ns.empty() || ns == "FHIR") return registry().Find(name) != nullptr;
  return false;
}

bool Evaluator::IsOfType(const Item& item, std::string_view type_name, bool exact) const {
  std::string_view ns;
  std::string_view name = type_name;
  if (std::size_t dot = type_name.find('.'); dot != std::string_view::npos) {
    ns = type_name.substr(0, dot);
    name = type_name.substr(dot + 1);
  }
  if (!item.is_node()) {
    if (ns == "FHIR") return false;
    return TypeName(item) == name;
  }
  if (ns == "System") return false;
  // Walk the FHIR type and its bases (Patient -> DomainResource -> Resource). Primitive
  // specializations are distinct types for FHIRPath: a code is not a string.
  std::string_view type = item.type;
  if (exact && registry().IsPrimitive(type)) return type == name;
  for (int guard = 0; !type.empty() && guard < 16; ++guard) {
    if (type == name) return true;
    const definitions::StructureInfo* info = registry().Find(type);
    if (info == nullptr) break;
    type = info->base_type;
  }
  return false;
}

Result<Collection> Evaluator::EvalOn(const Node& expr, const Item& item, std::int64_t index,
                                     const Frame& outer) {
  Collection focus{item};
  Frame frame{&focus, index, outer.total};
  return Eval(expr, frame);
}

Result<Collection> Evaluator::Eval(const Node& node, const Frame& frame) {
  if (++steps_ > context_.limits.max_steps) {
    return Status::Unprocessable("FHIRPath: evaluation took more than " +
                                     std::to_string(context_.limits.max_steps) + " steps",
                                 "", IssueType::kTooCostly);
  }
  switch (node.kind) {
    case NodeKind::kLiteral:
      return Collection{node.literal};
    case NodeKind::kEmpty:
      return Collection{};
    case NodeKind::kThis:
      return frame.focus != nullptr ? *frame.focus : Collection{};
    case NodeKind::kIndex:
      if (frame.index < 0) return Collection{};
      return Collection{Item::Integer(frame.index)};
    case NodeKind::kTotal:
      return frame.total != nullptr ? *frame.total : Collection{};
    case NodeKind::kVariable:
      return EvalVariable(node);
    case NodeKind::kMember:
      return EvalMember(node, frame);
    case NodeKind::kFunction:
      return EvalFunction(node, frame);
    case NodeKind::kIndexer: {
      Result<Collection> input = Eval(*node.target, frame);
      if (!input.ok()) return input;
      Result<std::optional<Item>> index = SingletonArg(*this, node, 0, frame);
      if (!index.ok()) return index.status();
      if (!index->has_value()) return Collection{};
      if ((*index)->kind != ItemKind::kInteger) return EvalError(node, "index must be an Integer");
      std::int64_t i = (*index)->integer;
      if (i < 0 || static_cast<std::size_t>(i) >= input->size()) return Collection{};
      return Collection{(*input)[static_cast<std::size_t>(i)]};
    }
    case NodeKind::kUnary:
      return EvalUnary(*this, node, frame);
    case NodeKind::kBinary:
      return EvalBinary(*this, node, frame);
    case NodeKind::kTypeOp:
      return EvalTypeOp(*this, node, frame);
  }
  return EvalError(node, "unknown expression");
}

Result<Collection> Evaluator::EvalVariable(const Node& node) {
  const std::string& name = node.name;
  if (name == "resource" || name == "rootResource" || name == "context") {
    return Collection{root_};
  }
  if (auto it = context_.variables.find(name); it != context_.variables.end()) {
    return it->second;
  }
  if (name == "ucum") return Collection{Item::String("http://unitsofmeasure.org")};
  if (name == "sct") return Collection{Item::String("http://snomed.info/sct")};
  if (name == "loinc") return Collection{Item::String("http://loinc.org")};
  if (name.starts_with("vs-")) {
    return Collection{Item::String("http://hl7.org/fhir/ValueSet/" + name.substr(3))};
  }
  if (name.starts_with("ext-")) {
    return Collection{Item::String("http://hl7.org/fhir/StructureDefinition/" + name.substr(4))};
  }
  return EvalError(node, "unknown variable %" + name);
}

Result<Collection> Evaluator::EvalMember(const Node& node, const Frame& frame) {
  Collection input_storage;
  const Collection* input = frame.focus;
  if (node.target) {
    Result<Collection> target = Eval(*node.target, frame);
    if (!target.ok()) return target;
    input_storage = std::move(target).value();
    input = &input_storage;
  } else if (input != nullptr && !node.name.empty() && node.name[0] >= 'A' && node.name[0] <= 'Z') {
    // A path may start with the type of its context: `Patient.name` on a Patient.
    bool is_type = false;
    Collection matching;
    for (const Item& item : *input) {
      if (item.is_node() && IsOfType(item, node.name)) {
        is_type = true;
        matching.push_back(item);
      }
    }
    if (is_type) return matching;
    if (registry().IsResourceType(node.name)) return Collection{};
  }
  Collection out;
  if (input == nullptr) return out;
  for (const Item& item : *input) {
    if (item.is_node()) {
      AddChildren(item, node.name, out);
    } else if (item.kind == ItemKind::kTypeInfo &&
               (node.name == "namespace" || node.name == "name")) {
      const std::size_t dot = item.text.find('.');
      out.push_back(Item::String(node.name == "namespace" ? item.text.substr(0, dot)
                                                          : item.text.substr(dot + 1)));
    }
  }
  SCHAKEL_RETURN_IF_ERROR(CheckSize(out.size()));
  return out;
}

Result<Collection> Evaluator::EvalFunction(const Node& node, const Frame& frame) {
  const FunctionSpec* found = FindFunction(node.name);
  if (found == nullptr) return EvalError(node, "unknown function " + node.name + "()");
  const FunctionSpec& spec = *found;
  const int argc = static_cast<int>(node.args.size());
  if (argc < spec.min_args || argc > spec.max_args) {
    return EvalError(
        node, node.name + "() takes " +
                  (spec.min_args == spec.max_args
                       ? std::to_string(spec.min_args)
                       : std::to_string(spec.min_args) + " to " + std::to_string(spec.max_args)) +
                  " arguments, not " + std::to_string(argc));
  }
  Collection input_storage;
  const Collection* input = frame.focus;
  if (node.target) {
    Result<Collection> target = Eval(*node.target, frame);
    if (!target.ok()) return target;
    input_storage = std::move(target).value();
    input = &input_storage;
  }
  static const Collection kEmpty;
  Result<Collection> out = spec.impl(*this, input != nullptr ? *input : kEmpty, node, frame);
  if (out.ok()) SCHAKEL_RETURN_IF_ERROR(CheckSize(out->size()));
  return out;
}

Result<std::optional<Item>> Singleton(const Collection& items, const Node& where,
                                      const definitions::Registry& registry) {
  if (items.empty()) return std::optional<Item>();
  if (items.size() > 1) {
    return EvalError(where, "expected a single item but got " + std::to_string(items.size()));
  }
  std::optional<Item> value = ToSystem(items[0], registry);
  if (!value.has_value()) return std::optional<Item>(items[0]);
  return value;
}

Result<std::optional<bool>> SingletonBoolean(const Collection& items, const Node& where,
                                             const definitions::Registry& registry) {
  Result<std::optional<Item>> item = Singleton(items, where, registry);
  if (!item.ok()) return item.status();
  if (!item->has_value()) return std::optional<bool>();
  if ((*item)->kind == ItemKind::kBoolean) return std::optional<bool>((*item)->boolean);
  return std::optional<bool>(true);
}

Result<Collection> EvalArg(Evaluator& ev, const Node& call, std::size_t i, const Frame& frame) {
  return ev.Eval(*call.args[i], frame);
}

Result<std::optional<Item>> SingletonArg(Evaluator& ev, const Node& call, std::size_t i,
                                         const Frame& frame) {
  Result<Collection> arg = EvalArg(ev, call, i, frame);
  if (!arg.ok()) return arg.status();
  return Singleton(*arg, *call.args[i], ev.registry());
}

bool ContainsEqual(const Collection& items, const Item& item, const definitions::Registry& r) {
  for (const Item& other : items) {
    std::optional<bool> eq = ItemsEqual(other, item, r);
    if (eq.has_value() && *eq) return true;
  }
  return false;
}

}  // namespace schakel::fhir::path
