// Quantities in canonical UCUM units, so that a search for 5.4 'mg/dL' finds 0.054 'g/L'
// (https://hl7.org/fhir/R4/search.html#quantity). Shared by index extraction and query parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schakel::fhir::search {

struct CanonicalQuantityValue {
  double value = 0;
  std::string unit;  // the canonical unit string, usable as an index key ("g.m-3")
};

// `value` of unit `code` in canonical units, when `system` is UCUM (http://unitsofmeasure.org)
// and the code is one the UCUM engine converts arithmetically; nullopt otherwise.
std::optional<CanonicalQuantityValue> ToCanonical(std::string_view system, std::string_view code,
                                                  double value);

}  // namespace schakel::fhir::search
