// Filtering and projection, subsetting and combining:
// http://hl7.org/fhirpath/N1/#filtering-and-projection, #subsetting, #combining
#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

Result<Collection> Where(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Collection out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    Result<Collection> c = ev.EvalOn(*call.args[0], in[i], static_cast<std::int64_t>(i), frame);
    if (!c.ok()) return c;
    Result<std::optional<bool>> b = SingletonBoolean(*c, *call.args[0], ev.registry());
    if (!b.ok()) return b.status();
    if (b->value_or(false)) out.push_back(in[i]);
  }
  return out;
}

Result<Collection> Select(Evaluator& ev, const Collection& in, const Node& call,
                          const Frame& frame) {
  Collection out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    Result<Collection> c = ev.EvalOn(*call.args[0], in[i], static_cast<std::int64_t>(i), frame);
    if (!c.ok()) return c;
    out.insert(out.end(), c->begin(), c->end());
    SCHAKEL_RETURN_IF_ERROR(ev.CheckSize(out.size()));
  }
  return out;
}

// Applies the projection to each new item until nothing new appears; bounded by max_items.
Result<Collection> Repeat(Evaluator& ev, const Collection& in, const Node& call,
                          const Frame& frame) {
  Collection out;
  Collection pending = in;
  while (!pending.empty()) {
    Collection next;
    for (const Item& item : pending) {
      Result<Collection> c = ev.EvalOn(*call.args[0], item, -1, frame);
      if (!c.ok()) return c;
      for (Item& found : *c) {
        if (ContainsEqual(out, found, ev.registry())) continue;
        out.push_back(found);
        next.push_back(std::move(found));
        SCHAKEL_RETURN_IF_ERROR(ev.CheckSize(out.size()));
      }
    }
    pending = std::move(next);
  }
  return out;
}

Result<Collection> OfType(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  const Node& arg = *call.args[0];
  std::string type;
  if (arg.kind == NodeKind::kMember && !arg.target) {
    type = arg.name;
  } else if (arg.kind == NodeKind::kMember && arg.target && arg.target->kind == NodeKind::kMember &&
             !arg.target->target) {
    type = arg.target->name + "." + arg.name;
  } else {
    return EvalError(call, call.name + "() needs a type name");
  }
  if (!ev.IsKnownType(type) && !type.starts_with("System."))
    return EvalError(call, "unknown type " + type);
  if (call.name == "as" && in.size() > 1 && !ev.context().lenient_as) {
    return EvalError(call, "as() needs a single item");
  }
  if (call.name == "is") {
    if (in.empty()) return Collection{};
    if (in.size() > 1) return EvalError(call, "is() needs a single item");
    return Collection{Item::Boolean(ev.IsOfType(in[0], type))};
  }
  Collection out;
  for (const Item& item : in) {
    if (ev.IsOfType(item, type, true)) out.push_back(item);
  }
  return out;
}

Result<Collection> SingleFn(Evaluator&, const Collection& in, const Node& call, const Frame&) {
  if (in.size() > 1) {
    return EvalError(call, "single() on a collection of " + std::to_string(in.size()) + " items");
  }
  return in;
}

Result<Collection> First(Evaluator&, const Collection& in, const Node&, const Frame&) {
  if (in.empty()) return Collection{};
  return Collection{in.front()};
}

Result<Collection> Last(Evaluator&, const Collection& in, const Node&, const Frame&) {
  if (in.empty()) return Collection{};
  return Collection{in.back()};
}

Result<Collection> Tail(Evaluator&, const Collection& in, const Node&, const Frame&) {
  if (in.empty()) return Collection{};
  return Collection(in.begin() + 1, in.end());
}

Result<std::int64_t> CountArg(Evaluator& ev, const Node& call, const Frame& frame) {
  Result<std::optional<Item>> n = SingletonArg(ev, call, 0, frame);
  if (!n.ok()) return n.status();
  if (!n->has_value() || (*n)->kind != ItemKind::kInteger) {
    return EvalError(call, call.name + "() needs an Integer");
  }
  return (*n)->integer;
}

Result<Collection> Skip(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  Result<std::int64_t> n = CountArg(ev, call, frame);
  if (!n.ok()) return n.status();
  if (*n <= 0) return in;
  if (static_cast<std::size_t>(*n) >= in.size()) return Collection{};
  return Collection(in.begin() + *n, in.end());
}

Result<Collection> Take(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  Result<std::int64_t> n = CountArg(ev, call, frame);
  if (!n.ok()) return n.status();
  if (*n <= 0) return Collection{};
  if (static_cast<std::size_t>(*n) >= in.size()) return in;
  return Collection(in.begin(), in.begin() + *n);
}

Result<Collection> Intersect(Evaluator& ev, const Collection& in, const Node& call,
                             const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  Collection out;
  for (const Item& item : in) {
    if (ContainsEqual(*other, item, ev.registry()) && !ContainsEqual(out, item, ev.registry())) {
      out.push_back(item);
    }
  }
  return out;
}

Result<Collection> Exclude(Evaluator& ev, const Collection& in, const Node& call,
                           const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  Collection out;
  for (const Item& item : in) {
    if (!ContainsEqual(*other, item, ev.registry())) out.push_back(item);
  }
  return out;
}

Result<Collection> Union(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  Collection out;
  for (const Collection* side : {&in, static_cast<const Collection*>(&*other)}) {
    for (const Item& item : *side) {
      if (!ContainsEqual(out, item, ev.registry())) out.push_back(item);
    }
  }
  return out;
}

Result<Collection> Combine(Evaluator& ev, const Collection& in, const Node& call,
                           const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  Collection out = in;
  out.insert(out.end(), other->begin(), other->end());
  return out;
}

// aggregate(aggregator [, init]): $total carries the running value.
Result<Collection> Aggregate(Evaluator& ev, const Collection& in, const Node& call,
                             const Frame& frame) {
  Collection total;
  if (call.args.size() > 1) {
    Result<Collection> init = EvalArg(ev, call, 1, frame);
    if (!init.ok()) return init;
    total = std::move(init).value();
  }
  for (std::size_t i = 0; i < in.size(); ++i) {
    Collection focus{in[i]};
    Frame inner{&focus, static_cast<std::int64_t>(i), &total};
    Result<Collection> next = ev.Eval(*call.args[0], inner);
    if (!next.ok()) return next;
    total = std::move(next).value();
  }
  return total;
}

constexpr FunctionSpec kFunctions[] = {
    {"where", 1, 1, Where},         {"select", 1, 1, Select},       {"repeat", 1, 1, Repeat},
    {"ofType", 1, 1, OfType},       {"as", 1, 1, OfType},           {"is", 1, 1, OfType},
    {"single", 0, 0, SingleFn},     {"first", 0, 0, First},         {"last", 0, 0, Last},
    {"tail", 0, 0, Tail},           {"skip", 1, 1, Skip},           {"take", 1, 1, Take},
    {"intersect", 1, 1, Intersect}, {"exclude", 1, 1, Exclude},     {"union", 1, 1, Union},
    {"combine", 1, 1, Combine},     {"aggregate", 1, 2, Aggregate},
};

}  // namespace

std::span<const FunctionSpec> FilteringFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
