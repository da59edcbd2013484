// json::Value: the in-memory form of a FHIR JSON document.
//
// Why not a RapidJSON Document: RapidJSON stores numbers as double, so a FHIR decimal `1.50`
// comes back as `1.5` and `0.1000000000000000055` loses digits. FHIR decimals carry their
// precision (https://hl7.org/fhir/R4/datatypes.html#decimal), so a number here keeps its exact
// source text. (The parser still refuses numbers beyond the range of a double, such as 1e400,
// which no FHIR number type can hold.) Objects keep member order, which FHIR JSON round-trips rely
// on for readability.
//
// A Value owns its children. Copyable (deep) and movable. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schakel::fhir::json {

enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

struct Member;

class Value {
 public:
  Value();  // null
  // Defined out of line, where Member is complete (clang needs it for std::vector<Member>).
  ~Value();
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  // `text` must be a JSON number literal (the parser guarantees it; callers building values
  // should use Integer() or pass text they produced themselves).
  static Value Number(std::string text);
  static Value Integer(std::int64_t n);
  static Value String(std::string s);
  static Value Array();
  static Value Object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  bool bool_value() const { return bool_; }
  // The text of a string, or the literal of a number.
  const std::string& text() const { return text_; }
  // The number as an integer, if it is one that fits.
  std::optional<std::int64_t> AsInt64() const;

  // Arrays.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }
  Value& Push(Value v);

  // Objects. Lookups are linear: FHIR objects are small, and order matters more than speed.
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // The string member `key`, or nullptr when it is absent or not a string.
  const std::string* FindString(std::string_view key) const;
  // Sets `key`, replacing an existing member in place or appending a new one.
  Value& Set(std::string_view key, Value v);
  // Inserts `key` at `position` (or replaces it where it already is).
  Value& SetAt(std::size_t position, std::string_view key, Value v);
  bool Remove(std::string_view key);

  // Number of items or members; 0 for scalars.
  std::size_t size() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<Value> items_;
  std::vector<Member> members_;
};

struct Member {
  std::string name;
  Value value;
  friend bool operator==(const Member& a, const Member& b) = default;
};

}  // namespace schakel::fhir::json
