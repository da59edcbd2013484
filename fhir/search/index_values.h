// The search index entries of one resource: what each of its search parameters' expressions
// selects, reduced to the typed values the store keeps in its index tables and queries compile
// against. https://hl7.org/fhir/R4/search.html (one section per parameter type).
//
// Produced by ExtractIndex (extract.h) in fhir/; written by the store in the same transaction as
// the resource version they describe, and replaced whenever the resource changes.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "fhir/search/search_parameter.h"

namespace schakel::fhir::search {

// Date ranges are milliseconds since the Unix epoch, UTC, both ends inclusive: 2024-03 is
// [2024-03-01T00:00:00.000Z, 2024-03-31T23:59:59.999Z]. A value without a timezone is taken as
// UTC (documented deviation: the spec leaves it to the server). Open ends of a Period use these.
inline constexpr std::int64_t kMinTimeMs = std::numeric_limits<std::int64_t>::min() / 2;
inline constexpr std::int64_t kMaxTimeMs = std::numeric_limits<std::int64_t>::max() / 2;

struct StringIndex {
  std::string param;
  std::string normalized;  // lower case, accents removed, whitespace collapsed (NormalizeString)
  std::string exact;       // as written
};

struct TokenIndex {
  std::string param;
  std::optional<std::string> system;  // absent: the value has no system
  std::string code;                   // may be empty for a text-only entry (CodeableConcept.text)
  std::string text;                   // normalized display / CodeableConcept.text, for :text
  // Identifier.type's first coding, for :of-type.
  std::optional<std::string> type_system;
  std::optional<std::string> type_code;
};

struct DateIndex {
  std::string param;
  std::int64_t low_ms = kMinTimeMs;
  std::int64_t high_ms = kMaxTimeMs;
};

struct NumberIndex {
  std::string param;
  double value = 0;
};

struct QuantityIndex {
  std::string param;
  double value = 0;
  std::optional<std::string> system;
  std::string code;  // Quantity.code (or unit when there is no code)
  std::string unit;  // Quantity.unit as written
  // The value in UCUM canonical (base) units, when the system is UCUM and the code converts.
  std::optional<double> canonical_value;
  std::optional<std::string> canonical_unit;
};

struct ReferenceIndex {
  std::string param;
  std::string target_type;  // for a literal reference "Patient/123": "Patient"; else empty
  std::string target_id;    // "123"; else empty
  std::optional<std::int64_t> target_version;  // from ".../_history/2"
  std::string url;  // absolute URL or canonical as written (with |version cut off); else empty
  // Reference.identifier, for :identifier.
  std::optional<std::string> identifier_system;
  std::optional<std::string> identifier_value;
};

struct UriIndex {
  std::string param;
  std::string value;
};

// One component value of a composite entry, in the shape of the component's parameter type:
// token and uri use system/code; string uses code (normalized); reference uses code "Type/id";
// date, number and quantity use low/high (dates as milliseconds, quantities in canonical units
// when known, with system/code their unit).
struct CompositePart {
  ParamType type = ParamType::kToken;
  std::optional<std::string> system;
  std::string code;
  double low = 0;
  double high = 0;
};

struct CompositeIndex {
  std::string param;
  std::vector<CompositePart> parts;  // one per component, in the parameter's order
};

struct ContainedIndex;

struct IndexValues {
  std::vector<StringIndex> strings;
  std::vector<TokenIndex> tokens;
  std::vector<DateIndex> dates;
  std::vector<NumberIndex> numbers;
  std::vector<QuantityIndex> quantities;
  std::vector<ReferenceIndex> references;
  std::vector<UriIndex> uris;
  std::vector<CompositeIndex> composites;
  // The resource's contained resources, each indexed as a resource of its own type, for
  // _contained searches (https://hl7.org/fhir/R4/search.html#contained). Empty within one.
  std::vector<ContainedIndex> contained;

  // The entries, those of contained resources included.
  std::size_t size() const;
};

struct ContainedIndex {
  std::string type;  // its resourceType
  std::string id;    // its id within the container ("" when it has none)
  IndexValues values;
};

inline std::size_t IndexValues::size() const {
  std::size_t n = strings.size() + tokens.size() + dates.size() + numbers.size() +
                  quantities.size() + references.size() + uris.size() + composites.size();
  for (const ContainedIndex& c : contained) n += c.values.size();
  return n;
}

}  // namespace schakel::fhir::search
