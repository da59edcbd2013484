#include "fhir/search/units.h"

#include <cmath>

#include "fhir/ucum/ucum.h"

namespace schakel::fhir::search {

std::optional<CanonicalQuantityValue> ToCanonical(std::string_view system, std::string_view code,
                                                  double value) {
  if (system != "http://unitsofmeasure.org" || code.empty()) return std::nullopt;
  Result<ucum::Canonical> unit = ucum::Parse(code);
  // Special units (Cel, [degF]) are not proportional to their base unit: compared as written.
  if (!unit.ok() || unit->is_special()) return std::nullopt;
  const long double canonical = static_cast<long double>(value) * unit->factor;
  if (!std::isfinite(static_cast<double>(canonical))) return std::nullopt;
  return CanonicalQuantityValue{static_cast<double>(canonical), ucum::CanonicalUnitString(*unit)};
}

}  // namespace schakel::fhir::search
