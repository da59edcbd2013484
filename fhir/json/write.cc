#include "fhir/json/write.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace schakel::fhir::json {
namespace {

template <typename Writer>
void WriteValue(const Value& value, Writer& w) {
  switch (value.kind()) {
    case Kind::kNull:
      w.Null();
      return;
    case Kind::kBool:
      w.Bool(value.bool_value());
      return;
    // Writer::RawNumber would quote the literal; RawValue writes it as it is.
    case Kind::kNumber:
      w.RawValue(value.text().data(), value.text().size(), rapidjson::kNumberType);
      return;
    case Kind::kString:
      w.String(value.text().data(), static_cast<rapidjson::SizeType>(value.text().size()));
      return;
    case Kind::kArray:
      w.StartArray();
      for (const Value& item : value.items()) WriteValue(item, w);
      w.EndArray();
      return;
    case Kind::kObject:
      w.StartObject();
      for (const Member& m : value.members()) {
        w.Key(m.name.data(), static_cast<rapidjson::SizeType>(m.name.size()));
        WriteValue(m.value, w);
      }
      w.EndObject();
      return;
  }
}

// Forwards SAX events to a writer, passing numbers through as raw literals.
template <typename Writer>
struct RawNumberForwarder
    : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RawNumberForwarder<Writer>> {
  explicit RawNumberForwarder(Writer& writer) : w(writer) {}
  bool Null() { return w.Null(); }
  bool Bool(bool b) { return w.Bool(b); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return w.RawValue(s, n, rapidjson::kNumberType);
  }
  bool String(const char* s, rapidjson::SizeType n, bool) { return w.String(s, n); }
  bool StartObject() { return w.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool) { return w.Key(s, n); }
  bool EndObject(rapidjson::SizeType n) { return w.EndObject(n); }
  bool StartArray() { return w.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return w.EndArray(n); }
  Writer& w;
};

}  // namespace

std::string Serialize(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  WriteValue(value, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Pretty(std::string_view json) {
  rapidjson::StringBuffer buffer;
  using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;
  Writer writer(buffer);
  writer.SetIndent(' ', 2);
  RawNumberForwarder<Writer> forwarder(writer);
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  if (reader.Parse<kFlags>(stream, forwarder).IsError()) return std::string(json);
  return std::string(buffer.GetString(), buffer.GetSize());
}

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

void JsonWriter::StartObject() { impl_->writer.StartObject(); }
void JsonWriter::EndObject() { impl_->writer.EndObject(); }
void JsonWriter::StartArray() { impl_->writer.StartArray(); }
void JsonWriter::EndArray() { impl_->writer.EndArray(); }
void JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void JsonWriter::String(std::string_view s) {
  impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void JsonWriter::Int(std::int64_t n) { impl_->writer.Int64(n); }
void JsonWriter::Bool(bool b) { impl_->writer.Bool(b); }
void JsonWriter::RawObject(std::string_view json) {
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}
void JsonWriter::Write(const Value& value) { WriteValue(value, impl_->writer); }

std::string JsonWriter::Take() {
  return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize());
}

}  // namespace schakel::fhir::json
