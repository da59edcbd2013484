// encode(), decode(), escape(), unescape(): FHIRPath 2.1 additions the R4 test suite exercises.
// https://build.fhir.org/ig/HL7/FHIRPath/#additional-string-functions
#include <string>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeBase64(std::string_view in, std::string_view alphabet) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> DecodeBase64(std::string_view in, std::string_view alphabet) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    std::size_t v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string EncodeHex(std::string_view in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : in) {
    out += kDigits[(static_cast<unsigned char>(c) >> 4) & 15];
    out += kDigits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

std::optional<std::string> DecodeHex(std::string_view in) {
  if (in.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 2) {
    int hi = digit(in[i]);
    int lo = digit(in[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string EscapeHtml(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UnescapeHtml(std::string_view in) {
  struct Entity {
    std::string_view name;
    char c;
  };
  static constexpr Entity kEntities[] = {{"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
                                         {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < in.size();) {
    bool replaced = false;
    if (in[i] == '&') {
      for (const Entity& e : kEntities) {
        if (in.substr(i, e.name.size()) == e.name) {
          out += e.c;
          i += e.name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += in[i++];
  }
  return out;
}

std::string EscapeJson(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UnescapeJson(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out += in[i];
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      default:
        out += e;
    }
  }
  return out;
}

Result<Collection> Codec(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  Result<std::optional<Item>> format = SingletonArg(ev, call, 0, frame);
  if (!format.ok()) return format.status();
  if (!v->has_value() || !format->has_value()) return Collection{};
  if ((*v)->kind != ItemKind::kString) return EvalError(call, call.name + "() needs a String");
  const std::string& s = (*v)->text;
  const std::string& f = (*format)->text;
  std::optional<std::string> out;
  if (call.name == "encode") {
    if (f == "base64") out = EncodeBase64(s, kBase64);
    if (f == "urlbase64") out = EncodeBase64(s, kBase64Url);
    if (f == "hex") out = EncodeHex(s);
  } else if (call.name == "decode") {
    if (f == "base64") out = DecodeBase64(s, kBase64);
    if (f == "urlbase64") out = DecodeBase64(s, kBase64Url);
    if (f == "hex") out = DecodeHex(s);
  } else if (call.name == "escape") {
    if (f == "html") out = EscapeHtml(s);
    if (f == "json") out = EscapeJson(s);
  } else {
    if (f == "html") out = UnescapeHtml(s);
    if (f == "json") out = UnescapeJson(s);
  }
  if (!out.has_value()) return Collection{};
  return Collection{Item::String(std::move(*out))};
}

constexpr FunctionSpec kFunctions[] = {
    {"encode", 1, 1, Codec},
    {"decode", 1, 1, Codec},
    {"escape", 1, 1, Codec},
    {"unescape", 1, 1, Codec},
};

}  // namespace

std::span<const FunctionSpec> EncodingFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
