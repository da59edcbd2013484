// Rules every FHIR resource follows, whatever its type: ids and the server-owned meta elements.
// https://hl7.org/fhir/R4/resource.html
#pragma once

#include <cstdint>
#include <string_view>

#include "fhir/json/value.h"

namespace schakel::fhir {

// [A-Za-z0-9\-\.]{1,64}: https://hl7.org/fhir/R4/datatypes.html#id
bool IsValidId(std::string_view id);

// Sets `id`, `meta.versionId` and `meta.lastUpdated`, which are the server's to assign, keeping
// any other meta content (profile, tag, security, source). `id` and `meta` are placed right after
// `resourceType`, as FHIR's own examples order them.
void StampMeta(json::Value& resource, std::string_view id, std::int64_t version,
               std::int64_t last_updated_ms);

}  // namespace schakel::fhir
