// The XML namespaces of FHIR XML (https://hl7.org/fhir/R4/xml.html), shared by the reader and
// the writer.
#pragma once

#include <string_view>

namespace schakel::fhir::xml {

inline constexpr std::string_view kFhirNamespace = "http://hl7.org/fhir";
// The narrative (Narrative.div) is XHTML: https://hl7.org/fhir/R4/narrative.html#xhtml
inline constexpr std::string_view kXhtmlNamespace = "http://www.w3.org/1999/xhtml";
// xsi:schemaLocation and friends: allowed on any element, no FHIR content.
inline constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

}  // namespace schakel::fhir::xml
