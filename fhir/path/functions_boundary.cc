// lowBoundary() and highBoundary(): the range a value of limited precision stands for
// (FHIRPath 2.1,
// https://build.fhir.org/ig/HL7/FHIRPath/#lowboundaryprecision-integer-decimal--date--datetime--time).
// Decimals are computed on their digits, so no binary rounding creeps in.
#include <cstdlib>
#include <string>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

constexpr std::int64_t kDefaultDecimalPrecision = 8;
constexpr std::int64_t kMaxDecimalPrecision = 28;

// Adds (+1) or subtracts (-1) 5 at the last digit of a non-negative digit string.
std::string AddHalf(std::string digits, int sign) {
  int carry = 5 * sign;
  for (std::size_t i = digits.size(); i-- > 0 && carry != 0;) {
    int d = (digits[i] - '0') + carry;
    carry = 0;
    if (d < 0) {
      d += 10;
      carry = -1;
    } else if (d > 9) {
      d -= 10;
      carry = 1;
    }
    digits[i] = static_cast<char>('0' + d);
  }
  if (carry > 0) digits.insert(digits.begin(), '1');
  return digits;
}

// Increments a digit string by one unit in its last place.
std::string Increment(std::string digits) {
  for (std::size_t i = digits.size(); i-- > 0;) {
    if (digits[i] == '9') {
      digits[i] = '0';
      continue;
    }
    ++digits[i];
    return digits;
  }
  return "1" + digits;
}

std::string Format(const std::string& digits, std::size_t scale) {
  std::string whole = digits.substr(0, digits.size() - scale);
  std::size_t nonzero = whole.find_first_not_of('0');
  whole = nonzero == std::string::npos ? "0" : whole.substr(nonzero);
  if (scale == 0) return whole;
  return whole + "." + digits.substr(digits.size() - scale);
}

// The boundary of a non-negative decimal written `text`; `high` picks the upper one.
std::string Boundary(std::string_view text, bool high, std::size_t precision) {
  std::size_t dot = text.find('.');
  std::string whole(text.substr(0, dot));
  std::string fraction(dot == std::string_view::npos ? "" : text.substr(dot + 1));
  if (!high && whole.find_first_not_of('0') == std::string::npos &&
      fraction.find_first_not_of('0') == std::string::npos) {
    return "-" + Boundary(text, true, precision);  // below zero
  }
  std::string digits = whole + fraction + "0";
  std::size_t scale = fraction.size() + 1;
  digits = AddHalf(std::move(digits), high ? 1 : -1);
  if (precision >= scale) {
    digits.append(precision - scale, '0');
    return Format(digits, precision);
  }
  const std::size_t cut = scale - precision;
  const bool round_up = high && digits[digits.size() - cut] >= '5';
  digits.resize(digits.size() - cut);
  if (round_up) digits = Increment(std::move(digits));
  return Format(digits, precision);
}

std::optional<std::string> DecimalBoundary(const std::string& text, bool high,
                                           std::int64_t precision) {
  if (precision < 0 || precision > kMaxDecimalPrecision) return std::nullopt;
  if (!text.empty() && text[0] == '-') {
    std::string b =
        Boundary(std::string_view(text).substr(1), !high, static_cast<std::size_t>(precision));
    return b[0] == '-' ? b.substr(1) : "-" + b;
  }
  return Boundary(text, high, static_cast<std::size_t>(precision));
}

// Digits of precision to our precision levels.
int DateLevel(std::int64_t digits) {
  switch (digits) {
    case 4:
      return 1;
    case 6:
      return 2;
    case 8:
      return 3;
    case 10:
      return 4;
    case 12:
      return 5;
    case 14:
      return 6;
    case 17:
      return 7;
    default:
      return 0;
  }
}
int TimeLevel(std::int64_t digits) {
  switch (digits) {
    case 2:
      return 4;
    case 4:
      return 5;
    case 6:
      return 6;
    case 9:
      return 7;
    default:
      return 0;
  }
}

Item DateBoundary(const Item& item, bool high, int level) {
  DateTimeValue v = item.date_time;
  const bool is_time = item.kind == ItemKind::kTime;
  // An hour alone is read as hh:00 (FHIR has no hour-only times).
  if (v.precision == 4) v.precision = 5;
  if (v.precision < 2) v.month = high ? 12 : 1;
  if (v.precision < 3) v.day = high ? DaysInMonth(v.year, v.month) : 1;
  if (v.precision < 4) v.hour = high ? 23 : 0;
  if (v.precision < 5) v.minute = high ? 59 : 0;
  if (v.precision < 6) v.second = high ? 59 : 0;
  if (v.precision < 7) v.millisecond = high ? 999 : 0;
  v.precision = level;
  if (!is_time && level >= 4 && !item.date_time.has_zone) {
    // Unknown zone: the earliest and latest zones on earth.
    v.has_zone = true;
    v.zone_minutes = high ? -12 * 60 : 14 * 60;
  }
  if (is_time) return Item::Time(v);
  return level <= 3 ? Item::Date(v) : Item::DateTime(v);
}

Result<Collection> BoundaryFn(Evaluator& ev, const Collection& in, const Node& call,
                              const Frame& frame) {
  const bool high = call.name == "highBoundary";
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return Collection{};
  std::optional<std::int64_t> precision;
  if (!call.args.empty()) {
    Result<std::optional<Item>> p = SingletonArg(ev, call, 0, frame);
    if (!p.ok()) return p.status();
    if (p->has_value()) {
      if ((*p)->kind != ItemKind::kInteger) return EvalError(call, "precision must be an Integer");
      precision = (*p)->integer;
    }
  }
  const Item& item = **v;
  switch (item.kind) {
    case ItemKind::kInteger:
    case ItemKind::kDecimal:
    case ItemKind::kQuantity: {
      std::string text = item.kind == ItemKind::kInteger ? std::to_string(item.integer)
                         : item.text.empty() || item.kind == ItemKind::kQuantity
                             ? FormatDecimal(item.decimal)
                             : item.text;
      std::optional<std::string> b =
          DecimalBoundary(text, high, precision.value_or(kDefaultDecimalPrecision));
      if (!b.has_value()) return Collection{};
      Item out = Item::Decimal(std::strtold(b->c_str(), nullptr));
      out.text = *b;
      if (item.kind == ItemKind::kQuantity) {
        // The quantity keeps its unit; its value text is not kept, so the boundary's digits go.
        return Collection{Item::Quantity(out.decimal, item.text)};
      }
      return Collection{std::move(out)};
    }
    case ItemKind::kDate:
    case ItemKind::kDateTime: {
      int level = DateLevel(precision.value_or(item.kind == ItemKind::kDate ? 8 : 17));
      if (level == 0) return Collection{};
      return Collection{DateBoundary(item, high, level)};
    }
    case ItemKind::kTime: {
      int level = TimeLevel(precision.value_or(9));
      if (level == 0) return Collection{};
      return Collection{DateBoundary(item, high, level)};
    }
    default:
      return EvalError(call, call.name + "() needs a number, Quantity, Date, DateTime or Time");
  }
}

constexpr FunctionSpec kFunctions[] = {
    {"lowBoundary", 0, 1, BoundaryFn},
    {"highBoundary", 0, 1, BoundaryFn},
};

}  // namespace

std::span<const FunctionSpec> BoundaryFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
