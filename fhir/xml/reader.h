// Reading a FHIR resource in XML into its FHIR JSON form, the one internal representation.
// https://hl7.org/fhir/R4/xml.html
//
// The element index (definitions::Registry) decides what every element is:
// - the root element names the resource type and is in the namespace http://hl7.org/fhir;
// - a primitive is an element with a `value` attribute and optionally an `id` attribute and
//   <extension> children: <birthDate id="a" value="1970"/> becomes "birthDate": "1970" plus the
//   companion "_birthDate": {"id": "a"}; a repeating primitive becomes the parallel arrays of
//   json.html, with null where one side has nothing (an array that would hold only nulls is
//   left out);
// - the JSON kind follows the type: boolean is true/false; integer, unsignedInt, positiveInt and
//   decimal are JSON numbers that keep their exact text (so "1.50" stays 1.50), and the text must
//   be a JSON number; everything else is a string;
// - Element.id and Extension.url are attributes; a repeating element (ElementDefinition::IsArray)
//   becomes a JSON array; a choice keeps its full name (valueQuantity);
// - an element of type Resource (contained, Bundle.entry.resource, ...) wraps one resource
//   element, which becomes the object with its resourceType;
// - Narrative.div is an XHTML element kept as its exact source text (namespace declarations it
//   inherits from its ancestors are added to its start tag);
// - comments, processing instructions and whitespace between elements are ignored;
//   xsi:schemaLocation and other XML Schema instance attributes are ignored.
// Members come in document order, resourceType first. Element order is not enforced (the
// validator's business); a non-repeating element that occurs twice is an error.
//
// Errors: Code::kInvalidInput for XML that is malformed, has a DOCTYPE, is not in the FHIR
// namespace, nests deeper than max_depth or has more than max_nodes elements and attributes;
// Code::kTooLarge beyond max_bytes;
// Code::kUnprocessable, with the FHIRPath location as expression and the line in the message,
// for XML that is well-formed but is not FHIR: an unknown element or attribute, text where none
// is allowed, a value its type cannot hold in JSON (decimal "1.", boolean "yes").
//
// Stateless and thread-safe; the registry is only read.
#pragma once

#include <cstddef>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::xml {

struct XmlLimits {
  std::size_t max_depth = 128;                            // element nesting, narrative included
  std::size_t max_bytes = std::size_t{64} * 1024 * 1024;  // the whole document
  // Elements and attributes, narrative included: bounds the memory of the JSON built, as
  // json::ParseLimits::max_values does for JSON.
  std::size_t max_nodes = 4'000'000;
};

Result<json::Value> ParseResource(std::string_view xml, const definitions::Registry& registry,
                                  const XmlLimits& limits = {});

}  // namespace schakel::fhir::xml
