// Parsing FHIR JSON text into a json::Value, bounded so hostile input cannot exhaust the stack or
// memory. Rejects what RFC 8259 rejects, invalid UTF-8, trailing content, and duplicate member
// names (FHIR JSON objects have unique keys: https://hl7.org/fhir/R4/json.html).
#pragma once

#include <cstddef>
#include <string_view>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::json {

struct ParseLimits {
  std::size_t max_depth = 128;         // nested objects and arrays
  std::size_t max_values = 4'000'000;  // every value, member and item counted once
};

// Parses one JSON document. Failures are Code::kInvalidInput with the byte offset in the message.
Result<Value> Parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace schakel::fhir::json
