#include "fhir/xml/writer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/primitives/formats.h"
#include "fhir/xml/namespaces.h"
#include "fhir/xml/sax_parser.h"

namespace schakel::fhir::xml {
namespace {

using definitions::ElementDefinition;
using definitions::ElementRef;
using definitions::Registry;

constexpr std::string_view kDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";
// Nesting allowed inside one narrative when checking it (the reader's bound covers the document).
constexpr std::size_t kMaxNarrativeDepth = 256;

Status Error(const std::string& path, std::string message, IssueType type = IssueType::kStructure) {
  return Status::Unprocessable(std::move(message), path, type);
}

std::string Quote(std::string_view s) {
  constexpr std::size_t kMaxQuoted = 64;
  if (s.size() <= kMaxQuoted) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kMaxQuoted)) + "...'";
}

// The JSON name of one type of a choice: value[x] with Quantity -> valueQuantity.
std::string ChoiceName(std::string_view base, std::string_view type) {
  std::string name(base);
  name += type;
  char& first = name[base.size()];
  if (first >= 'a' && first <= 'z') first = static_cast<char>(first - 'a' + 'A');
  return name;
}

json::Kind ExpectedKind(std::string_view type_code) {
  const std::optional<PrimitiveType> type = PrimitiveTypeFromCode(type_code);
  if (!type) return json::Kind::kString;
  switch (*type) {
    case PrimitiveType::kBoolean:
      return json::Kind::kBool;
    case PrimitiveType::kInteger:
    case PrimitiveType::kUnsignedInt:
    case PrimitiveType::kPositiveInt:
    case PrimitiveType::kDecimal:
      return json::Kind::kNumber;
    default:
      return json::Kind::kString;
  }
}

std::string_view KindName(json::Kind kind) {
  switch (kind) {
    case json::Kind::kNull:
      return "null";
    case json::Kind::kBool:
      return "a JSON boolean";
    case json::Kind::kNumber:
      return "a JSON number";
    case json::Kind::kString:
      return "a JSON string";
    case json::Kind::kArray:
      return "a JSON array";
    case json::Kind::kObject:
      return "a JSON object";
  }
  return "a JSON value";
}

bool IsResourceElementType(const Registry& registry, std::string_view type) {
  return type == "Resource" || type == "DomainResource" || registry.IsResourceType(type);
}

// The members of one JSON object, each to be written exactly once.
class Members {
 public:
  explicit Members(const json::Value& object)
      : members_(object.members()), used_(members_.size(), false) {}

  // The member `name`, now marked as written; nullptr when absent.
  const json::Value* Take(std::string_view name) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (members_[i].name == name) {
        used_[i] = true;
        return &members_[i].value;
      }
    }
    return nullptr;
  }
  // The first member nobody took, or nullptr.
  const std::string* Unused() const {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (!used_[i]) return &members_[i].name;
    }
    return nullptr;
  }

 private:
  const std::vector<json::Member>& members_;
  std::vector<bool> used_;
};

// Takes the one XHTML element out of a narrative string.
class NarrativeCatcher final : public XmlContentHandler {
 public:
  Status StartElement(const XmlStartTag& tag) override {
    root_without_namespace_ = tag.ns.empty() && tag.local_name == "div";
    return Status::InvalidInput("the narrative must be an XHTML <div> (namespace " +
                                std::string(kXhtmlNamespace) + ")");
  }
  Status EndElement() override { return Status::Ok(); }
  Status Text(std::string_view, int) override { return Status::Ok(); }
  Status OpaqueElement(const XmlStartTag& tag, std::string_view source) override {
    if (tag.local_name != "div") {
      return Status::InvalidInput("the narrative must be a <div>, not " + Quote(tag.local_name));
    }
    source_.assign(source);
    return Status::Ok();
  }

  bool root_without_namespace() const { return root_without_namespace_; }
  std::string& source() { return source_; }

 private:
  bool root_without_namespace_ = false;
  std::string source_;
};

Result<std::string> CheckNarrative(std::string_view div) {
  XmlParseOptions options;
  options.max_depth = kMaxNarrativeDepth;
  options.max_bytes = div.size() + 64;
  options.opaque_namespace = kXhtmlNamespace;
  NarrativeCatcher catcher;
  Status status = ParseXml(div, options, catcher);
  if (status.ok()) return std::move(catcher.source());
  if (!catcher.root_without_namespace()) return status;
  // <div> without its namespace declaration: put the div (and what it holds) in XHTML.
  constexpr std::string_view kDiv = "<div";
  const std::size_t start = div.find(kDiv);
  if (start == std::string_view::npos) return status;
  std::string fixed(div.substr(0, start + kDiv.size()));
  fixed += " xmlns=\"";
  fixed += kXhtmlNamespace;
  fixed += '"';
  fixed += div.substr(start + kDiv.size());
  NarrativeCatcher second;
  options.max_bytes = fixed.size();
  SCHAKEL_RETURN_IF_ERROR(ParseXml(fixed, options, second));
  return std::move(second.source());
}

class Writer {
 public:
  Writer(const Registry& registry, bool pretty) : registry_(registry), pretty_(pretty) {}

  Status Document(const json::Value& resource) {
    out_ = kDeclaration;
    EndLine();
    return Resource(resource, std::string(), 0);
  }
  std::string Take() { return std::move(out_); }

 private:
  enum class Mode {
    kResource,   // a resource: skip resourceType
    kComplex,    // a data type or backbone element
    kCompanion,  // the {id, extension} companion of a primitive; its value is given apart
  };

  Status Resource(const json::Value& resource, const std::string& where, std::size_t depth);
  Status Object(std::string_view tag, const json::Value& object, const ElementRef& ref,
                const std::string& path, std::size_t depth, Mode mode,
                const std::string* value_text);
  Status Child(Members& members, const ElementRef& parent, const ElementDefinition& element,
               const std::string& path, std::size_t depth);
  Status Primitives(const std::string& name, const json::Value* values,
                    const json::Value* companions, const ElementRef& child, const std::string& path,
                    std::size_t depth);
  Status Primitive(const std::string& name, const json::Value* value, const json::Value* companion,
                   const ElementRef& child, const std::string& path, std::size_t depth);
  Status Narrative(const std::string& name, const json::Value& value, const std::string& path,
                   std::size_t depth);
  Status Attribute(std::string_view name, std::string_view value, const std::string& path);
  Status AppendEscaped(std::string_view text, const std::string& path);

  void Indent(std::size_t depth) {
    if (pretty_) out_.append(2 * depth, ' ');
  }
  void EndLine() {
    if (pretty_) out_ += '\n';
  }

  const Registry& registry_;
  const bool pretty_;
  std::string out_;
};

Status Writer::Resource(const json::Value& resource, const std::string& where, std::size_t depth) {
  const std::string* type = resource.is_object() ? resource.FindString("resourceType") : nullptr;
  if (type == nullptr) return Error(where, "a resource must be a JSON object with a resourceType");
  if (!registry_.IsResourceType(*type)) {
    return Error(where, Quote(*type) + " is not a FHIR R4 resource type");
  }
  const std::string path = where.empty() ? *type : where;
  return Object(*type, resource, *registry_.Root(*type), path, depth, Mode::kResource, nullptr);
}

Status Writer::Object(std::string_view tag, const json::Value& object, const ElementRef& ref,
                      const std::string& path, std::size_t depth, Mode mode,
                      const std::string* value_text) {
  if (!object.is_object()) {
    return Error(path, "expected a JSON object, found " + std::string(KindName(object.kind())));
  }
  if (object.members().empty()) {
    return Error(path, "empty object: FHIR does not allow empty elements", IssueType::kInvalid);
  }
  Members members(object);
  if (mode == Mode::kResource) members.Take("resourceType");
  const Registry::Children children = registry_.ChildrenOf(ref);

  Indent(depth);
  out_ += '<';
  out_ += tag;
  if (mode == Mode::kResource && depth == 0) {
    out_ += " xmlns=\"";
    out_ += kFhirNamespace;
    out_ += '"';
  }
  for (std::uint32_t index : *children.indices) {
    const ElementDefinition& e = children.owner->element(index);
    if (!e.xml_attribute || (mode == Mode::kCompanion && e.name == "value")) continue;
    const json::Value* value = members.Take(e.name);
    if (value == nullptr) continue;
    const std::string attribute_path = path + "." + e.name;
    if (!value->is_string()) {
      return Error(attribute_path,
                   "expected a JSON string, found " + std::string(KindName(value->kind())));
    }
    SCHAKEL_RETURN_IF_ERROR(Attribute(e.name, value->text(), attribute_path));
  }
  if (value_text != nullptr) SCHAKEL_RETURN_IF_ERROR(Attribute("value", *value_text, path));

  const std::size_t start_tag_end = out_.size();
  out_ += '>';
  EndLine();
  const std::size_t content_start = out_.size();
  for (std::uint32_t index : *children.indices) {
    const ElementDefinition& e = children.owner->element(index);
    if (e.xml_attribute) continue;
    SCHAKEL_RETURN_IF_ERROR(Child(members, ref, e, path, depth + 1));
  }
  if (const std::string* unused = members.Unused()) {
    return Error(path + "." + *unused, "unknown element " + Quote(*unused));
  }
  if (out_.size() == content_start) {
    out_.resize(start_tag_end);
    out_ += "/>";
  } else {
    Indent(depth);
    out_ += "</";
    out_ += tag;
    out_ += '>';
  }
  EndLine();
  return Status::Ok();
}

Status Writer::Child(Members& members, const ElementRef& parent, const ElementDefinition& element,
                     const std::string& path, std::size_t depth) {
  std::vector<std::string> names;
  if (element.is_choice) {
    for (const std::string& type : element.type_codes) {
      names.push_back(ChoiceName(element.name, type));
    }
  } else {
    names.push_back(element.name);
  }
  const std::string* found = nullptr;
  for (const std::string& name : names) {
    const json::Value* value = members.Take(name);
    const json::Value* companion = members.Take("_" + name);
    if (value == nullptr && companion == nullptr) continue;
    std::string child_path = path;
    child_path.append(".").append(name);
    if (found != nullptr) {
      std::string message = "only one type of " + element.name;
      message += "[x] may be present (found " + Quote(*found) + " too)";
      return Error(child_path, std::move(message));
    }
    found = &name;
    std::optional<ElementRef> child = registry_.ResolveChild(parent, name);
    if (!child) return Error(child_path, "unknown element " + Quote(name));
    const std::string_view type = child->type_code;
    if (registry_.IsPrimitive(type)) {
      SCHAKEL_RETURN_IF_ERROR(Primitives(name, value, companion, *child, child_path, depth));
      continue;
    }
    if (companion != nullptr) {
      std::string where = path;
      where.append("._").append(name);
      return Error(where, "'_" + name + "' is only allowed for primitive elements");
    }
    const bool is_array = element.IsArray();
    if (is_array != value->is_array()) {
      return Error(child_path, is_array ? Quote(name) + " repeats, so it must be a JSON array"
                                        : Quote(name) +
                                              " does not repeat, so it must not be an "
                                              "array");
    }
    auto write_one = [&](const json::Value& item, const std::string& item_path) -> Status {
      if (!IsResourceElementType(registry_, type)) {
        return Object(name, item, *child, item_path, depth, Mode::kComplex, nullptr);
      }
      Indent(depth);
      out_ += '<' + name + '>';
      EndLine();
      SCHAKEL_RETURN_IF_ERROR(Resource(item, item_path, depth + 1));
      Indent(depth);
      out_ += "</" + name + '>';
      EndLine();
      return Status::Ok();
    };
    if (!is_array) {
      SCHAKEL_RETURN_IF_ERROR(write_one(*value, child_path));
      continue;
    }
    for (std::size_t i = 0; i < value->items().size(); ++i) {
      SCHAKEL_RETURN_IF_ERROR(
          write_one(value->items()[i], child_path + "[" + std::to_string(i) + "]"));
    }
  }
  return Status::Ok();
}

Status Writer::Primitives(const std::string& name, const json::Value* values,
                          const json::Value* companions, const ElementRef& child,
                          const std::string& path, std::size_t depth) {
  if (child.type_code == "xhtml") {
    if (companions != nullptr) {
      return Error(path, "the narrative cannot have an id or extensions in XML");
    }
    return Narrative(name, *values, path, depth);
  }
  if (!child.element->IsArray()) {
    for (const json::Value* v : {values, companions}) {
      if (v != nullptr && v->is_array()) {
        return Error(path, Quote(name) + " does not repeat, so it must not be an array");
      }
    }
    return Primitive(name, values, companions, child, path, depth);
  }
  // Repeating: the parallel arrays of https://hl7.org/fhir/R4/json.html#primitive
  for (const json::Value* v : {values, companions}) {
    if (v != nullptr && !v->is_array()) {
      return Error(path, Quote(name) + " repeats, so it must be a JSON array");
    }
  }
  const std::size_t value_count = values != nullptr ? values->items().size() : 0;
  const std::size_t companion_count = companions != nullptr ? companions->items().size() : 0;
  if (values != nullptr && companions != nullptr && value_count != companion_count) {
    return Error(path, Quote(name) + " and '_" + name + "' must have the same length");
  }
  for (std::size_t i = 0; i < std::max(value_count, companion_count); ++i) {
    SCHAKEL_RETURN_IF_ERROR(Primitive(name, values != nullptr ? &values->items()[i] : nullptr,
                                      companions != nullptr ? &companions->items()[i] : nullptr,
                                      child, path + "[" + std::to_string(i) + "]", depth));
  }
  return Status::Ok();
}

Status Writer::Primitive(const std::string& name, const json::Value* value,
                         const json::Value* companion, const ElementRef& child,
                         const std::string& path, std::size_t depth) {
  if (value != nullptr && value->is_null()) value = nullptr;
  if (companion != nullptr && companion->is_null()) companion = nullptr;
  if (value == nullptr && companion == nullptr) {
    return Error(path, Quote(name) + " has neither a value nor extensions", IssueType::kInvalid);
  }
  std::string text;
  if (value != nullptr) {
    const json::Kind expected = ExpectedKind(child.type_code);
    if (value->kind() != expected) {
      return Error(path,
                   "a " + std::string(child.type_code) + " must be " +
                       std::string(KindName(expected)) + ", not " +
                       std::string(KindName(value->kind())),
                   IssueType::kValue);
    }
    text = value->is_bool() ? (value->bool_value() ? "true" : "false") : value->text();
  }
  if (companion != nullptr) {
    return Object(name, *companion, child, path, depth, Mode::kCompanion,
                  value != nullptr ? &text : nullptr);
  }
  Indent(depth);
  out_ += '<';
  out_ += name;
  SCHAKEL_RETURN_IF_ERROR(Attribute("value", text, path));
  out_ += "/>";
  EndLine();
  return Status::Ok();
}

Status Writer::Narrative(const std::string& name, const json::Value& value, const std::string& path,
                         std::size_t depth) {
  if (!value.is_string()) {
    return Error(path, Quote(name) + " must be a JSON string holding XHTML, not " +
                           std::string(KindName(value.kind())));
  }
  Result<std::string> div = CheckNarrative(value.text());
  if (!div.ok()) {
    return Error(
        path,
        "the narrative is not a well-formed XHTML <div>: " + std::string(div.status().message()),
        IssueType::kValue);
  }
  Indent(depth);
  out_ += *div;
  EndLine();
  return Status::Ok();
}

Status Writer::Attribute(std::string_view name, std::string_view value, const std::string& path) {
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  SCHAKEL_RETURN_IF_ERROR(AppendEscaped(value, path));
  out_ += '"';
  return Status::Ok();
}

// Escapes an attribute value so that XML attribute-value normalization gives `text` back, and
// refuses what XML 1.0 cannot carry at all (https://www.w3.org/TR/xml/#charsets).
Status Writer::AppendEscaped(std::string_view text, const std::string& path) {
  auto refuse = [&](std::uint32_t code_point) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "U+%04X", static_cast<unsigned>(code_point));
    return Error(path, std::string("the character ") + hex + " cannot be represented in XML",
                 IssueType::kValue);
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out_ += "&amp;";
          break;
        case '<':
          out_ += "&lt;";
          break;
        case '>':
          out_ += "&gt;";
          break;
        case '"':
          out_ += "&quot;";
          break;
        case '\t':
          out_ += "&#9;";
          break;
        case '\n':
          out_ += "&#10;";
          break;
        case '\r':
          out_ += "&#13;";
          break;
        default:
          if (c < 0x20) return refuse(c);
          out_ += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return Error(path, "the text is not valid UTF-8", IssueType::kValue);
    }
    if (i + length > text.size()) {
      return Error(path, "the text is not valid UTF-8", IssueType::kValue);
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return Error(path, "the text is not valid UTF-8", IssueType::kValue);
      code_point = (code_point << 6) | (b & 0x3F);
    }
    const bool overlong = (length == 2 && code_point < 0x80) ||
                          (length == 3 && code_point < 0x800) ||
                          (length == 4 && code_point < 0x10000);
    if (overlong || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return Error(path, "the text is not valid UTF-8", IssueType::kValue);
    }
    if (code_point == 0xFFFE || code_point == 0xFFFF) return refuse(code_point);
    out_.append(text.substr(i, length));
    i += length;
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> WriteResource(const json::Value& resource,
                                  const definitions::Registry& registry, bool pretty) {
  Writer writer(registry, pretty);
  SCHAKEL_RETURN_IF_ERROR(writer.Document(resource));
  return writer.Take();
}

}  // namespace schakel::fhir::xml
