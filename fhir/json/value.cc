#include "fhir/json/value.h"

#include <charconv>

namespace schakel::fhir::json {

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value& other) = default;
Value::Value(Value&& other) noexcept = default;
Value& Value::operator=(const Value& other) = default;
Value& Value::operator=(Value&& other) noexcept = default;

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Number(std::string text) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.text_ = std::move(text);
  return v;
}

Value Value::Integer(std::int64_t n) { return Number(std::to_string(n)); }

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Array() {
  Value v;
  v.kind_ = Kind::kArray;
  return v;
}

Value Value::Object() {
  Value v;
  v.kind_ = Kind::kObject;
  return v;
}

std::optional<std::int64_t> Value::AsInt64() const {
  if (kind_ != Kind::kNumber) return std::nullopt;
  std::int64_t n = 0;
  const char* end = text_.data() + text_.size();
  auto [ptr, ec] = std::from_chars(text_.data(), end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

Value& Value::Push(Value v) { return items_.emplace_back(std::move(v)); }

const Value* Value::Find(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.name == key) return &m.value;
  }
  return nullptr;
}

Value* Value::Find(std::string_view key) {
  for (Member& m : members_) {
    if (m.name == key) return &m.value;
  }
  return nullptr;
}

const std::string* Value::FindString(std::string_view key) const {
  const Value* v = Find(key);
  return v != nullptr && v->is_string() ? &v->text() : nullptr;
}

Value& Value::Set(std::string_view key, Value v) {
  if (Value* existing = Find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  return members_.emplace_back(Member{std::string(key), std::move(v)}).value;
}

Value& Value::SetAt(std::size_t position, std::string_view key, Value v) {
  if (Value* existing = Find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  if (position > members_.size()) position = members_.size();
  auto it = members_.insert(members_.begin() + static_cast<std::ptrdiff_t>(position),
                            Member{std::string(key), std::move(v)});
  return it->value;
}

bool Value::Remove(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->name == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

std::size_t Value::size() const {
  if (kind_ == Kind::kArray) return items_.size();
  if (kind_ == Kind::kObject) return members_.size();
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.bool_ == b.bool_;
    case Kind::kNumber:
    case Kind::kString:
      return a.text_ == b.text_;
    case Kind::kArray:
      return a.items_ == b.items_;
    case Kind::kObject:
      return a.members_ == b.members_;
  }
  return false;
}

}  // namespace schakel::fhir::json
