#include "fhir/xml/reader.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/primitives/formats.h"
#include "fhir/xml/namespaces.h"
#include "fhir/xml/sax_parser.h"

namespace schakel::fhir::xml {
namespace {

using definitions::ElementDefinition;
using definitions::ElementRef;
using definitions::Registry;

constexpr std::size_t kMaxQuoted = 64;  // characters of a rejected name or value in a message

std::string Quote(std::string_view s) {
  if (s.size() <= kMaxQuoted) return "'" + std::string(s) + "'";
  return "'" + std::string(s.substr(0, kMaxQuoted)) + "...'";
}

std::string AtLine(int line) { return " (line " + std::to_string(line) + ")"; }

bool IsWhitespace(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// True when `text` is exactly a JSON number the JSON parser would accept (grammar and range).
bool IsJsonNumber(std::string_view text) {
  if (text.empty() || !(text.front() == '-' || (text.front() >= '0' && text.front() <= '9')) ||
      text.back() < '0' || text.back() > '9') {
    return false;
  }
  Result<json::Value> parsed = json::Parse(text);
  return parsed.ok() && parsed->is_number();
}

bool IsResourceElementType(const Registry& registry, std::string_view type) {
  return type == "Resource" || type == "DomainResource" || registry.IsResourceType(type);
}

// The JSON value of a primitive of type `type_code` written as `text` in XML.
Result<json::Value> PrimitiveValue(std::string_view type_code, std::string_view text,
                                   const std::string& path, int line) {
  const std::optional<PrimitiveType> type = PrimitiveTypeFromCode(type_code);
  if (!type) return json::Value::String(std::string(text));
  switch (*type) {
    case PrimitiveType::kBoolean:
      if (text == "true") return json::Value::Bool(true);
      if (text == "false") return json::Value::Bool(false);
      return Status::Unprocessable(
          "a boolean must be 'true' or 'false', not " + Quote(text) + AtLine(line), path,
          IssueType::kValue);
    case PrimitiveType::kInteger:
    case PrimitiveType::kUnsignedInt:
    case PrimitiveType::kPositiveInt:
    case PrimitiveType::kDecimal:
      if (IsJsonNumber(text)) return json::Value::Number(std::string(text));
      return Status::Unprocessable(Quote(text) + " is not a valid " + std::string(type_code) +
                                       " (FHIR numbers are written as JSON numbers, e.g. 1.0)" +
                                       AtLine(line),
                                   path, IssueType::kValue);
    default:
      return json::Value::String(std::string(text));
  }
}

// Builds the JSON form of a resource from the events of its XML.
class ResourceBuilder final : public XmlContentHandler {
 public:
  explicit ResourceBuilder(const Registry& registry) : registry_(registry) {}

  Status StartElement(const XmlStartTag& tag) override;
  Status EndElement() override;
  Status Text(std::string_view text, int line) override;
  Status OpaqueElement(const XmlStartTag& tag, std::string_view source) override;

  Result<json::Value> Take() {
    if (!result_) return Status::Internal("the XML document had no root element");
    return std::move(*result_);
  }

 private:
  enum class Kind {
    kObject,     // a complex value or a resource: `object` is its JSON object
    kPrimitive,  // `value` is the value (null if none), `object` the {id, extension} companion
    kHolder,     // an element of type Resource: `object` is the resource inside, once read
  };
  struct Frame {
    Kind kind = Kind::kObject;
    ElementRef ref;
    std::string name;  // the member name in the parent object
    std::string path;  // FHIRPath location, e.g. Patient.name[0].given[1]
    bool is_array = false;
    int line = 0;
    json::Value object = json::Value::Object();
    json::Value value;
    bool has_resource = false;
    // Non-repeating elements already read, to refuse a second one (choices included).
    std::vector<const ElementDefinition*> singles;
  };

  Status StartRoot(const XmlStartTag& tag);
  Status StartResource(const XmlStartTag& tag, const std::string& path);
  Status StartChild(Frame& parent, const XmlStartTag& tag);
  Status ApplyAttributes(Frame& frame, const XmlStartTag& tag) const;
  // Where a child named `name` of `parent` goes; refuses a second non-repeating one.
  Result<std::string> ChildPath(Frame& parent, const ElementRef& child, std::string_view name,
                                int line) const;
  void AddComplex(Frame& parent, const std::string& name, bool is_array, json::Value value);
  void AddPrimitive(Frame& parent, Frame& child);
  // Drops the arrays of repeating primitives that hold only nulls.
  static void Tidy(json::Value& object);

  const Registry& registry_;
  std::vector<Frame> stack_;
  std::optional<json::Value> result_;
};

Status ResourceBuilder::StartElement(const XmlStartTag& tag) {
  if (stack_.empty()) return StartRoot(tag);
  Frame& parent = stack_.back();
  if (parent.kind == Kind::kHolder) {
    if (parent.has_resource) {
      return Status::Unprocessable(
          "only one resource is allowed in " + Quote(parent.name) + AtLine(tag.line), parent.path,
          IssueType::kStructure);
    }
    return StartResource(tag, parent.path);
  }
  return StartChild(parent, tag);
}

Status ResourceBuilder::StartRoot(const XmlStartTag& tag) {
  if (tag.ns != kFhirNamespace) {
    return Status::InvalidInput("not FHIR XML: the root element " + Quote(tag.local_name) +
                                " is in namespace " +
                                (tag.ns.empty() ? std::string("(none)") : Quote(tag.ns)) +
                                ", not " + std::string(kFhirNamespace));
  }
  return StartResource(tag, std::string(tag.local_name));
}

Status ResourceBuilder::StartResource(const XmlStartTag& tag, const std::string& path) {
  if (tag.ns != kFhirNamespace || !registry_.IsResourceType(tag.local_name)) {
    return Status::Unprocessable(
        Quote(tag.local_name) + " is not a FHIR R4 resource type" + AtLine(tag.line),
        stack_.empty() ? std::string() : path, IssueType::kStructure);
  }
  Frame frame;
  frame.kind = Kind::kObject;
  frame.ref = *registry_.Root(tag.local_name);
  frame.name = tag.local_name;
  frame.path = path;
  frame.line = tag.line;
  frame.object.Set("resourceType", json::Value::String(std::string(tag.local_name)));
  SCHAKEL_RETURN_IF_ERROR(ApplyAttributes(frame, tag));
  stack_.push_back(std::move(frame));
  return Status::Ok();
}

Result<std::string> ResourceBuilder::ChildPath(Frame& parent, const ElementRef& child,
                                               std::string_view name, int line) const {
  std::string path = parent.path + "." + std::string(name);
  if (child.element->IsArray()) {
    // Until the parent ends, a repeating primitive keeps both of its parallel arrays, so the
    // value array counts every occurrence so far.
    const json::Value* existing = parent.object.Find(name);
    return path + "[" + std::to_string(existing != nullptr ? existing->size() : 0) + "]";
  }
  for (const ElementDefinition* seen : parent.singles) {
    if (seen == child.element) {
      return Status::Unprocessable(
          Quote(name) + " occurs more than once, but " +
              (child.element->is_choice ? child.element->name + "[x]" : child.element->name) +
              " does not repeat" + AtLine(line),
          path, IssueType::kStructure);
    }
  }
  parent.singles.push_back(child.element);
  return path;
}

Status ResourceBuilder::StartChild(Frame& parent, const XmlStartTag& tag) {
  const std::string where = parent.path + "." + std::string(tag.local_name);
  if (tag.ns != kFhirNamespace) {
    return Status::Unprocessable("element " + Quote(tag.local_name) + " in namespace " +
                                     (tag.ns.empty() ? std::string("(none)") : Quote(tag.ns)) +
                                     " is not FHIR content" + AtLine(tag.line),
                                 where, IssueType::kStructure);
  }
  std::optional<ElementRef> child = registry_.ResolveChild(parent.ref, tag.local_name);
  if (!child) {
    return Status::Unprocessable("unknown element " + Quote(tag.local_name) + AtLine(tag.line),
                                 where, IssueType::kStructure);
  }
  if (child->element->xml_attribute) {
    return Status::Unprocessable(
        Quote(tag.local_name) + " must be an XML attribute" + AtLine(tag.line), where,
        IssueType::kStructure);
  }
  const std::string_view type = child->type_code;
  if (type == "xhtml") {
    return Status::Unprocessable(Quote(tag.local_name) + " must be an XHTML element (namespace " +
                                     std::string(kXhtmlNamespace) + ")" + AtLine(tag.line),
                                 where, IssueType::kStructure);
  }
  Result<std::string> path = ChildPath(parent, *child, tag.local_name, tag.line);
  if (!path.ok()) return path.status();

  Frame frame;
  frame.kind = registry_.IsPrimitive(type)              ? Kind::kPrimitive
               : IsResourceElementType(registry_, type) ? Kind::kHolder
                                                        : Kind::kObject;
  frame.ref = *child;
  frame.name = tag.local_name;
  frame.path = std::move(path).value();
  frame.is_array = child->element->IsArray();
  frame.line = tag.line;
  SCHAKEL_RETURN_IF_ERROR(ApplyAttributes(frame, tag));
  stack_.push_back(std::move(frame));
  return Status::Ok();
}

Status ResourceBuilder::ApplyAttributes(Frame& frame, const XmlStartTag& tag) const {
  for (const XmlAttribute& attribute : tag.attributes) {
    if (attribute.ns == kXsiNamespace) continue;
    std::optional<ElementRef> target;
    if (attribute.ns.empty() && frame.kind != Kind::kHolder) {
      target = registry_.ResolveChild(frame.ref, attribute.local_name);
    }
    if (!target || !target->element->xml_attribute) {
      std::string name;
      if (!attribute.ns.empty()) name.append("{").append(attribute.ns).append("}");
      name.append(attribute.local_name);
      return Status::Unprocessable(
          "unknown attribute " + Quote(name) + " on " + Quote(tag.local_name) + AtLine(tag.line),
          frame.path, IssueType::kStructure);
    }
    if (frame.kind == Kind::kPrimitive && attribute.local_name == "value") {
      Result<json::Value> value =
          PrimitiveValue(frame.ref.type_code, attribute.value, frame.path, tag.line);
      if (!value.ok()) return value.status();
      frame.value = std::move(value).value();
      continue;
    }
    Result<json::Value> value =
        PrimitiveValue(target->type_code, attribute.value,
                       frame.path + "." + std::string(attribute.local_name), tag.line);
    if (!value.ok()) return value.status();
    frame.object.Set(attribute.local_name, std::move(value).value());
  }
  return Status::Ok();
}

Status ResourceBuilder::Text(std::string_view text, int line) {
  if (IsWhitespace(text)) return Status::Ok();
  if (stack_.empty()) return Status::InvalidInput("text outside the root element" + AtLine(line));
  const Frame& frame = stack_.back();
  return Status::Unprocessable("text content is not allowed in " + Quote(frame.name) +
                                   ": FHIR XML puts values in attributes" + AtLine(line),
                               frame.path, IssueType::kStructure);
}

Status ResourceBuilder::OpaqueElement(const XmlStartTag& tag, std::string_view source) {
  if (stack_.empty()) {
    return Status::InvalidInput("not FHIR XML: the root element is in the XHTML namespace");
  }
  Frame& parent = stack_.back();
  const std::string where = parent.path + "." + std::string(tag.local_name);
  std::optional<ElementRef> child;
  if (parent.kind == Kind::kObject) child = registry_.ResolveChild(parent.ref, tag.local_name);
  if (!child || child->type_code != "xhtml") {
    return Status::Unprocessable(
        "unexpected XHTML element " + Quote(tag.local_name) + AtLine(tag.line), where,
        IssueType::kStructure);
  }
  // FHIR JSON has the narrative as <div xmlns="http://www.w3.org/1999/xhtml">...
  constexpr std::string_view kDiv = "<div";
  if (source.substr(0, kDiv.size()) != kDiv || source.size() <= kDiv.size() ||
      !(source[kDiv.size()] == ' ' || source[kDiv.size()] == '\t' || source[kDiv.size()] == '\r' ||
        source[kDiv.size()] == '\n' || source[kDiv.size()] == '>' || source[kDiv.size()] == '/')) {
    return Status::Unprocessable(
        "the narrative must be a <div> in the default namespace, without a prefix" +
            AtLine(tag.line),
        where, IssueType::kStructure);
  }
  Result<std::string> path = ChildPath(parent, *child, tag.local_name, tag.line);
  if (!path.ok()) return path.status();
  AddComplex(parent, std::string(tag.local_name), child->element->IsArray(),
             json::Value::String(std::string(source)));
  return Status::Ok();
}

Status ResourceBuilder::EndElement() {
  Frame frame = std::move(stack_.back());
  stack_.pop_back();
  Tidy(frame.object);
  switch (frame.kind) {
    case Kind::kPrimitive:
      if (frame.value.is_null() && frame.object.members().empty()) {
        return Status::Unprocessable(Quote(frame.name) +
                                         " has neither a value attribute nor extensions" +
                                         AtLine(frame.line),
                                     frame.path, IssueType::kInvalid);
      }
      AddPrimitive(stack_.back(), frame);
      return Status::Ok();
    case Kind::kHolder:
      if (!frame.has_resource) {
        return Status::Unprocessable(
            Quote(frame.name) + " must contain a resource" + AtLine(frame.line), frame.path,
            IssueType::kRequired);
      }
      break;
    case Kind::kObject:
      if (stack_.empty()) {
        result_ = std::move(frame.object);
        return Status::Ok();
      }
      if (stack_.back().kind == Kind::kHolder) {
        stack_.back().object = std::move(frame.object);
        stack_.back().has_resource = true;
        return Status::Ok();
      }
      if (frame.object.members().empty()) {
        return Status::Unprocessable(Quote(frame.name) +
                                         " is empty: an element needs a value or children" +
                                         AtLine(frame.line),
                                     frame.path, IssueType::kInvalid);
      }
      break;
  }
  AddComplex(stack_.back(), frame.name, frame.is_array, std::move(frame.object));
  return Status::Ok();
}

void ResourceBuilder::AddComplex(Frame& parent, const std::string& name, bool is_array,
                                 json::Value value) {
  if (!is_array) {
    parent.object.Set(name, std::move(value));
    return;
  }
  json::Value* items = parent.object.Find(name);
  if (items == nullptr) items = &parent.object.Set(name, json::Value::Array());
  items->Push(std::move(value));
}

void ResourceBuilder::AddPrimitive(Frame& parent, Frame& child) {
  const std::string companion_name = "_" + child.name;
  const bool has_companion = !child.object.members().empty();
  if (!child.is_array) {
    if (!child.value.is_null()) parent.object.Set(child.name, std::move(child.value));
    if (has_companion) parent.object.Set(companion_name, std::move(child.object));
    return;
  }
  // Parallel arrays of equal length, null where one side has nothing; Tidy() drops an array that
  // stays all nulls.
  if (parent.object.Find(child.name) == nullptr) {
    parent.object.Set(child.name, json::Value::Array());
    parent.object.Set(companion_name, json::Value::Array());
  }
  parent.object.Find(child.name)->Push(std::move(child.value));
  parent.object.Find(companion_name)
      ->Push(has_companion ? std::move(child.object) : json::Value::Null());
}

void ResourceBuilder::Tidy(json::Value& object) {
  auto all_null = [](const json::Value& v) {
    if (!v.is_array()) return false;
    for (const json::Value& item : v.items()) {
      if (!item.is_null()) return false;
    }
    return true;
  };
  std::vector<std::string> empty;
  for (const json::Member& m : object.members()) {
    if (all_null(m.value)) empty.push_back(m.name);
  }
  for (const std::string& name : empty) object.Remove(name);
}

}  // namespace

Result<json::Value> ParseResource(std::string_view xml, const definitions::Registry& registry,
                                  const XmlLimits& limits) {
  ResourceBuilder builder(registry);
  XmlParseOptions options;
  options.max_depth = limits.max_depth;
  options.max_bytes = limits.max_bytes;
  options.max_nodes = limits.max_nodes;
  options.opaque_namespace = kXhtmlNamespace;
  SCHAKEL_RETURN_IF_ERROR(ParseXml(xml, options, builder));
  return builder.Take();
}

}  // namespace schakel::fhir::xml
