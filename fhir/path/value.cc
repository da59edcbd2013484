#include "fhir/path/value.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "fhir/ucum/ucum.h"

namespace schakel::fhir::path {
namespace {

bool IsNumber(ItemKind k) { return k == ItemKind::kInteger || k == ItemKind::kDecimal; }
long double NumberOf(const Item& i) {
  return i.kind == ItemKind::kInteger ? static_cast<long double>(i.integer) : i.decimal;
}

bool DecimalsEqual(long double a, long double b) {
  // Decimals are binary floating point for now: compare to 15 significant digits so that
  // 0.1 + 0.2 = 0.3 as a decimal type would have it.
  long double scale = std::max({std::fabs(a), std::fabs(b), 1.0L});
  return std::fabs(a - b) <= scale * 1e-15L;
}

std::string NormalizeSpace(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Digits after the decimal point of a decimal's shortest text.
int DecimalPlaces(const Item& item) {
  std::string s = item.text.empty() ? FormatDecimal(item.decimal) : item.text;
  std::size_t dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

bool IsDateKind(ItemKind k) { return k == ItemKind::kDate || k == ItemKind::kDateTime; }

// Calendar years and months written as keywords (1 year, 3 months) in months; nullopt for any
// other unit. FHIRPath keeps them apart from UCUM's 'a' and 'mo', which are averages in days:
// 1 year = 12 months, but neither equals any UCUM duration (1 year = 1 'a' is empty).
// http://hl7.org/fhirpath/N1/#time-valued-quantities
std::optional<int> CalendarMonths(std::string_view unit) {
  const std::string_view ucum = CanonicalUnit(unit);
  if (ucum == unit) return std::nullopt;  // not a keyword
  if (ucum == "a") return 12;
  if (ucum == "mo") return 1;
  return std::nullopt;
}

// b's value in a's unit; nullopt when the units are not commensurable (or one is a calendar year
// or month and the other is not). The other calendar keywords are the UCUM units they name.
std::optional<long double> InUnitOf(const Item& b, const Item& a) {
  if (a.text == b.text) return b.decimal;
  const std::optional<int> months_a = CalendarMonths(a.text);
  const std::optional<int> months_b = CalendarMonths(b.text);
  if (months_a.has_value() || months_b.has_value()) {
    if (!months_a.has_value() || !months_b.has_value()) return std::nullopt;
    return b.decimal * *months_b / *months_a;
  }
  Result<ucum::Canonical> ua = ucum::Parse(CanonicalUnit(a.text));
  Result<ucum::Canonical> ub = ucum::Parse(CanonicalUnit(b.text));
  if (!ua.ok() || !ub.ok()) return std::nullopt;
  return ucum::Convert(b.decimal, *ub, *ua);
}

}  // namespace

Item Item::Boolean(bool b) {
  Item i;
  i.kind = ItemKind::kBoolean;
  i.boolean = b;
  return i;
}
Item Item::String(std::string s) {
  Item i;
  i.kind = ItemKind::kString;
  i.text = std::move(s);
  return i;
}
Item Item::Integer(std::int64_t n) {
  Item i;
  i.kind = ItemKind::kInteger;
  i.integer = n;
  return i;
}
Item Item::Decimal(long double d) {
  Item i;
  i.kind = ItemKind::kDecimal;
  i.decimal = d;
  return i;
}
Item Item::Date(const DateTimeValue& v) {
  Item i;
  i.kind = ItemKind::kDate;
  i.date_time = v;
  return i;
}
Item Item::DateTime(const DateTimeValue& v) {
  Item i;
  i.kind = ItemKind::kDateTime;
  i.date_time = v;
  return i;
}
Item Item::Time(const DateTimeValue& v) {
  Item i;
  i.kind = ItemKind::kTime;
  i.date_time = v;
  return i;
}
Item Item::Quantity(long double value, std::string unit) {
  Item i;
  i.kind = ItemKind::kQuantity;
  i.decimal = value;
  i.text = std::move(unit);
  return i;
}

std::string TypeName(const Item& item) {
  switch (item.kind) {
    case ItemKind::kNode:
      return std::string(item.type);
    case ItemKind::kBoolean:
      return "Boolean";
    case ItemKind::kString:
      return "String";
    case ItemKind::kInteger:
      return "Integer";
    case ItemKind::kDecimal:
      return "Decimal";
    case ItemKind::kDate:
      return "Date";
    case ItemKind::kDateTime:
      return "DateTime";
    case ItemKind::kTime:
      return "Time";
    case ItemKind::kQuantity:
      return "Quantity";
    case ItemKind::kTypeInfo:
      return "TypeInfo";
  }
  return "";
}

bool IsPrimitiveNode(const Item& item, const definitions::Registry& registry) {
  if (!item.is_node()) return false;
  if (!item.type.empty()) return registry.IsPrimitive(item.type);
  return item.node != nullptr && !item.node->is_object() && !item.node->is_array();
}

std::optional<Item> ToSystem(const Item& item, const definitions::Registry& /*registry*/) {
  if (!item.is_node()) return item;
  const json::Value* n = item.node;
  if (n == nullptr) return std::nullopt;
  const std::string_view t = item.type;
  if (n->is_object()) {
    if (t != "Quantity" && t != "Age" && t != "Duration" && t != "Distance" && t != "Count" &&
        t != "SimpleQuantity" && t != "MoneyQuantity") {
      return std::nullopt;
    }
    const json::Value* value = n->Find("value");
    if (value == nullptr || !value->is_number()) return std::nullopt;
    std::string unit;
    if (const std::string* code = n->FindString("code")) {
      unit = *code;
    } else if (const std::string* u = n->FindString("unit")) {
      unit = *u;
    }
    return Item::Quantity(std::strtold(value->text().c_str(), nullptr), unit);
  }
  if (n->is_bool()) return Item::Boolean(n->bool_value());
  if (n->is_number()) {
    if (t == "decimal" || n->text().find_first_of(".eE") != std::string::npos) {
      Item d = Item::Decimal(std::strtold(n->text().c_str(), nullptr));
      if (n->text().find_first_of("eE") == std::string::npos) d.text = n->text();
      return d;
    }
    std::optional<std::int64_t> v = n->AsInt64();
    if (v.has_value()) return Item::Integer(*v);
    return Item::Decimal(std::strtold(n->text().c_str(), nullptr));
  }
  if (n->is_string()) {
    if (t == "date" || t == "dateTime" || t == "instant") {
      std::optional<DateTimeValue> v = ParseDateTimeValue(n->text());
      if (v.has_value()) {
        return t == "date" ? Item::Date(*v) : Item::DateTime(*v);
      }
    } else if (t == "time") {
      std::optional<DateTimeValue> v = ParseTimeValue(n->text());
      if (v.has_value()) return Item::Time(*v);
    }
    return Item::String(n->text());
  }
  return std::nullopt;
}

bool UnitsComparable(const Item& a, const Item& b) { return InUnitOf(b, a).has_value(); }

std::string_view CanonicalUnit(std::string_view unit) {
  struct Pair {
    std::string_view word, ucum;
  };
  static constexpr Pair kUnits[] = {
      {"year", "a"},   {"years", "a"},   {"month", "mo"},       {"months", "mo"},
      {"week", "wk"},  {"weeks", "wk"},  {"day", "d"},          {"days", "d"},
      {"hour", "h"},   {"hours", "h"},   {"minute", "min"},     {"minutes", "min"},
      {"second", "s"}, {"seconds", "s"}, {"millisecond", "ms"}, {"milliseconds", "ms"},
  };
  for (const Pair& p : kUnits) {
    if (p.word == unit) return p.ucum;
  }
  return unit;
}

std::optional<bool> ItemsEqual(const Item& a0, const Item& b0, const definitions::Registry& r) {
  if (a0.is_node() && b0.is_node()) {
    std::optional<Item> sa = ToSystem(a0, r);
    std::optional<Item> sb = ToSystem(b0, r);
    if (!sa.has_value() || !sb.has_value()) {
      if (a0.node == nullptr || b0.node == nullptr) return a0.node == b0.node;
      return *a0.node == *b0.node;
    }
    return ItemsEqual(*sa, *sb, r);
  }
  std::optional<Item> sa = ToSystem(a0, r);
  std::optional<Item> sb = ToSystem(b0, r);
  if (!sa.has_value() || !sb.has_value()) return false;
  const Item& a = *sa;
  const Item& b = *sb;
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger) {
      return a.integer == b.integer;
    }
    return DecimalsEqual(NumberOf(a), NumberOf(b));
  }
  if (IsDateKind(a.kind) && IsDateKind(b.kind)) {
    std::optional<int> c = CompareDateTimeValues(a.date_time, b.date_time, false);
    if (!c.has_value()) return std::nullopt;
    return *c == 0;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ItemKind::kBoolean:
      return a.boolean == b.boolean;
    case ItemKind::kString:
      return a.text == b.text;
    case ItemKind::kTime: {
      std::optional<int> c = CompareDateTimeValues(a.date_time, b.date_time, true);
      if (!c.has_value()) return std::nullopt;
      return *c == 0;
    }
    case ItemKind::kQuantity: {
      std::optional<long double> bv = InUnitOf(b, a);
      if (!bv.has_value()) return std::nullopt;
      return DecimalsEqual(a.decimal, *bv);
    }
    default:
      return false;
  }
}

bool ItemsEquivalent(const Item& a0, const Item& b0, const definitions::Registry& r) {
  if (a0.is_node() && b0.is_node()) {
    std::optional<Item> sa = ToSystem(a0, r);
    std::optional<Item> sb = ToSystem(b0, r);
    if (!sa.has_value() || !sb.has_value()) {
      if (a0.node == nullptr || b0.node == nullptr) return a0.node == b0.node;
      return *a0.node == *b0.node;
    }
    return ItemsEquivalent(*sa, *sb, r);
  }
  std::optional<Item> sa = ToSystem(a0, r);
  std::optional<Item> sb = ToSystem(b0, r);
  if (!sa.has_value() || !sb.has_value()) return false;
  const Item& a = *sa;
  const Item& b = *sb;
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    // Equivalent at the precision of the less precise operand.
    int places = std::min(a.kind == ItemKind::kInteger ? 0 : DecimalPlaces(a),
                          b.kind == ItemKind::kInteger ? 0 : DecimalPlaces(b));
    long double scale = std::pow(10.0L, places);
    return std::round(NumberOf(a) * scale) == std::round(NumberOf(b) * scale);
  }
  if (IsDateKind(a.kind) && IsDateKind(b.kind)) {
    std::optional<int> c = CompareDateTimeValues(a.date_time, b.date_time, false);
    return c.has_value() && *c == 0;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ItemKind::kBoolean:
      return a.boolean == b.boolean;
    case ItemKind::kString:
      return NormalizeSpace(a.text) == NormalizeSpace(b.text);
    case ItemKind::kTime: {
      std::optional<int> c = CompareDateTimeValues(a.date_time, b.date_time, true);
      return c.has_value() && *c == 0;
    }
    case ItemKind::kQuantity: {
      // Compared in the coarser unit, at the precision of the less precise value.
      std::optional<long double> a_in_b = InUnitOf(a, b);
      if (!a_in_b.has_value()) return false;
      const bool b_coarser = std::fabs(*a_in_b) < std::fabs(a.decimal);
      const Item& coarse = b_coarser ? b : a;
      const Item& fine = b_coarser ? a : b;
      std::optional<long double> v = InUnitOf(fine, coarse);
      if (!v.has_value()) return false;
      Item converted = Item::Decimal(*v);
      Item original = Item::Decimal(coarse.decimal);
      return ItemsEquivalent(original, converted, r);
    }
    default:
      return false;
  }
}

Result<std::optional<int>> CompareItems(const Item& a0, const Item& b0,
                                        const definitions::Registry& r) {
  std::optional<Item> sa = ToSystem(a0, r);
  std::optional<Item> sb = ToSystem(b0, r);
  if (!sa.has_value() || !sb.has_value()) {
    return Status::Unprocessable("FHIRPath: cannot compare " + TypeName(a0) + " with " +
                                 TypeName(b0));
  }
  const Item& a = *sa;
  const Item& b = *sb;
  auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger) {
      return std::optional<int>(sign(a.integer, b.integer));
    }
    if (DecimalsEqual(NumberOf(a), NumberOf(b))) return std::optional<int>(0);
    return std::optional<int>(sign(NumberOf(a), NumberOf(b)));
  }
  if (IsDateKind(a.kind) && IsDateKind(b.kind)) {
    return CompareDateTimeValues(a.date_time, b.date_time, false);
  }
  if (a.kind == b.kind) {
    switch (a.kind) {
      case ItemKind::kString:
        return std::optional<int>(sign(a.text, b.text));
      case ItemKind::kTime:
        return CompareDateTimeValues(a.date_time, b.date_time, true);
      case ItemKind::kQuantity:
        if (std::optional<long double> bv = InUnitOf(b, a)) {
          if (DecimalsEqual(a.decimal, *bv)) return std::optional<int>(0);
          return std::optional<int>(sign(a.decimal, *bv));
        }
        return std::optional<int>();
      default:
        break;
    }
  }
  return Status::Unprocessable("FHIRPath: cannot compare " + TypeName(a) + " with " + TypeName(b));
}

std::string FormatDecimal(long double d) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15Lf", d);
  std::string s = buffer;
  // Keep 15 significant digits at most, then drop trailing zeros.
  std::size_t digits = 0;
  std::size_t cut = s.size();
  bool seen_nonzero = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') continue;
    if (s[i] != '0') seen_nonzero = true;
    if (seen_nonzero && ++digits > 15 && s.find('.') < i) {
      cut = i;
      break;
    }
  }
  s.resize(cut);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::optional<std::string> ItemToString(const Item& item, const definitions::Registry& r) {
  if (item.is_node() && item.node != nullptr && (item.node->is_number())) {
    return item.node->text();  // keep the literal's precision
  }
  std::optional<Item> s = ToSystem(item, r);
  if (!s.has_value()) return std::nullopt;
  switch (s->kind) {
    case ItemKind::kBoolean:
      return std::string(s->boolean ? "true" : "false");
    case ItemKind::kString:
      return s->text;
    case ItemKind::kInteger:
      return std::to_string(s->integer);
    case ItemKind::kDecimal:
      return s->text.empty() ? FormatDecimal(s->decimal) : s->text;
    case ItemKind::kDate:
      return FormatDateTimeValue(s->date_time, true, false);
    case ItemKind::kDateTime:
      return FormatDateTimeValue(s->date_time, true, true);
    case ItemKind::kTime:
      return FormatDateTimeValue(s->date_time, false, true);
    case ItemKind::kQuantity: {
      std::string unit = s->text;
      bool calendar = CanonicalUnit(unit) != unit;
      return FormatDecimal(s->decimal) + " " + (calendar ? unit : "'" + unit + "'");
    }
    case ItemKind::kNode:
    case ItemKind::kTypeInfo:
      break;
  }
  return std::nullopt;
}

json::Value CollectionToJson(const Collection& items, const definitions::Registry& r) {
  json::Value out = json::Value::Array();
  for (const Item& item : items) {
    json::Value entry = json::Value::Object();
    if (item.is_node()) {
      entry.Set("type",
                json::Value::String(item.type.empty() ? "Element" : std::string(item.type)));
      if (item.node != nullptr) entry.Set("value", *item.node);
      if (item.companion != nullptr) entry.Set("_value", *item.companion);
    } else {
      entry.Set("type", json::Value::String("System." + TypeName(item)));
      switch (item.kind) {
        case ItemKind::kBoolean:
          entry.Set("value", json::Value::Bool(item.boolean));
          break;
        case ItemKind::kInteger:
          entry.Set("value", json::Value::Integer(item.integer));
          break;
        case ItemKind::kDecimal:
          entry.Set("value", json::Value::Number(item.text.empty() ? FormatDecimal(item.decimal)
                                                                   : item.text));
          break;
        case ItemKind::kQuantity: {
          json::Value q = json::Value::Object();
          q.Set("value", json::Value::Number(FormatDecimal(item.decimal)));
          q.Set("unit", json::Value::String(item.text));
          entry.Set("value", std::move(q));
          break;
        }
        case ItemKind::kTypeInfo:
          entry.Set("value", json::Value::String(item.text));
          break;
        default:
          entry.Set("value", json::Value::String(ItemToString(item, r).value_or("")));
          break;
      }
    }
    out.Push(std::move(entry));
  }
  return out;
}

}  // namespace schakel::fhir::path
