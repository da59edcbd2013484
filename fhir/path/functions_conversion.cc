// Conversion functions and iif(), not(): http://hl7.org/fhirpath/N1/#conversion
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "fhir/path/evaluator.h"
#include "fhir/ucum/ucum.h"

namespace schakel::fhir::path {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIntegerText(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsDecimalText(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t fraction = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++fraction;
    }
    if (fraction == 0) return false;
  }
  return i == s.size();
}

std::optional<Item> ConvertBoolean(const Item& v) {
  switch (v.kind) {
    case ItemKind::kBoolean:
      return v;
    case ItemKind::kInteger:
      if (v.integer == 0 || v.integer == 1) return Item::Boolean(v.integer == 1);
      return std::nullopt;
    case ItemKind::kDecimal:
      if (v.decimal == 0 || v.decimal == 1) return Item::Boolean(v.decimal == 1);
      return std::nullopt;
    case ItemKind::kString: {
      std::string s = Lower(v.text);
      if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1" || s == "1.0") {
        return Item::Boolean(true);
      }
      if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0" || s == "0.0") {
        return Item::Boolean(false);
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<Item> ConvertInteger(const Item& v) {
  switch (v.kind) {
    case ItemKind::kInteger:
      return v;
    case ItemKind::kBoolean:
      return Item::Integer(v.boolean ? 1 : 0);
    case ItemKind::kString: {
      if (!IsIntegerText(v.text)) return std::nullopt;
      errno = 0;
      long long n = std::strtoll(v.text.c_str(), nullptr, 10);
      if (errno == ERANGE) return std::nullopt;
      return Item::Integer(n);
    }
    default:
      return std::nullopt;
  }
}

std::optional<Item> ConvertDecimal(const Item& v) {
  switch (v.kind) {
    case ItemKind::kDecimal:
      return v;
    case ItemKind::kInteger:
      return Item::Decimal(static_cast<long double>(v.integer));
    case ItemKind::kBoolean:
      return Item::Decimal(v.boolean ? 1 : 0);
    case ItemKind::kString:
      if (!IsDecimalText(v.text)) return std::nullopt;
      return Item::Decimal(std::strtold(v.text.c_str(), nullptr));
    default:
      return std::nullopt;
  }
}

std::optional<Item> ConvertDate(const Item& v) {
  DateTimeValue d;
  if (v.kind == ItemKind::kDate || v.kind == ItemKind::kDateTime) {
    d = v.date_time;
  } else if (v.kind == ItemKind::kString) {
    std::optional<DateTimeValue> parsed = ParseDateTimeValue(v.text);
    if (!parsed.has_value()) return std::nullopt;
    d = *parsed;
  } else {
    return std::nullopt;
  }
  d.precision = std::min(d.precision, 3);
  d.hour = d.minute = d.second = d.millisecond = 0;
  d.has_zone = false;
  d.zone_minutes = 0;
  return Item::Date(d);
}

std::optional<Item> ConvertDateTime(const Item& v) {
  if (v.kind == ItemKind::kDate || v.kind == ItemKind::kDateTime) {
    return Item::DateTime(v.date_time);
  }
  if (v.kind == ItemKind::kString) {
    std::optional<DateTimeValue> parsed = ParseDateTimeValue(v.text);
    if (parsed.has_value()) return Item::DateTime(*parsed);
  }
  return std::nullopt;
}

std::optional<Item> ConvertTime(const Item& v) {
  if (v.kind == ItemKind::kTime) return v;
  if (v.kind == ItemKind::kString) {
    std::string_view text = v.text;
    if (!text.empty() && text[0] == 'T') text.remove_prefix(1);
    std::optional<DateTimeValue> parsed = ParseTimeValue(text);
    if (parsed.has_value()) return Item::Time(*parsed);
  }
  return std::nullopt;
}

std::optional<Item> ConvertQuantity(const Item& v) {
  switch (v.kind) {
    case ItemKind::kQuantity:
      return v;
    case ItemKind::kInteger:
    case ItemKind::kDecimal:
      return Item::Quantity(
          v.kind == ItemKind::kInteger ? static_cast<long double>(v.integer) : v.decimal, "1");
    case ItemKind::kBoolean:
      return Item::Quantity(v.boolean ? 1 : 0, "1");
    case ItemKind::kString: {
      static const std::regex kPattern(R"(^\s*([+-]?\d+(?:\.\d+)?)\s*(?:'([^']+)'|([a-z]+))?\s*$)");
      std::smatch m;
      if (!std::regex_match(v.text, m, kPattern)) return std::nullopt;
      std::string unit = "1";
      if (m[2].matched) {
        unit = m[2].str();
      } else if (m[3].matched) {
        unit = m[3].str();
        if (CanonicalUnit(unit) == unit) return std::nullopt;  // not a calendar keyword
      }
      return Item::Quantity(std::strtold(m[1].str().c_str(), nullptr), unit);
    }
    default:
      return std::nullopt;
  }
}

// A quantity's value in `unit` (a UCUM code or a calendar keyword), when FHIRPath compares the
// two units (UnitsComparable): '1000 \'mg\''.toQuantity('g') is 1 'g'.
std::optional<long double> ValueInUnit(const Item& quantity, const std::string& unit) {
  if (!UnitsComparable(Item::Quantity(0, unit), quantity)) return std::nullopt;
  const std::string_view from = CanonicalUnit(quantity.text);
  const std::string_view to = CanonicalUnit(unit);
  if (from == to) return quantity.decimal;
  Result<ucum::Canonical> cf = ucum::Parse(from);
  Result<ucum::Canonical> ct = ucum::Parse(to);
  if (!cf.ok() || !ct.ok()) return std::nullopt;
  return ucum::Convert(quantity.decimal, *cf, *ct);
}

std::optional<Item> ConvertString(const Item& v, const definitions::Registry& r) {
  std::optional<std::string> s = ItemToString(v, r);
  if (!s.has_value()) return std::nullopt;
  return Item::String(std::move(*s));
}

using Converter = std::optional<Item> (*)(const Item&);

// Shared body of toX() and convertsToX().
Result<Collection> Convert(Evaluator& ev, const Collection& in, const Node& call, Converter f,
                           bool converts_to) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  std::optional<Item> out = f(**v);
  if (converts_to) return Collection{Item::Boolean(out.has_value())};
  if (!out.has_value()) return Collection{};
  return Collection{std::move(*out)};
}

#define SCHAKEL_CONVERSION(Name, converter)                                                  \
  Result<Collection> To##Name(Evaluator& ev, const Collection& in, const Node& call,         \
                              const Frame&) {                                                \
    return Convert(ev, in, call, converter, false);                                          \
  }                                                                                          \
  Result<Collection> ConvertsTo##Name(Evaluator& ev, const Collection& in, const Node& call, \
                                      const Frame&) {                                        \
    return Convert(ev, in, call, converter, true);                                           \
  }
SCHAKEL_CONVERSION(Boolean, ConvertBoolean)
SCHAKEL_CONVERSION(Integer, ConvertInteger)
SCHAKEL_CONVERSION(Decimal, ConvertDecimal)
SCHAKEL_CONVERSION(Date, ConvertDate)
SCHAKEL_CONVERSION(DateTime, ConvertDateTime)
SCHAKEL_CONVERSION(Time, ConvertTime)
#undef SCHAKEL_CONVERSION

Result<Collection> ToStringFn(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  std::optional<Item> out = ConvertString(in[0], ev.registry());
  if (!out.has_value()) return Collection{};
  return Collection{std::move(*out)};
}

Result<Collection> ConvertsToString(Evaluator& ev, const Collection& in, const Node& call,
                                    const Frame&) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  return Collection{Item::Boolean(ConvertString(in[0], ev.registry()).has_value())};
}

Result<Collection> ToQuantity(Evaluator& ev, const Collection& in, const Node& call,
                              const Frame& frame) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  std::optional<Item> q = ConvertQuantity(**v);
  if (q.has_value() && !call.args.empty()) {
    Result<std::optional<Item>> unit = SingletonArg(ev, call, 0, frame);
    if (!unit.ok()) return unit.status();
    if (unit->has_value()) {
      std::optional<long double> converted = ValueInUnit(*q, (*unit)->text);
      if (converted.has_value()) {
        q = Item::Quantity(*converted, (*unit)->text);
      } else {
        q.reset();
      }
    }
  }
  if (call.name == "convertsToQuantity") return Collection{Item::Boolean(q.has_value())};
  if (!q.has_value()) return Collection{};
  return Collection{std::move(*q)};
}

Result<Collection> Iif(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  if (call.target && in.size() > 1) return EvalError(call, "iif() on more than one item");
  Frame inner = call.target ? Frame{&in, frame.index, frame.total} : frame;
  Result<Collection> criterion = ev.Eval(*call.args[0], inner);
  if (!criterion.ok()) return criterion;
  Result<std::optional<Item>> c = Singleton(*criterion, *call.args[0], ev.registry());
  if (!c.ok()) return c.status();
  if (c->has_value() && (*c)->kind != ItemKind::kBoolean) {
    return EvalError(call, "iif() criterion must be a Boolean");
  }
  if (c->has_value() && (*c)->boolean) return ev.Eval(*call.args[1], inner);
  if (call.args.size() > 2) return ev.Eval(*call.args[2], inner);
  return Collection{};
}

Result<Collection> Not(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<bool>> b = SingletonBoolean(in, call, ev.registry());
  if (!b.ok()) return b.status();
  if (!b->has_value()) return Collection{};
  return Collection{Item::Boolean(!**b)};
}

constexpr FunctionSpec kFunctions[] = {
    {"iif", 2, 3, Iif},
    {"not", 0, 0, Not},
    {"toBoolean", 0, 0, ToBoolean},
    {"convertsToBoolean", 0, 0, ConvertsToBoolean},
    {"toInteger", 0, 0, ToInteger},
    {"convertsToInteger", 0, 0, ConvertsToInteger},
    {"toDecimal", 0, 0, ToDecimal},
    {"convertsToDecimal", 0, 0, ConvertsToDecimal},
    {"toString", 0, 0, ToStringFn},
    {"convertsToString", 0, 0, ConvertsToString},
    {"toDate", 0, 0, ToDate},
    {"convertsToDate", 0, 0, ConvertsToDate},
    {"toDateTime", 0, 0, ToDateTime},
    {"convertsToDateTime", 0, 0, ConvertsToDateTime},
    {"toTime", 0, 0, ToTime},
    {"convertsToTime", 0, 0, ConvertsToTime},
    {"toQuantity", 0, 1, ToQuantity},
    {"convertsToQuantity", 0, 1, ToQuantity},
};

}  // namespace

std::span<const FunctionSpec> ConversionFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
