// Existence functions: http://hl7.org/fhirpath/N1/#existence
#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

Collection Bool(bool b) { return Collection{Item::Boolean(b)}; }

Result<Collection> Empty(Evaluator&, const Collection& in, const Node&, const Frame&) {
  return Bool(in.empty());
}

Result<Collection> Exists(Evaluator& ev, const Collection& in, const Node& call,
                          const Frame& frame) {
  if (call.args.empty()) return Bool(!in.empty());
  for (std::size_t i = 0; i < in.size(); ++i) {
    Result<Collection> c = ev.EvalOn(*call.args[0], in[i], static_cast<std::int64_t>(i), frame);
    if (!c.ok()) return c;
    Result<std::optional<bool>> b = SingletonBoolean(*c, *call.args[0], ev.registry());
    if (!b.ok()) return b.status();
    if (b->value_or(false)) return Bool(true);
  }
  return Bool(false);
}

Result<Collection> All(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    Result<Collection> c = ev.EvalOn(*call.args[0], in[i], static_cast<std::int64_t>(i), frame);
    if (!c.ok()) return c;
    Result<std::optional<bool>> b = SingletonBoolean(*c, *call.args[0], ev.registry());
    if (!b.ok()) return b.status();
    if (!b->value_or(false)) return Bool(false);
  }
  return Bool(true);
}

// allTrue, anyTrue, allFalse, anyFalse: `want` the value looked for, `all` whether every item
// must have it.
Result<Collection> BooleanAggregate(Evaluator& ev, const Collection& in, const Node& call,
                                    bool want, bool all) {
  for (const Item& item : in) {
    std::optional<Item> v = ToSystem(item, ev.registry());
    if (!v.has_value() || v->kind != ItemKind::kBoolean) {
      return EvalError(call, call.name + "() needs Boolean items, not " + TypeName(item));
    }
    const bool match = v->boolean == want;
    if (all && !match) return Bool(false);
    if (!all && match) return Bool(true);
  }
  return Bool(all);
}
Result<Collection> AllTrue(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  return BooleanAggregate(ev, in, call, true, true);
}
Result<Collection> AnyTrue(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  return BooleanAggregate(ev, in, call, true, false);
}
Result<Collection> AllFalse(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  return BooleanAggregate(ev, in, call, false, true);
}
Result<Collection> AnyFalse(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  return BooleanAggregate(ev, in, call, false, false);
}

Result<Collection> Count(Evaluator&, const Collection& in, const Node&, const Frame&) {
  return Collection{Item::Integer(static_cast<std::int64_t>(in.size()))};
}

Collection DistinctOf(const Collection& in, const definitions::Registry& r) {
  Collection out;
  for (const Item& item : in) {
    if (!ContainsEqual(out, item, r)) out.push_back(item);
  }
  return out;
}

Result<Collection> Distinct(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  return DistinctOf(in, ev.registry());
}

Result<Collection> IsDistinct(Evaluator& ev, const Collection& in, const Node&, const Frame&) {
  return Bool(DistinctOf(in, ev.registry()).size() == in.size());
}

bool Subset(const Collection& a, const Collection& b, const definitions::Registry& r) {
  for (const Item& item : a) {
    if (!ContainsEqual(b, item, r)) return false;
  }
  return true;
}

Result<Collection> SubsetOf(Evaluator& ev, const Collection& in, const Node& call,
                            const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  return Bool(Subset(in, *other, ev.registry()));
}

Result<Collection> SupersetOf(Evaluator& ev, const Collection& in, const Node& call,
                              const Frame& frame) {
  Result<Collection> other = EvalArg(ev, call, 0, frame);
  if (!other.ok()) return other;
  return Bool(Subset(*other, in, ev.registry()));
}

constexpr FunctionSpec kFunctions[] = {
    {"empty", 0, 0, Empty},       {"exists", 0, 1, Exists},
    {"all", 1, 1, All},           {"allTrue", 0, 0, AllTrue},
    {"anyTrue", 0, 0, AnyTrue},   {"allFalse", 0, 0, AllFalse},
    {"anyFalse", 0, 0, AnyFalse}, {"count", 0, 0, Count},
    {"distinct", 0, 0, Distinct}, {"isDistinct", 0, 0, IsDistinct},
    {"subsetOf", 1, 1, SubsetOf}, {"supersetOf", 1, 1, SupersetOf},
};

}  // namespace

std::span<const FunctionSpec> ExistenceFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
