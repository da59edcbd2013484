#include "fhir/json/parse.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace schakel::fhir::json {
namespace {

// SAX handler that builds a Value bottom-up on an explicit stack (no recursion).
class Builder {
 public:
  explicit Builder(const ParseLimits& limits) : limits_(limits) {}

  bool Null() { return Add(Value::Null()); }
  bool Bool(bool b) { return Add(Value::Bool(b)); }
  // With kParseNumbersAsStringsFlag every number arrives as RawNumber; these are unreachable.
  bool Int(int) { return false; }
  bool Uint(unsigned) { return false; }
  bool Int64(std::int64_t) { return false; }
  bool Uint64(std::uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool) {
    return Add(Value::Number(std::string(str, length)));
  }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    if (!CheckNoSurrogate(str, length)) return false;
    return Add(Value::String(std::string(str, length)));
  }
  bool StartObject() { return Open(Value::Object()); }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    if (!CheckNoSurrogate(str, length)) return false;
    stack_.back().key.assign(str, length);
    return Count();
  }
  bool EndObject(rapidjson::SizeType) {
    if (HasDuplicateKey(stack_.back().value)) return false;
    return Close();
  }
  bool StartArray() { return Open(Value::Array()); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  Value TakeRoot() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  struct Open_ {
    Value value;
    std::string key;  // the pending member name, for objects
  };

  // RapidJSON decodes a lone "\uDC00" escape to the UTF-8 bytes of a surrogate (ED B0 80),
  // which is not valid UTF-8 and which nothing downstream could read back.
  bool CheckNoSurrogate(const char* str, rapidjson::SizeType length) {
    for (rapidjson::SizeType i = 0; i + 1 < length; ++i) {
      if (static_cast<unsigned char>(str[i]) == 0xED &&
          static_cast<unsigned char>(str[i + 1]) >= 0xA0) {
        error_ = "a \\u escape encodes a lone UTF-16 surrogate";
        return false;
      }
    }
    return true;
  }

  bool Count() {
    if (++values_ > limits_.max_values) {
      error_ = "document has more than " + std::to_string(limits_.max_values) + " values";
      return false;
    }
    return true;
  }

  bool Add(Value v) {
    if (!Count()) return false;
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Open_& top = stack_.back();
    if (top.value.is_object()) {
      top.value.members().push_back(Member{std::move(top.key), std::move(v)});
      top.key.clear();
    } else {
      top.value.items().push_back(std::move(v));
    }
    return true;
  }

  bool Open(Value container) {
    if (stack_.size() >= limits_.max_depth) {
      error_ = "nesting deeper than " + std::to_string(limits_.max_depth) + " levels";
      return false;
    }
    stack_.push_back(Open_{std::move(container), {}});
    return true;
  }

  bool Close() {
    Value done = std::move(stack_.back().value);
    stack_.pop_back();
    return Add(std::move(done));
  }

  bool HasDuplicateKey(const Value& object) {
    const auto& members = object.members();
    constexpr std::size_t kLinearLimit = 16;
    bool duplicate = false;
    std::string_view name;
    if (members.size() <= kLinearLimit) {
      for (std::size_t i = 0; i < members.size() && !duplicate; ++i) {
        for (std::size_t j = i + 1; j < members.size(); ++j) {
          if (members[i].name == members[j].name) {
            duplicate = true;
            name = members[i].name;
            break;
          }
        }
      }
    } else {
      std::vector<std::string_view> names;
      names.reserve(members.size());
      for (const Member& m : members) names.emplace_back(m.name);
      std::sort(names.begin(), names.end());
      auto it = std::adjacent_find(names.begin(), names.end());
      if (it != names.end()) {
        duplicate = true;
        name = *it;
      }
    }
    if (duplicate) error_ = "duplicate member name \"" + std::string(name) + "\"";
    return duplicate;
  }

  const ParseLimits& limits_;
  std::vector<Open_> stack_;
  Value root_;
  std::size_t values_ = 0;
  std::string error_;
};

}  // namespace

Result<Value> Parse(std::string_view text, const ParseLimits& limits) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  // RapidJSON's memory stream treats a NUL byte as the end of input; raw NUL is never valid JSON.
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    return Status::InvalidInput("JSON is not well-formed: it contains a NUL byte");
  }
  Builder builder(limits);
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag |
                              rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult result = reader.Parse<kFlags>(stream, builder);
  if (result.IsError()) {
    std::string reason = builder.error().empty()
                             ? std::string(rapidjson::GetParseError_En(result.Code()))
                             : builder.error();
    return Status::InvalidInput("JSON is not well-formed at byte " +
                                std::to_string(result.Offset()) + ": " + reason);
  }
  return builder.TakeRoot();
}

}  // namespace schakel::fhir::json
