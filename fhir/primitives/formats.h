// The lexical rules of the FHIR R4 primitive types, checked on the JSON form of a value.
// https://hl7.org/fhir/R4/datatypes.html#primitive and https://hl7.org/fhir/R4/json.html#primitive
//
// The validator calls this for every primitive of every incoming resource, so the checks are
// hand-written scanners (no std::regex, no allocation unless the value is invalid). Each follows
// the regex the R4 StructureDefinition of the type declares, plus what the regex cannot say:
// calendar dates, integer ranges, the 1 MiB string bound, and that the JSON kind matches (a boolean
// is JSON true/false, integer and decimal types are JSON numbers, everything else a JSON string).
//
// Deliberate choices where the specification leaves room:
// - string, markdown, code, id, uri and the types derived from them reject control characters
//   below U+0020 other than tab, CR and LF (the spec says they SHOULD NOT occur).
// - uuid hex digits must be lowercase, as the R4 regex says.
// - base64Binary also requires padding ('=') only at the end of the last four-character group.
// - xhtml is only checked to be a string starting with "<div"; the narrative rules are elsewhere.
// - An empty string is never valid (FHIR JSON has no empty values).
//
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/json/value.h"

namespace schakel::fhir {

enum class PrimitiveType : std::uint8_t {
  kBoolean,
  kInteger,
  kString,
  kDecimal,
  kUri,
  kUrl,
  kCanonical,
  kBase64Binary,
  kInstant,
  kDate,
  kDateTime,
  kTime,
  kCode,
  kOid,
  kId,
  kMarkdown,
  kUnsignedInt,
  kPositiveInt,
  kUuid,
  kXhtml,
};

// The primitive type for an R4 type code such as "dateTime" (case-sensitive), or nullopt for
// anything else: complex types, and the FHIRPath system types
// (http://hl7.org/fhirpath/System.String) that element ids and primitive `value` elements carry,
// whose FHIR type is in the structuredefinition-fhir-type extension instead.
std::optional<PrimitiveType> PrimitiveTypeFromCode(std::string_view type_code);
std::string_view PrimitiveTypeCode(PrimitiveType type);

// The maximum size of a string in characters (Unicode code points), from string.value.maxLength.
inline constexpr std::size_t kMaxStringLength = std::size_t{1024} * 1024;

// Checks `value`, the JSON value of an element of primitive type `type`. Returns an empty string
// when it is valid, or a short reason such as "not a valid date: month 13" (without the value or
// its location, which the caller adds).
std::string CheckPrimitive(PrimitiveType type, const json::Value& value);

// The same by type code; an unknown type code (see PrimitiveTypeFromCode) is valid. Resolving the
// code once with PrimitiveTypeFromCode and calling the overload above saves a lookup per value.
std::string CheckPrimitive(std::string_view type_code, const json::Value& value);

}  // namespace schakel::fhir
