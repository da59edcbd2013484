// String, token and uri index entries. https://hl7.org/fhir/R4/search.html#string,
// #token and #uri.
#include <initializer_list>

#include "fhir/search/extract.h"
#include "fhir/search/extract_convert.h"

namespace schakel::fhir::search::internal {
namespace {

void AddString(std::string_view text, const std::string& param, std::vector<StringIndex>& out) {
  std::string normalized = NormalizeString(text);
  if (normalized.empty()) return;
  out.push_back({param, std::move(normalized), std::string(text)});
}

// The string member `key` of `object` (or each string of it, when it is an array).
void AddMembers(const json::Value& object, std::initializer_list<std::string_view> keys,
                const std::string& param, std::vector<StringIndex>& out) {
  for (std::string_view key : keys) {
    const json::Value* value = object.Find(key);
    if (value == nullptr) continue;
    if (value->is_string()) {
      AddString(value->text(), param, out);
    } else if (value->is_array()) {
      for (const json::Value& v : value->items()) {
        if (v.is_string()) AddString(v.text(), param, out);
      }
    }
  }
}

std::optional<std::string> Member(const json::Value& object, std::string_view key) {
  const std::string* value = object.FindString(key);
  if (value == nullptr || value->empty()) return std::nullopt;
  return *value;
}

void AddCoding(const json::Value& coding, const std::string& param, std::vector<TokenIndex>& out) {
  if (!coding.is_object()) return;
  std::optional<std::string> system = Member(coding, "system");
  std::optional<std::string> code = Member(coding, "code");
  std::optional<std::string> display = Member(coding, "display");
  if (!system && !code && !display) return;
  TokenIndex token;
  token.param = param;
  token.system = std::move(system);
  token.code = code.value_or("");
  if (display) token.text = NormalizeString(*display);
  out.push_back(std::move(token));
}

void AddCodeableConcept(const json::Value& cc, const std::string& param,
                        std::vector<TokenIndex>& out) {
  if (!cc.is_object()) return;
  if (const json::Value* codings = cc.Find("coding"); codings && codings->is_array()) {
    for (const json::Value& coding : codings->items()) AddCoding(coding, param, out);
  }
  if (std::optional<std::string> text = Member(cc, "text")) {
    TokenIndex token;
    token.param = param;
    token.text = NormalizeString(*text);
    out.push_back(std::move(token));
  }
}

void AddIdentifier(const json::Value& identifier, const std::string& param,
                   std::vector<TokenIndex>& out) {
  if (!identifier.is_object()) return;
  std::optional<std::string> system = Member(identifier, "system");
  std::optional<std::string> value = Member(identifier, "value");
  if (!system && !value) return;
  TokenIndex token;
  token.param = param;
  token.system = std::move(system);
  token.code = value.value_or("");
  if (const json::Value* type = identifier.Find("type"); type != nullptr && type->is_object()) {
    if (const json::Value* codings = type->Find("coding");
        codings != nullptr && codings->is_array() && !codings->items().empty()) {
      const json::Value& first = codings->items().front();
      if (first.is_object()) {
        token.type_system = Member(first, "system");
        token.type_code = Member(first, "code");
      }
    }
    if (std::optional<std::string> text = Member(*type, "text")) {
      token.text = NormalizeString(*text);
    }
  }
  out.push_back(std::move(token));
}

}  // namespace

const std::string* StringValue(const path::Item& item) {
  if (item.kind == path::ItemKind::kString) return &item.text;
  if (item.is_node() && item.node != nullptr && item.node->is_string()) return &item.node->text();
  return nullptr;
}

void AddStrings(const path::Item& item, const std::string& param, std::vector<StringIndex>& out) {
  if (const std::string* text = StringValue(item)) {
    AddString(*text, param, out);
    return;
  }
  if (!item.is_node() || item.node == nullptr || !item.node->is_object()) return;
  if (item.type == "HumanName") {
    AddMembers(*item.node, {"family", "given", "prefix", "suffix", "text"}, param, out);
  } else if (item.type == "Address") {
    AddMembers(*item.node, {"line", "city", "district", "state", "postalCode", "country", "text"},
               param, out);
  }
}

void AddTokens(const path::Item& item, const std::string& param, std::vector<TokenIndex>& out,
               const std::string* code_system) {
  auto add_code = [&out, &param](std::string code, const std::string* system = nullptr) {
    if (code.empty()) return;
    TokenIndex token;
    token.param = param;
    if (system != nullptr) token.system = *system;
    token.code = std::move(code);
    out.push_back(std::move(token));
  };
  switch (item.kind) {
    case path::ItemKind::kString:
      add_code(item.text);
      return;
    case path::ItemKind::kBoolean:
      add_code(item.boolean ? "true" : "false");
      return;
    case path::ItemKind::kInteger:
      add_code(std::to_string(item.integer));
      return;
    case path::ItemKind::kNode:
      break;
    default:
      return;
  }
  const json::Value* node = item.node;
  if (node == nullptr) return;
  if (node->is_string() || node->is_number()) {
    // A FHIR `code`: its system is implicit in its binding (search.html#token).
    add_code(node->text(), item.type == "code" ? code_system : nullptr);
  } else if (node->is_bool()) {
    add_code(node->bool_value() ? "true" : "false");
  } else if (item.type == "CodeableConcept") {
    AddCodeableConcept(*node, param, out);
  } else if (item.type == "Coding") {
    AddCoding(*node, param, out);
  } else if (item.type == "Identifier") {
    AddIdentifier(*node, param, out);
  } else if (item.type == "ContactPoint") {
    if (std::optional<std::string> value = Member(*node, "value")) add_code(std::move(*value));
  }
}

void AddUris(const path::Item& item, const std::string& param, std::vector<UriIndex>& out) {
  const std::string* text = StringValue(item);
  if (text == nullptr || text->empty()) return;
  out.push_back({param, *text});
}

}  // namespace schakel::fhir::search::internal
