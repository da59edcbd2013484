// Internal to fhir/search: how ExtractIndex turns the items a search parameter's FHIRPath
// expression selects into index entries, one function per parameter type, after the table of
// https://hl7.org/fhir/R4/search.html ("Search Parameter Types" and the section on each type).
//
// Each Add* function appends what one item holds in the shape of its type, with `param` as the
// entry's parameter, and skips what that type cannot index (a token parameter that selects a
// HumanName adds nothing). Items are FHIR nodes (typed by the registry) or System values.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/path/value.h"
#include "fhir/search/index_values.h"

namespace schakel::fhir::search::internal {

// string: string-like primitives as they are; HumanName as family, given, prefix, suffix and
// text; Address as line, city, district, state, postalCode, country and text (each its own
// entry).
void AddStrings(const path::Item& item, const std::string& param, std::vector<StringIndex>& out);

// token: Coding (system, code, display as text); CodeableConcept (one entry per coding, plus a
// text-only entry with empty code for CodeableConcept.text); Identifier (system, value as code,
// type.coding[0] as type_system/type_code, type.text as text); ContactPoint (its value as code,
// no system: the spec's token table maps no part of a ContactPoint to the system); a `code`
// with `code_system` (the parameter's implicit system for the resource type, or nullptr) as its
// system; boolean ("true"/"false"), string, id, uri and other primitives (and a code without an
// implicit system) as a code without system.
void AddTokens(const path::Item& item, const std::string& param, std::vector<TokenIndex>& out,
               const std::string* code_system = nullptr);

// uri: uri, url, canonical, oid, uuid (any string-valued primitive) as written.
void AddUris(const path::Item& item, const std::string& param, std::vector<UriIndex>& out);

// date: date, dateTime, instant (their precision as the range); Period (start..end, an open end
// is kMinTimeMs/kMaxTimeMs); Timing (from its earliest to its latest event, widened by
// repeat.boundsPeriod; the rest of the schedule is ignored, as the spec says).
void AddDates(const path::Item& item, const std::string& param, std::vector<DateIndex>& out);

// number: integer, decimal, positiveInt, unsignedInt; a Range as two entries, low and high.
void AddNumbers(const path::Item& item, const std::string& param, std::vector<NumberIndex>& out);

// quantity: Quantity and its specializations (Age, Count, Distance, Duration, SimpleQuantity);
// Money (currency as code, system urn:iso:std:iso:4217); a Range as two entries, low and high
// (so a search matches either bound, not the values between them).
void AddQuantities(const path::Item& item, const std::string& param,
                   std::vector<QuantityIndex>& out);

// reference: Reference (literal "Type/id", "Type/id/_history/v", absolute URLs with the type and
// id of their last two segments, identifier; contained "#id" references are skipped);
// canonical and uri values (url with |version cut off). Resources (Bundle.entry.resource) are
// skipped.
void AddReferences(const path::Item& item, const std::string& param,
                   const definitions::Registry& registry, std::vector<ReferenceIndex>& out);

// --- Shared helpers. ---

// A Quantity-like object (`type` Quantity, Age, ..., or Money) as an entry without param;
// nullopt when it has no value.
std::optional<QuantityIndex> QuantityFromJson(const json::Value& quantity, std::string_view type);

// Fills canonical_value and canonical_unit when the unit is UCUM and the UCUM engine converts it.
void CanonicalQuantity(QuantityIndex& quantity);

// The inclusive range, in UTC milliseconds, of a FHIR date, dateTime or instant text (a value
// without a timezone taken as UTC); nullopt when the text is not one.
std::optional<std::pair<std::int64_t, std::int64_t>> DateRange(std::string_view text);

// A JSON number literal as a double; nullopt when it does not parse.
std::optional<double> ParseNumber(std::string_view text);

// The text of a string-valued FHIR primitive node or a System String; nullopt otherwise.
const std::string* StringValue(const path::Item& item);

}  // namespace schakel::fhir::search::internal
