#include "fhir/patch/element_location.h"

#include <algorithm>
#include <utility>

namespace schakel::fhir::patch {
namespace {

using json::Value;

std::string CompanionName(std::string_view member) { return "_" + std::string(member); }

std::string_view BaseName(std::string_view member) {
  if (!member.empty() && member[0] == '_') member.remove_prefix(1);
  return member;
}

bool IsResourceLike(std::string_view type) {
  return type.empty() || type == "Resource" || type == "DomainResource";
}

// Depth-first search for `target` below `object`, recording the steps taken. Recursion is
// bounded by the nesting of the resource, which parsing and patching both bound.
class Finder {
 public:
  Finder(const Value* target, std::size_t* budget) : target_(target), budget_(budget) {}

  Result<bool> Search(Value& object, std::vector<PathStep>& steps) {
    if (!object.is_object()) return false;
    for (json::Member& m : object.members()) {
      SCHAKEL_RETURN_IF_ERROR(Visit());
      if (&m.value == target_) {
        steps.push_back(PathStep{&object, m.name, std::nullopt});
        return true;
      }
      if (m.value.is_array()) {
        std::vector<Value>& items = m.value.items();
        for (std::size_t i = 0; i < items.size(); ++i) {
          SCHAKEL_RETURN_IF_ERROR(Visit());
          steps.push_back(PathStep{&object, m.name, i});
          if (&items[i] == target_) return true;
          Result<bool> found = Search(items[i], steps);
          if (!found.ok() || *found) return found;
          steps.pop_back();
        }
      } else if (m.value.is_object()) {
        steps.push_back(PathStep{&object, m.name, std::nullopt});
        Result<bool> found = Search(m.value, steps);
        if (!found.ok() || *found) return found;
        steps.pop_back();
      }
    }
    return false;
  }

 private:
  Status Visit() {
    if (*budget_ == 0) {
      return Status::Unprocessable("the patch needs more work than this server allows", "",
                                   IssueType::kTooCostly);
    }
    --*budget_;
    return Status::Ok();
  }

  const Value* target_;
  std::size_t* budget_;
};

// The root element of a resource's own type, when `value` is a resource of a known type.
std::optional<definitions::ElementRef> ResourceRoot(const Value& value,
                                                    const definitions::Registry& registry) {
  const std::string* type = value.is_object() ? value.FindString("resourceType") : nullptr;
  if (type == nullptr) return std::nullopt;
  return registry.Root(*type);
}

// Drops the companion list when only nulls are left in it, and the value list when it is empty
// (or only nulls with no companion to give them meaning).
void Tidy(Value& object, std::string_view member) {
  const std::string companion_name = CompanionName(member);
  auto all_null = [](const Value& list) {
    return std::all_of(list.items().begin(), list.items().end(),
                       [](const Value& v) { return v.is_null(); });
  };
  if (const Value* c = object.Find(companion_name); c != nullptr && c->is_array() && all_null(*c)) {
    object.Remove(companion_name);
  }
  const bool has_companion = object.Find(companion_name) != nullptr;
  if (const Value* v = object.Find(member);
      v != nullptr && v->is_array() && (v->items().empty() || (!has_companion && all_null(*v)))) {
    object.Remove(member);
  }
}

// Pads the value and companion lists of `member` with nulls to the same length; creates the
// companion list when `with_companion`.
void Align(Value& object, std::string_view member, bool with_companion) {
  const std::string companion_name = CompanionName(member);
  if (object.Find(member) == nullptr) object.Set(member, Value::Array());
  if (with_companion && object.Find(companion_name) == nullptr) {
    object.Set(companion_name, Value::Array());
  }
  Value* values = object.Find(member);
  Value* companions = object.Find(companion_name);
  if (companions == nullptr || !companions->is_array() || !values->is_array()) return;
  const std::size_t n = std::max(values->items().size(), companions->items().size());
  values->items().resize(n);
  companions->items().resize(n);
}

}  // namespace

Result<ElementLocation> Locate(Value& resource, const path::Item& item,
                               const definitions::Registry& registry, std::size_t* budget) {
  const Value* target =
      item.is_node() ? (item.node != nullptr ? item.node : item.companion) : nullptr;
  if (target == nullptr) {
    return Status::Unprocessable("the path selects a value that is not an element of the resource");
  }
  ElementLocation location;
  location.value_type = ResourceRoot(resource, registry);
  if (target == &resource) return location;

  Finder finder(target, budget);
  Result<bool> found = finder.Search(resource, location.steps);
  if (!found.ok()) return found.status();
  if (!*found) {
    return Status::Unprocessable(
        "the path selects something outside the resource being patched (a literal, a computed "
        "value, or another resource); only its own elements can be changed");
  }

  // The definitions along the way, starting at the resource's type.
  std::optional<definitions::ElementRef> ref = ResourceRoot(resource, registry);
  for (std::size_t k = 0; k < location.steps.size(); ++k) {
    const PathStep& step = location.steps[k];
    location.depth += step.index ? 2 : 1;
    std::optional<definitions::ElementRef> child;
    if (ref) child = registry.ResolveChild(*ref, BaseName(step.member));
    if (k + 1 == location.steps.size()) {
      location.parent_element = ref;
      location.element = child;
      break;
    }
    // The next step starts in the object this one leads to: a resource of its own type, or a
    // value of the element's type.
    const Value& next = *location.steps[k + 1].object;
    if (child && IsResourceLike(child->type_code) && next.Find("resourceType") != nullptr) {
      ref = ResourceRoot(next, registry);
    } else {
      ref = child;
    }
  }

  const PathStep& last = location.steps.back();
  location.parent = last.object;
  location.member = std::string(BaseName(last.member));
  location.index = last.index;
  location.value_type = location.element;
  const Value* value = EntryValue(*location.parent, location.member, location.index);
  if (value != nullptr && value->is_object() && value->Find("resourceType") != nullptr &&
      (!location.element || IsResourceLike(location.element->type_code))) {
    location.value_type = ResourceRoot(*value, registry);
  }
  return location;
}

Value* EntryValue(Value& object, std::string_view member, std::optional<std::size_t> index) {
  Value* v = object.Find(member);
  if (v == nullptr || !index) return v;
  if (!v->is_array() || *index >= v->items().size()) return nullptr;
  Value* entry = &v->items()[*index];
  return entry->is_null() ? nullptr : entry;
}

Value* EntryCompanion(Value& object, std::string_view member, std::optional<std::size_t> index) {
  return EntryValue(object, CompanionName(member), index);
}

std::size_t ListSize(const Value& object, std::string_view member) {
  std::size_t n = 0;
  if (const Value* v = object.Find(member); v != nullptr && v->is_array()) n = v->items().size();
  if (const Value* c = object.Find(CompanionName(member)); c != nullptr && c->is_array()) {
    n = std::max(n, c->items().size());
  }
  return n;
}

void InsertEntry(Value& object, std::string_view member, std::size_t index, Value value,
                 Value companion) {
  Align(object, member, !companion.is_null());
  Value& values = *object.Find(member);
  const auto at = [index](std::vector<Value>& items) {
    return items.begin() + static_cast<std::ptrdiff_t>(std::min(index, items.size()));
  };
  if (Value* companions = object.Find(CompanionName(member)); companions != nullptr) {
    companions->items().insert(at(companions->items()), std::move(companion));
  }
  values.items().insert(at(values.items()), std::move(value));
  Tidy(object, member);
}

void RemoveEntry(Value& object, std::string_view member, std::optional<std::size_t> index) {
  const std::string_view base = BaseName(member);
  const bool only_companion = base.size() != member.size();
  if (!index) {
    if (!only_companion) object.Remove(base);
    object.Remove(CompanionName(base));
    return;
  }
  auto erase = [&](const std::string& name, bool to_null) {
    Value* list = object.Find(name);
    if (list == nullptr || !list->is_array() || *index >= list->items().size()) return;
    if (to_null) {
      list->items()[*index] = Value::Null();
    } else {
      list->items().erase(list->items().begin() + static_cast<std::ptrdiff_t>(*index));
    }
  };
  if (only_companion) {
    erase(std::string(member), true);
  } else {
    erase(std::string(base), false);
    erase(CompanionName(base), false);
  }
  Tidy(object, base);
}

void ReplaceEntry(Value& object, std::string_view member, std::string_view new_member,
                  std::optional<std::size_t> index, Value value, Value companion) {
  const std::string companion_name = CompanionName(member);
  if (index) {
    Align(object, member, !companion.is_null());
    object.Find(member)->items()[*index] = std::move(value);
    if (Value* companions = object.Find(companion_name); companions != nullptr) {
      companions->items()[*index] = std::move(companion);
    }
    Tidy(object, member);
    return;
  }
  // Keep the element where it was among its siblings.
  std::vector<json::Member>& members = object.members();
  std::size_t position = members.size();
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].name == member || members[i].name == companion_name) {
      position = i;
      break;
    }
  }
  object.Remove(member);
  object.Remove(companion_name);
  if (!value.is_null()) object.SetAt(position++, new_member, std::move(value));
  if (!companion.is_null()) object.SetAt(position, CompanionName(new_member), std::move(companion));
}

void MoveEntry(Value& object, std::string_view member, std::size_t from, std::size_t to) {
  Align(object, member, false);
  for (const std::string& name : {std::string(member), CompanionName(member)}) {
    Value* list = object.Find(name);
    if (list == nullptr || !list->is_array()) continue;
    std::vector<Value>& items = list->items();
    if (from >= items.size() || to >= items.size()) continue;
    auto at = [&items](std::size_t i) { return items.begin() + static_cast<std::ptrdiff_t>(i); };
    if (from < to) {
      std::rotate(at(from), at(from + 1), at(to + 1));
    } else {
      std::rotate(at(to), at(from), at(from + 1));
    }
  }
}

Value& EnsureCompanion(Value& object, std::string_view member, std::optional<std::size_t> index) {
  const std::string companion_name = CompanionName(member);
  if (!index) {
    Value* companion = object.Find(companion_name);
    if (companion == nullptr || !companion->is_object()) {
      return object.Set(companion_name, Value::Object());
    }
    return *companion;
  }
  Align(object, member, true);
  Value& entry = object.Find(companion_name)->items()[*index];
  if (!entry.is_object()) entry = Value::Object();
  return entry;
}

void PruneEmptyParents(const std::vector<PathStep>& steps) {
  // steps[k + 1].object is the value steps[k] leads to.
  for (std::size_t k = steps.size(); k-- > 1;) {
    const Value& object = *steps[k].object;
    if (!object.is_object() || !object.members().empty()) return;
    RemoveEntry(*steps[k - 1].object, steps[k - 1].member, steps[k - 1].index);
  }
}

}  // namespace schakel::fhir::patch
