// FHIRPath operators: http://hl7.org/fhirpath/N1/#operations
#include <cmath>
#include <limits>

#include "fhir/path/evaluator.h"
#include "fhir/primitives/date_time.h"
#include "fhir/ucum/ucum.h"

namespace schakel::fhir::path {
namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool IsNumber(const Item& i) {
  return i.kind == ItemKind::kInteger || i.kind == ItemKind::kDecimal;
}
long double NumberOf(const Item& i) {
  return i.kind == ItemKind::kInteger ? static_cast<long double>(i.integer) : i.decimal;
}
bool IsDateKind(const Item& i) {
  return i.kind == ItemKind::kDate || i.kind == ItemKind::kDateTime || i.kind == ItemKind::kTime;
}

Result<Collection> Logic(Evaluator& ev, const Node& node, const Frame& frame) {
  const std::string& op = node.name;
  const definitions::Registry& r = ev.registry();
  Result<Collection> lc = ev.Eval(*node.args[0], frame);
  if (!lc.ok()) return lc;
  Result<std::optional<bool>> l = SingletonBoolean(*lc, *node.args[0], r);
  if (!l.ok()) return l.status();
  // Short-circuit where the left operand decides.
  if (op == "and" && l->has_value() && !**l) return Collection{Item::Boolean(false)};
  if (op == "or" && l->has_value() && **l) return Collection{Item::Boolean(true)};
  if (op == "implies" && l->has_value() && !**l) return Collection{Item::Boolean(true)};
  Result<Collection> rc = ev.Eval(*node.args[1], frame);
  if (!rc.ok()) return rc;
  Result<std::optional<bool>> rv = SingletonBoolean(*rc, *node.args[1], r);
  if (!rv.ok()) return rv.status();
  const std::optional<bool> a = *l;
  const std::optional<bool> b = *rv;
  std::optional<bool> out;
  if (op == "and") {
    if (b.has_value() && !*b) {
      out = false;
    } else if (a.has_value() && b.has_value()) {
      out = true;
    }
  } else if (op == "or") {
    if (b.has_value() && *b) {
      out = true;
    } else if (a.has_value() && b.has_value()) {
      out = false;
    }
  } else if (op == "xor") {
    if (a.has_value() && b.has_value()) out = *a != *b;
  } else {  // implies; left is true or empty here
    if (b.has_value() && *b) {
      out = true;
    } else if (a.has_value()) {
      out = b;
    }
  }
  if (!out.has_value()) return Collection{};
  return Collection{Item::Boolean(*out)};
}

Collection Equality(const Collection& a, const Collection& b, const definitions::Registry& r,
                    bool negate) {
  if (a.empty() || b.empty()) return {};
  if (a.size() != b.size()) return {Item::Boolean(negate)};
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::optional<bool> eq = ItemsEqual(a[i], b[i], r);
    if (!eq.has_value()) return {};
    if (!*eq) return {Item::Boolean(negate)};
  }
  return {Item::Boolean(!negate)};
}

Collection Equivalence(const Collection& a, const Collection& b, const definitions::Registry& r,
                       bool negate) {
  bool result = true;
  if (a.size() != b.size()) {
    result = false;
  } else {
    for (const Item& x : a) {
      bool found = false;
      for (const Item& y : b) {
        if (ItemsEquivalent(x, y, r)) {
          found = true;
          break;
        }
      }
      if (!found) {
        result = false;
        break;
      }
    }
  }
  return {Item::Boolean(result != negate)};
}

// b's value in a's unit, when FHIRPath compares the two (UnitsComparable: UCUM-commensurable,
// calendar years and months only with each other).
std::optional<long double> ValueInUnitOf(const Item& b, const Item& a) {
  if (!UnitsComparable(a, b)) return std::nullopt;
  const std::string_view ua = CanonicalUnit(a.text);
  const std::string_view ub = CanonicalUnit(b.text);
  if (ua == ub) return b.decimal;
  Result<ucum::Canonical> ca = ucum::Parse(ua);
  Result<ucum::Canonical> cb = ucum::Parse(ub);
  if (!ca.ok() || !cb.ok()) return std::nullopt;
  return ucum::Convert(b.decimal, *cb, *ca);
}

// "a.b" or "a/b" as a UCUM code. Terms associate to the left, so only a compound right operand
// needs parentheses; a leading '/' ("/min") is only valid at the start and becomes "1/min".
std::string ComposeUnits(std::string_view a, std::string_view b, bool multiply) {
  std::string out = a.starts_with('/') ? "1" + std::string(a) : std::string(a);
  out += multiply ? '.' : '/';
  std::string right = b.starts_with('/') ? "1" + std::string(b) : std::string(b);
  if (right.find_first_of("./") != std::string::npos) right = "(" + right + ")";
  return out + right;
}

struct UnitProduct {
  std::string code;
  long double scale = 1;  // multiplies the value when the unit had to be reduced to base units
};

// The unit of a * b or a / b: "cm.m", "g/m", "1" for a quotient of equal units. nullopt when
// either is not a UCUM unit or is a special one (1 'Cel' * 1 'm' means nothing).
std::optional<UnitProduct> CombineUnits(std::string_view a, std::string_view b, bool multiply) {
  a = CanonicalUnit(a);  // calendar keywords as their UCUM units
  b = CanonicalUnit(b);
  if (!multiply && a == b) return UnitProduct{"1"};
  Result<ucum::Canonical> ca = ucum::Parse(a);
  Result<ucum::Canonical> cb = ucum::Parse(b);
  if (!ca.ok() || !cb.ok() || ca->is_special() || cb->is_special()) return std::nullopt;
  if (b == "1") return UnitProduct{std::string(a)};
  if (multiply && a == "1") return UnitProduct{std::string(b)};
  std::string code = ComposeUnits(a, b, multiply);
  if (ucum::Parse(code).ok()) return UnitProduct{std::move(code)};
  // Too long or nested too deep to write out (a product of many quantities): in base units.
  Result<ucum::Canonical> reduced = ucum::Parse(
      ComposeUnits(ucum::CanonicalUnitString(*ca), ucum::CanonicalUnitString(*cb), multiply));
  const long double scale = multiply ? ca->factor * cb->factor : ca->factor / cb->factor;
  if (!reduced.ok() || !std::isfinite(scale) || scale == 0) return std::nullopt;
  return UnitProduct{ucum::CanonicalUnitString(*reduced), scale};
}

Result<Collection> Arithmetic(const std::string& op, const Item& a, const Item& b,
                              const Node& node) {
  if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger &&
      (op == "+" || op == "-" || op == "*" || op == "div" || op == "mod")) {
    std::int64_t out = 0;
    bool overflow = false;
    if (op == "+") {
      overflow = __builtin_add_overflow(a.integer, b.integer, &out);
    } else if (op == "-") {
      overflow = __builtin_sub_overflow(a.integer, b.integer, &out);
    } else if (op == "*") {
      overflow = __builtin_mul_overflow(a.integer, b.integer, &out);
    } else {
      if (b.integer == 0) return Collection{};
      if (a.integer == std::numeric_limits<std::int64_t>::min() && b.integer == -1) {
        return Collection{};
      }
      out = op == "div" ? a.integer / b.integer : a.integer % b.integer;
    }
    if (overflow) return Collection{};
    return Collection{Item::Integer(out)};
  }
  if (IsNumber(a) && IsNumber(b)) {
    long double x = NumberOf(a);
    long double y = NumberOf(b);
    if (op == "+") return Collection{Item::Decimal(x + y)};
    if (op == "-") return Collection{Item::Decimal(x - y)};
    if (op == "*") return Collection{Item::Decimal(x * y)};
    if (y == 0) return Collection{};
    if (op == "/") return Collection{Item::Decimal(x / y)};
    if (op == "div") return Collection{Item::Integer(static_cast<std::int64_t>(std::trunc(x / y)))};
    if (op == "mod") return Collection{Item::Decimal(std::fmod(x, y))};
  }
  if (op == "+" && a.kind == ItemKind::kString && b.kind == ItemKind::kString) {
    return Collection{Item::String(a.text + b.text)};
  }
  if ((op == "+" || op == "-") && IsDateKind(a) && b.kind == ItemKind::kQuantity) {
    Result<Item> out = AddDuration(a, b, op == "+" ? 1 : -1, node);
    if (!out.ok()) return out.status();
    return Collection{std::move(out).value()};
  }
  if (a.kind == ItemKind::kQuantity && b.kind == ItemKind::kQuantity) {
    if (op == "+" || op == "-") {
      // In a's unit: 1 'm' + 1 'cm' = 1.01 'm'.
      std::optional<long double> bv = ValueInUnitOf(b, a);
      if (!bv.has_value()) return Collection{};
      return Collection{Item::Quantity(op == "+" ? a.decimal + *bv : a.decimal - *bv, a.text)};
    }
    if (op == "*" || op == "/") {
      if (op == "/" && b.decimal == 0) return Collection{};
      std::optional<UnitProduct> unit = CombineUnits(a.text, b.text, op == "*");
      if (!unit.has_value()) return Collection{};
      long double v = op == "*" ? a.decimal * b.decimal : a.decimal / b.decimal;
      return Collection{Item::Quantity(v * unit->scale, std::move(unit->code))};
    }
    return Collection{};
  }
  if (a.kind == ItemKind::kQuantity && IsNumber(b) && (op == "*" || op == "/")) {
    if (op == "/" && NumberOf(b) == 0) return Collection{};
    return Collection{
        Item::Quantity(op == "*" ? a.decimal * NumberOf(b) : a.decimal / NumberOf(b), a.text)};
  }
  if (IsNumber(a) && b.kind == ItemKind::kQuantity && op == "*") {
    return Collection{Item::Quantity(NumberOf(a) * b.decimal, b.text)};
  }
  return EvalError(node,
                   "operator " + op + " cannot combine " + TypeName(a) + " and " + TypeName(b));
}

}  // namespace

Result<Item> AddDuration(const Item& date_time, const Item& quantity, int sign, const Node& where) {
  const std::string_view unit = CanonicalUnit(quantity.text);
  if (quantity.text == "a" || quantity.text == "mo") {
    // UCUM years and months are not calendar durations:
    // http://hl7.org/fhirpath/N1/#date-time-arithmetic
    return EvalError(where, "cannot add '" + quantity.text +
                                "' to a date/time; use the calendar units year or month");
  }
  long double amount = quantity.decimal * sign;
  DateTimeValue v = date_time.date_time;
  const bool is_time = date_time.kind == ItemKind::kTime;
  if (unit == "a" || unit == "mo") {
    if (is_time) return EvalError(where, "cannot add years or months to a Time");
    std::int64_t months = static_cast<std::int64_t>(std::trunc(amount)) * (unit == "a" ? 12 : 1);
    std::int64_t total = std::int64_t{v.year} * 12 + (v.month - 1) + months;
    v.year = static_cast<int>(FloorDiv(total, 12));
    v.month = static_cast<int>(total - FloorDiv(total, 12) * 12) + 1;
    v.day = std::min(v.day, DaysInMonth(v.year, v.month));
  } else {
    std::int64_t per = 0;
    if (unit == "wk") per = 7 * kMsPerDay;
    if (unit == "d") per = kMsPerDay;
    if (unit == "h") per = 3'600'000;
    if (unit == "min") per = 60'000;
    if (unit == "s") per = 1000;
    if (unit == "ms") per = 1;
    // Date/time arithmetic counts whole units of the quantity: 0.1 's' adds nothing, as the
    // R4 suite has it (testPlusDate19); use 100 'ms' for fractions of a second.
    amount = std::trunc(amount);
    if (per == 0) {
      return EvalError(where, "cannot add '" + quantity.text + "' to a date/time");
    }
    long double delta_ld = std::round(amount * static_cast<long double>(per));
    if (std::fabs(delta_ld) > 1e17L) return EvalError(where, "date/time arithmetic overflow");
    std::int64_t delta = static_cast<std::int64_t>(delta_ld);
    // Partial values move by whole units of their own precision.
    if (!is_time && v.precision <= 3) delta = (delta / kMsPerDay) * kMsPerDay;
    std::int64_t days = is_time ? 0
                                : DaysFromCivil(v.year, static_cast<unsigned>(v.month),
                                                static_cast<unsigned>(v.day));
    std::int64_t ms = days * kMsPerDay + v.hour * 3'600'000LL + v.minute * 60'000LL +
                      v.second * 1000LL + v.millisecond + delta;
    std::int64_t new_days = FloorDiv(ms, kMsPerDay);
    std::int64_t rest = ms - new_days * kMsPerDay;
    if (!is_time) {
      std::int64_t y = 0;
      unsigned m = 0;
      unsigned d = 0;
      CivilFromDays(new_days, y, m, d);
      v.year = static_cast<int>(y);
      v.month = static_cast<int>(m);
      v.day = static_cast<int>(d);
    }
    v.hour = static_cast<int>(rest / 3'600'000);
    v.minute = static_cast<int>(rest / 60'000 % 60);
    v.second = static_cast<int>(rest / 1000 % 60);
    v.millisecond = static_cast<int>(rest % 1000);
  }
  Item out = date_time;
  out.date_time = v;
  return out;
}

Result<Collection> EvalBinary(Evaluator& ev, const Node& node, const Frame& frame) {
  const std::string& op = node.name;
  if (op == "and" || op == "or" || op == "xor" || op == "implies") return Logic(ev, node, frame);
  const definitions::Registry& r = ev.registry();
  Result<Collection> lc = ev.Eval(*node.args[0], frame);
  if (!lc.ok()) return lc;
  Result<Collection> rc = ev.Eval(*node.args[1], frame);
  if (!rc.ok()) return rc;
  const Collection& left = *lc;
  const Collection& right = *rc;
  if (op == "=" || op == "!=") return Equality(left, right, r, op == "!=");
  if (op == "~" || op == "!~") return Equivalence(left, right, r, op == "!~");
  if (op == "|") {
    Collection out;
    for (const Collection* side : {&left, &right}) {
      for (const Item& item : *side) {
        if (!ContainsEqual(out, item, r)) out.push_back(item);
      }
    }
    return out;
  }
  if (op == "in" || op == "contains") {
    const Collection& element = op == "in" ? left : right;
    const Collection& container = op == "in" ? right : left;
    const Node& element_node = op == "in" ? *node.args[0] : *node.args[1];
    if (element.empty()) return Collection{};
    if (element.size() > 1) {
      return EvalError(element_node,
                       "'" + op + "' needs a single item, got " + std::to_string(element.size()));
    }
    return Collection{Item::Boolean(ContainsEqual(container, element[0], r))};
  }
  if (op == "&") {
    Result<std::optional<Item>> a = Singleton(left, *node.args[0], r);
    if (!a.ok()) return a.status();
    Result<std::optional<Item>> b = Singleton(right, *node.args[1], r);
    if (!b.ok()) return b.status();
    std::string text;
    for (const std::optional<Item>* side : {&*a, &*b}) {
      if (!side->has_value()) continue;
      std::optional<std::string> s = ItemToString(**side, r);
      if (!s.has_value() || (*side)->kind != ItemKind::kString) {
        return EvalError(node, "'&' needs String operands");
      }
      text += *s;
    }
    return Collection{Item::String(std::move(text))};
  }
  Result<std::optional<Item>> a = Singleton(left, *node.args[0], r);
  if (!a.ok()) return a.status();
  Result<std::optional<Item>> b = Singleton(right, *node.args[1], r);
  if (!b.ok()) return b.status();
  if (!a->has_value() || !b->has_value()) return Collection{};
  if (op == "<" || op == ">" || op == "<=" || op == ">=") {
    Result<std::optional<int>> c = CompareItems(**a, **b, r);
    if (!c.ok()) return EvalError(node, std::string(c.status().message()));
    if (!c->has_value()) return Collection{};
    int v = **c;
    bool out = op == "<" ? v < 0 : op == ">" ? v > 0 : op == "<=" ? v <= 0 : v >= 0;
    return Collection{Item::Boolean(out)};
  }
  return Arithmetic(op, **a, **b, node);
}

Result<Collection> EvalUnary(Evaluator& ev, const Node& node, const Frame& frame) {
  Result<Collection> operand = ev.Eval(*node.args[0], frame);
  if (!operand.ok()) return operand;
  Result<std::optional<Item>> v = Singleton(*operand, *node.args[0], ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  Item item = **v;
  if (item.kind != ItemKind::kInteger && item.kind != ItemKind::kDecimal &&
      item.kind != ItemKind::kQuantity) {
    return EvalError(node, "unary " + node.name + " needs a number, not " + TypeName(item));
  }
  if (node.name == "-") {
    if (item.kind == ItemKind::kInteger) {
      if (item.integer == std::numeric_limits<std::int64_t>::min()) return Collection{};
      item.integer = -item.integer;
    }
    item.decimal = -item.decimal;
    if (item.kind == ItemKind::kDecimal && !item.text.empty()) {
      item.text = item.text[0] == '-' ? item.text.substr(1) : "-" + item.text;
    }
  }
  return Collection{item};
}

Result<Collection> EvalTypeOp(Evaluator& ev, const Node& node, const Frame& frame) {
  Result<Collection> operand = ev.Eval(*node.args[0], frame);
  if (!operand.ok()) return operand;
  if (!ev.IsKnownType(node.type_name) && !node.type_name.starts_with("System.")) {
    return EvalError(node, "unknown type " + node.type_name);
  }
  if (node.name == "is") {
    if (operand->empty()) return Collection{};
    if (operand->size() > 1) {
      return EvalError(node, "'is' needs a single item, got " + std::to_string(operand->size()));
    }
    return Collection{Item::Boolean(ev.IsOfType((*operand)[0], node.type_name))};
  }
  if (operand->size() > 1 && !ev.context().lenient_as) {
    return EvalError(node, "'as' needs a single item, got " + std::to_string(operand->size()));
  }
  Collection out;
  for (const Item& item : *operand) {
    if (ev.IsOfType(item, node.type_name, true)) out.push_back(item);
  }
  return out;
}

}  // namespace schakel::fhir::path
