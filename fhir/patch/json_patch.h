// JSON Patch (RFC 6902, https://www.rfc-editor.org/rfc/rfc6902) over our JSON model, with JSON
// Pointer (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901) to address values. FHIR accepts it
// as a body of the patch interaction (https://hl7.org/fhir/R4/http.html#patch), sent as
// `application/json-patch+json`.
//
// Two stages: JsonPatch::Parse checks the document (an array of operation objects) and parses
// every pointer before anything is applied, so a malformed document never half-applies; Apply
// runs the operations in order on a copy and returns the result, or the first failure.
//
// Errors:
//  - Code::kInvalidInput: the patch document is malformed (not an array, an operation without
//    `op` or `path`, an unknown `op`, a pointer that does not start with '/', a bad `~` escape).
//  - Code::kTooLarge: more operations, or deeper pointers, than JsonPatchLimits allows.
//  - Code::kUnprocessable: the patch is well-formed but cannot be applied to this document: a
//    path that does not exist, an array index out of range, a failed `test`, a move into the
//    value's own child; or (issue too-costly) the result or the work would exceed the limits.
//
// Immutable after Parse; Apply may run concurrently from many threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::patch {

// A parsed JSON Pointer: its reference tokens, unescaped (`~1` -> '/', `~0` -> '~').
class JsonPointer {
 public:
  JsonPointer() = default;  // "": the whole document

  // kInvalidInput unless `text` is "" or starts with '/' and every '~' is followed by 0 or 1.
  static Result<JsonPointer> Parse(std::string_view text);

  const std::vector<std::string>& tokens() const { return tokens_; }
  bool IsRoot() const { return tokens_.empty(); }
  // True when `other` lies strictly below this pointer ("/a" is a proper prefix of "/a/b").
  bool IsProperPrefixOf(const JsonPointer& other) const;
  // The pointer as text again (escaped), for messages.
  std::string ToString() const;

 private:
  std::vector<std::string> tokens_;
};

// The value `pointer` refers to in `document`, or nullptr when there is none. Array indices
// must be decimal without leading zeros; "-" refers to no existing value.
const json::Value* Resolve(const json::Value& document, const JsonPointer& pointer);

// Equality as RFC 6902 section 4.6 defines it for `test`: numbers by numeric value (1, 1.0 and
// 10e-1 are equal), objects regardless of member order, arrays element by element.
bool JsonEquals(const json::Value& a, const json::Value& b);

struct JsonPatchLimits {
  std::size_t max_operations = 10'000;
  // Reference tokens in a pointer, and nesting of the patched document (as json::ParseLimits).
  std::size_t max_depth = 128;
  // Values in the patched document (as json::ParseLimits::max_values).
  std::size_t max_values = 4'000'000;
  // Values visited, copied, compared or shifted, in total over all operations: bounds the time
  // of hostile patches (10,000 inserts at the front of a long array, copies of large subtrees).
  std::size_t max_work = 50'000'000;
};

enum class JsonPatchOp { kAdd, kRemove, kReplace, kMove, kCopy, kTest };
std::string_view JsonPatchOpName(JsonPatchOp op);

struct JsonPatchOperation {
  JsonPatchOp op = JsonPatchOp::kAdd;
  JsonPointer path;
  JsonPointer from;   // move and copy
  json::Value value;  // add, replace and test
};

class JsonPatch {
 public:
  // Checks and parses a patch document (RFC 6902 section 3 and 4). Members an operation does not
  // use are ignored, as the RFC requires.
  static Result<JsonPatch> Parse(const json::Value& document, const JsonPatchLimits& limits = {});

  // Applies every operation in order to `document` and returns the result. The patch applies
  // completely or not at all: on failure the caller's value is untouched (it was passed by value).
  Result<json::Value> Apply(json::Value document) const;

  const std::vector<JsonPatchOperation>& operations() const { return operations_; }

 private:
  std::vector<JsonPatchOperation> operations_;
  JsonPatchLimits limits_;
};

}  // namespace schakel::fhir::patch
