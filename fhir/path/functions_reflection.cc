// Reflection and ordering: type() (http://hl7.org/fhirpath/N1/#reflection), precision() and
// sort() from the FHIRPath 2.1 additions the R4 test suite exercises.
#include <algorithm>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

Result<Collection> Type(Evaluator&, const Collection& in, const Node&, const Frame&) {
  Collection out;
  for (const Item& item : in) {
    Item info;
    info.kind = ItemKind::kTypeInfo;
    info.text = item.is_node() ? "FHIR." + std::string(item.type) : "System." + TypeName(item);
    out.push_back(std::move(info));
  }
  return out;
}

// The number of significant digits of a decimal's fraction, or of a date/time's digits.
Result<Collection> Precision(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  const Item& item = **v;
  static constexpr int kDateDigits[] = {0, 4, 6, 8, 10, 12, 14, 17};
  static constexpr int kTimeDigits[] = {0, 0, 0, 0, 2, 4, 6, 9};
  switch (item.kind) {
    case ItemKind::kInteger:
      return Collection{Item::Integer(0)};
    case ItemKind::kDecimal: {
      std::string text = item.text.empty() ? FormatDecimal(item.decimal) : item.text;
      std::size_t dot = text.find('.');
      return Collection{Item::Integer(
          dot == std::string::npos ? 0 : static_cast<std::int64_t>(text.size() - dot - 1))};
    }
    case ItemKind::kDate:
    case ItemKind::kDateTime:
      return Collection{Item::Integer(kDateDigits[item.date_time.precision])};
    case ItemKind::kTime:
      return Collection{Item::Integer(kTimeDigits[item.date_time.precision])};
    default:
      return EvalError(call, "precision() needs a Decimal, Date, DateTime or Time");
  }
}

// sort([criterion, ...]): a criterion written -expr sorts descending. Items whose keys cannot
// be compared keep their relative order.
Result<Collection> Sort(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  struct Keyed {
    std::vector<std::optional<Item>> keys;
    std::size_t index;
  };
  std::vector<const Node*> criteria;
  std::vector<bool> descending;
  for (const auto& arg : call.args) {
    const bool minus = arg->kind == NodeKind::kUnary && arg->name == "-";
    criteria.push_back(minus ? arg->args[0].get() : arg.get());
    descending.push_back(minus);
  }
  std::vector<Keyed> keyed;
  for (std::size_t i = 0; i < in.size(); ++i) {
    Keyed k{{}, i};
    if (criteria.empty()) {
      k.keys.push_back(ToSystem(in[i], ev.registry()));
    }
    for (const Node* c : criteria) {
      Result<Collection> value = ev.EvalOn(*c, in[i], static_cast<std::int64_t>(i), frame);
      if (!value.ok()) return value.status();
      Result<std::optional<Item>> key = Singleton(*value, *c, ev.registry());
      if (!key.ok()) return key.status();
      k.keys.push_back(std::move(key).value());
    }
    keyed.push_back(std::move(k));
  }
  const definitions::Registry& registry = ev.registry();
  // Deterministic: the same pair always compares the same way, and never less than itself.
  auto less = [&](const Keyed& a, const Keyed& b) {
    for (std::size_t c = 0; c < a.keys.size(); ++c) {
      const std::optional<Item>& x = a.keys[c];
      const std::optional<Item>& y = b.keys[c];
      int order = 0;
      if (!x.has_value() || !y.has_value()) {
        // Empty keys come first in either direction, as the R4 suite expects.
        order = x.has_value() == y.has_value() ? 0 : (x.has_value() ? 1 : -1);
      } else {
        Result<std::optional<int>> r = CompareItems(*x, *y, registry);
        if (r.ok() && r->has_value()) order = **r;
        if (c < descending.size() && descending[c]) order = -order;
      }
      if (order != 0) return order < 0;
    }
    return false;
  };
  std::stable_sort(keyed.begin(), keyed.end(), less);
  Collection out;
  for (const Keyed& k : keyed) out.push_back(in[k.index]);
  return out;
}

constexpr FunctionSpec kFunctions[] = {
    {"type", 0, 0, Type},
    {"precision", 0, 0, Precision},
    {"sort", 0, 8, Sort},
};

}  // namespace

std::span<const FunctionSpec> ReflectionFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
