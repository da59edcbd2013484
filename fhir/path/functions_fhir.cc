// Tree navigation, utility and FHIR-specific functions:
// http://hl7.org/fhirpath/N1/#tree-navigation, #utility-functions and
// https://hl7.org/fhir/R4/fhirpath.html#functions
#include <chrono>

#include "fhir/path/evaluator.h"
#include "fhir/primitives/date_time.h"

namespace schakel::fhir::path {
namespace {

Result<Collection> Children(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  Collection out;
  for (const Item& item : in) ev.AddAllChildren(item, out);
  return out;
}

// Breadth-first; bounded by max_items through CheckSize.
Result<Collection> Descendants(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  Collection out;
  Collection level = in;
  while (!level.empty()) {
    Collection next;
    for (const Item& item : level) ev.AddAllChildren(item, next);
    out.insert(out.end(), next.begin(), next.end());
    SCHAKEL_RETURN_IF_ERROR(ev.CheckSize(out.size()));
    level = std::move(next);
  }
  return out;
}

Result<Collection> Trace(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  if (!ev.context().trace) return in;
  Result<std::optional<Item>> name = SingletonArg(ev, call, 0, frame);
  if (!name.ok()) return name.status();
  std::string label = name->has_value() ? (*name)->text : "";
  if (call.args.size() > 1) {
    Collection projected;
    for (std::size_t i = 0; i < in.size(); ++i) {
      Result<Collection> c = ev.EvalOn(*call.args[1], in[i], static_cast<std::int64_t>(i), frame);
      if (!c.ok()) return c;
      projected.insert(projected.end(), c->begin(), c->end());
    }
    ev.context().trace(label, projected);
  } else {
    ev.context().trace(label, in);
  }
  return in;
}

DateTimeValue Now(const Evaluator& ev) {
  if (ev.context().now.has_value()) return *ev.context().now;
  std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  std::int64_t days = ms / 86'400'000;
  std::int64_t rest = ms % 86'400'000;
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  DateTimeValue v;
  v.year = static_cast<int>(y);
  v.month = static_cast<int>(m);
  v.day = static_cast<int>(d);
  v.hour = static_cast<int>(rest / 3'600'000);
  v.minute = static_cast<int>(rest / 60'000 % 60);
  v.second = static_cast<int>(rest / 1000 % 60);
  v.millisecond = static_cast<int>(rest % 1000);
  v.precision = 7;
  v.has_zone = true;
  return v;
}

Result<Collection> NowFn(Evaluator& ev, const Collection&, const Node&, const Frame&) {
  return Collection{Item::DateTime(Now(ev))};
}

Result<Collection> Today(Evaluator& ev, const Collection&, const Node&, const Frame&) {
  DateTimeValue v = Now(ev);
  v.precision = 3;
  v.hour = v.minute = v.second = v.millisecond = 0;
  v.has_zone = false;
  return Collection{Item::Date(v)};
}

Result<Collection> TimeOfDay(Evaluator& ev, const Collection&, const Node&, const Frame&) {
  DateTimeValue v = Now(ev);
  v.has_zone = false;
  return Collection{Item::Time(v)};
}

// extension(url): the extensions of each item (for primitives, in the `_x` companion).
Result<Collection> ExtensionFn(Evaluator& ev, const Collection& in, const Node& call,
                               const Frame& frame) {
  Result<std::optional<Item>> url = SingletonArg(ev, call, 0, frame);
  if (!url.ok()) return url.status();
  if (!url->has_value()) return Collection{};
  Collection out;
  for (const Item& item : in) {
    Collection extensions;
    // AddChildren looks in a primitive's companion too.
    if (item.is_node()) ev.AddChildren(item, "extension", extensions);
    for (const Item& e : extensions) {
      const std::string* u = e.node != nullptr ? e.node->FindString("url") : nullptr;
      if (u != nullptr && *u == (*url)->text) out.push_back(e);
    }
  }
  return out;
}

Result<Collection> HasValue(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  bool has = in.size() == 1 && in[0].is_node() && in[0].node != nullptr &&
             IsPrimitiveNode(in[0], ev.registry());
  return Collection{Item::Boolean(has)};
}

Result<Collection> GetValue(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  if (in.size() != 1 || !IsPrimitiveNode(in[0], ev.registry())) return Collection{};
  std::optional<Item> v = ToSystem(in[0], ev.registry());
  if (!v.has_value()) return Collection{};
  return Collection{std::move(*v)};
}

// Finds `reference` among the root's contained resources and, for a Bundle root, its entries
// (by fullUrl or Type/id).
void Resolve(const Evaluator& ev, std::string_view reference, Collection& out) {
  const json::Value* root = ev.root().node;
  if (root == nullptr) return;
  if (reference.starts_with("#")) {
    if (const json::Value* contained = root->Find("contained");
        contained && contained->is_array()) {
      for (const json::Value& r : contained->items()) {
        const std::string* id = r.FindString("id");
        if (id != nullptr && *id == reference.substr(1)) out.push_back(ev.ResourceItem(r));
      }
    }
    return;
  }
  const json::Value* entries = root->Find("entry");
  if (entries == nullptr || !entries->is_array()) return;
  for (const json::Value& entry : entries->items()) {
    const json::Value* resource = entry.Find("resource");
    if (resource == nullptr) continue;
    const std::string* full_url = entry.FindString("fullUrl");
    const std::string* type = resource->FindString("resourceType");
    const std::string* id = resource->FindString("id");
    bool match = full_url != nullptr && *full_url == reference;
    if (!match && type != nullptr && id != nullptr) {
      std::string local = *type + "/" + *id;
      match = reference == local || reference.ends_with("/" + local);
    }
    if (match) {
      out.push_back(ev.ResourceItem(*resource));
      return;
    }
  }
}

// For EvaluationContext::resolve_placeholders: an empty resource of the type a literal reference
// names ("Patient/1", "http://x/fhir/Patient/1/_history/2"), or nothing.
void AddPlaceholder(const Evaluator& ev, std::string_view reference, Collection& out) {
  static const json::Value kEmpty = json::Value::Object();
  if (std::size_t history = reference.find("/_history/"); history != std::string_view::npos) {
    reference = reference.substr(0, history);
  }
  const std::size_t slash = reference.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return;
  std::string_view type = reference.substr(0, slash);
  type = type.substr(type.rfind('/') + 1);  // npos + 1 == 0
  if (!ev.registry().IsResourceType(type)) return;
  std::optional<definitions::ElementRef> root = ev.registry().Root(type);
  if (!root.has_value()) return;
  Item item;
  item.node = &kEmpty;
  item.element = *root;
  item.type = root->type_code;
  out.push_back(std::move(item));
}

Result<Collection> ResolveFn(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  Collection out;
  for (const Item& item : in) {
    std::string reference;
    if (item.is_node() && item.node != nullptr && item.node->is_object()) {
      if (const std::string* r = item.node->FindString("reference")) reference = *r;
    } else if (std::optional<Item> s = ToSystem(item, ev.registry());
               s.has_value() && s->kind == ItemKind::kString) {
      reference = s->text;
    }
    if (reference.empty()) continue;
    const std::size_t before = out.size();
    Resolve(ev, reference, out);
    if (out.size() == before && ev.context().resolve_placeholders) {
      AddPlaceholder(ev, reference, out);
    }
  }
  return out;
}

Result<Collection> Unsupported(Evaluator&, const Collection&, const Node& call, const Frame&) {
  return Status::NotSupported("FHIRPath: " + call.name +
                              "() is not supported (it needs a terminology or profile service)");
}

Result<Collection> HtmlChecks(Evaluator&, const Collection&, const Node&, const Frame&) {
  // The XHTML reader already refuses narrative that is not well-formed; the finer rules
  // (no scripts, no event attributes) belong to the validator.
  return Collection{Item::Boolean(true)};
}

constexpr FunctionSpec kFunctions[] = {
    {"children", 0, 0, Children},     {"descendants", 0, 0, Descendants},
    {"trace", 1, 2, Trace},           {"now", 0, 0, NowFn},
    {"today", 0, 0, Today},           {"timeOfDay", 0, 0, TimeOfDay},
    {"extension", 1, 1, ExtensionFn}, {"hasValue", 0, 0, HasValue},
    {"getValue", 0, 0, GetValue},     {"resolve", 0, 0, ResolveFn},
    {"memberOf", 1, 1, Unsupported},  {"conformsTo", 1, 1, Unsupported},
    {"htmlChecks", 0, 0, HtmlChecks}, {"htmlchecks", 0, 0, HtmlChecks},
};

}  // namespace

std::span<const FunctionSpec> FhirFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
