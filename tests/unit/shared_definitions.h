// The R4 definitions in resources/, loaded once for the whole unit-test binary and shared by every
// suite that needs them (they are immutable and thread-safe). If they cannot be loaded, the binary
// stops with the reason: every suite that uses them would fail anyway.
#pragma once

#include <memory>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/value_sets.h"

namespace schakel::test {

const std::shared_ptr<const fhir::definitions::Registry>& SharedRegistry();
const std::shared_ptr<const fhir::definitions::ValueSetIndex>& SharedValueSets();

}  // namespace schakel::test
