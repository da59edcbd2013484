// Preconditions on writes: If-Match (https://hl7.org/fhir/R4/http.html#concurrency).
#pragma once

#include <cstdint>
#include <optional>

#include "fhir/status.h"
#include "server/rest/exchange.h"

namespace schakel::server::rest {

// The version If-Match names (nullopt without the header). `*` means "whatever is current", so
// it resolves to the current version, or 412 when the resource does not exist.
fhir::Result<std::optional<std::int64_t>> IfMatchVersion(const Exchange& exchange);

}  // namespace schakel::server::rest
