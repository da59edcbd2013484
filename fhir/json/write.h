// Writing json::Values and streaming JSON output.
//
// JsonWriter streams compact JSON (used for Bundles, where stored resources are embedded as raw
// bytes without re-parsing). Pretty() re-indents compact JSON text, keeping numbers exactly.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fhir/json/value.h"

namespace schakel::fhir::json {

// Compact serialization of a Value.
std::string Serialize(const Value& value);

// Re-indents JSON text (two spaces). Input must be well-formed JSON (e.g. our own output).
std::string Pretty(std::string_view json);

// Streaming compact writer. Calls must form a well-formed document; not thread-safe.
class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void StartObject();
  void EndObject();
  void StartArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view s);
  void Int(std::int64_t n);
  void Bool(bool b);
  // Embeds already-serialized JSON (an object) as the next value.
  void RawObject(std::string_view json);
  void Write(const Value& value);

  // Shorthands for `Key(k); String(v)` etc.
  void Member(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }

  // The text written so far; the writer must not be used afterwards.
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schakel::fhir::json
