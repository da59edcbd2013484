// Writing a resource held as FHIR JSON (json::Value) as FHIR XML.
// https://hl7.org/fhir/R4/xml.html
//
// The inverse of ParseResource (reader.h), with the same mapping. XML fixes the order of
// elements, so they are written in the order of the definitions whatever the order of the JSON
// members: Element.id and Extension.url as attributes, a primitive as <name id=".." value="..">
// with its companion's extensions as children, a repeating element as repeated XML elements, a
// resource inside a resource as <contained><Patient>...</Patient></contained>. The narrative div
// is written as it is in JSON (checked to be one well-formed XHTML element; a div without the
// XHTML namespace declaration gets one). Strings are escaped so that they read back exactly:
// tabs, line breaks and carriage returns become character references in attribute values.
//
// The output starts with <?xml version="1.0" encoding="UTF-8"?>. `pretty` indents by two spaces
// per level, one element per line (the narrative is copied verbatim); otherwise nothing is added
// between elements. An empty JSON array writes nothing.
//
// Errors are Code::kUnprocessable, with the FHIRPath location as expression: an unknown resource
// type or element, a value of the wrong JSON kind for its type, parallel primitive arrays of
// different lengths, a character XML 1.0 cannot carry (a control character such as U+0001), or a
// narrative that is not well-formed XHTML.
//
// Stateless and thread-safe; the registry is only read.
#pragma once

#include <string>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::xml {

Result<std::string> WriteResource(const json::Value& resource,
                                  const definitions::Registry& registry, bool pretty = false);

}  // namespace schakel::fhir::xml
