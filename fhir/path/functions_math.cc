// Math functions: http://hl7.org/fhirpath/N1/#math
#include <cmath>
#include <limits>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

// The input as a number (or Quantity where allowed); nullopt when empty.
Result<std::optional<Item>> InputNumber(Evaluator& ev, const Collection& in, const Node& call,
                                        bool allow_quantity) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v;
  if (!v->has_value()) return v;
  ItemKind k = (*v)->kind;
  if (k == ItemKind::kInteger || k == ItemKind::kDecimal ||
      (allow_quantity && k == ItemKind::kQuantity)) {
    return v;
  }
  return EvalError(call, call.name + "() needs a number, not " + TypeName(**v));
}

long double NumberOf(const Item& i) {
  return i.kind == ItemKind::kInteger ? static_cast<long double>(i.integer) : i.decimal;
}

Collection DecimalOrEmpty(long double d) {
  if (std::isnan(d) || std::isinf(d)) return {};
  return {Item::Decimal(d)};
}

Result<Collection> Abs(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, true);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  Item item = **v;
  if (item.kind == ItemKind::kInteger) {
    if (item.integer == std::numeric_limits<std::int64_t>::min()) return Collection{};
    item.integer = item.integer < 0 ? -item.integer : item.integer;
  } else {
    item.decimal = std::fabs(item.decimal);
    if (item.kind == ItemKind::kDecimal && item.text.starts_with("-")) item.text.erase(0, 1);
  }
  return Collection{item};
}

// ceiling, floor, truncate: Integer results.
Result<Collection> Rounding(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, false);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  if ((*v)->kind == ItemKind::kInteger) return Collection{**v};
  long double d = (*v)->decimal;
  long double r = call.name == "ceiling" ? std::ceil(d)
                  : call.name == "floor" ? std::floor(d)
                                         : std::trunc(d);
  if (std::fabs(r) > 9.2e18L) return Collection{};
  return Collection{Item::Integer(static_cast<std::int64_t>(r))};
}

Result<Collection> Unary(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, false);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  long double x = NumberOf(**v);
  if (call.name == "exp") return DecimalOrEmpty(std::exp(x));
  if (call.name == "ln") return x <= 0 ? Collection{} : DecimalOrEmpty(std::log(x));
  if (x < 0) return Collection{};  // sqrt
  return DecimalOrEmpty(std::sqrt(x));
}

Result<Collection> Log(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, false);
  if (!v.ok()) return v.status();
  Result<std::optional<Item>> base = SingletonArg(ev, call, 0, frame);
  if (!base.ok()) return base.status();
  if (!v->has_value() || !base->has_value()) return Collection{};
  long double x = NumberOf(**v);
  long double b = NumberOf(**base);
  if (x <= 0 || b <= 0 || b == 1) return Collection{};
  return DecimalOrEmpty(std::log(x) / std::log(b));
}

Result<Collection> Power(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, false);
  if (!v.ok()) return v.status();
  Result<std::optional<Item>> e = SingletonArg(ev, call, 0, frame);
  if (!e.ok()) return e.status();
  if (!v->has_value() || !e->has_value()) return Collection{};
  if ((*e)->kind != ItemKind::kInteger && (*e)->kind != ItemKind::kDecimal) {
    return EvalError(call, "power() needs a number exponent");
  }
  long double r = std::pow(NumberOf(**v), NumberOf(**e));
  if ((*v)->kind == ItemKind::kInteger && (*e)->kind == ItemKind::kInteger) {
    if ((*e)->integer < 0 || std::isnan(r) || std::fabs(r) > 9.2e18L) {
      return DecimalOrEmpty(r);
    }
    return Collection{Item::Integer(static_cast<std::int64_t>(std::llround(r)))};
  }
  return DecimalOrEmpty(r);
}

Result<Collection> Round(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Result<std::optional<Item>> v = InputNumber(ev, in, call, false);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  std::int64_t digits = 0;
  if (!call.args.empty()) {
    Result<std::optional<Item>> p = SingletonArg(ev, call, 0, frame);
    if (!p.ok()) return p.status();
    if (p->has_value()) {
      if ((*p)->kind != ItemKind::kInteger || (*p)->integer < 0) {
        return EvalError(call, "round() precision must be a non-negative Integer");
      }
      digits = std::min<std::int64_t>((*p)->integer, 18);
    }
  }
  long double scale = std::pow(10.0L, static_cast<long double>(digits));
  return DecimalOrEmpty(std::round(NumberOf(**v) * scale) / scale);
}

Result<Collection> Comparable(Evaluator& ev, const Collection& in, const Node& call,
                              const Frame& frame) {
  Result<std::optional<Item>> a = Singleton(in, call, ev.registry());
  if (!a.ok()) return a.status();
  Result<std::optional<Item>> b = SingletonArg(ev, call, 0, frame);
  if (!b.ok()) return b.status();
  if (!a->has_value() || !b->has_value()) return Collection{};
  if ((*a)->kind != ItemKind::kQuantity || (*b)->kind != ItemKind::kQuantity) {
    return EvalError(call, "comparable() needs Quantities");
  }
  return Collection{Item::Boolean(UnitsComparable(**a, **b))};
}

constexpr FunctionSpec kFunctions[] = {
    {"comparable", 1, 1, Comparable},
    {"abs", 0, 0, Abs},
    {"ceiling", 0, 0, Rounding},
    {"floor", 0, 0, Rounding},
    {"truncate", 0, 0, Rounding},
    {"exp", 0, 0, Unary},
    {"ln", 0, 0, Unary},
    {"sqrt", 0, 0, Unary},
    {"log", 1, 1, Log},
    {"power", 1, 1, Power},
    {"round", 0, 1, Round},
};

}  // namespace

std::span<const FunctionSpec> MathFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
