// Number and quantity index entries. https://hl7.org/fhir/R4/search.html#number and #quantity.
#include <charconv>
#include <cmath>

#include "fhir/search/extract_convert.h"
#include "fhir/search/units.h"

namespace schakel::fhir::search::internal {
namespace {

constexpr std::string_view kCurrencySystem = "urn:iso:std:iso:4217";
constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";

bool IsQuantityType(std::string_view type) {
  return type == "Quantity" || type == "SimpleQuantity" || type == "Age" || type == "Count" ||
         type == "Distance" || type == "Duration" || type == "MoneyQuantity";
}

std::optional<double> NumberMember(const json::Value& object, std::string_view key) {
  const json::Value* value = object.Find(key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return ParseNumber(value->text());
}

// Range.low and Range.high, each when present.
std::vector<const json::Value*> RangeBounds(const json::Value& range) {
  std::vector<const json::Value*> out;
  for (std::string_view key : {"low", "high"}) {
    const json::Value* bound = range.Find(key);
    if (bound != nullptr && bound->is_object()) out.push_back(bound);
  }
  return out;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<QuantityIndex> QuantityFromJson(const json::Value& quantity, std::string_view type) {
  if (!quantity.is_object()) return std::nullopt;
  std::optional<double> value = NumberMember(quantity, "value");
  if (!value.has_value()) return std::nullopt;
  QuantityIndex out;
  out.value = *value;
  if (type == "Money") {
    if (const std::string* currency = quantity.FindString("currency")) {
      out.system = std::string(kCurrencySystem);
      out.code = *currency;
    }
    return out;
  }
  if (const std::string* system = quantity.FindString("system")) out.system = *system;
  if (const std::string* unit = quantity.FindString("unit")) out.unit = *unit;
  const std::string* code = quantity.FindString("code");
  out.code = code != nullptr ? *code : out.unit;
  CanonicalQuantity(out);
  return out;
}

// The UCUM engine (fhir/ucum, through search/units.h, which query parsing shares so that both
// sides agree on the canonical form) gives the value in base units when the unit is UCUM.
void CanonicalQuantity(QuantityIndex& quantity) {
  if (!quantity.system.has_value() || *quantity.system != kUcumSystem) return;
  std::optional<CanonicalQuantityValue> canonical =
      ToCanonical(*quantity.system, quantity.code, quantity.value);
  if (!canonical.has_value()) return;
  quantity.canonical_value = canonical->value;
  quantity.canonical_unit = std::move(canonical->unit);
}

void AddNumbers(const path::Item& item, const std::string& param, std::vector<NumberIndex>& out) {
  switch (item.kind) {
    case path::ItemKind::kInteger:
      out.push_back({param, static_cast<double>(item.integer)});
      return;
    case path::ItemKind::kDecimal:
      out.push_back({param, static_cast<double>(item.decimal)});
      return;
    case path::ItemKind::kNode:
      break;
    default:
      return;
  }
  if (item.node == nullptr) return;
  if (item.node->is_number()) {
    if (std::optional<double> value = ParseNumber(item.node->text()))
      out.push_back({param, *value});
  } else if (item.type == "Range" && item.node->is_object()) {
    for (const json::Value* bound : RangeBounds(*item.node)) {
      if (std::optional<double> value = NumberMember(*bound, "value")) {
        out.push_back({param, *value});
      }
    }
  }
}

void AddQuantities(const path::Item& item, const std::string& param,
                   std::vector<QuantityIndex>& out) {
  auto add = [&out, &param](std::optional<QuantityIndex> q) {
    if (!q.has_value()) return;
    q->param = param;
    out.push_back(std::move(*q));
  };
  if (item.kind == path::ItemKind::kQuantity) {
    QuantityIndex q;
    q.value = static_cast<double>(item.decimal);
    q.system = std::string(kUcumSystem);
    q.code = std::string(path::CanonicalUnit(item.text));
    q.unit = item.text;
    CanonicalQuantity(q);
    add(std::move(q));
    return;
  }
  if (!item.is_node() || item.node == nullptr || !item.node->is_object()) return;
  if (IsQuantityType(item.type) || item.type == "Money") {
    add(QuantityFromJson(*item.node, item.type));
  } else if (item.type == "Range") {
    for (const json::Value* bound : RangeBounds(*item.node)) {
      add(QuantityFromJson(*bound, "Quantity"));
    }
  }
}

}  // namespace schakel::fhir::search::internal
