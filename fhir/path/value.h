// FHIRPath values: a collection is a list of items, each either a node of the FHIR resource being
// evaluated (with its FHIR type) or a System value. http://hl7.org/fhirpath/N1/#literals
//
// A node item points into the json::Value the expression is evaluated on, and is valid as long as
// that resource lives. Thread-compatible values; the functions here are stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::path {

enum class ItemKind : std::uint8_t {
  kNode,  // an element of the resource (primitive or complex)
  kBoolean,
  kString,
  kInteger,
  kDecimal,
  kDate,
  kDateTime,
  kTime,
  kQuantity,
  kTypeInfo,  // the result of type(): `text` holds "System.Integer" or "FHIR.Patient"
};

// A partial date, dateTime or time. Precision counts the fields present: for dates and dateTimes
// 1 = year .. 3 = day, 4 = hour, 5 = minute, 6 = second, 7 = millisecond; for times 4..7 too.
struct DateTimeValue {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
  int precision = 1;
  bool has_zone = false;
  int zone_minutes = 0;  // offset east of UTC
};

// Parses a FHIRPath/FHIR date or dateTime ("2020", "2020-01-02T10:00:00.1+01:00", with
// partial times allowed) or a time ("12:00", "T12:00" is not accepted here). nullopt when invalid.
std::optional<DateTimeValue> ParseDateTimeValue(std::string_view text);
std::optional<DateTimeValue> ParseTimeValue(std::string_view text);
// Formats at the value's precision: the date part, the time part, or both.
std::string FormatDateTimeValue(const DateTimeValue& v, bool has_date, bool has_time);
// Compares down to the coarser precision (seconds and milliseconds count as one); values with
// a zone are compared in UTC. nullopt when the precisions differ and the common fields are equal,
// or when only one side has a zone. `is_time` compares times of day.
std::optional<int> CompareDateTimeValues(const DateTimeValue& a, const DateTimeValue& b,
                                         bool is_time);
int DaysInMonth(int year, int month);

struct Item {
  ItemKind kind = ItemKind::kNode;
  // kNode: the JSON value (nullptr when only the `_name` companion exists), the companion
  // object (id/extension of a primitive) and the element it stands for. `type` is the FHIR type
  // code ("HumanName", "string", "Patient"); it views registry or resource storage.
  const json::Value* node = nullptr;
  const json::Value* companion = nullptr;
  definitions::ElementRef element;
  std::string_view type;
  // System values.
  bool boolean = false;
  std::int64_t integer = 0;
  long double decimal = 0;
  // String value; Quantity unit; a Decimal's literal text when it has one (keeps 1.0 as 1.0),
  // empty for computed decimals.
  std::string text;
  DateTimeValue date_time;

  static Item Boolean(bool b);
  static Item String(std::string s);
  static Item Integer(std::int64_t n);
  static Item Decimal(long double d);
  static Item Date(const DateTimeValue& v);
  static Item DateTime(const DateTimeValue& v);
  static Item Time(const DateTimeValue& v);
  static Item Quantity(long double value, std::string unit);

  bool is_node() const { return kind == ItemKind::kNode; }
};

using Collection = std::vector<Item>;

// The System type name of a System value ("Integer"), or the FHIR type of a node ("HumanName").
std::string TypeName(const Item& item);
// True for a node whose type is a FHIR primitive type (per the registry) or has a JSON scalar.
bool IsPrimitiveNode(const Item& item, const definitions::Registry& registry);

// A node converted to the System value it holds (FHIR primitives; Quantity to System.Quantity);
// System values are returned unchanged; nullopt for complex nodes and primitives without value.
std::optional<Item> ToSystem(const Item& item, const definitions::Registry& registry);

// Three-valued results of comparisons: nullopt = empty (undecidable).
std::optional<bool> ItemsEqual(const Item& a, const Item& b, const definitions::Registry& r);
bool ItemsEquivalent(const Item& a, const Item& b, const definitions::Registry& r);
// -1, 0, 1; nullopt when the precision makes it undecidable; a Status for incomparable types.
Result<std::optional<int>> CompareItems(const Item& a, const Item& b,
                                        const definitions::Registry& r);

// Text forms used by toString(): 1.5, "@"-less dates, "5 'mg'" quantities.
std::string FormatDecimal(long double d);
std::optional<std::string> ItemToString(const Item& item, const definitions::Registry& r);

// Whether two quantities' units can be converted into each other (1 'cm' and 1 '[in_i]').
bool UnitsComparable(const Item& a, const Item& b);

// A calendar-duration keyword ("days", "year") as its UCUM unit ("d", "a"), else the input.
std::string_view CanonicalUnit(std::string_view unit);

// {"type": ..., "value": ...} for each item; complex nodes as their JSON.
json::Value CollectionToJson(const Collection& items, const definitions::Registry& r);

}  // namespace schakel::fhir::path
